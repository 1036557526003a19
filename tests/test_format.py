"""The format checker's rules, each with a case that fails."""

from __future__ import annotations

import pytest

from apigen_async.checks.format import check_pair
from apigen_async.generate import read_pairs
from apigen_async.llm.decode import extract_json
from apigen_async.llm.types import Completion
from apigen_async.schema import Pair, Param, Rejection, Tool

AREA = Tool(
    name="circle_area",
    description="Area of a circle.",
    parameters=(
        Param(name="radius", type="number", description="Radius."),
        Param(name="unit", type="string", required=False, default="m", enum=("m", "cm")),
        Param(name="tags", type="array", items="integer", required=False, default=None),
    ),
)
FACT = Tool(
    name="factorial",
    description="n!",
    parameters=(Param(name="n", type="integer", description="n"),),
)
TOOLS = {t.name: t for t in (AREA, FACT)}


def call(name: str, **arguments: object) -> dict[str, object]:
    return {"name": name, "arguments": arguments}


def test_valid_simple_pair_passes_and_int_is_accepted_for_float() -> None:
    result = check_pair(
        {"query": " q ", "answers": [call("circle_area", radius=2)]}, TOOLS, "simple"
    )
    assert isinstance(result, Pair)
    assert result.query == "q"
    assert result.answers[0].arguments == {"radius": 2}


@pytest.mark.parametrize(
    ("raw", "style", "code"),
    [
        ("just text", "simple", "not_object"),
        ({"answers": []}, "irrelevance", "missing_query"),
        ({"query": "  ", "answers": []}, "irrelevance", "empty_query"),
        ({"query": "q"}, "simple", "missing_answers"),
        ({"query": "q", "answers": {"name": "x"}}, "simple", "answers_not_list"),
        ({"query": "q", "answers": ["circle_area"]}, "simple", "bad_call"),
        ({"query": "q", "answers": [call("square_area", side=1)]}, "simple", "unknown_function"),
        (
            {"query": "q", "answers": [{"name": "factorial", "arguments": "n=3"}]},
            "simple",
            "arguments_not_object",
        ),
        ({"query": "q", "answers": [call("factorial", n=3, k=1)]}, "simple", "undeclared_argument"),
        ({"query": "q", "answers": [call("circle_area", unit="m")]}, "simple", "missing_required"),
        ({"query": "q", "answers": [call("factorial", n=2.5)]}, "simple", "wrong_type"),
        ({"query": "q", "answers": [call("factorial", n="3")]}, "simple", "wrong_type"),
        ({"query": "q", "answers": [call("factorial", n=True)]}, "simple", "wrong_type"),
        (
            {"query": "q", "answers": [call("circle_area", radius=1, tags=[1, "a"])]},
            "simple",
            "wrong_type",
        ),
        (
            {"query": "q", "answers": [call("circle_area", radius=1, unit="km")]},
            "simple",
            "not_in_enum",
        ),
        (
            {"query": "q", "answers": [call("factorial", n=1), call("factorial", n=2)]},
            "simple",
            "call_count",
        ),
        ({"query": "q", "answers": []}, "multiple", "call_count"),
        ({"query": "q", "answers": [call("factorial", n=1)]}, "parallel", "call_count"),
        (
            {"query": "q", "answers": [call("factorial", n=1), call("circle_area", radius=1)]},
            "parallel",
            "call_count",
        ),
        (
            {"query": "q", "answers": [call("factorial", n=1), call("factorial", n=2)]},
            "parallel_multiple",
            "call_count",
        ),
        ({"query": "q", "answers": [call("factorial", n=1)]}, "irrelevance", "call_count"),
    ],
)
def test_rule_violations_are_rejected_with_their_code(raw: object, style: str, code: str) -> None:
    result = check_pair(raw, TOOLS, style)  # type: ignore[arg-type]
    assert isinstance(result, Rejection), result
    assert (result.stage, result.code) == ("format", code)
    assert result.message


@pytest.mark.parametrize(
    ("answers", "style"),
    [
        ([call("factorial", n=1), call("factorial", n=5)], "parallel"),
        ([call("factorial", n=1), call("circle_area", radius=1.5, unit="cm")], "parallel_multiple"),
        ([], "irrelevance"),
        ([call("circle_area", radius=1, tags=None)], "multiple"),
    ],
)
def test_styles_accept_their_call_shapes(answers: list[object], style: str) -> None:
    assert isinstance(check_pair({"query": "q", "answers": answers}, TOOLS, style), Pair)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        '{"pairs": [{"query": "q", "answers": []}]}',
        'Sure! Here you go:\n```json\n[{"query": "q", "answers": []}]\n```\nHope it helps.',
        'Answer: [{"query": "a ] tricky } string", "answers": []}] trailing words',
        '```\n{"query": "q", "answers": []}\n```',
    ],
)
def test_decoding_survives_fences_and_chatter(text: str) -> None:
    items = read_pairs(Completion(content=text, finish_reason="stop"))
    assert isinstance(items, list) and items[0]["answers"] == []


@pytest.mark.parametrize(
    ("text", "finish", "code"),
    [
        ("", "stop", "invalid_json"),
        ("I cannot do that.", "stop", "invalid_json"),
        ('{"pairs": [{"query": "q", "answers": [', "stop", "invalid_json"),
        ('{"pairs": [{"query": "q"', "length", "truncated"),
        ('{"pairs": []}', "stop", "no_pairs"),
        ('"just a string"', "stop", "not_a_list"),
    ],
)
def test_undecodable_answers_are_format_rejections(text: str, finish: str, code: str) -> None:
    result = read_pairs(Completion(content=text, finish_reason=finish))
    assert isinstance(result, Rejection) and (result.stage, result.code) == ("format", code)


def test_extract_json_reports_why() -> None:
    assert extract_json("   ")[1] == "empty answer"
    assert extract_json("no json here")[1] == "no JSON document in the answer"
