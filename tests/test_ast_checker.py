"""BFCL's AST checker rules: each error type on a known input."""

from __future__ import annotations

from typing import Any

import pytest

from apigen_async.eval.ast_checker import (
    CheckResult,
    calls_agree,
    check_calls,
    possible_answers,
    standardize_string,
)
from apigen_async.schema import Call, Param, Tool

WEATHER = Tool(
    name="get_weather",
    description="Weather for a city.",
    parameters=(
        Param(name="city", type="string"),
        Param(name="days", type="integer", required=False, default=1),
        Param(name="unit", type="string", required=False, default="celsius"),
        Param(name="verbose", type="boolean", required=False),
    ),
)
AREA = Tool(
    name="circle_area",
    description="Area of a circle.",
    parameters=(
        Param(name="radius", type="number"),
        Param(name="precision", type="integer", required=False, default=2),
    ),
)
STATS = Tool(
    name="stats",
    description="Statistics of numbers.",
    parameters=(
        Param(name="values", type="array", items="integer"),
        Param(name="labels", type="array", items="string", required=False),
        Param(name="options", type="object", required=False),
    ),
)
TOOLS = {t.name: t for t in (WEATHER, AREA, STATS)}


def call(name: str, **arguments: Any) -> Call:
    return Call(name=name, arguments=arguments)


def check_one(model: Call, answer: dict[str, list[Any]], name: str | None = None) -> CheckResult:
    return check_calls([model], [{name or model.name: answer}], TOOLS, "simple")


def assert_fails(result: CheckResult, error_type: str) -> None:
    assert not result.valid
    assert result.error_type == error_type
    assert result.errors


def test_exact_match_is_valid() -> None:
    result = check_one(call("get_weather", city="Paris"), {"city": ["Paris"], "days": ["", 1]})
    assert result == CheckResult(valid=True)


def test_function_name_mismatch() -> None:
    result = check_one(call("circle_area", radius=1), {"city": ["Paris"]}, name="get_weather")
    assert_fails(result, "simple_function_checker:wrong_func_name")


def test_unknown_function_is_a_mismatch_not_a_crash() -> None:
    result = check_one(call("teleport", to="Mars"), {"to": ["Mars"]})
    assert_fails(result, "simple_function_checker:wrong_func_name")


def test_missing_required_parameter() -> None:
    result = check_one(call("get_weather", days=3), {"city": ["Paris"], "days": [3]})
    assert_fails(result, "simple_function_checker:missing_required")


def test_parameter_unknown_to_the_tool_is_unexpected() -> None:
    result = check_one(call("get_weather", city="Paris", country="FR"), {"city": ["Paris"]})
    assert_fails(result, "simple_function_checker:unexpected_param")


def test_declared_parameter_absent_from_the_answer_is_unexpected() -> None:
    result = check_one(call("get_weather", city="Paris", days=2), {"city": ["Paris"]})
    assert_fails(result, "simple_function_checker:unexpected_param")


def test_omitted_optional_passes_only_when_absence_is_acceptable() -> None:
    model = call("get_weather", city="Paris")
    assert check_one(model, {"city": ["Paris"], "days": ["", 1]}).valid
    result = check_one(model, {"city": ["Paris"], "days": [1]})
    assert_fails(result, "simple_function_checker:missing_optional")


def test_int_is_accepted_for_float_but_float_not_for_int() -> None:
    assert check_one(call("circle_area", radius=2), {"radius": [2.0]}).valid
    result = check_one(
        call("circle_area", radius=2.0, precision=3.0),
        {
            "radius": [2.0],
            "precision": [3],
        },
    )
    assert_fails(result, "type_error:simple")


def test_bool_is_not_an_int() -> None:
    result = check_one(
        call("circle_area", radius=1.0, precision=True),
        {
            "radius": [1.0],
            "precision": [1],
        },
    )
    assert_fails(result, "type_error:simple")


def test_wrong_non_string_value() -> None:
    result = check_one(call("get_weather", city="Paris", days=2), {"city": ["Paris"], "days": [3]})
    assert_fails(result, "value_error:others")


def test_standardize_string_follows_bfcl() -> None:
    assert standardize_string("New York") == standardize_string("new-york") == "newyork"
    assert standardize_string("April 1, 2024") == "april12024"
    assert standardize_string("O'Neil") == 'o"neil'
    assert standardize_string("a*b^c/d.e_f") == "abcdef"


def test_strings_compare_after_standardisation() -> None:
    assert check_one(call("get_weather", city="new-york"), {"city": ["New York"]}).valid
    assert check_one(call("get_weather", city='O"Neil'), {"city": ["O'Neil"]}).valid
    result = check_one(call("get_weather", city="Boston"), {"city": ["New York"]})
    assert_fails(result, "value_error:string")


