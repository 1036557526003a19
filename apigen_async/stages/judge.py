"""Judge: a second model judges each pair's calls and results (`checks.semantic`)."""

from __future__ import annotations

from apigen_async.checks.semantic import IRRELEVANCE_LEFT_TO_RESOLVE, JudgedPair, judge_pairs
from apigen_async.llm.types import Completion
from apigen_async.stages.base import BatchStage, Context, PairWork, Verdict
from apigen_async.styles import spec

__all__ = ["STAGE", "judge"]


async def judge(ctx: Context, batch: list[PairWork]) -> tuple[list[Verdict], Completion | None]:
    task = batch[0].task
    if spec(task.style).no_call and ctx.on("resolve"):
        return [IRRELEVANCE_LEFT_TO_RESOLVE] * len(batch), None
    outcomes, answer = await judge_pairs(
        ctx.judge_client,
        ctx.prompts,
        model=ctx.settings.judge_model,
        tools=[ctx.tools[n] for n in task.tool_names],
        items=[JudgedPair(w.pair, w.results or []) for w in batch if w.pair is not None],
        max_tokens=ctx.settings.judge_max_tokens,
    )
    return list(outcomes), answer


STAGE = BatchStage(name="judge", rejects_as="semantic", run=judge)
