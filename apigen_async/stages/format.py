"""Format: a generated item becomes a typed pair that fits the offered tools and the style.

Always on: the later stages need a typed pair (see `apigen_async.checks.format`).
"""

from __future__ import annotations

import msgspec

from apigen_async.checks.format import check_pair
from apigen_async.schema import Rejection
from apigen_async.stages.base import Context, PairStage, PairWork

__all__ = ["STAGE", "check_format"]


async def check_format(ctx: Context, work: PairWork) -> PairWork | Rejection:
    checked = check_pair(work.raw, work.offered, work.task.style)
    if isinstance(checked, Rejection):
        return checked
    return msgspec.structs.replace(work, raw=None, pair=checked)


STAGE = PairStage(name="format", rejects_as="format", run=check_format, optional=False)
