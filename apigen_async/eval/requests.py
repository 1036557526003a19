"""The request for one eval item, in either mode, as BFCL builds it.

- `fc`: the item's messages as they are, the functions as OpenAI `tools` (BFCL's types
  mapped to JSON Schema: dict -> object, float -> number, tuple -> array, any -> string),
  function names with `.` written `_` (OpenAI-style APIs refuse dots; BFCL renames them
  the same way) and mapped back when the answer is read.
- `prompt`: BFCL's default system prompt (its wording, for comparable scores) followed by
  the functions as JSON; a system message the item brings is appended to it.
"""

from __future__ import annotations

from importlib import resources
from typing import Any, Literal

import msgspec
import orjson

from apigen_async.eval.items import EvalItem
from apigen_async.llm.types import ChatRequest

__all__ = ["MODES", "EvalRequest", "Mode", "build_request"]

Mode = Literal["fc", "prompt"]
MODES: tuple[Mode, ...] = ("fc", "prompt")

_SYSTEM = (resources.files("apigen_async") / "prompts" / "eval_system.txt").read_text()

_OPENAI_TYPES = {
    "dict": "object",
    "float": "number",
    "tuple": "array",
    "any": "string",
    "list": "array",
    "bool": "boolean",
    "int": "integer",
    "str": "string",
}


class EvalRequest(msgspec.Struct, frozen=True, kw_only=True):
    request: ChatRequest
    #: fc mode: tool names as sent -> the item's own function names.
    names: dict[str, str] = {}


def _schema(node: Any) -> Any:
    """A BFCL parameter schema as JSON Schema, recursively."""
    if isinstance(node, list):
        return [_schema(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "type" and isinstance(value, str):
            out[key] = _OPENAI_TYPES.get(value, value)
        elif key == "properties" and isinstance(value, dict):
            out[key] = {name: _schema(spec) for name, spec in value.items()}
        elif key in ("items", "additionalProperties"):
            out[key] = _schema(value)
        else:
            out[key] = value
    return out


def _tool(doc: dict[str, Any], name: str) -> dict[str, Any]:
    function = {
        "name": name,
        "description": str(doc.get("description", "")),
        "parameters": _schema(doc.get("parameters") or {"type": "dict", "properties": {}}),
    }
    return {"type": "function", "function": function}


def build_request(
    item: EvalItem,
    *,
    mode: Mode,
    model: str,
    temperature: float,
    max_tokens: int,
    seed: int | None,
) -> EvalRequest:
    messages = [dict(m) for m in item.messages]
    if mode == "fc":
        names: dict[str, str] = {}
        tools = []
        for doc in item.functions:
            original = str(doc.get("name", ""))
            sent = original.replace(".", "_")
            names[sent] = original
            tools.append(_tool(doc, sent))
        request = ChatRequest(
            model=model,
            messages=messages,
            temperature=temperature,
            max_tokens=max_tokens,
            seed=seed,
            tools=tools,
        )
        return EvalRequest(request=request, names=names)
    # Compact, as BFCL inserts them: indentation would add a third to the prompt's tokens.
    system = _SYSTEM + "\n" + orjson.dumps(list(item.functions)).decode()
    if messages and messages[0]["role"] == "system":
        messages[0] = {"role": "system", "content": system + "\n\n" + messages[0]["content"]}
    else:
        messages.insert(0, {"role": "system", "content": system})
    request = ChatRequest(
        model=model,
        messages=messages,
        temperature=temperature,
        max_tokens=max_tokens,
        seed=seed,
    )
    return EvalRequest(request=request)
