"""Rows of an existing dataset (xlam-60k lines) read into items to check or score.

`apigen verify` checks them and `apigen eval` reads its held-out split through them; this
module imports no check, so both can.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import msgspec
import orjson

from apigen_async.catalog.dialects import tool_from_openai, tool_from_xlam
from apigen_async.errors import ConfigError
from apigen_async.schema import Call, Style, Tool
from apigen_async.styles import STYLES

__all__ = ["Row", "VerifyItem", "infer_style", "read_rows"]


class VerifyItem(msgspec.Struct, frozen=True, kw_only=True):
    """One existing pair: its query, its calls and the functions it was offered."""

    index: int
    id: str
    style: Style
    query: str
    answers: list[Any]
    tools: tuple[Tool, ...]


def infer_style(calls: Sequence[Call] | Sequence[dict[str, Any]], n_tools: int) -> Style:
    """The BFCL style a row's calls have, for rows that do not say."""
    names = [c.name if isinstance(c, Call) else str(c.get("name")) for c in calls]
    if not names:
        return "irrelevance"
    if len(names) == 1:
        return "simple" if n_tools == 1 else "multiple"
    return "parallel" if len(set(names)) == 1 else "parallel_multiple"


class Row(msgspec.Struct, frozen=True):
    line: int
    text: bytes
    item: VerifyItem | None
    problem: str | None = None


def _json_field(row: dict[str, Any], name: str) -> Any:
    value = row.get(name)
    # xlam-60k keeps `answers` and `tools` as JSON strings; lists are accepted too.
    return orjson.loads(value) if isinstance(value, str) else value


def _tool(spec: Any) -> Tool:
    if not isinstance(spec, dict):
        raise ValueError("a tool is not an object")
    if spec.get("type") == "function" or "function" in spec:
        return tool_from_openai(spec)
    return tool_from_xlam(spec)


def _item(index: int, row: Any) -> VerifyItem:
    if not isinstance(row, dict):
        raise ValueError("the line is not a JSON object")
    query = row.get("query")
    if not isinstance(query, str):
        raise ValueError("no string 'query'")
    answers = _json_field(row, "answers")
    if not isinstance(answers, list):
        raise ValueError("'answers' is not a list (or a JSON string of one)")
    specs = _json_field(row, "tools")
    if not isinstance(specs, list):
        raise ValueError("'tools' is not a list (or a JSON string of one)")
    tools = tuple(_tool(s) for s in specs)
    style = row.get("style")
    if style is None:
        style = infer_style([a for a in answers if isinstance(a, dict)], len(tools))
    elif style not in STYLES:
        raise ValueError(f"style {style!r} is not one of {', '.join(STYLES)}")
    row_id = row.get("id", index)
    return VerifyItem(
        index=index, id=str(row_id), style=style, query=query, answers=answers, tools=tools
    )


def read_rows(path: Path) -> Iterator[Row]:
    """Every non-blank line of `path`; a malformed one carries its problem instead."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ConfigError(f"verify: cannot read {path}: {exc.strerror}") from exc
    with handle:
        index = 0
        for line, text in enumerate(handle, 1):
            if not text.strip():
                continue
            try:
                item = _item(index, orjson.loads(text))
            except (orjson.JSONDecodeError, ValueError, TypeError, KeyError) as exc:
                yield Row(line, text, None, f"line {line}: {exc}")
                continue
            yield Row(line, text, item)
            index += 1
