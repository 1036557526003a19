"""Stage 2, the execution checker: every call of a pair really runs.

A pair passes when every call returns a result; the first failing call rejects it
with the executor's fine-grained error code (timeout, crashed, http_5xx, ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import anyio

from apigen_async.checks.format import check_arguments
from apigen_async.schema import Call, ExecResult, Pair, Rejection, Tool

__all__ = ["Executor", "ExecutorRouter", "check_execution"]


class Executor(Protocol):
    async def execute(self, tool: Tool, call: Call) -> ExecResult: ...


class ExecutorRouter:
    """Sends each call to the executor for its tool's source, after re-checking arguments.

    The format stage has already validated the arguments; checking again here keeps the
    executors safe whoever calls them.
    """

    def __init__(self, executors: Mapping[str, Executor]) -> None:
        self.executors = dict(executors)

    async def execute(self, tool: Tool, call: Call) -> ExecResult:
        if rejection := check_arguments(tool, call.arguments):
            return ExecResult(ok=False, error=rejection.code, message=rejection.message)
        executor = self.executors.get(tool.source)
        if executor is None:
            return ExecResult(
                ok=False, error="no_executor", message=f"no executor for {tool.source} tools"
            )
        return await executor.execute(tool, call)


async def check_execution(
    pair: Pair, tools: Mapping[str, Tool], executor: Executor
) -> list[ExecResult] | Rejection:
    results: list[ExecResult | None] = [None] * len(pair.answers)

    async def run(i: int, call: Call) -> None:
        results[i] = await executor.execute(tools[call.name], call)

    if len(pair.answers) == 1:
        await run(0, pair.answers[0])  # the common case needs no task group
    else:
        # A pair has a handful of calls; they run side by side, bounded by the executor.
        async with anyio.create_task_group() as tg:
            for i, call in enumerate(pair.answers):
                tg.start_soon(run, i, call)
    done = [r for r in results if r is not None]
    for call, result in zip(pair.answers, done, strict=True):
        if not result.ok:
            return Rejection(
                stage="execution",
                code=result.error or "error",
                message=f"{call.name}: {result.message or result.error}",
            )
    return done
