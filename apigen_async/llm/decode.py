"""Pull a JSON document out of an LLM's answer: fences, chatter and all.

Only unambiguous repairs are made (strip a code fence, cut prose before the first
bracket and after its matching close); anything else is a format rejection.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec

__all__ = ["extract_json"]

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
