"""The re-solve check: request shape, reading answers, and agreement by BFCL's AST rules."""

from __future__ import annotations

import json

from apigen_async.catalog.library import load_catalog
from apigen_async.checks.resolve import check_agreement, read_resolutions, resolve_request
from apigen_async.llm.types import Completion
from apigen_async.prompts import PromptLibrary
from apigen_async.schema import Call, Pair, Rejection

TOOLS = load_catalog([], builtin=True, local_rest=False).by_name()
OFFERED = {n: TOOLS[n] for n in ("calculate_bmi", "compound_interest", "convert_length")}


def _completion(content: object, finish: str = "stop") -> Completion:
    text = content if isinstance(content, str) else json.dumps(content)
    return Completion(content=text, finish_reason=finish, prompt_tokens=10, completion_tokens=5)


def _agree(
    answers: list[Call], resolved: list[Call], style: str = "simple", query: str | None = None
) -> str:
    # By default the query states every value the re-solver used, so all its calls count.
    if query is None:
        query = " ".join(str(v) for c in resolved + answers for v in c.arguments.values())
    rejection = check_agreement(Pair(query=query, answers=answers), resolved, OFFERED, style)  # type: ignore[arg-type]
    return "ok" if rejection is None else rejection.message.split(":")[0]


def test_the_request_shows_queries_and_functions_but_never_the_answers() -> None:
    request = resolve_request(
        PromptLibrary(),
        model="m",
        tools=list(OFFERED.values()),
        queries=["What's my BMI at 75 kg and 1.8 m?", "Grow $100 at 5% for 2 years."],
        max_tokens=100,
        structured=True,
    )
    user = request.messages[-1]["content"]
    assert '<query id="1">What\'s my BMI' in user and '<query id="2">Grow $100' in user
    assert "weight_kg" in user  # the functions are listed ...
    assert "arguments" not in user  # ... and no calls are
    schema = request.response_format["json_schema"]["schema"]  # type: ignore[index]
    answers = schema["properties"]["answers"]
    assert answers["minItems"] == answers["maxItems"] == 2
    assert request.max_tokens == 200 and request.temperature == 0.0


def test_answers_are_read_per_query_and_failures_reject_each() -> None:
    calls = {"calls": [{"name": "calculate_bmi", "arguments": {"weight_kg": 75, "height_m": 1.8}}]}
    read = read_resolutions(_completion({"answers": [calls, {"calls": []}]}), 2)
    assert read[0] == [Call(name="calculate_bmi", arguments={"weight_kg": 75, "height_m": 1.8})]
    assert read[1] == []
    missing = read_resolutions(_completion({"answers": [calls]}), 2)
    assert isinstance(missing[1], Rejection) and missing[1].code == "resolve_missing"
    cut = read_resolutions(_completion('{"answers": [', finish="length"), 2)
    assert all(isinstance(r, Rejection) and r.code == "resolve_truncated" for r in cut)
    junk = read_resolutions(_completion("I cannot help with that."), 1)
    assert isinstance(junk[0], Rejection) and junk[0].code == "resolve_unparseable"
    bad = read_resolutions(_completion({"answers": [{"calls": [{"arguments": {}}]}]}), 1)
    assert isinstance(bad[0], Rejection) and bad[0].code == "resolve_unparseable"


def test_agreement_follows_bfcl_rules() -> None:
    bmi = Call(name="calculate_bmi", arguments={"weight_kg": 75, "height_m": 1.8})
    # int accepted for float, and string normalisation of enum-like values.
    assert (
        _agree([bmi], [Call(name="calculate_bmi", arguments={"weight_kg": 75.0, "height_m": 1.8})])
        == "ok"
    )
    # An optional argument at its default equals leaving it out, both ways.
    plain = Call(
        name="compound_interest", arguments={"principal": 100, "annual_rate": 5, "years": 2}
    )
    explicit = Call(
        name="compound_interest", arguments={**plain.arguments, "compounding": "annually"}
    )
    assert _agree([plain], [explicit]) == "ok"
    assert _agree([explicit], [plain]) == "ok"
    monthly = Call(
        name="compound_interest", arguments={**plain.arguments, "compounding": "monthly"}
    )
    assert _agree([monthly], [plain]) != "ok"  # an option the user asked for is not optional
    # A different value, another function, a missing call.
    assert (
        _agree([bmi], [Call(name="calculate_bmi", arguments={"weight_kg": 57, "height_m": 1.8})])
        != "ok"
    )
    assert _agree([bmi], [plain]) != "ok"
    km = [
        Call(name="convert_length", arguments={"value": v, "from_unit": "km", "to_unit": "mi"})
        for v in (5, 10)
    ]
    # Parallel calls match in any order, but not with one left out.
    assert _agree(km, list(reversed(km)), "parallel") == "ok"
    assert _agree(km, km[:1], "parallel") != "ok"
    # Irrelevance: the re-solver must make no call.
    assert _agree([], [], "irrelevance") == "ok"
    assert _agree([], [bmi], "irrelevance") != "ok"


def test_re_solved_calls_with_invented_values_are_no_evidence() -> None:
    invented = Call(name="calculate_bmi", arguments={"weight_kg": 70, "height_m": 1.75})
    # Irrelevance: a re-solver that can only call with values nobody gave made no call.
    assert _agree([], [invented], "irrelevance", query="What's the weather in Oslo?") == "ok"
    grounded = "I weigh 70 kg and I'm 1.75 m tall; is it raining?"
    assert _agree([], [invented], "irrelevance", query=grounded) != "ok"
    # A correct answer is not refuted by an extra call the re-solver made up ...
    bmi = Call(name="calculate_bmi", arguments={"weight_kg": 82, "height_m": 1.8})
    query = "I'm 1.8 m and 82 kg. What's my BMI?"
    assert _agree([bmi], [bmi, invented], "parallel", query=query) == "ok"
    # ... but a wrong answer is still refuted by a grounded re-solved call.
    swapped = Call(name="calculate_bmi", arguments={"weight_kg": 1.8, "height_m": 82})
    rejection = check_agreement(
        Pair(query=query, answers=[swapped]), [bmi, invented], OFFERED, "simple"
    )
    assert rejection is not None and "1 ungrounded re-solved call(s) left out" in rejection.message
