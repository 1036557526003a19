"""BFCL's AST checker, on our `Call` and `Tool` types.

The rules are those of the Python path of
`berkeley-function-call-leaderboard/bfcl_eval/eval_checker/ast_eval/ast_checker.py`
(ShishirPatil/gorilla). The irrelevance/relevance verdicts come from `relevance_file_runner`
in `bfcl_eval/eval_checker/eval_runner.py`. Error types use BFCL's own strings, so
results can be read next to BFCL score files. Values are untrusted model output. They are
only compared, never evaluated.

Deliberate differences from BFCL:
- Types come from our JSON-Schema `Param.type`. `any`/`null` accept any value and are
  compared according to the value's kind. BFCL maps `any` to `str`, which would reject
  a number given for an `any` parameter.
- An int is accepted for a `number` array element as well as for a top-level `number`.
  JSON does not tell `1` from `1.0`, so `[1, 2.5]` must match `[1.0, 2.5]`.
- A bool never equals 1 or 0 in a value comparison. Python's `True == 1` would let a
  bool match an integer answer when the type check is skipped.
- `simple` and `multiple` require exactly one expected call. With an empty answer, BFCL
  raises an exception. With more than one, it checks only the first.
- Malformed input gives an invalid result instead of an exception. Examples: an expected
  function missing from `tools`, an empty answer, or a dict answer that is not a dict.
- No model-specific function-name rewriting (BFCL's `convert_func_name`). Our model sees
  our tool names as they are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec
from msgspec import UNSET

from apigen_async.schema import Call, Param, Tool

__all__ = [
    "CheckResult",
    "PossibleAnswer",
    "calls_agree",
    "check_calls",
    "possible_answers",
    "standardize_string",
]

#: BFCL's ground-truth form: {function name: {parameter: [acceptable values]}}. The empty
#: string among the acceptable values means "may be left out".
PossibleAnswer = dict[str, dict[str, list[Any]]]


class CheckResult(msgspec.Struct, frozen=True, kw_only=True):
    valid: bool
    error_type: str = ""
    errors: list[str] = []


_OK = CheckResult(valid=True)
_ABSENT = ""

_SIMPLE = "simple_function_checker"
_MULTIPLE = "multiple_function_checker"
_PARALLEL = "parallel_function_checker_no_order"

# JSON-Schema names, plus BFCL's own spellings, mapped to the exact Python type a value
# must have. None means "no type constraint" (see the module docstring).
_PY_TYPES: dict[str, type | None] = {
    "string": str,
    "integer": int,
    "number": float,
    "float": float,
    "boolean": bool,
    "array": list,
    "tuple": list,
    "object": dict,
    "dict": dict,
    "any": None,
    "null": None,
}

# BFCL's exact character class, so "April 1, 2024" and "april 1 2024" compare equal.
_IGNORED_CHARS = re.compile(r"[ \,\.\/\-\_\*\^]")

# Category names (ours and BFCL's, after dropping a "live_" prefix) -> the checker to use.
_CATEGORIES = {
    "simple": "simple",
    "simple_python": "simple",
    "multiple": "multiple",
    "parallel": "parallel",
    "parallel_multiple": "parallel",
    "irrelevance": "irrelevance",
    "relevance": "relevance",
}


def _fail(error_type: str, *errors: str) -> CheckResult:
    return CheckResult(valid=False, error_type=error_type, errors=list(errors))


# ---------------------------------------------------------------------------- public API


def standardize_string(value: str) -> str:
    """BFCL's string normalisation: drop ` ,./-_*^`, lower-case, `'` -> `"`."""
    return _IGNORED_CHARS.sub("", value).lower().replace("'", '"')


def possible_answers(calls: Sequence[Call], tools: Mapping[str, Tool]) -> list[PossibleAnswer]:
    """Our xlam answers in BFCL's ground-truth form: each given value a one-element list; an
    optional parameter given at its declared default also accepts absence (""), and an optional
    parameter the call leaves out accepts absence or its declared default."""
    return [{call.name: _answer_for(call, tools.get(call.name))} for call in calls]


