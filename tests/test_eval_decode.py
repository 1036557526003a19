"""Reading a model's answer into calls: native tool calls, JSON, BFCL's `[f(a=1)]` form."""

from __future__ import annotations

from pathlib import Path

import pytest

from apigen_async.eval.decode import (
    DecodeFailure,
    calls_from_text,
    calls_from_tool_calls,
    render_python_calls,
)
from apigen_async.llm.types import ToolCall
from apigen_async.schema import Call


def test_python_form_with_dotted_names_nested_values_and_negatives() -> None:
    text = (
        "[math.hypot(x=4, y=-5.5), spotify.play(artist='Taylor Swift', duration=20, "
        "tags=['a', \"b\"], opts={'loud': True, 'eq': None}, pair=(1, 2))]"
    )
    assert calls_from_text(text) == [
        Call(name="math.hypot", arguments={"x": 4, "y": -5.5}),
        Call(
            name="spotify.play",
            arguments={
                "artist": "Taylor Swift",
                "duration": 20,
                "tags": ["a", "b"],
                "opts": {"loud": True, "eq": None},
                "pair": [1, 2],
            },
        ),
    ]


def test_python_form_without_brackets_and_in_a_fence() -> None:
    assert calls_from_text("```python\nf(a=1)\n```") == [Call(name="f", arguments={"a": 1})]
    assert calls_from_text("f(a=1), g(b='x')") == [
        Call(name="f", arguments={"a": 1}),
        Call(name="g", arguments={"b": "x"}),
    ]


def test_expressions_are_read_as_text_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = f"[f(a=__import__('pathlib').Path({str(marker)!r}).touch(), b=x, c=2**3)]"
    calls = calls_from_text(text)
    assert not marker.exists()
    assert isinstance(calls, list)
    args = calls[0].arguments
    assert args["b"] == "x" and args["c"] == "2 ** 3"
    assert args["a"].startswith("__import__(")


def test_json_answers_in_our_form_and_bfcls_decoded_form() -> None:
    ours = '[{"name": "f", "arguments": {"a": 1}}]'
    assert calls_from_text(ours) == [Call(name="f", arguments={"a": 1})]
    bfcl = '[{"f": {"a": 1}}]'
    assert calls_from_text(bfcl) == [Call(name="f", arguments={"a": 1})]
    assert calls_from_text('{"name": "f", "arguments": "{\\"a\\": 2}"}') == [
        Call(name="f", arguments={"a": 2})
    ]


@pytest.mark.parametrize(
    ("text", "error_type"),
    [
        ("", "ast_decoder:decoder_failed"),
        ("The answer is 42.", "ast_decoder:decoder_failed"),
        ("[1, 2]", "ast_decoder:decoder_wrong_output_format"),
        ("[f(a=1", "ast_decoder:decoder_failed"),
        ('[{"arguments": {}}]', "ast_decoder:decoder_wrong_output_format"),
        ("[(lambda: 1)(a=1)]", "ast_decoder:decoder_failed"),
    ],
)
def test_text_that_is_not_calls_fails_with_bfcls_decoder_error(text: str, error_type: str) -> None:
    failure = calls_from_text(text)
    assert isinstance(failure, DecodeFailure)
    assert failure.error_type == error_type


def test_a_deeply_nested_answer_is_a_failure_not_a_crash() -> None:
    failure = calls_from_text("[f(a=" + "[" * 100_000 + "]" * 100_000 + ")]")
    assert isinstance(failure, DecodeFailure)


def test_native_tool_calls_map_names_back_and_reject_bad_arguments() -> None:
    calls = calls_from_tool_calls(
        [ToolCall(name="math_hypot", arguments='{"x": 3}')], {"math_hypot": "math.hypot"}
    )
    assert calls == [Call(name="math.hypot", arguments={"x": 3})]
    assert isinstance(calls_from_tool_calls([]), DecodeFailure)
    bad = calls_from_tool_calls([ToolCall(name="f", arguments="{x: 1")])
    assert isinstance(bad, DecodeFailure) and bad.error_type == "ast_decoder:decoder_failed"
    listed = calls_from_tool_calls([ToolCall(name="f", arguments="[1]")])
    assert isinstance(listed, DecodeFailure)
    assert listed.error_type == "ast_decoder:decoder_wrong_output_format"


def test_rendered_calls_parse_back_to_the_same_calls() -> None:
    calls = [
        Call(name="a.b", arguments={"s": 'it\'s "q"', "n": -3, "f": 1.5, "l": [1, [2]]}),
        Call(name="c", arguments={"d": {"k": [True, None]}}),
    ]
    assert calls_from_text(render_python_calls(calls)) == calls
