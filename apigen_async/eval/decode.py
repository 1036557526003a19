"""A model's answer to an eval question, read into calls. Never evaluated.

- `fc` mode: the endpoint's native `tool_calls`; each `arguments` must be a JSON object.
  An answer with no tool call decodes to nothing, as in BFCL's FC handlers.
- `prompt` mode: the text, with code fences stripped, as either a JSON list of
  `{"name", "arguments"}` objects (our own and xlam's answer form) or BFCL's Python form
  `[func(a=1, b="x"), mod.g(c=[1, 2])]`, parsed with `ast.parse` and read node by node:
  literals become values; a bare name (`x`) or any other expression becomes its source
  text, as BFCL's decoder reads variables. Nothing is ever executed.

More lenient than BFCL's prompt decoder on purpose: a ```python / ```json fence is
stripped whole (BFCL strips backticks only) and a JSON list of calls is accepted (BFCL's
default prompt format is the Python form only). Failures are values (`DecodeFailure`)
carrying BFCL's error type.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec
import orjson

from apigen_async.llm.types import ToolCall
from apigen_async.schema import Call

__all__ = ["DecodeFailure", "calls_from_text", "calls_from_tool_calls", "render_python_calls"]

DECODER_FAILED = "ast_decoder:decoder_failed"
WRONG_FORMAT = "ast_decoder:decoder_wrong_output_format"

_FENCE = re.compile(r"^```[a-zA-Z]*\s*\n?(.*?)\n?```$", re.DOTALL)
# Parsing is bounded: a model that loops writes huge answers, and ast's recursion is not.
_MAX_CHARS = 100_000


class DecodeFailure(msgspec.Struct, frozen=True, kw_only=True):
    error_type: str
    message: str


def calls_from_tool_calls(
    tool_calls: Sequence[ToolCall], names: Mapping[str, str] | None = None
) -> list[Call] | DecodeFailure:
    """Native tool calls -> calls; `names` maps the names sent back to the original ones."""
    if not tool_calls:
        return DecodeFailure(error_type=DECODER_FAILED, message="the answer has no tool call")
    calls = []
    for call in tool_calls:
        try:
            arguments = orjson.loads(call.arguments or "{}")
        except orjson.JSONDecodeError as exc:
            return DecodeFailure(
                error_type=DECODER_FAILED,
                message=f"arguments of {call.name!r} are not JSON: {exc}",
            )
        if not isinstance(arguments, dict):
            return DecodeFailure(
                error_type=WRONG_FORMAT, message=f"arguments of {call.name!r} are not an object"
            )
        name = (names or {}).get(call.name, call.name)
        calls.append(Call(name=name, arguments=arguments))
    return calls


def calls_from_text(text: str) -> list[Call] | DecodeFailure:
    """Calls written in a text answer: a JSON list of calls, or BFCL's `[f(a=1)]` form."""
    body = text.strip()
    fenced = _FENCE.match(body)
    if fenced:
        body = fenced.group(1).strip()
    if not body:
        return DecodeFailure(error_type=DECODER_FAILED, message="empty answer")
    if len(body) > _MAX_CHARS:
        return DecodeFailure(error_type=DECODER_FAILED, message="answer too long to parse")
    if body[0] in "[{":
        from_json = _json_calls(body)
        if from_json is not None:
            return from_json
    return _python_calls(body)


def _json_calls(body: str) -> list[Call] | DecodeFailure | None:
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None  # maybe the Python form: [f(a=1)] is not JSON
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        return DecodeFailure(error_type=WRONG_FORMAT, message="the JSON is not a list of calls")
    calls = []
    for entry in value:
        if not isinstance(entry, dict):
            return DecodeFailure(error_type=WRONG_FORMAT, message="a call is not an object")
        if isinstance(entry.get("name"), str):
            arguments = entry.get("arguments", entry.get("parameters", {}))
            if isinstance(arguments, str):
                try:
                    arguments = orjson.loads(arguments)
                except orjson.JSONDecodeError:
                    return DecodeFailure(
                        error_type=DECODER_FAILED, message="arguments are not JSON"
                    )
            if not isinstance(arguments, dict):
                return DecodeFailure(error_type=WRONG_FORMAT, message="arguments not an object")
            calls.append(Call(name=entry["name"], arguments=arguments))
        elif "arguments" in entry or "parameters" in entry:
            return DecodeFailure(error_type=WRONG_FORMAT, message="a call has no 'name'")
        elif len(entry) == 1 and isinstance(next(iter(entry.values())), dict):
            # BFCL's decoded form, {name: {param: value}}.
            name, arguments = next(iter(entry.items()))
            calls.append(Call(name=name, arguments=arguments))
        elif entry:
            return DecodeFailure(error_type=WRONG_FORMAT, message="a call has no 'name'")
    return calls


def _python_calls(body: str) -> list[Call] | DecodeFailure:
    # BFCL wraps an answer in brackets when the model left them out.
    if not body.startswith("["):
        body = "[" + body
    if not body.endswith("]"):
        body = body + "]"
    try:
        tree = ast.parse(body, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return DecodeFailure(error_type=DECODER_FAILED, message=f"not a list of calls: {exc}")
    node = tree.body
    elements = node.elts if isinstance(node, ast.List | ast.Tuple) else [node]
    calls = []
    for element in elements:
        if not isinstance(element, ast.Call):
            return DecodeFailure(
                error_type=WRONG_FORMAT, message=f"not a function call: {_source(element)}"
            )
        name = _dotted(element.func)
        if name is None:
            return DecodeFailure(
                error_type=DECODER_FAILED, message=f"not a function name: {_source(element.func)}"
            )
        # Positional arguments are dropped, as BFCL's decoder drops them: the checker then
        # reports the parameters they were meant for as missing.
        try:
            arguments = {kw.arg: _value(kw.value) for kw in element.keywords if kw.arg}
        except RecursionError:
            return DecodeFailure(error_type=DECODER_FAILED, message="arguments nest too deeply")
        calls.append(Call(name=name, arguments=arguments))
    return calls


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return None if head is None else f"{head}.{node.attr}"
    return None


def _value(node: ast.expr) -> Any:
    """A literal's value; anything else (a variable, an expression) as its source text."""
    if isinstance(node, ast.Constant):
        # bytes, complex and `...` have no JSON form: kept as their source, like variables.
        if node.value is None or type(node.value) in (str, int, float, bool):
            return node.value
        return _source(node)
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub | ast.UAdd)
        and isinstance(node.operand, ast.Constant)
        and type(node.operand.value) in (int, float)
    ):
        value = node.operand.value
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return [_value(e) for e in node.elts]
    if isinstance(node, ast.Dict):
        result = {}
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:  # `**spread`
                return _source(node)
            name = _value(key)
            if isinstance(name, list | dict):  # unhashable: not a mapping JSON can hold
                return _source(node)
            result[name] = _value(value)
        return result
    if isinstance(node, ast.Name):
        return node.id
    return _source(node)


def _source(node: ast.AST) -> str:
    return ast.unparse(node)


def render_python_calls(calls: Sequence[Call]) -> str:
    """Calls in BFCL's text form, `[f(a=1, b='x')]` (values as Python literals)."""
    parts = []
    for call in calls:
        args = ", ".join(f"{k}={_literal(v)}" for k, v in call.arguments.items())
        parts.append(f"{call.name}({args})")
    return "[" + ", ".join(parts) + "]"


def _literal(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_literal(k)}: {_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    return repr(value)
