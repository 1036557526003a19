"""Resolve: a model that sees only the queries re-predicts the calls (`checks.resolve`)."""

from __future__ import annotations

from apigen_async.checks.resolve import resolve_pairs
from apigen_async.llm.types import Completion
from apigen_async.stages.base import BatchStage, Context, PairWork, Verdict

__all__ = ["STAGE", "resolve"]


async def resolve(ctx: Context, batch: list[PairWork]) -> tuple[list[Verdict], Completion | None]:
    task = batch[0].task
    settings = ctx.settings
    outcomes, answer = await resolve_pairs(
        ctx.judge_client,
        ctx.prompts,
        model=settings.solver_model or settings.judge_model,
        tools=[ctx.tools[n] for n in task.tool_names],
        pairs=[w.pair for w in batch if w.pair is not None],
        style=task.style,
        max_tokens=settings.resolve_max_tokens,
        structured=settings.structured,
    )
    return list(outcomes), answer


STAGE = BatchStage(name="resolve", rejects_as="resolve", run=resolve)
