"""Stage 3, the semantic checker: a second LLM call judges calls and results.

The judge sees the offered functions and up to `judge_batch` numbered pairs of one task
(each a query, its calls and their results) and answers one verdict per pair,
`{"verdicts": [{"thought": ..., "passes": "yes"|"no"}, ...]}` (structured output where
the endpoint supports it). A task's pairs share their functions, so judging them in one
request sends the functions once and costs one request instead of one per pair. Only
pairs that passed execution get here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from apigen_async.catalog.dialects import tool_to_xlam
from apigen_async.llm.client import LLMClient
from apigen_async.llm.decode import read_batch
from apigen_async.llm.types import ChatRequest, Completion
from apigen_async.prompts import PromptLibrary
from apigen_async.schema import ExecResult, Judgement, Pair, Rejection, Tool

__all__ = [
    "IRRELEVANCE_LEFT_TO_RESOLVE",
    "JudgedPair",
    "judge_pairs",
    "judge_request",
    "judge_schema",
    "read_judgements",
]

_RESULT_CHARS = 600

#: An irrelevance pair has no call and no result to judge; the one question it raises
#: (does any function fit?) is the re-solve check's, which answers it better (bench/verify:
#: fewer correct irrelevance rows dropped and fewer wrong ones kept than the judge), so
#: when re-solve runs the judge passes these pairs without a request.
IRRELEVANCE_LEFT_TO_RESOLVE = Judgement(
    thought="no call to judge: the re-solve check found that no function fits", passes="yes"
)


class JudgedPair(msgspec.Struct, frozen=True):
    """One pair as the judge sees it: the pair and its execution results."""

    pair: Pair
    results: list[ExecResult]


def judge_schema(n: int) -> dict[str, Any]:
    """`response_format` for exactly `n` verdicts."""
    verdict = {
        "type": "object",
        "properties": {
            # Bounded so a rambling model still closes the JSON within max_tokens.
            "thought": {"type": "string", "maxLength": 400},
            "passes": {"type": "string", "enum": ["yes", "no"]},
        },
        "required": ["thought", "passes"],
        "additionalProperties": False,
    }
    return {
        "type": "json_schema",
        "json_schema": {
            "name": "judgements",
            "schema": {
                "type": "object",
                "properties": {
                    "verdicts": {"type": "array", "items": verdict, "minItems": n, "maxItems": n}
                },
                "required": ["verdicts"],
                "additionalProperties": False,
            },
        },
    }


def _render(i: int, item: JudgedPair) -> str:
    # Each call beside its own result: with one list of calls and one list of results,
    # a small judge pairs them wrongly and rejects correct parallel pairs.
    parts = [f'<pair id="{i}">', f"<query>{item.pair.query}</query>"]
    for n, call in enumerate(item.pair.answers, 1):
        parts.append(f'<call n="{n}">{msgspec.json.encode(call).decode()}</call>')
        if n <= len(item.results):
            output = msgspec.json.encode(item.results[n - 1].output).decode()[:_RESULT_CHARS]
            parts.append(f'<result n="{n}">{output}</result>')
    parts.append("</pair>")
    return "\n".join(parts)


def judge_request(
    prompts: PromptLibrary,
    *,
    model: str,
    tools: Sequence[Tool],
    items: Sequence[JudgedPair],
    max_tokens: int,
) -> ChatRequest:
    """One request judging `items`, which are pairs of one task (so one style)."""
    irrelevance = not items[0].pair.answers
    template = prompts.judge_irrelevance if irrelevance else prompts.judge
    system = prompts.judge_irrelevance_system if irrelevance else prompts.judge_system
    user = template.substitute(
        tools=msgspec.json.encode([tool_to_xlam(t) for t in tools]).decode(),
        pairs="\n".join(_render(i, item) for i, item in enumerate(items, 1)),
    )
    return ChatRequest(
        model=model,
        messages=[
            {"role": "system", "content": system},
            {"role": "user", "content": user},
        ],
        # The judge should be as consistent as possible.
        temperature=0.0,
        max_tokens=max_tokens * len(items),
        seed=0,
        response_format=judge_schema(len(items)),
    )


def read_judgements(completion: Completion, n: int) -> list[Judgement | Rejection]:
    """The verdicts for the `n` judged pairs, in order; a missing one is a rejection."""
    return read_batch(
        completion, n, field="verdicts", stage="semantic", code_prefix="judge", read_one=_verdict
    )


def _verdict(value: object) -> Judgement | Rejection:
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


async def judge_pairs(
    client: LLMClient,
    prompts: PromptLibrary,
    *,
    model: str,
    tools: Sequence[Tool],
    items: Sequence[JudgedPair],
    max_tokens: int,
) -> tuple[list[Judgement | Rejection], Completion | None]:
    """Judge `items` (one task's pairs) in one request: a verdict or a rejection each."""
    request = judge_request(prompts, model=model, tools=tools, items=items, max_tokens=max_tokens)
    answer = await client.complete(request)
    if not isinstance(answer, Completion):
        failed = Rejection(stage="semantic", code=f"judge_{answer.code}", message=answer.message)
        return [failed] * len(items), None
    return read_judgements(answer, len(items)), answer