def check_calls(
    model_calls: Sequence[Call],
    expected: Sequence[PossibleAnswer],
    tools: Mapping[str, Tool],
    category: str,
) -> CheckResult:
    """category: simple | multiple | parallel | parallel_multiple | irrelevance (also accept
    BFCL names like 'simple_python', 'live_simple', 'live_multiple', 'live_parallel',
    'live_parallel_multiple', 'live_irrelevance', 'live_relevance' by mapping them).

    An unknown category is a programming error and raises ValueError."""
    kind = _checker_for(category)
    if kind == "irrelevance":
        if not model_calls:
            return _OK
        return _fail(
            "irrelevance_error:decoder_success",
            "Valid syntax. Successfully decode AST when it should not.",
        )
    if kind == "relevance":
        if model_calls:
            return _OK
        return _fail(
            "relevance_error:decoder_failed",
            "Invalid syntax. Failed to decode AST when it should have.",
        )
    if kind == "parallel":
        return _check_parallel(model_calls, expected, tools)
    prefix = _MULTIPLE if kind == "multiple" else _SIMPLE
    if len(model_calls) != 1 or len(expected) != 1:
        return _fail(
            f"{prefix}:wrong_count",
            f"Wrong number of functions: got {len(model_calls)}, expected "
            f"{len(expected)} (this category needs exactly one).",
        )
    return _check_call(model_calls[0], expected[0], tools)


def calls_agree(
    resolved: Sequence[Call],
    answers: Sequence[Call],
    tools: Mapping[str, Tool],
    style: str,
) -> CheckResult:
    """Do independently produced calls match a pair's answers by BFCL's AST rules?
    = check_calls(resolved, possible_answers(answers, tools), tools, style)."""
    return check_calls(resolved, possible_answers(answers, tools), tools, style)


def _checker_for(category: str) -> str:
    name = category.strip().lower().removeprefix("live_")
    try:
        return _CATEGORIES[name]
    except KeyError:
        raise ValueError(f"unknown BFCL category {category!r}") from None


# ------------------------------------------------------------------- ground-truth building


def _answer_for(call: Call, tool: Tool | None) -> dict[str, list[Any]]:
    answer: dict[str, list[Any]] = {}
    for key, value in call.arguments.items():
        param = tool.param(key) if tool is not None else None
        accepted = [_as_ground_truth(value, param)]
        if param is not None and not param.required and _is_default(value, param):
            accepted.append(_ABSENT)
        answer[key] = accepted
    if tool is None:
        return answer
    for param in tool.parameters:
        if param.required or param.name in call.arguments:
            continue
        accepted = [] if param.default is UNSET else [_as_ground_truth(param.default, param)]
        if _ABSENT not in accepted:
            accepted.append(_ABSENT)
        answer[param.name] = accepted
    return answer


def _as_ground_truth(value: Any, param: Param | None) -> Any:
    # BFCL's ground truth gives each dict key its own list of acceptable values, and
    # dict_checker reads that shape. A plain dict must be wrapped the same way.
    kind = _PY_TYPES.get(param.type) if param is not None else None
    if kind is dict and isinstance(value, dict):
        return _dict_answer(value)
    if kind is list and isinstance(value, list | tuple):
        if param is not None and _PY_TYPES.get(param.items or "") is dict:
            return [_dict_answer(v) if isinstance(v, dict) else v for v in value]
        return list(value)
    return value


def _dict_answer(value: dict[str, Any]) -> dict[str, list[Any]]:
    return {key: [item] for key, item in value.items()}


def _is_default(value: Any, param: Param) -> bool:
    if param.default is UNSET:
        return False
    default = param.default
    if isinstance(value, str) and isinstance(default, str):
        return standardize_string(value) == standardize_string(default)
    return _same(value, default)


# --------------------------------------------------------------------------- call checks


def _check_parallel(
    model_calls: Sequence[Call], expected: Sequence[PossibleAnswer], tools: Mapping[str, Tool]
) -> CheckResult:
    if len(model_calls) != len(expected):
        return _fail(
            f"{_PARALLEL}:wrong_count",
            f"Wrong number of functions: got {len(model_calls)}, expected {len(expected)}.",
        )
    used: set[int] = set()
    # BFCL walks the expected calls because the expected name picks the function doc. Each
    # one takes the first unused model call that passes. The match is greedy, with no
    # backtracking, so an early loose match can use up a call that a later answer needed.
    for answer_index, answer in enumerate(expected):
        errors: list[str] = []
        for index, call in enumerate(model_calls):
            if index in used:
                continue
            result = _check_call(call, answer, tools)
            if result.valid:
                used.add(index)
                break
            errors.append(f"Model call {index}: {result.error_type}: {' '.join(result.errors)}")
        else:
            remaining = [i for i in range(len(model_calls)) if i not in used]
            return _fail(
                f"{_PARALLEL}:cannot_find_match",
                f"Could not find a matching function among index {remaining} of model "
                f"output for index {answer_index} of possible answers.",
                *errors,
            )
    return _OK


