"""The judge's request and the reading of its verdicts."""

from __future__ import annotations

import json

import pytest

from apigen_async.checks.semantic import JudgedPair, judge_request, read_judgements
from apigen_async.llm.types import Completion
from apigen_async.prompts import PromptLibrary
from apigen_async.schema import Call, ExecResult, Judgement, Pair, Param, Rejection, Tool

ADD = Tool(
    name="add",
    description="Add two integers.",
    parameters=[
        Param(name="a", type="integer", description="first"),
        Param(name="b", type="integer", description="second"),
    ],
)


def judged(query: str, a: int, b: int) -> JudgedPair:
    call = Call(name="add", arguments={"a": a, "b": b})
    return JudgedPair(Pair(query=query, answers=[call]), [ExecResult(ok=True, output=a + b)])


def answer(content: object, finish: str = "stop") -> Completion:
    text = content if isinstance(content, str) else json.dumps(content)
    return Completion(content=text, finish_reason=finish)


def codes(verdicts: list[Judgement | Rejection]) -> list[str]:
    return [v.code if isinstance(v, Rejection) else "yes" for v in verdicts]


def test_one_request_numbers_every_pair_and_asks_for_as_many_verdicts() -> None:
    items = [judged("Add 1 and 2.", 1, 2), judged("What is 5 plus 7?", 5, 7)]
    request = judge_request(PromptLibrary(), model="m", tools=[ADD], items=items, max_tokens=100)
    user = request.messages[-1]["content"]
    assert user.count("Add two integers.") == 1  # the functions once, not once per pair
    assert '<pair id="1">' in user and '<pair id="2">' in user
    assert user.index("Add 1 and 2.") < user.index("What is 5 plus 7?")
    assert (
        '<call n="1">{"name":"add","arguments":{"a":5,"b":7}}</call>\n<result n="1">12</result>'
        in user
    )
    verdicts = request.response_format["json_schema"]["schema"]["properties"]["verdicts"]
    assert verdicts["minItems"] == verdicts["maxItems"] == 2
    assert request.max_tokens == 200


def test_verdicts_map_to_pairs_in_order() -> None:
    content = {"verdicts": [{"thought": "ok", "passes": "yes"}, {"thought": "x", "passes": "no"}]}
    verdicts = read_judgements(answer(content), 2)
    assert codes(verdicts) == ["yes", "judge_no"]
    assert isinstance(verdicts[0], Judgement) and verdicts[0].thought == "ok"


@pytest.mark.parametrize(
    ("content", "n", "expected"),
    [
        # Too few verdicts: the missing pairs are rejected, the given ones stand.
        (
            {"verdicts": [{"thought": "ok", "passes": "yes"}]},
            3,
            ["yes", "judge_missing", "judge_missing"],
        ),
        # Too many: the extra are ignored.
        ({"verdicts": [{"thought": "", "passes": "YES"}] * 3}, 2, ["yes", "yes"]),
        # A bare list, and one bare verdict for one pair (endpoints without schemas).
        ([{"thought": "", "passes": "no"}], 1, ["judge_no"]),
        ({"thought": "fine", "passes": "yes"}, 1, ["yes"]),
        ('```json\n{"verdicts": [{"thought": "", "passes": "yes"}]}\n```', 1, ["yes"]),
        # What cannot be read rejects every pair of the request.
        ({"thought": "fine", "passes": "yes"}, 2, ["judge_unparseable"] * 2),
        ("no idea", 2, ["judge_unparseable"] * 2),
        ({"verdicts": [{"thought": "", "passes": "maybe"}]}, 1, ["judge_unparseable"]),
        ({"verdicts": [{"thought": 3, "passes": "yes"}]}, 1, ["judge_unparseable"]),
    ],
)
def test_reading_verdicts(content: object, n: int, expected: list[str]) -> None:
    assert codes(read_judgements(answer(content), n)) == expected


def test_a_verdict_cut_at_max_tokens_rejects_the_whole_request() -> None:
    cut = answer('{"verdicts": [{"thought": "ok", "passes": "yes"}, {"thou', finish="length")
    assert codes(read_judgements(cut, 2)) == ["judge_truncated"] * 2
