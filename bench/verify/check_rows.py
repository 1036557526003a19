"""Check the labelled rows of `bench/verify/`: every row must pass format and execution.

The benchmark measures the semantic checks (rules, re-solve, judge) only, so a row that
an earlier, certain check would already drop says nothing about them and is an error.

    python -m bench.verify.check_rows [FILE ...]     (default: bench/verify/rows*.jsonl)
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import anyio
import msgspec

from apigen_async.catalog.library import load_catalog
from apigen_async.checks.execution import ExecutorRouter, check_execution
from apigen_async.checks.format import check_pair
from apigen_async.executors.python import PythonExecutor
from apigen_async.schema import Call, Rejection
from apigen_async.styles import STYLES

HERE = Path(__file__).resolve().parent

CATEGORIES = (
    "correct",
    "wrong_function",
    "ungrounded_args",
    "wrong_value",
    "incomplete",
    "redundant",
    "false_irrelevance",
    "false_call",
)


class LabelledRow(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One hand-written row: the offered tools by name, and what a careful reader says."""

    id: str
    style: str
    query: str
    answers: list[Call]
    tools: list[str]
    label: str
    category: str
    note: str = ""


def load_rows(paths: list[Path]) -> list[tuple[Path, int, LabelledRow | str]]:
    out: list[tuple[Path, int, LabelledRow | str]] = []
    for path in paths:
        for lineno, line in enumerate(path.read_text().splitlines(), 1):
            if not line.strip():
                continue
            try:
                out.append((path, lineno, msgspec.json.decode(line, type=LabelledRow)))
            except msgspec.DecodeError as exc:
                out.append((path, lineno, str(exc)))
    return out


def default_files() -> list[Path]:
    return sorted(HERE.glob("rows*.jsonl"))


async def check(paths: list[Path]) -> int:
    tools = load_catalog([], builtin=True, local_rest=False).by_name()
    problems: list[str] = []
    seen: set[str] = set()
    labels: Counter[str] = Counter()
    by_style: Counter[str] = Counter()
    async with PythonExecutor(workers=2, timeout=10, memory_mb=1024) as python:
        executor = ExecutorRouter({"python": python})
        for path, lineno, row in load_rows(paths):
            where = f"{path.name}:{lineno}"
            if isinstance(row, str):
                problems.append(f"{where}: {row}")
                continue
            where += f" ({row.id})"
            if row.id in seen:
                problems.append(f"{where}: duplicate id")
            seen.add(row.id)
            if row.style not in STYLES:
                problems.append(f"{where}: style {row.style!r} not in {STYLES}")
                continue
            if row.category not in CATEGORIES:
                problems.append(f"{where}: category {row.category!r} not in {CATEGORIES}")
            if (row.label == "correct") != (row.category == "correct") or row.label not in (
                "correct",
                "wrong",
            ):
                problems.append(f"{where}: label {row.label!r} does not fit {row.category!r}")
            unknown = [n for n in row.tools if n not in tools]
            if unknown:
                problems.append(f"{where}: unknown tools {unknown}")
                continue
            offered = {n: tools[n] for n in row.tools}
            raw = {"query": row.query, "answers": msgspec.to_builtins(row.answers)}
            pair = check_pair(raw, offered, row.style)  # type: ignore[arg-type]
            if isinstance(pair, Rejection):
                problems.append(f"{where}: format {pair.code}: {pair.message}")
                continue
            outcome = await check_execution(pair, tools, executor)
            if isinstance(outcome, Rejection):
                problems.append(f"{where}: execution {outcome.code}: {outcome.message}")
                continue
            labels[row.category] += 1
            by_style[f"{row.style}/{row.label}"] += 1
    for p in problems:
        print(p)
    print(f"{sum(labels.values())} rows pass format and execution; {len(problems)} problems")
    print("categories:", dict(sorted(labels.items())))
    print("style/label:", dict(sorted(by_style.items())))
    return 1 if problems else 0


def main() -> None:
    paths = [Path(a) for a in sys.argv[1:]] or default_files()
    sys.exit(anyio.run(check, paths))


if __name__ == "__main__":
    main()
