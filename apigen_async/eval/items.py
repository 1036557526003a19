"""What `apigen eval` scores: one question, its functions and BFCL's possible answers.

Items come from two sources, both read into `EvalItem`:
- BFCL's own test sets (`apigen_async.eval.bfcl_data`), as the leaderboard ships them;
- a data file of ours (`--data`): xlam rows (a `test.jsonl` from `apigen split`), whose
  answers become BFCL's possible-answer form (`ast_checker.possible_answers`), or BFCL
  rows with their ground truth inline (our `--export bfcl`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec
import orjson

from apigen_async.catalog.dialects import tool_from_bfcl, tool_to_bfcl
from apigen_async.errors import ConfigError
from apigen_async.eval.ast_checker import PossibleAnswer, possible_answers
from apigen_async.rows import read_rows
from apigen_async.schema import Call, Tool

__all__ = ["EvalItem", "bfcl_item", "read_data_file"]


class EvalItem(msgspec.Struct, frozen=True, kw_only=True):
    """One question to score. `functions` are BFCL function docs, as the model sees them."""

    id: str
    #: A BFCL category (`simple_python`, `live_multiple`, ...) or one of our styles.
    category: str
    #: The conversation of the (single) turn: BFCL live items may open with a system message.
    messages: tuple[dict[str, str], ...]
    functions: tuple[dict[str, Any], ...]
    tools: tuple[Tool, ...]
    #: BFCL's ground truth; empty for irrelevance and relevance items.
    expected: tuple[PossibleAnswer, ...] = ()

    def tools_by_name(self) -> dict[str, Tool]:
        return {t.name: t for t in self.tools}


def bfcl_item(
    question: dict[str, Any], category: str, ground_truth: Sequence[PossibleAnswer]
) -> EvalItem:
    """A BFCL question line (and its possible answer) as an item; ValueError if malformed."""
    turns = question.get("question")
    if not isinstance(turns, list) or not turns or not isinstance(turns[0], list):
        raise ValueError("'question' is not a list of turns")
    if len(turns) != 1:
        raise ValueError(f"{len(turns)} turns: only single-turn questions are scored")
    functions = question.get("function")
    if not isinstance(functions, list):
        raise ValueError("'function' is not a list of function docs")
    messages = tuple(
        {"role": str(m.get("role", "user")), "content": str(m.get("content", ""))}
        for m in turns[0]
        if isinstance(m, dict)
    )
    return EvalItem(
        id=str(question.get("id")),
        category=category,
        messages=messages,
        functions=tuple(functions),
        tools=tuple(tool_from_bfcl(f) for f in functions),
        expected=tuple(ground_truth),
    )


# Categories an inline-ground-truth BFCL row may carry in its id ("parallel_multiple_3",
# "live_simple_0-0-0"), longest first so that "parallel_multiple" wins over "parallel".
_ID_CATEGORY = re.compile(
    r"^(live_parallel_multiple|live_irrelevance|live_relevance|live_multiple|live_parallel|"
    r"live_simple|parallel_multiple|simple_python|irrelevance|multiple|parallel|simple)_"
)


def _bfcl_row(line: int, row: dict[str, Any]) -> EvalItem:
    found = _ID_CATEGORY.match(str(row.get("id", "")))
    if found is None:
        raise ValueError(f"id {row.get('id')!r} names no BFCL category")
    category = found.group(1)
    truth = row.get("ground_truth", [])
    if not isinstance(truth, list):
        raise ValueError("'ground_truth' is not a list")
    return bfcl_item(row, category, truth)


def _xlam_items(path: Path) -> list[EvalItem]:
    items = []
    for row in read_rows(path):
        if row.item is None:
            raise ConfigError(f"--data {path}: not an xlam or BFCL data file ({row.problem})")
        item = row.item
        tools = {t.name: t for t in item.tools}
        try:
            calls = msgspec.convert(item.answers, list[Call])
        except msgspec.ValidationError as exc:
            raise ConfigError(f"--data {path}: row {item.id}: answers: {exc}") from exc
        items.append(
            EvalItem(
                id=item.id,
                category=item.style,
                messages=({"role": "user", "content": item.query},),
                functions=tuple(tool_to_bfcl(t) for t in item.tools),
                tools=item.tools,
                expected=tuple(possible_answers(calls, tools)),
            )
        )
    return items


def read_data_file(path: Path) -> list[EvalItem]:
    """Items of `--data`: xlam rows, or BFCL rows with inline ground truth."""
    try:
        with path.open("rb") as handle:
            first = next((line for line in handle if line.strip()), b"")
    except OSError as exc:
        raise ConfigError(f"--data {path}: cannot read: {exc.strerror}") from exc
    try:
        head = orjson.loads(first) if first else None
    except orjson.JSONDecodeError:
        head = None
    if not isinstance(head, dict):
        raise ConfigError(
            f"--data {path}: not an xlam or BFCL data file (the first line is not a JSON object)"
        )
    if "question" not in head:
        items = _xlam_items(path)
    else:
        items = []
        with path.open("rb") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    items.append(_bfcl_row(number, orjson.loads(line)))
                except (orjson.JSONDecodeError, ValueError, TypeError, KeyError) as exc:
                    raise ConfigError(
                        f"--data {path}: line {number}: not a BFCL question ({exc})"
                    ) from exc
    if not items:
        raise ConfigError(f"--data {path}: no rows")
    return items
