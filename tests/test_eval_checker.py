"""The eval metric against BFCL's own data: ground truth scores correct, mutations fail.

Every item of every supported category with possible answers: its first acceptable
answer, rendered as a model output (BFCL's `[f(a=1)]` text parsed back, and native tool
calls), must score correct, except the items whose ground truth BFCL's own checker
rejects too (listed with the reason). Then a table of mutated answers, each failing with
BFCL's error type.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import orjson
import pytest

from apigen_async.eval.bfcl_data import (
    NO_ANSWER_CATEGORIES,
    SUPPORTED_CATEGORIES,
    find_bfcl_dir,
    load_category,
)
from apigen_async.eval.decode import (
    DecodeFailure,
    calls_from_text,
    calls_from_tool_calls,
    render_python_calls,
)
from apigen_async.eval.items import EvalItem
from apigen_async.eval.score import score_item
from apigen_async.llm.types import ToolCall
from apigen_async.schema import Call
from tests.helpers import require_bfcl_data

require_bfcl_data()

#: Items whose first acceptable answer BFCL's checker rejects too, and why.
GROUND_TRUTH_REJECTED = {
    "parallel_multiple_26": "lists `type`, a field of the `transactions` items, as a "
    "parameter of bank.calculate_balance: unexpected_param for any answer that gives it",
    "live_simple_106-63-0": "required `auto_loan_payment_start` (and others) has no "
    "acceptable value at all (`[]`): no answer can pass",
    "live_simple_112-68-0": "required `acc_routing_start` (and others) has no acceptable "
    "value (`[]`): no answer can pass",
    "live_multiple_862-181-3": "the answer gives `journey_start_time` to Trains_1_FindTrains, "
    "which has no such parameter (it belongs to Trains_1_GetTrainTickets)",
    "live_multiple_964-207-0": "the answer names the parameter `question`; the function "
    "requires `statement`",
}

AST_CATEGORIES = [c for c in SUPPORTED_CATEGORIES if c not in NO_ANSWER_CATEGORIES]


@cache
def _folder() -> Path:
    return find_bfcl_dir(None)


@cache
def _items(category: str) -> tuple[EvalItem, ...]:
    return tuple(load_category(_folder(), category))


def _item(item_id: str) -> EvalItem:
    category = item_id.rsplit("_", 1)[0]
    return next(i for i in _items(category) if i.id == item_id)


def _first(values: list[Any]) -> Any:
    return next((_unwrap(v) for v in values if v != ""), "")


def _unwrap(value: Any) -> Any:
    # Nested dicts of the ground truth hold acceptable-value lists too.
    if isinstance(value, dict):
        return {
            k: _first(v if isinstance(v, list) else [v])
            for k, v in value.items()
            if not (isinstance(v, list) and v and v[0] == "")
        }
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    return value


def first_answer(item: EvalItem) -> list[Call]:
    """The first acceptable answer: an optional parameter whose first value is "" left out,
    every other parameter given its first non-empty value."""
    tools = item.tools_by_name()
    calls = []
    for expected in item.expected:
        name, params = next(iter(expected.items()))
        args = {}
        for key, values in params.items():
            param = tools[name].param(key)
            if values and values[0] == "" and not (param is not None and param.required):
                continue
            args[key] = _first(values)
        calls.append(Call(name=name, arguments=args))
    return calls


def _as_tool_calls(calls: list[Call]) -> list[ToolCall]:
    return [ToolCall(name=c.name, arguments=orjson.dumps(c.arguments).decode()) for c in calls]


@pytest.mark.parametrize("category", AST_CATEGORIES)
def test_first_acceptable_answer_scores_correct(category: str) -> None:
    items = _items(category)
    assert len(items) >= 16
    wrong: dict[str, str] = {}
    for item in items:
        calls = first_answer(item)
        text = render_python_calls(calls)
        for answer in (calls_from_text(text), calls_from_tool_calls(_as_tool_calls(calls))):
            assert not isinstance(answer, DecodeFailure), (item.id, text, answer)
            score = score_item(item, answer)
            if not score.valid:
                wrong[item.id] = f"{score.error_type}: {score.errors[:2]}"
    expected = {i for i in GROUND_TRUTH_REJECTED if i.rsplit("_", 1)[0] == category}
    assert set(wrong) == expected, wrong


def test_category_sizes_match_bfcl() -> None:
    sizes = {c: len(_items(c)) for c in SUPPORTED_CATEGORIES}
    assert sizes == {
        "simple_python": 400, "multiple": 200, "parallel": 200, "parallel_multiple": 200,
        "irrelevance": 240, "live_simple": 258, "live_multiple": 1053, "live_parallel": 16,
        "live_parallel_multiple": 24, "live_irrelevance": 884, "live_relevance": 16,
    }  # fmt: skip


def _replace(calls: list[Call], index: int, **changes: Any) -> list[Call]:
    out = list(calls)
    call = out[index]
    out[index] = Call(
        name=changes.get("name", call.name), arguments=changes.get("args", call.arguments)
    )
    return out


def _args(calls: list[Call], index: int = 0) -> dict[str, Any]:
    return dict(calls[index].arguments)


def _mutations() -> list[tuple[str, str, Any, str]]:
    """(label, item id, mutate(calls) -> calls | text, expected error type)."""
    return [
        ("wrong function name", "simple_python_1",
         lambda c: _replace(c, 0, name="math.gamma"), "simple_function_checker:wrong_func_name"),
        ("missing required", "simple_python_0",
         lambda c: _replace(c, 0, args={"height": 5}), "simple_function_checker:missing_required"),
        ("extra argument", "simple_python_1",
         lambda c: _replace(c, 0, args={**_args(c), "precision": 2}),
         "simple_function_checker:unexpected_param"),
        ("wrong type (string for integer)", "simple_python_1",
         lambda c: _replace(c, 0, args={"number": "5"}), "type_error:simple"),
        ("wrong type (float for integer)", "simple_python_1",
         lambda c: _replace(c, 0, args={"number": 5.5}), "type_error:simple"),
        ("wrong nested type", "simple_python_37",
         lambda c: _replace(c, 0, args={**_args(c), "stops": [1, 2]}), "type_error:nested"),
        ("wrong number", "simple_python_1",
         lambda c: _replace(c, 0, args={"number": 6}), "value_error:others"),
        ("wrong string", "parallel_0",
         lambda c: _replace(c, 0, args={**_args(c), "artist": "Adele"}),
         "parallel_function_checker_no_order:cannot_find_match"),
        ("wrong string (simple)", "live_simple_0-0-0",
         lambda c: _replace(c, 0, args={**_args(c), "special": "white"}), "value_error:string"),
        ("wrong list", "simple_python_37",
         lambda c: _replace(c, 0, args={**_args(c), "stops": ["Fresno"]}),
         "value_error:list/tuple"),
        ("omitted optional without ''", "live_simple_0-0-0",
         lambda c: _replace(c, 0, args={"user_id": 7890}),
         "simple_function_checker:missing_optional"),
        ("one call missing from a parallel answer", "parallel_0",
         lambda c: c[:1], "parallel_function_checker_no_order:wrong_count"),
        ("two calls where one is expected", "multiple_0",
         lambda c: c + c, "multiple_function_checker:wrong_count"),
        ("no call where one is expected", "simple_python_1",
         lambda c: [], "simple_function_checker:wrong_count"),
        ("a call on an irrelevance item", "irrelevance_0",
         lambda c: [Call(name="determine_body_mass_index", arguments={"weight": 70.0})],
         "irrelevance_error:decoder_success"),
        ("no call on a relevance item", "live_relevance_0-0-0",
         lambda c: "I cannot help with that.", "relevance_error:decoder_failed"),
        ("an answer that is not a call", "simple_python_1",
         lambda c: "The factorial of 5 is 120.", "ast_decoder:decoder_failed"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("label", "item_id", "mutate", "error_type"), _mutations(), ids=[m[0] for m in _mutations()]
)
def test_mutated_answer_fails_with_bfcl_error_type(
    label: str, item_id: str, mutate: Any, error_type: str
) -> None:
    item = _item(item_id)
    correct = first_answer(item)
    if item.expected:
        assert score_item(item, correct).valid, "the unmutated answer must pass"
    mutated = mutate(correct)
    answer = calls_from_text(mutated if isinstance(mutated, str) else render_python_calls(mutated))
    score = score_item(item, answer)
    assert not score.valid
    assert score.error_type == error_type, score


def test_irrelevance_passes_without_a_call_and_relevance_with_one() -> None:
    irrelevant = _item("irrelevance_0")
    assert score_item(irrelevant, calls_from_text("None of the functions fit.")).valid
    assert score_item(irrelevant, calls_from_text("[]")).valid
    relevant = _item("live_relevance_0-0-0")
    name = relevant.tools[0].name
    assert score_item(relevant, calls_from_text(f"[{name}(prompt='x')]")).valid
