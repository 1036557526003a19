"""Execute: every call of a pair really runs (see `apigen_async.checks.execution`)."""

from __future__ import annotations

import msgspec

from apigen_async.checks.execution import check_execution
from apigen_async.schema import Rejection
from apigen_async.stages.base import Context, PairStage, PairWork

__all__ = ["STAGE", "execute"]


async def execute(ctx: Context, work: PairWork) -> PairWork | Rejection:
    assert work.pair is not None
    outcome = await check_execution(work.pair, ctx.tools, ctx.executor)
    if isinstance(outcome, Rejection):
        return outcome
    return msgspec.structs.replace(work, results=outcome)


def _not_executed(work: PairWork) -> PairWork:
    # Stored as an empty list of results, as runs without execution always have been.
    return msgspec.structs.replace(work, results=[])


STAGE = PairStage(
    name="execution",
    rejects_as="execution",
    run=execute,
    # Executions wait on sandboxes and REST calls: twice the sandboxes keeps them busy.
    workers=lambda settings: max(1, settings.exec_concurrency) * 2,
    when_off=_not_executed,
)
