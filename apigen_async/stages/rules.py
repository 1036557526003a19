"""Rules: deterministic tests no model is needed for (see `apigen_async.checks.rules`).

They cost no request, so a pair they drop is never executed.
"""

from __future__ import annotations

from apigen_async.checks.rules import check_rules
from apigen_async.schema import Rejection
from apigen_async.stages.base import Context, PairStage, PairWork

__all__ = ["STAGE", "check"]


async def check(ctx: Context, work: PairWork) -> PairWork | Rejection:
    assert work.pair is not None
    return check_rules(work.pair, work.offered, work.task.style, work.shown) or work


STAGE = PairStage(name="rules", rejects_as="rules", run=check)
