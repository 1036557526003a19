"""Seed examples: well-formed xlam rows whose calls fit their style and really execute."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from apigen_async.catalog.dialects import tool_to_xlam
from apigen_async.catalog.python import import_module_file, load_python_tools
from apigen_async.checks.format import check_pair
from apigen_async.schema import Pair, Tool
from apigen_async.styles import STYLES

APIS = Path(__file__).resolve().parents[1] / "apis"
SEEDS = APIS / "seeds"

TOOLS: dict[str, Tool] = {
    t.name: t
    for path in sorted((APIS / "python").glob("*.py"))
    if not path.name.startswith("_")
    for t in load_python_tools(path)
}


def rows(style: str) -> list[dict[str, Any]]:
    lines = (SEEDS / f"{style}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def all_rows() -> list[Any]:
    return [pytest.param(style, row, id=row["id"]) for style in STYLES for row in rows(style)]


def test_every_style_has_enough_seeds() -> None:
    ids = []
    for style in STYLES:
        got = rows(style)
        assert len(got) >= 12, (style, len(got))
        ids += [r["id"] for r in got]
    assert len(ids) == len(set(ids)), "seed ids must be unique"


def test_seed_files_are_up_to_date() -> None:
    """The `tools` column must match the library's current specs (no drift after edits)."""
    for style in STYLES:
        for row in rows(style):
            offered = json.loads(row["tools"])
            for spec in offered:
                assert spec["name"] in TOOLS, f"{row['id']}: unknown tool {spec['name']}"
                current = json.loads(json.dumps(tool_to_xlam(TOOLS[spec["name"]])))
                assert spec == current, (
                    f"{row['id']}: stale spec of {spec['name']}; run python scripts/build_seeds.py"
                )


@pytest.mark.parametrize(("style", "row"), all_rows())
def test_seed_row_is_valid(style: str, row: dict[str, Any]) -> None:
    assert set(row) == {"id", "query", "answers", "tools"}
    assert isinstance(row["answers"], str) and isinstance(row["tools"], str)
    assert row["query"].strip()
    offered = [spec["name"] for spec in json.loads(row["tools"])]
    calls = json.loads(row["answers"])
    called = {c["name"] for c in calls}

    if style == "simple":
        assert len(offered) == 1 and len(calls) == 1
    elif style == "multiple":
        assert 2 <= len(offered) <= 4 and len(calls) == 1
    elif style == "parallel":
        assert len(offered) == 1 and 2 <= len(calls) <= 4
    elif style == "parallel_multiple":
        assert 2 <= len(offered) <= 4 and len(calls) >= 2 and len(called) >= 2
    else:
        assert style == "irrelevance"
        assert offered and calls == []

    for call in calls:
        assert set(call) == {"name", "arguments"}
    # The same format checker the pipeline applies to generated pairs.
    checked = check_pair(
        {"query": row["query"], "answers": calls}, {n: TOOLS[n] for n in offered}, style
    )
    assert isinstance(checked, Pair), checked


def is_json(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if value is None or isinstance(value, (bool, int, str)):
        return True
    if isinstance(value, list):
        return all(is_json(v) for v in value)
    return isinstance(value, dict) and all(
        isinstance(k, str) and is_json(v) for k, v in value.items()
    )


@pytest.mark.parametrize(("style", "row"), all_rows())
def test_seed_calls_execute(style: str, row: dict[str, Any]) -> None:
    for call in json.loads(row["answers"]):
        tool = TOOLS[call["name"]]
        assert tool.module_path and tool.function
        fn = getattr(import_module_file(Path(tool.module_path)), tool.function)
        result = fn(**call["arguments"])
        assert is_json(result), f"{call['name']} returned {result!r}"
