"""The built-in Python API library: conventions, documentation and every worked example.

Modules are imported straight from their files (as the sandbox does), so this test does not
depend on the catalog loader; `test_dialects.py` covers the loader's view of the same files.
"""

from __future__ import annotations

import importlib.util
import inspect
import math
import re
import sys
import types
import typing
from pathlib import Path
from typing import Any

import msgspec
import pytest

from apigen_async.catalog.examples import results_match

LIBRARY = Path(__file__).resolve().parents[1] / "apis" / "python"

ALLOWED_TYPES: set[Any] = {
    str,
    int,
    float,
    bool,
    list[str],
    list[int],
    list[float],
    dict[str, Any],
    dict[str, float],
}


def load_module(path: Path) -> types.ModuleType:
    name = f"apis_library_test.{path.stem}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def library_modules() -> list[types.ModuleType]:
    return [load_module(p) for p in sorted(LIBRARY.glob("*.py")) if not p.name.startswith("_")]


def public_functions(module: types.ModuleType) -> dict[str, Any]:
    return {
        name: fn
        for name, fn in vars(module).items()
        if inspect.isfunction(fn) and fn.__module__ == module.__name__ and not name.startswith("_")
    }


def all_functions() -> list[tuple[types.ModuleType, str, Any]]:
    return [(m, n, f) for m in library_modules() for n, f in public_functions(m).items()]


def is_json_value(value: Any) -> bool:
    if value is None or isinstance(value, (bool, int, str)):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(is_json_value(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and is_json_value(v) for k, v in value.items())
    return False


def allowed_hint(hint: Any) -> bool:
    if hint in ALLOWED_TYPES:
        return True
    origin = typing.get_origin(hint)
    if origin is typing.Literal:
        return all(isinstance(v, str) for v in typing.get_args(hint))
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return len(args) == 1 and type(None) in typing.get_args(hint) and allowed_hint(args[0])
    return False


def docstring_args(fn: Any) -> dict[str, str]:
    """Google-style `Args:` entries; deeper-indented lines continue the previous entry."""
    doc = inspect.getdoc(fn) or ""
    match = re.search(r"^Args:\n((?:[ \t]+.*\n?)+)", doc, re.MULTILINE)
    if not match:
        return {}
    out: dict[str, str] = {}
    current, indent = None, 0
    for line in match.group(1).splitlines():
        m = re.match(r"(\s+)(\w+)(?: \([^)]*\))?:\s*(.+)", line)
        if m and (current is None or len(m.group(1)) <= indent):
            current, indent = m.group(2), len(m.group(1))
            out[current] = m.group(3).strip()
        elif current and line.strip():
            out[current] += " " + line.strip()
    return out


def test_library_size_and_categories() -> None:
    modules = library_modules()
    categories = {m.CATEGORY for m in modules}
    tools = all_functions()
    assert len(tools) >= 150, len(tools)
    assert len(categories) >= 15, sorted(categories)
    for m in modules:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", m.CATEGORY), m.CATEGORY
        assert (m.__doc__ or "").strip(), f"{m.__name__} has no module docstring"
        assert len(public_functions(m)) >= 8, m.__name__


def test_names_unique_and_snake_case() -> None:
    names = [n for _, n, _ in all_functions()]
    dupes = {n for n in names if names.count(n) > 1}
    assert not dupes, dupes
    for n in names:
        assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)+", n), n


def test_every_function_is_documented_and_typed() -> None:
    problems: list[str] = []
    for module, name, fn in all_functions():
        doc = inspect.getdoc(fn) or ""
        summary = doc.split("\n\n")[0].strip()
        if not summary or summary.startswith("Args:"):
            problems.append(f"{name}: no summary")
        described = docstring_args(fn)
        hints = typing.get_type_hints(fn, globalns=vars(module))
        for pname, param in inspect.signature(fn).parameters.items():
            if param.kind not in (param.POSITIONAL_OR_KEYWORD, param.KEYWORD_ONLY):
                problems.append(f"{name}.{pname}: *args/**kwargs are not allowed")
            if not described.get(pname):
                problems.append(f"{name}.{pname}: no description")
            if pname not in hints or not allowed_hint(hints[pname]):
                problems.append(f"{name}.{pname}: type {hints.get(pname)!r} not allowed")
            if param.default is not param.empty and not is_json_value(param.default):
                problems.append(f"{name}.{pname}: default is not JSON")
        for extra in set(described) - set(inspect.signature(fn).parameters):
            problems.append(f"{name}: documents unknown parameter {extra}")
        if "return" not in hints:
            problems.append(f"{name}: no return annotation")
    assert not problems, "\n".join(problems)


