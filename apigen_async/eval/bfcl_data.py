"""BFCL's single-turn AST test sets, read from the data files, never from BFCL's code.

The files come from the `bfcl-eval` wheel installed without its dependencies (the
`apigen-async[bfcl]` extra; its package folder is located with `find_spec`, which does
not run the package, whose import would load every model vendor's SDK), or from
`--bfcl-dir`, a gorilla checkout's `bfcl_eval/data`.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
from pathlib import Path
from typing import Any

import orjson

from apigen_async.errors import ConfigError
from apigen_async.eval.items import EvalItem, bfcl_item

__all__ = [
    "CATEGORY_GROUPS",
    "NO_ANSWER_CATEGORIES",
    "SUPPORTED_CATEGORIES",
    "find_bfcl_dir",
    "load_category",
    "parse_categories",
]

SUPPORTED_CATEGORIES = (
    "simple_python",
    "multiple",
    "parallel",
    "parallel_multiple",
    "irrelevance",
    "live_simple",
    "live_multiple",
    "live_parallel",
    "live_parallel_multiple",
    "live_irrelevance",
    "live_relevance",
)
#: Categories scored by whether the model calls at all; BFCL ships no possible answers.
NO_ANSWER_CATEGORIES = frozenset({"irrelevance", "live_irrelevance", "live_relevance"})
CATEGORY_GROUPS = {
    "non_live": SUPPORTED_CATEGORIES[:5],
    "live": SUPPORTED_CATEGORIES[5:],
    "all": SUPPORTED_CATEGORIES,
}
# BFCL categories we refuse by name, and why: scoring them here would be wrong, not partial.
_REFUSED = {
    "simple_java": "its answers are Java literals in strings (BFCL's Java type converter)",
    "simple_javascript": "its answers are JavaScript literals in strings",
    "multi_turn_base": "it needs multi-turn state and executes calls",
    "multi_turn_miss_func": "it needs multi-turn state and executes calls",
    "multi_turn_miss_param": "it needs multi-turn state and executes calls",
    "multi_turn_long_context": "it needs multi-turn state and executes calls",
    "memory": "it needs a memory backend and multi-turn state",
    "web_search": "it executes web searches",
    "format_sensitivity": "it re-prompts in many formats and needs BFCL's prompt variants",
    "exec_simple": "it executes calls",
    "rest": "it executes REST calls",
}


def parse_categories(spec: str) -> list[str]:
    """`simple_python,multiple` or a group (`non_live`, `live`, `all`) -> category names."""
    names: list[str] = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        if part in CATEGORY_GROUPS:
            names.extend(CATEGORY_GROUPS[part])
        elif part in SUPPORTED_CATEGORIES:
            names.append(part)
        elif part in _REFUSED:
            raise ConfigError(
                f"--bfcl: category {part!r} is not scored by apigen eval: {_REFUSED[part]} "
                f"(supported: {', '.join(SUPPORTED_CATEGORIES)})"
            )
        else:
            raise ConfigError(
                f"--bfcl: unknown BFCL category {part!r}; choose from "
                f"{', '.join((*CATEGORY_GROUPS, *SUPPORTED_CATEGORIES))}"
            )
    if not names:
        raise ConfigError("--bfcl: no category given")
    return list(dict.fromkeys(names))


def find_bfcl_dir(explicit: Path | None) -> Path:
    """The folder holding `BFCL_v4_<category>.json` and `possible_answer/`."""
    if explicit is not None:
        if not explicit.is_dir():
            raise ConfigError(f"--bfcl-dir {explicit}: no such folder")
        if not any(explicit.glob("BFCL_v*_simple_python.json")):
            raise ConfigError(
                f"--bfcl-dir {explicit}: holds no BFCL_v4_*.json files (expected a gorilla "
                "checkout's berkeley-function-call-leaderboard/bfcl_eval/data)"
            )
        return explicit
    spec = importlib.util.find_spec("bfcl_eval")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(
            "--bfcl needs BFCL's data: pip install --no-deps bfcl-eval (the apigen-async[bfcl] "
            "extra), or pass --bfcl-dir PATH to a gorilla checkout's bfcl_eval/data"
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "data"
    if not folder.is_dir():
        raise ConfigError(f"the installed bfcl-eval package has no data folder at {folder}")
    return folder


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc
    rows = []
    for number, line in enumerate(data.splitlines(), 1):
        if line.strip():
            try:
                rows.append(orjson.loads(line))
            except orjson.JSONDecodeError as exc:
                raise ConfigError(f"{path} line {number}: not JSON ({exc})") from exc
    return rows


def _sample(ids: list[str], n: int | None, seed: int) -> set[str]:
    if n is None or n >= len(ids):
        return set(ids)

    def rank(item_id: str) -> bytes:
        return hashlib.blake2b(f"{seed}\x00{item_id}".encode(), digest_size=16).digest()

    return set(sorted(ids, key=rank)[:n])


def load_category(
    folder: Path, category: str, *, sample: int | None = None, seed: int = 0
) -> list[EvalItem]:
    """The items of one category, in file order; `sample`: a fixed seeded subset."""
    questions = _read_jsonl(_versioned(folder, category))
    answers: dict[str, list[Any]] = {}
    if category not in NO_ANSWER_CATEGORIES:
        for row in _read_jsonl(_versioned(folder / "possible_answer", category)):
            answers[str(row.get("id"))] = row.get("ground_truth") or []
    keep = _sample([str(q.get("id")) for q in questions], sample, seed)
    items = []
    for question in questions:
        item_id = str(question.get("id"))
        if item_id not in keep:
            continue
        if category not in NO_ANSWER_CATEGORIES and item_id not in answers:
            raise ConfigError(f"BFCL data: {category} item {item_id} has no possible answer")
        try:
            items.append(bfcl_item(question, category, answers.get(item_id, [])))
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"BFCL data: {category} item {item_id}: {exc}") from exc
    return items


def _versioned(folder: Path, category: str) -> Path:
    # The newest release's file: BFCL renames them with each version (v3 -> v4).
    # The glob alone would take BFCL_v4_live_multiple.json for "multiple".
    pattern = re.compile(rf"BFCL_v(\d+)_{re.escape(category)}\.json")
    found = sorted(
        (int(m.group(1)), path)
        for path in folder.glob(f"BFCL_v*_{category}.json")
        if (m := pattern.fullmatch(path.name))
    )
    if not found:
        raise ConfigError(f"{folder}: no BFCL_v*_{category}.json")
    return found[-1][1]
