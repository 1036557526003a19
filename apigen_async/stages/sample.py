"""Sample: the paper's API, example and prompt samplers draw task `index` (see `sampling`)."""

from __future__ import annotations

from apigen_async.stages.base import Context, Sampled, SampleStage

__all__ = ["STAGE", "sample"]


async def sample(ctx: Context, index: int, pool_epoch: int) -> Sampled:
    """Task `index`, with examples verified up to `pool_epoch` (the ledger says which)."""
    task = ctx.sampler.task(index, pool_epoch=pool_epoch)
    return Sampled(task, [ctx.pool.by_id[i] for i in task.example_ids])


STAGE = SampleStage(name="sample", run=sample)
