"""Stage 3, the semantic checker: a second LLM call judges calls and results.

The judge sees the offered functions, the query, the calls and their results, and
answers `{"thought": ..., "passes": "yes"|"no"}` (structured output where the endpoint
supports it). Only pairs that passed execution get here.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from apigen_async.catalog.dialects import tool_to_xlam
from apigen_async.llm.client import ChatRequest, Completion
from apigen_async.llm.decode import extract_json
from apigen_async.sampling import PromptLibrary
from apigen_async.schema import ExecResult, Judgement, Pair, Rejection, Tool

__all__ = ["JUDGE_SCHEMA", "judge_request", "read_judgement"]

JUDGE_SCHEMA = {
    "type": "json_schema",
    "json_schema": {
        "name": "judgement",
        "strict": True,
        "schema": {
            "type": "object",
            "properties": {
                # Bounded so a rambling model still closes the JSON within max_tokens.
                "thought": {"type": "string", "maxLength": 400},
                "passes": {"type": "string", "enum": ["yes", "no"]},
            },
            "required": ["thought", "passes"],
            "additionalProperties": False,
        },
    },
}
_RESULT_CHARS = 600


def judge_request(
    prompts: PromptLibrary,
    *,
    model: str,
    tools: Sequence[Tool],
    pair: Pair,
    results: Sequence[ExecResult],
    max_tokens: int,
) -> ChatRequest:
    outputs = []
    for r in results:
        text = msgspec.json.encode(r.output).decode()
        outputs.append(text[:_RESULT_CHARS])
    irrelevance = not pair.answers
    template = prompts.judge_irrelevance if irrelevance else prompts.judge
    system = prompts.judge_irrelevance_system if irrelevance else prompts.judge_system
    user = template.substitute(
        tools=msgspec.json.encode([tool_to_xlam(t) for t in tools]).decode(),
        query=pair.query,
        calls=msgspec.json.encode(pair.answers).decode(),
        results="[" + ", ".join(outputs) + "]",
    )
    return ChatRequest(
        model=model,
        messages=[
            {"role": "system", "content": system},
            {"role": "user", "content": user},
        ],
        # The judge should be as consistent as possible.
        temperature=0.0,
        max_tokens=max_tokens,
        seed=0,
        response_format=JUDGE_SCHEMA,
    )


def read_judgement(completion: Completion) -> Judgement | Rejection:
    if completion.finish_reason == "length":
        return Rejection(
            stage="semantic", code="judge_truncated", message="verdict cut at max_tokens"
        )
    value, problem = extract_json(completion.content)
    if problem is not None or not isinstance(value, dict):
        return Rejection(
            stage="semantic", code="judge_unparseable", message=problem or "not an object"
        )
    try:
        verdict = msgspec.convert(value, Judgement)
    except msgspec.ValidationError as exc:
        return Rejection(stage="semantic", code="judge_unparseable", message=str(exc))
    passes = verdict.passes.strip().lower()
    if passes not in ("yes", "no"):
        return Rejection(
            stage="semantic", code="judge_unparseable", message=f"passes={verdict.passes!r}"
        )
    if passes == "no":
        return Rejection(stage="semantic", code="judge_no", message=verdict.thought[:500])
    return verdict