def test_lists_compare_element_wise_with_strings_standardised() -> None:
    answer = {"values": [[1, 2, 3]], "labels": [["New York", "LA"]]}
    assert check_one(call("stats", values=[1, 2, 3], labels=["new_york", "la"]), answer).valid
    result = check_one(call("stats", values=[1, 3, 2], labels=["New York", "LA"]), answer)
    assert_fails(result, "value_error:list/tuple")
    result = check_one(call("stats", values=[1, 2, 3], labels=["New York", "SF"]), answer)
    assert_fails(result, "value_error:list/tuple")


def test_tuple_is_checked_as_list() -> None:
    assert check_one(call("stats", values=(1, 2)), {"values": [[1, 2]]}).valid


def test_list_elements_are_type_checked() -> None:
    result = check_one(call("stats", values=[1, "2"]), {"values": [[1, 2]]})
    assert_fails(result, "type_error:nested")


def test_dict_values_are_checked_per_key() -> None:
    answer = {"values": [[1]], "options": [{"mode": ["Fast"], "retries": [3]}]}
    good = call("stats", values=[1], options={"mode": "fast", "retries": 3})
    assert check_one(good, answer).valid
    result = check_one(call("stats", values=[1], options={"mode": "slow", "retries": 3}), answer)
    assert_fails(result, "value_error:dict_value")
    result = check_one(call("stats", values=[1], options={"mode": "fast"}), answer)
    assert_fails(result, "value_error:dict_key")


PARALLEL_EXPECTED = [
    {"get_weather": {"city": ["Paris"], "days": ["", 1]}},
    {"get_weather": {"city": ["Rome"], "days": ["", 1]}},
    {"circle_area": {"radius": [2.0], "precision": ["", 2]}},
]


def test_parallel_is_order_insensitive() -> None:
    model = [
        call("circle_area", radius=2),
        call("get_weather", city="rome"),
        call("get_weather", city="Paris", days=1),
    ]
    assert check_calls(model, PARALLEL_EXPECTED, TOOLS, "parallel").valid
    assert check_calls(model, PARALLEL_EXPECTED, TOOLS, "live_parallel_multiple").valid


def test_parallel_wrong_count() -> None:
    model = [call("get_weather", city="Paris"), call("get_weather", city="Rome")]
    result = check_calls(model, PARALLEL_EXPECTED, TOOLS, "parallel")
    assert_fails(result, "parallel_function_checker_no_order:wrong_count")


def test_parallel_cannot_find_match() -> None:
    model = [
        call("get_weather", city="Paris"),
        call("get_weather", city="Madrid"),
        call("circle_area", radius=2),
    ]
    result = check_calls(model, PARALLEL_EXPECTED, TOOLS, "parallel")
    assert_fails(result, "parallel_function_checker_no_order:cannot_find_match")
    assert "index 1 of possible answers" in result.errors[0]


def test_parallel_matching_is_greedy_like_bfcl() -> None:
    # The first answer accepts either city. It takes model call 0 ("Paris"), which the
    # second answer needed, and BFCL does not backtrack. "Rome" is left unmatched.
    expected = [
        {"get_weather": {"city": ["Paris", "Rome"]}},
        {"get_weather": {"city": ["Paris"]}},
    ]
    greedy_loses = [call("get_weather", city="Paris"), call("get_weather", city="Rome")]
    result = check_calls(greedy_loses, expected, TOOLS, "parallel")
    assert_fails(result, "parallel_function_checker_no_order:cannot_find_match")
    assert check_calls(greedy_loses[::-1], expected, TOOLS, "parallel").valid


def test_simple_and_multiple_wrong_count() -> None:
    answer = [{"get_weather": {"city": ["Paris"]}}]
    two = [call("get_weather", city="Paris"), call("get_weather", city="Paris")]
    assert_fails(check_calls(two, answer, TOOLS, "simple"), "simple_function_checker:wrong_count")
    assert_fails(
        check_calls([], answer, TOOLS, "live_simple"), "simple_function_checker:wrong_count"
    )
    result = check_calls(two, answer, TOOLS, "multiple")
    assert_fails(result, "multiple_function_checker:wrong_count")


def test_multiple_checks_the_single_call() -> None:
    answer = [{"circle_area": {"radius": [1.5]}}]
    assert check_calls([call("circle_area", radius=1.5)], answer, TOOLS, "live_multiple").valid