def test_every_function_has_worked_examples() -> None:
    for module in library_modules():
        examples = module.EXAMPLES
        funcs = public_functions(module)
        assert set(examples) == set(funcs), (
            module.__name__,
            set(funcs) ^ set(examples),
        )
        for name, cases in examples.items():
            assert cases, f"{name} has no worked example"


def example_cases() -> list[Any]:
    out = []
    for module, name, fn in all_functions():
        for i, (args, want) in enumerate(module.EXAMPLES.get(name, [])):
            out.append(pytest.param(fn, args, want, id=f"{name}-{i}"))
    return out


@pytest.mark.parametrize(("fn", "args", "want"), example_cases())
def test_worked_example(fn: Any, args: dict[str, Any], want: Any) -> None:
    got = fn(**args)
    assert is_json_value(got), f"result is not JSON-serialisable: {got!r}"
    # Compared as the executor returns it: through JSON, as `apigen catalog check` does.
    got = msgspec.json.decode(msgspec.json.encode(got))
    assert results_match(got, want), f"{fn.__name__}({args}) = {got!r}, expected {want!r}"


def wrong_value_for(hint: Any) -> tuple[bool, Any]:
    """A value of the wrong type (or outside the enum) for a parameter typed `hint`."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        hint = next(a for a in typing.get_args(hint) if a is not type(None))
    if typing.get_origin(hint) is typing.Literal:
        return True, "no_such_option"
    if hint in (int, float):
        return True, "seven"
    if hint is str:
        return True, 12345
    if typing.get_origin(hint) is list:
        return True, [None, "x"] if typing.get_args(hint)[0] in (int, float) else [1, None]
    if typing.get_origin(hint) is dict:
        return True, {"a": [1]}
    return False, None  # bool: any value has a truth value, nothing to reject


def test_wrong_types_are_rejected() -> None:
    """Every parameter of every function, given a wrongly typed value in its first worked
    example, raises TypeError or ValueError: never a silent result, never another error."""
    problems = []
    for module, name, fn in all_functions():
        args, _ = module.EXAMPLES[name][0]
        hints = typing.get_type_hints(fn, globalns=vars(module))
        for pname in args:
            applicable, wrong = wrong_value_for(hints[pname])
            if not applicable:
                continue
            try:
                result = fn(**{**args, pname: wrong})
            except (TypeError, ValueError):
                continue
            except Exception as exc:
                problems.append(f"{name}({pname}={wrong!r}): {type(exc).__name__}: {exc}")
            else:
                problems.append(f"{name}({pname}={wrong!r}) returned {result!r}")
    assert not problems, "\n".join(problems)


BAD_VALUES = [
    ("greatest_common_divisor", {"a": 0, "b": 0}),
    ("factorial_value", {"n": -1}),
    ("convert_number_base", {"number": "xyz", "from_base": 2, "to_base": 10}),
    ("compute_standard_deviation", {"values": [5]}),
    ("loan_monthly_payment", {"principal": -100, "annual_rate": 5, "years": 10}),
    ("triangle_area_from_sides", {"a": 1, "b": 2, "c": 10}),
    ("convert_temperature", {"value": -500, "from_unit": "celsius", "to_unit": "kelvin"}),
    ("days_between_dates", {"start_date": "2024-02-30", "end_date": "2024-03-01"}),
    ("molar_mass_of_formula", {"formula": "Xy2"}),
    ("roman_to_integer", {"numeral": "IIII"}),
    ("base64_decode", {"encoded": "***"}),
    ("airport_distance", {"origin": "ZZZ", "destination": "LHR"}),
    ("calculate_bmi", {"weight_kg": 70, "height_m": 0}),
    ("hotel_stay_cost", {"nightly_rate": 100, "check_in": "2024-05-02", "check_out": "2024-05-01"}),
    ("convert_currency_amount", {"amount": 10, "from_currency": "XXX", "to_currency": "USD"}),
    ("earned_run_average", {"earned_runs": 2, "innings_pitched": 6.5}),
    ("translate_dna_to_protein", {"sequence": "ATGXYZ"}),
    ("weighted_course_grade", {"scores": [90, 80], "weights": [50, 40]}),
    ("knapsack_max_value", {"weights": [1, 2], "values": [3], "capacity": 5}),
    ("portfolio_rebalance", {"holdings": {"a": 1}, "target_weights": {"a": 50}}),
]


@pytest.mark.parametrize(("name", "args"), BAD_VALUES, ids=[b[0] for b in BAD_VALUES])
def test_bad_values_are_rejected(name: str, args: dict[str, Any]) -> None:
    funcs = {n: f for _, n, f in all_functions()}
    with pytest.raises(ValueError):
        funcs[name](**args)
