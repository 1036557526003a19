"""The checks of a run, applied to pairs that already exist (`apigen verify`, `bench/verify`).

Each item is one pair with the functions it was offered; it meets the same checks, in
the same order, as a generated pair: format, rules, execution, resolve, judge. Items are
checked one request each (their functions differ from row to row, so there is nothing
to batch), by a bounded pool of workers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass

import anyio
import msgspec

from apigen_async.checks.execution import Executor, check_execution
from apigen_async.checks.format import check_pair
from apigen_async.checks.resolve import resolve_pairs
from apigen_async.checks.rules import check_rules
from apigen_async.checks.semantic import IRRELEVANCE_LEFT_TO_RESOLVE, JudgedPair, judge_pairs
from apigen_async.llm.client import LLMClient
from apigen_async.prompts import PromptLibrary
from apigen_async.rows import VerifyItem
from apigen_async.schema import ExecResult, Judgement, Pair, Rejection, Tool

__all__ = ["CheckedItem", "Checker", "check_items"]


class CheckedItem(msgspec.Struct, frozen=True, kw_only=True):
    """What the checks said of one item; `rejection` is the first check that failed."""

    index: int
    id: str
    #: Every check that ran, by name, and its rejection (None: passed).
    outcomes: dict[str, Rejection | None]
    results: list[ExecResult] | None = None
    thought: str | None = None

    @property
    def kept(self) -> bool:
        return self.rejection is None

    @property
    def rejection(self) -> Rejection | None:
        return next((r for r in self.outcomes.values() if r is not None), None)


@dataclass(frozen=True)
class Checker:
    """Everything the checks need; `check` runs them on one item."""

    checks: tuple[str, ...]
    client: LLMClient | None
    prompts: PromptLibrary
    executor: Executor | None
    #: Implementations by name (the library and `--apis`): rows bring specs, not code.
    implementations: Mapping[str, Tool]
    solver_model: str = ""
    judge_model: str = ""
    structured: bool = True
    resolve_max_tokens: int = 320
    judge_max_tokens: int = 256
    #: Run every check even after one failed (to measure each check on its own).
    every_check: bool = False

    async def check(self, item: VerifyItem) -> CheckedItem:
        offered = {t.name: t for t in item.tools}
        outcomes: dict[str, Rejection | None] = {}
        raw = {"query": item.query, "answers": item.answers}
        pair = check_pair(raw, offered, item.style)
        if isinstance(pair, Rejection):
            return CheckedItem(index=item.index, id=item.id, outcomes={"format": pair})
        outcomes["format"] = None
        results: list[ExecResult] | None = None
        thought: str | None = None
        for name in self.checks:
            if name == "format" or (not self.every_check and any(outcomes.values())):
                continue
            if name == "rules":
                outcomes[name] = check_rules(pair, offered, item.style)
            elif name == "execution":
                outcome = await self._execute(pair)
                if isinstance(outcome, Rejection):
                    outcomes[name] = outcome
                else:
                    outcomes[name], results = None, outcome
            elif name == "resolve":
                outcomes[name] = await self._resolve(item, pair)
            elif name == "judge":
                verdict = (
                    IRRELEVANCE_LEFT_TO_RESOLVE
                    # With every check run (bench/verify), the judge's own verdict is kept
                    # so each combination can be scored.
                    if not pair.answers and "resolve" in self.checks and not self.every_check
                    else await self._judge(item, pair, results or [])
                )
                if isinstance(verdict, Judgement):
                    outcomes[name], thought = None, verdict.thought
                else:
                    outcomes[name] = verdict
        return CheckedItem(
            index=item.index, id=item.id, outcomes=outcomes, results=results, thought=thought
        )

    async def _execute(self, pair: Pair) -> list[ExecResult] | Rejection:
        missing = [c.name for c in pair.answers if c.name not in self.implementations]
        if missing or self.executor is None:
            return Rejection(
                stage="execution",
                code="not_executable",
                message=f"no implementation of {missing[0] if missing else 'any tool'!r}",
            )
        return await check_execution(pair, self.implementations, self.executor)

    async def _resolve(self, item: VerifyItem, pair: Pair) -> Rejection | None:
        assert self.client is not None
        (outcome,), _ = await resolve_pairs(
            self.client,
            self.prompts,
            model=self.solver_model,
            tools=item.tools,
            pairs=[pair],
            style=item.style,
            max_tokens=self.resolve_max_tokens,
            structured=self.structured,
        )
        return outcome

    async def _judge(
        self, item: VerifyItem, pair: Pair, results: list[ExecResult]
    ) -> Judgement | Rejection:
        assert self.client is not None
        (verdict,), _ = await judge_pairs(
            self.client,
            self.prompts,
            model=self.judge_model,
            tools=item.tools,
            items=[JudgedPair(pair, results)],
            max_tokens=self.judge_max_tokens,
        )
        return verdict


async def check_items(
    items: Iterable[VerifyItem],
    checker: Checker,
    *,
    concurrency: int,
    on_checked: Callable[[CheckedItem], Awaitable[None] | None],
) -> None:
    """Check `items` with `concurrency` workers; `on_checked` sees each as it finishes."""
    send, receive = anyio.create_memory_object_stream[VerifyItem](concurrency)

    async def produce() -> None:
        async with send:
            for item in items:
                await send.send(item)

    async def work(stream: anyio.abc.ObjectReceiveStream[VerifyItem]) -> None:
        async with stream:
            async for item in stream:
                done = on_checked(await checker.check(item))
                if done is not None:
                    await done

    async with anyio.create_task_group() as tg, receive:
        tg.start_soon(produce)
        for _ in range(max(1, concurrency)):
            tg.start_soon(work, receive.clone())