def test_irrelevance_wants_no_call() -> None:
    assert check_calls([], [], TOOLS, "irrelevance").valid
    assert check_calls([], [], TOOLS, "live_irrelevance").valid
    result = check_calls([call("get_weather", city="Paris")], [], TOOLS, "irrelevance")
    assert_fails(result, "irrelevance_error:decoder_success")


def test_relevance_wants_some_call() -> None:
    assert check_calls([call("get_weather", city="X")], [], TOOLS, "live_relevance").valid
    assert_fails(check_calls([], [], TOOLS, "live_relevance"), "relevance_error:decoder_failed")


def test_unknown_category_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown BFCL category"):
        check_calls([], [], TOOLS, "simple_java")


def test_possible_answers_optional_at_default_accepts_absence() -> None:
    answers = possible_answers([call("get_weather", city="Paris", days=1, unit="Celsius")], TOOLS)
    assert answers == [
        {
            "get_weather": {
                "city": ["Paris"],
                "days": [1, ""],
                "unit": ["Celsius", ""],
                "verbose": [""],
            }
        }
    ]
    assert check_calls([call("get_weather", city="Paris")], answers, TOOLS, "simple").valid


def test_possible_answers_omitted_optional_accepts_its_default() -> None:
    answers = possible_answers([call("circle_area", radius=2.0)], TOOLS)
    assert answers == [{"circle_area": {"radius": [2.0], "precision": [2, ""]}}]
    for model in (call("circle_area", radius=2), call("circle_area", radius=2.0, precision=2)):
        assert check_calls([model], answers, TOOLS, "simple").valid
    result = check_calls([call("circle_area", radius=2.0, precision=4)], answers, TOOLS, "simple")
    assert_fails(result, "value_error:others")


def test_possible_answers_optional_off_default_is_required() -> None:
    answers = possible_answers([call("circle_area", radius=2.0, precision=4)], TOOLS)
    assert answers[0]["circle_area"]["precision"] == [4]
    result = check_calls([call("circle_area", radius=2.0)], answers, TOOLS, "simple")
    assert_fails(result, "simple_function_checker:missing_optional")


def test_possible_answers_wrap_dict_values_in_bfcl_form() -> None:
    answers = possible_answers([call("stats", values=[1], options={"mode": "fast"})], TOOLS)
    assert answers[0]["stats"]["options"] == [{"mode": ["fast"]}]


def test_calls_agree_wraps_possible_answers() -> None:
    answers = [call("get_weather", city="New York"), call("circle_area", radius=1.0)]
    resolved = [call("circle_area", radius=1), call("get_weather", city="new york", days=1)]
    assert calls_agree(resolved, answers, TOOLS, "parallel_multiple").valid
    result = calls_agree(resolved[:1], answers, TOOLS, "parallel_multiple")
    assert_fails(result, "parallel_function_checker_no_order:wrong_count")
    assert calls_agree([], [], TOOLS, "irrelevance").valid


FREE = Tool(
    name="free",
    description="Loosely typed.",
    parameters=(
        Param(name="value", type="any"),
        Param(name="weights", type="array", items="number", required=False),
        Param(name="rows", type="array", items="object", required=False),
    ),
)


def test_any_accepts_any_type_but_a_bool_never_equals_a_number() -> None:
    tools = {"free": FREE}
    assert check_calls([call("free", value=3)], [{"free": {"value": [3]}}], tools, "simple").valid
    assert check_calls(
        [call("free", value="N-Y")], [{"free": {"value": ["ny"]}}], tools, "simple"
    ).valid
    result = check_calls([call("free", value=True)], [{"free": {"value": [1]}}], tools, "simple")
    assert_fails(result, "value_error:others")


def test_int_elements_are_accepted_in_a_number_array() -> None:
    tools = {"free": FREE}
    answers = [{"free": {"value": [0], "weights": [[1.0, 2.5]]}}]
    model = call("free", value=0, weights=[1, 2.5])
    assert check_calls([model], answers, tools, "simple").valid


def test_list_of_dicts_is_checked_dict_by_dict_in_order() -> None:
    tools = {"free": FREE}
    answers = possible_answers([call("free", value=0, rows=[{"a": "X"}, {"a": "Y"}])], tools)
    assert answers[0]["free"]["rows"] == [[{"a": ["X"]}, {"a": ["Y"]}]]
    good = call("free", value=0, rows=[{"a": "x"}, {"a": "y"}])
    assert check_calls([good], answers, tools, "simple").valid
    swapped = call("free", value=0, rows=[{"a": "Y"}, {"a": "X"}])
    assert_fails(check_calls([swapped], answers, tools, "simple"), "value_error:dict_value")
    short = call("free", value=0, rows=[{"a": "X"}])
    assert_fails(check_calls([short], answers, tools, "simple"), "value_error:list_dict_count")
