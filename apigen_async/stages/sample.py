"""Sample: the paper's API, example and prompt samplers draw task `index` (see `sampling`)."""

from __future__ import annotations

from apigen_async.stages.base import Context, Sampled, SampleStage

__all__ = ["STAGE", "sample"]


async def sample(ctx: Context, index: int, pool_epoch: int) -> Sampled:
    """Task `index`, with examples (and queries to differ from) verified up to `pool_epoch`
    (the ledger says which)."""
    task = ctx.sampler.task(index, pool_epoch=pool_epoch)
    examples = [ctx.pool.by_id[i] for i in task.example_ids]
    avoid = ctx.sampler.avoid(
        task,
        pool_epoch=pool_epoch,
        n=ctx.settings.avoid_queries,
        skip=[ex.query for ex in examples],
    )
    return Sampled(task, examples, avoid)


STAGE = SampleStage(name="sample", run=sample)
