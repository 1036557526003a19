"""The re-solve check: does a model that sees only the query re-predict the pair's calls?

A second request gives the offered functions and the queries of up to `batch` pairs of
one task (never their answers) and asks for the calls that answer each query. A pair
passes only if the re-solved calls match its answers by BFCL's AST rules
(`apigen_async.eval.ast_checker`): same functions, values equal after BFCL's
normalisation, int accepted for float, an optional argument at its default equal to
leaving it out, parallel calls matched in any order; for an irrelevance pair, the
re-solver must make no call. This catches what no rule sees: the wrong function chosen
with values that are in the query, values in the wrong parameters, options the user
never asked for, calls missing or added (the ToolGT idea).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from apigen_async.catalog.dialects import tool_to_xlam
from apigen_async.checks.rules import check_rules
from apigen_async.eval.ast_checker import calls_agree
from apigen_async.generate import call_schema
from apigen_async.llm.client import LLMClient
from apigen_async.llm.decode import read_batch
from apigen_async.llm.types import ChatRequest, Completion
from apigen_async.prompts import PromptLibrary
from apigen_async.schema import Call, Pair, Rejection, Style, Tool

__all__ = [
    "check_agreement",
    "read_resolutions",
    "resolve_pairs",
    "resolve_request",
    "resolve_schema",
]

#: At most this many calls per re-solved query: more is never a fair answer to one query.
_MAX_CALLS = 6


def resolve_schema(tools: Sequence[Tool], n: int) -> dict[str, Any]:
    """`response_format` for exactly `n` answers, each a (possibly empty) list of calls."""
    answer = {
        "type": "object",
        "properties": {
            # Deciding first whether any function fits makes a small re-solver answer
            # "no call" where it should (bench/verify: irrelevance false rejects halved);
            # the calls are what is compared.
            "fits": {"type": "boolean"},
            "calls": {"type": "array", "items": call_schema(tools), "maxItems": _MAX_CALLS},
        },
        "required": ["fits", "calls"],
        "additionalProperties": False,
    }
    return {
        "type": "json_schema",
        "json_schema": {
            "name": "answers",
            "schema": {
                "type": "object",
                "properties": {
                    "answers": {"type": "array", "items": answer, "minItems": n, "maxItems": n}
                },
                "required": ["answers"],
                "additionalProperties": False,
            },
        },
    }


def resolve_request(
    prompts: PromptLibrary,
    *,
    model: str,
    tools: Sequence[Tool],
    queries: Sequence[str],
    max_tokens: int,
    structured: bool,
) -> ChatRequest:
    """One request re-solving `queries`, which belong to one task (so share its tools)."""
    user = prompts.resolve.substitute(
        tools=msgspec.json.encode([tool_to_xlam(t) for t in tools]).decode(),
        queries="\n".join(f'<query id="{i}">{q}</query>' for i, q in enumerate(queries, 1)),
    )
    return ChatRequest(
        model=model,
        messages=[
            {"role": "system", "content": prompts.resolve_system},
            {"role": "user", "content": user.strip()},
        ],
        # The re-solver should give its single best answer, the same one on resume.
        temperature=0.0,
        max_tokens=max_tokens * len(queries),
        seed=0,
        response_format=resolve_schema(tools, len(queries)) if structured else None,
    )


def read_resolutions(completion: Completion, n: int) -> list[list[Call] | Rejection]:
    """The re-solved calls for each of the `n` queries, in order; an unreadable one rejects."""
    return read_batch(
        completion, n, field="answers", stage="resolve", code_prefix="resolve", read_one=_calls
    )


def _calls(value: object) -> list[Call] | Rejection:
    if isinstance(value, dict):
        value = value.get("calls", [])
    try:
        return msgspec.convert(value, list[Call])
    except msgspec.ValidationError as exc:
        return Rejection(stage="resolve", code="resolve_unparseable", message=str(exc))


def check_agreement(
    pair: Pair, resolved: list[Call], tools: Mapping[str, Tool], style: Style
) -> Rejection | None:
    """None when the re-solved calls match the pair's answers by BFCL's AST rules.

    Re-solved calls that break the rules themselves (values the query never gave) do not
    count: a small re-solver often calls something with invented values where the right
    answer is no call, and a call it could not ground is no evidence against the pair.
    """
    credible = [c for c in resolved if _grounded(pair.query, c, tools)]
    result = calls_agree(credible, pair.answers, tools, style)
    if result.valid:
        return None
    dropped = len(resolved) - len(credible)
    note = f" ({dropped} ungrounded re-solved call(s) left out)" if dropped else ""
    return Rejection(
        stage="resolve",
        code="resolve_mismatch",
        message=(
            f"{result.error_type}: re-solved {_show(credible)} vs answers "
            f"{_show(pair.answers)}{note}"
        ),
    )


def _grounded(query: str, call: Call, tools: Mapping[str, Tool]) -> bool:
    return check_rules(Pair(query=query, answers=[call]), tools, "simple") is None


def _show(calls: Sequence[Call]) -> str:
    return msgspec.json.encode(calls).decode()


async def resolve_pairs(
    client: LLMClient,
    prompts: PromptLibrary,
    *,
    model: str,
    tools: Sequence[Tool],
    pairs: Sequence[Pair],
    style: Style,
    max_tokens: int,
    structured: bool,
) -> tuple[list[Rejection | None], Completion | None]:
    """Re-solve the queries of `pairs` (one task's) in one request; None where they agree."""
    request = resolve_request(
        prompts,
        model=model,
        tools=tools,
        queries=[p.query for p in pairs],
        max_tokens=max_tokens,
        structured=structured and client.structured_enabled,
    )
    answer = await client.complete(request)
    if not isinstance(answer, Completion):
        failed = Rejection(stage="resolve", code=f"resolve_{answer.code}", message=answer.message)
        return [failed] * len(pairs), None
    by_name = {t.name: t for t in tools}
    outcomes: list[Rejection | None] = []
    for pair, calls in zip(pairs, read_resolutions(answer, len(pairs)), strict=True):
        if isinstance(calls, Rejection):
            outcomes.append(calls)
        else:
            outcomes.append(check_agreement(pair, calls, by_name, style))
    return outcomes, answer
