"""Stage 1, the format checker: is a generated pair well-formed against the offered tools?

Rules (BFCL's AST checker, plus the paper's): `query` and `answers` present; every
call names an offered function; no undeclared arguments; every required argument
present; values fit the declared types (an int is accepted for a float, enums are
respected); the number of calls fits the query style. Each failure is a `Rejection`
with a stable reason code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apigen_async.schema import Call, Pair, Param, Rejection, Style, Tool
from apigen_async.styles import spec

__all__ = ["check_arguments", "check_pair", "check_value"]

_PY_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def _reject(code: str, message: str) -> Rejection:
    return Rejection(stage="format", code=code, message=message)


def check_value(param: Param, value: Any) -> str | None:
    """Why `value` does not fit `param`, or None when it does."""
    if value is None and not param.required:
        return None
    if param.type in ("any", "null"):
        return None
    expected = _PY_TYPES[param.type]
    # bool is an int subclass in Python; JSON keeps them apart and so do we.
    if isinstance(value, bool) and param.type != "boolean":
        return f"{param.name}: expected {param.type}, got boolean"
    if not isinstance(value, expected):
        return f"{param.name}: expected {param.type}, got {_json_name(value)}"
    if param.enum is not None and value not in param.enum:
        return f"{param.name}: {value!r} is not one of {list(param.enum)!r}"
    if param.type == "array" and param.items and param.items != "any":
        item_param = Param(name=f"{param.name}[]", type=param.items)
        for item in value:
            if problem := check_value(item_param, item):
                return problem
    return None


def _json_name(value: Any) -> str:
    for name, types in _PY_TYPES.items():
        if isinstance(value, types) and not (isinstance(value, bool) and name != "boolean"):
            return name
    return "null" if value is None else type(value).__name__


def check_arguments(tool: Tool, arguments: Mapping[str, Any]) -> Rejection | None:
    """Declared names only, required ones present, values of the right type."""
    declared = {p.name: p for p in tool.parameters}
    for name in arguments:
        if name not in declared:
            return _reject("undeclared_argument", f"{tool.name}: no parameter named {name!r}")
    for p in tool.parameters:
        if p.required and p.name not in arguments:
            return _reject("missing_required", f"{tool.name}: required {p.name!r} is missing")
    for name, value in arguments.items():
        if problem := check_value(declared[name], value):
            code = "not_in_enum" if "is not one of" in problem else "wrong_type"
            return _reject(code, f"{tool.name}: {problem}")
    return None


def check_pair(raw: Any, tools: Mapping[str, Tool], style: Style) -> Pair | Rejection:
    """Validate one generated item; return the typed Pair or why it was rejected."""
    if not isinstance(raw, dict):
        return _reject("not_object", f"pair is {_json_name(raw)}, not an object")
    query = raw.get("query")
    if not isinstance(query, str):
        return _reject("missing_query", "pair has no string 'query'")
    if not query.strip():
        return _reject("empty_query", "'query' is empty")
    answers = raw.get("answers")
    if answers is None:
        return _reject("missing_answers", "pair has no 'answers'")
    if not isinstance(answers, list):
        return _reject("answers_not_list", f"'answers' is {_json_name(answers)}, not a list")
    calls: list[Call] = []
    for i, item in enumerate(answers):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            return _reject("bad_call", f"answers[{i}] is not an object with a string 'name'")
        tool = tools.get(item["name"])
        if tool is None:
            return _reject("unknown_function", f"answers[{i}] calls unknown {item['name']!r}")
        arguments = item.get("arguments", {})
        if not isinstance(arguments, dict):
            return _reject("arguments_not_object", f"answers[{i}].arguments is not an object")
        if rejection := check_arguments(tool, arguments):
            return rejection
        calls.append(Call(name=tool.name, arguments=arguments))
    if problem := spec(style).call_count_problem(len(calls), len({c.name for c in calls})):
        return _reject("call_count", problem)
    return Pair(query=query.strip(), answers=calls)
