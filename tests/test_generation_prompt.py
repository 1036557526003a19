"""What the generator is asked: each function's values the query has to state."""

from __future__ import annotations

from apigen_async.generate import generation_request
from apigen_async.sampling import PromptLibrary
from apigen_async.schema import Param, Style, Task, Tool

INTEREST = Tool(
    name="compound_interest",
    description="Future value of a deposit with compound interest.",
    parameters=(
        Param(name="principal", type="number", description="Amount deposited."),
        Param(name="years", type="integer", description="Years invested."),
        Param(
            name="compounding",
            type="string",
            description="How often interest is compounded.",
            required=False,
            default="annually",
            enum=("annually", "monthly"),
        ),
    ),
)


def user_prompt(style: Style, template: str) -> str:
    task = Task(id="0-0", index=0, style=style, template=template, tool_names=(INTEREST.name,),
                example_ids=(),
                n_pairs=2)  # fmt: skip
    request = generation_request(
        PromptLibrary(), task, [INTEREST], [], model="m", temperature=0.7, max_tokens=100,
        structured=True,
    )  # fmt: skip
    return request.messages[-1]["content"]


def test_every_template_names_the_values_a_query_must_state() -> None:
    prompts = PromptLibrary()
    for style in ("simple", "multiple", "parallel", "parallel_multiple"):
        for template in prompts.templates_for(style):
            user = user_prompt(style, template)
            assert "- compound_interest: principal (a number), years (a whole number)" in user
            assert "only if the user asks for them: compounding" in user
            assert "$needs" not in user


def test_irrelevance_prompts_name_no_values() -> None:
    for template in PromptLibrary().templates_for("irrelevance"):
        user = user_prompt("irrelevance", template)
        assert "must state" not in user and "$needs" not in user


def test_each_pair_is_asked_for_its_calls_before_its_query() -> None:
    # A 0.5B generator that picks the call first writes a query stating its values (13 of
    # 22 pairs passed the rules, against 5 of 28 query-first: bench/README.md).
    task = Task(id="0-0", index=0, style="simple", template="simple_1",
                tool_names=(INTEREST.name,), example_ids=(), n_pairs=2)  # fmt: skip
    request = generation_request(
        PromptLibrary(), task, [INTEREST], [], model="m", temperature=0.7, max_tokens=100,
        structured=True,
    )  # fmt: skip
    assert request.response_format is not None
    pair = request.response_format["json_schema"]["schema"]["properties"]["pairs"]["items"]
    assert list(pair["properties"]) == ["answers", "query"]
    assert '"answers": [' in request.messages[0]["content"].split('"query"')[0]
