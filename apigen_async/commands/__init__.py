"""The commands: thin functions from a config (or parsed flags) to an exit status.

`cli.py` builds the parsers and the config and dispatches here; nothing imports `cli`
but the entry point.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

import anyio

from apigen_async.errors import ApigenError

__all__ = ["first_error", "leaves", "run_command"]

_T = TypeVar("_T")


def run_command(command: Callable[[_T], Awaitable[int]], config: _T) -> int:
    """Run `command(config)` on an event loop; an error from a task group comes out alone."""
    try:
        return anyio.run(command, config, backend_options={"use_uvloop": True})
    except BaseExceptionGroup as group:
        raise first_error(group) from None


def first_error(exc: BaseException) -> BaseException:
    """Ours first (it says what to fix), else the first of the group's leaves."""
    found = list(leaves(exc))
    return next((e for e in found if isinstance(e, ApigenError)), found[0])


def leaves(exc: BaseException) -> Iterator[BaseException]:
    """The exceptions inside (nested) exception groups, or `exc` itself."""
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            yield from leaves(inner)
    else:
        yield exc
