"""Pull a JSON document out of an LLM's answer: fences, chatter and all.

Only unambiguous repairs are made (strip a code fence, cut prose before the first
bracket and after its matching close); anything else is a format rejection.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

import msgspec

from apigen_async.llm.types import Completion
from apigen_async.schema import Rejection, Stage

__all__ = ["extract_json", "read_batch"]

T = TypeVar("T")

_FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.DOTALL)
_decoder = msgspec.json.Decoder()


def extract_json(text: str) -> tuple[Any, str | None]:
    """Return `(value, None)` for the first JSON document found, else `(None, reason)`."""
    candidates = [m.group(1) for m in _FENCE.finditer(text)] + [text]
    for candidate in candidates:
        value = _first_document(candidate)
        if value is not None:
            return value, None
    if not text.strip():
        return None, "empty answer"
    return None, "no JSON document in the answer"


def _first_document(text: str) -> Any:
    stripped = text.strip()
    try:
        return _decoder.decode(stripped)
    except msgspec.DecodeError:
        pass
    for opener in ("{", "["):
        start = stripped.find(opener)
        if start < 0:
            continue
        end = _matching_close(stripped, start)
        if end is None:
            continue
        try:
            return _decoder.decode(stripped[start : end + 1])
        except msgspec.DecodeError:
            continue
    return None


def _matching_close(text: str, start: int) -> int | None:
    """Index of the bracket closing the one at `start`, honouring JSON strings."""
    depth = 0
    in_string = False
    escaped = False
    for i in range(start, len(text)):
        ch = text[i]
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
            if depth == 0:
                return i
    return None


def read_batch(
    completion: Completion,
    n: int,
    *,
    field: str,
    stage: Stage,
    code_prefix: str,
    read_one: Callable[[object], T | Rejection],
) -> list[T | Rejection]:
    """The `n` items of a batched answer `{field: [...]}`, in order; what is missing rejects.

    Lenient about the wrapper (a bare list, or one bare item when `n` is 1), strict about
    the count: a cut answer or too few items rejects the pairs left without one.
    """
    if completion.finish_reason == "length":
        cut = Rejection(stage=stage, code=f"{code_prefix}_truncated", message="cut at max_tokens")
        return [cut] * n
    value, problem = extract_json(completion.content)
    if isinstance(value, dict) and field in value:
        value = value[field]
    elif isinstance(value, dict) and n == 1:
        value = [value]
    if problem is not None or not isinstance(value, list):
        bad = Rejection(
            stage=stage, code=f"{code_prefix}_unparseable", message=problem or f"no {field} list"
        )
        return [bad] * n
    items = [read_one(v) for v in value[:n]]
    missing = Rejection(
        stage=stage,
        code=f"{code_prefix}_missing",
        message=f"{len(value)} {field} for {n} pairs",
    )
    return items + [missing] * (n - len(items))