def _check_call(call: Call, expected: PossibleAnswer, tools: Mapping[str, Tool]) -> CheckResult:
    """BFCL's simple_function_checker, for one model call against one expected call."""
    if not expected:
        return _fail(f"{_SIMPLE}:wrong_func_name", "The expected answer names no function.")
    name, answer = next(iter(expected.items()))
    if call.name != name:
        return _fail(
            f"{_SIMPLE}:wrong_func_name", f"Function name {name!r} not found in model output."
        )
    tool = tools.get(name)
    if tool is None:
        return _fail(f"{_SIMPLE}:wrong_func_name", f"Function {name!r} is not a known tool.")
    args = call.arguments
    for param in tool.parameters:
        if param.required and param.name not in args:
            return _fail(
                f"{_SIMPLE}:missing_required", f"Missing required parameter: {param.name!r}."
            )
    for key, value in args.items():
        param = tool.param(key)
        if param is None or key not in answer:
            return _fail(f"{_SIMPLE}:unexpected_param", f"Unexpected parameter: {key!r}.")
        result = _check_param(key, value, _acceptable(answer[key]), param)
        if not result.valid:
            return result
    for key, accepted in answer.items():
        if key not in args and _ABSENT not in _acceptable(accepted):
            return _fail(
                f"{_SIMPLE}:missing_optional",
                f"Optional parameter {key!r} not provided and not marked as optional.",
            )
    return _OK


def _check_param(key: str, value: Any, possible: list[Any], param: Param) -> CheckResult:
    expected = _PY_TYPES.get(param.type)
    nested = _PY_TYPES.get(param.items) if expected is list and param.items else None
    # Tuples and lists compare unequal. BFCL's answers went through JSON, so a tuple is
    # checked as the list it would have become.
    if expected is list and type(value) is tuple:
        value = list(value)
    if expected is float and type(value) is int:
        value = float(value)
    is_variable = False
    if expected is not None:
        typed, is_variable = _type_check(key, value, possible, param.type, expected, nested)
        if not typed.valid:
            return typed
    return _value_check(key, value, possible, expected, nested, is_variable)


# --------------------------------------------------------------------------- type checks


def _answer_type(possible: list[Any]) -> type | None:
    for answer in possible:
        if answer != _ABSENT:
            return type(answer)
    return None


def _fits(value: Any, expected: type) -> bool:
    # type(), not isinstance(): a bool must not pass as an int.
    return type(value) is expected or (expected is float and type(value) is int)


def _type_check(
    key: str,
    value: Any,
    possible: list[Any],
    declared: str,
    expected: type,
    nested: type | None,
) -> tuple[CheckResult, bool]:
    """BFCL's type_checker. Returns (result, is_variable).

    In BFCL, an answer of a different type than the declared one stands for a variable
    name. A value of the answer's own type is then accepted and compared as-is, with no
    string/list/dict normalisation.
    """
    answer_type = _answer_type(possible)
    answer_differs = answer_type is not None and answer_type is not expected
    if type(value) is expected:
        if nested is None or _elements_fit(value, possible, nested):
            return _OK, answer_differs
        return _fail(
            "type_error:nested",
            f"Nested type checking failed for parameter {key!r}. Expected outer type "
            f"{declared} with inner type {nested.__name__}. Parameter value: {value!r}.",
        ), False
    if answer_type is not None and type(value) is answer_type:
        return _OK, True
    return _fail(
        "type_error:simple",
        f"Incorrect type for parameter {key!r}. Expected type {declared}, got "
        f"{type(value).__name__}. Parameter value: {value!r}.",
    ), False


def _elements_fit(value: list[Any], possible: list[Any], nested: type) -> bool:
    # BFCL needs one acceptable answer under which every element type-checks. A non-list
    # answer, such as the absence marker, adds no element constraint and so passes.
    for answer in possible:
        if not isinstance(answer, list):
            return True
        answer_type = _answer_type(answer)
        if all(_fits(item, nested) or type(item) is answer_type for item in value):
            return True
    return False


# -------------------------------------------------------------------------- value checks


def _value_check(
    key: str,
    value: Any,
    possible: list[Any],
    expected: type | None,
    nested: type | None,
    is_variable: bool,
) -> CheckResult:
    if not is_variable:
        if expected is dict:
            return _dict_check(value, possible)
        if expected is list and nested is dict:
            return _list_dict_check(value, possible)
        # `any`/`null` parameters are compared according to what the value is.
        if expected is str or (expected is None and type(value) is str):
            return _string_check(key, value, possible)
        if expected is list or (expected is None and type(value) is list):
            return _list_check(key, value, possible)
    if _contains(possible, value):
        return _OK
    return _fail(
        "value_error:others",
        f"Invalid value for parameter {key!r}: {value!r}. Expected one of {possible!r}.",
    )


def _string_check(key: str, value: str, possible: list[Any]) -> CheckResult:
    accepted = [standardize_string(a) for a in possible if type(a) is str]
    if standardize_string(value) in accepted:
        return _OK
    return _fail(
        "value_error:string",
        f"Invalid value for parameter {key!r}: {value!r}. Expected one of {possible!r}. "
        "Case insensitive.",
    )


def _list_check(key: str, value: list[Any], possible: list[Any]) -> CheckResult:
    # BFCL iterates the absence marker "" as an empty list, so [] counts as "left out".
    accepted = [
        _standardize_items(a if isinstance(a, list) else [])
        for a in possible
        if isinstance(a, list) or a == _ABSENT
    ]
    if _standardize_items(value) in accepted:
        return _OK
    return _fail(
        "value_error:list/tuple",
        f"Invalid value for parameter {key!r}: {value!r}. Expected one of {possible!r}.",
    )


def _standardize_items(items: list[Any]) -> list[Any]:
    return [standardize_string(x) if type(x) is str else x for x in items]


def _dict_check(value: Any, possible: list[Any]) -> CheckResult:
    """BFCL's dict_checker: one level deep. Each key's value must be among that key's
    acceptable values."""
    result = _fail("dict_checker:unclear", "No acceptable dict answer.")
    for answer in possible:
        if isinstance(answer, dict):
            result = _dict_against(value, answer)
            if result.valid:
                return result
    return result


def _dict_against(value: Any, answer: dict[str, Any]) -> CheckResult:
    if type(value) is not dict:
        return _fail("type_error:nested", f"Expected a dict, got {type(value).__name__}.")
    errors: list[str] = []
    error_type = ""
    for key, item in value.items():
        if key not in answer:
            errors.append(f"Unexpected dict key parameter: {key!r}.")
            error_type = "value_error:dict_key"
            break
        accepted = [_standardize(a) for a in _acceptable(answer[key])]
        if not _contains(accepted, _standardize(item)):
            errors.append(
                f"Invalid value for parameter {key!r}: {item!r}. Expected one of {accepted!r}."
            )
            error_type = "value_error:dict_value"
            break
    # BFCL runs the missing-key pass even after a bad value, and a missing key then
    # decides the error type.
    for key, accepted in answer.items():
        if key not in value and _ABSENT not in _acceptable(accepted):
            errors.append(f"Missing dict key parameter: {key!r}.")
            error_type = "value_error:dict_key"
            break
    return _fail(error_type, *errors) if errors else _OK


def _list_dict_check(value: list[Any], possible: list[Any]) -> CheckResult:
    """BFCL's list_dict_checker: the dicts must match one answer's dicts, in order."""
    result = _fail("list_dict_checker:unclear", "No acceptable list of dicts.")
    for answer in possible:
        # As in _list_check, the absence marker reads as an empty list.
        dicts = [] if answer == _ABSENT else answer
        if not isinstance(dicts, list):
            continue
        if len(value) != len(dicts):
            result = _fail(
                "value_error:list_dict_count", "Wrong number of dictionaries in the list."
            )
            continue
        for item, expected in zip(value, dicts, strict=True):
            result = _dict_check(item, [expected])
            if not result.valid:
                break
        else:
            return _OK
    return result


# ------------------------------------------------------------------------------ helpers


def _acceptable(accepted: Any) -> list[Any]:
    return accepted if isinstance(accepted, list) else [accepted]


def _standardize(value: Any) -> Any:
    return standardize_string(value) if type(value) is str else value


def _same(a: Any, b: Any) -> bool:
    # Python's True == 1. The checker must keep booleans apart from numbers.
    if (type(a) is bool) != (type(b) is bool):
        return False
    return bool(a == b)


def _contains(possible: list[Any], value: Any) -> bool:
    return any(_same(value, answer) for answer in possible)
