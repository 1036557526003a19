"""Wiring: tasks -> generate -> format -> rules -> execute -> resolve -> judge -> store.

Each arrow is a bounded anyio memory stream and each stage a pool of workers, so a
full stage slows the one before it and a slow request holds up nothing but itself.
Only this module knows about streams, workers, shutdown and progress.

Determinism (what makes resume exact): task `i` is drawn from (seed, i) and from the
seeds and the examples verified in epochs up to `epoch(i) - 2`; the producer waits for
that epoch to finish before drawing. The run stops once tasks `0..k` are all finished and hold at
least N verified pairs; the dataset is the first N of them in (task, pair) order.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import anyio
import msgspec
from anyio.abc import ObjectReceiveStream, ObjectSendStream

from apigen_async.checks.execution import Executor, check_execution
from apigen_async.checks.format import check_pair
from apigen_async.checks.resolve import resolve_pairs
from apigen_async.checks.rules import check_rules
from apigen_async.checks.semantic import IRRELEVANCE_LEFT_TO_RESOLVE, JudgedPair, judge_pairs
from apigen_async.dedup import DedupConfig, Deduplicator
from apigen_async.generate import generation_request, read_pairs
from apigen_async.llm.client import Completion, LLMClient
from apigen_async.sampling import Example, ExamplePool, PromptLibrary, Sampler
from apigen_async.schema import ExecResult, Judgement, Pair, Rejection, Task, Tool
from apigen_async.store import PairRecord, Store, TaskRecord

__all__ = ["PipelineSettings", "RunState", "run_pipeline"]


class PipelineSettings(msgspec.Struct, frozen=True, kw_only=True):
    """What the stages need of the run's config (`commands/generate.py` builds it from a
    `RunConfig`, which holds the defaults)."""

    target: int
    model: str
    judge_model: str
    temperature: float
    max_tokens: int
    judge_max_tokens: int = 256
    #: Pairs of one task judged (and re-solved) in one request (1: a request per pair).
    judge_batch: int
    #: Which checks run, in pipeline order (`apigen_async.checks.CHECKS`).
    checks: tuple[str, ...]
    #: The model that re-solves queries.
    solver_model: str
    resolve_max_tokens: int = 320
    structured: bool
    concurrency: int
    exec_concurrency: int
    epoch_size: int
    max_tasks: int | None
    #: Which repeated queries leave the dataset (the export applies the same).
    dedup: DedupConfig


@dataclass
class RunState:
    """Live counters for progress and the end-of-run summary (read as snapshots)."""

    started: float = field(default_factory=time.monotonic)
    tasks_done: int = 0
    generated: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    verified: int = 0
    prefix_tasks: int = 0
    prefix_verified: int = 0
    #: Verified pairs in the prefix left out as exact or near repeats of an earlier query.
    duplicates: int = 0
    reached: bool = False


class _Sampled(NamedTuple):
    task: Task
    examples: list[Example]


#: What an LLM check says of each pair of a batch: a rejection, a verdict, or a pass.
_Outcome = Rejection | Judgement | None
_BatchCheck = Callable[[list["_PairWork"]], Awaitable[tuple[list[_Outcome], Completion | None]]]


class _PairWork(msgspec.Struct, frozen=True):
    task: Task
    index: int
    pair: Pair
    results: list[ExecResult] | None = None
    #: The model that wrote the pair (endpoints of one run may serve different ones).
    generator: str = ""


@dataclass
class _OpenTask:
    task: Task
    started: float
    expected: int | None = None
    pairs: list[PairRecord] = field(default_factory=list)
    #: Pairs sent to execution whose outcome is not known yet.
    executing: int = 0
    #: Pairs that passed execution, held until the task's last one so they are judged together.
    executed: list[_PairWork] = field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached: bool = False


class _Tracker:
    """Collects pair outcomes per task; finished tasks go to the store and the pool."""

    def __init__(
        self,
        *,
        settings: PipelineSettings,
        store: Store,
        pool: ExamplePool,
        state: RunState,
        max_tasks: int,
    ) -> None:
        self.settings = settings
        self.store = store
        self.pool = pool
        self.state = state
        self.max_tasks = max_tasks
        self.open: dict[int, _OpenTask] = {}
        self.finished: dict[int, TaskRecord] = {}
        self.unique = Deduplicator(settings.dedup)
        self.epoch_left: dict[int, int] = {}
        self.epoch_examples: dict[int, list[Example]] = {}
        self.epoch_done: dict[int, anyio.Event] = {}
        self.next_epoch = 0
        self.reached = anyio.Event()

    def epoch_of(self, index: int) -> int:
        return index // self.settings.epoch_size

    def epoch_event(self, epoch: int) -> anyio.Event:
        return self.epoch_done.setdefault(epoch, anyio.Event())

    def _epoch_size(self, epoch: int) -> int:
        first = epoch * self.settings.epoch_size
        return max(0, min(self.settings.epoch_size, self.max_tasks - first))

    def restore(self, record: TaskRecord) -> None:
        """Take a task finished in an earlier session, as if it had just finished."""
        self._finish(record)

    def begin(self, task: Task) -> None:
        self.open[task.index] = _OpenTask(task=task, started=time.monotonic())

    def expect(self, task: Task, n: int, completion: Completion) -> None:
        entry = self.open[task.index]
        entry.expected = n
        self._tokens(entry, completion)

    def executing(self, task: Task, n: int) -> None:
        self.open[task.index].executing = n

    def executed(self, task: Task, work: _PairWork | None) -> list[_PairWork]:
        """Note one pair's execution (`None`: it failed); the task's pairs once all ran."""
        entry = self.open[task.index]
        entry.executing -= 1
        if work is not None:
            entry.executed.append(work)
        if entry.executing > 0:
            return []
        # In pair order, so the judge request (and its cache key) is the same on resume.
        batch = sorted(entry.executed, key=lambda w: w.index)
        entry.executed = []
        return batch

    def add_tokens(self, task: Task, completion: Completion) -> None:
        """Count a check request's tokens once for its task (before its pairs are recorded)."""
        self._tokens(self.open[task.index], completion)

    @staticmethod
    def _tokens(entry: _OpenTask, completion: Completion) -> None:
        entry.prompt_tokens += completion.prompt_tokens
        entry.completion_tokens += completion.completion_tokens
        entry.cached = entry.cached or completion.cached

    async def fail(self, task: Task, failure: Rejection) -> None:
        entry = self.open.pop(task.index)
        self.state.rejected["generate"] = self.state.rejected.get("generate", 0) + 1
        record = TaskRecord(task=task, pairs=[], failure=failure, seconds=_since(entry.started))
        await self.store.put_task(record)
        self._finish(record)

    async def record(self, pair: PairRecord, completion: Completion | None = None) -> None:
        entry = self.open[pair.task_index]
        entry.pairs.append(pair)
        if completion is not None:
            self._tokens(entry, completion)
        self.state.generated += 1
        if pair.rejection is None:
            self.state.verified += 1
        else:
            stage = pair.rejection.stage
            self.state.rejected[stage] = self.state.rejected.get(stage, 0) + 1
        if entry.expected is not None and len(entry.pairs) == entry.expected:
            del self.open[pair.task_index]
            record = TaskRecord(
                task=entry.task,
                pairs=sorted(entry.pairs, key=lambda p: p.pair_index),
                prompt_tokens=entry.prompt_tokens,
                completion_tokens=entry.completion_tokens,
                cached=entry.cached,
                seconds=_since(entry.started),
            )
            await self.store.put_task(record)
            self._finish(record)

    def _finish(self, record: TaskRecord) -> None:
        index = record.task.index
        verified = [p for p in record.pairs if p.verified]
        self.finished[index] = record
        self.state.tasks_done += 1
        epoch = self.epoch_of(index)
        left = self.epoch_left.setdefault(epoch, self._epoch_size(epoch)) - 1
        self.epoch_left[epoch] = left
        self.epoch_examples.setdefault(epoch, []).extend(
            Example(id=p.id, style=p.style, query=p.query or "", answers=p.answers or [])
            for p in verified
        )
        self._publish_epochs()
        self._advance_prefix()

    def _publish_epochs(self) -> None:
        # Epochs join the pool strictly in order, each sorted by (task, pair).
        while self.epoch_left.get(self.next_epoch, self._epoch_size(self.next_epoch)) == 0:
            if self._epoch_size(self.next_epoch) == 0:
                break
            examples = sorted(self.epoch_examples.pop(self.next_epoch, []), key=_example_order)
            self.pool.add(examples, self.next_epoch)
            self.epoch_event(self.next_epoch).set()
            self.next_epoch += 1

    def _advance_prefix(self) -> None:
        state = self.state
        while state.prefix_tasks in self.finished:
            record = self.finished.pop(state.prefix_tasks)
            state.prefix_verified += len(self.unique.take(record))
            state.duplicates = self.unique.duplicates
            state.prefix_tasks += 1
        if state.prefix_verified >= self.settings.target and not state.reached:
            state.reached = True
            self.reached.set()


def _example_order(ex: Example) -> tuple[int, ...]:
    return tuple(int(part) for part in ex.id.rsplit("-", 1)[-1].split(":"))


def _since(t: float) -> float:
    return round(time.monotonic() - t, 3)


async def run_pipeline(
    *,
    settings: PipelineSettings,
    tools: Mapping[str, Tool],
    sampler: Sampler,
    pool: ExamplePool,
    prompts: PromptLibrary,
    store: Store,
    client: LLMClient,
    judge_client: LLMClient | None = None,
    executor: Executor,
    state: RunState,
    on_tick: Callable[[RunState], None] | None = None,
) -> RunState:
    judge_client = judge_client or client
    max_tasks = settings.max_tasks or _default_max_tasks(settings.target, sampler)
    tracker = _Tracker(settings=settings, store=store, pool=pool, state=state, max_tasks=max_tasks)
    done: set[int] = set()
    first_missing = 0
    # Streamed: the prefix passes through the tracker without piling up in memory.
    async for record in store.iter_tasks():
        tracker.restore(record)
        done.add(record.task.index)
        if record.task.index == first_missing:
            first_missing += 1
            # No task still to run looks further back than the first missing one does.
            pool.evict_before(tracker.epoch_of(first_missing) - 2)
    if state.reached:
        return state

    checks = settings.checks
    solver_model = settings.solver_model or settings.judge_model
    tasks_send, tasks_recv = anyio.create_memory_object_stream[_Sampled](settings.concurrency)
    exec_send, exec_recv = anyio.create_memory_object_stream[_PairWork](settings.concurrency)

    async def produce(send: ObjectSendStream[_Sampled]) -> None:
        async with send:
            for index in range(max_tasks):
                if index in done:
                    continue
                # Never below -1, the seeds' epoch: the first two epochs' tasks see them.
                visible_epoch = max(tracker.epoch_of(index) - 2, -1)
                if visible_epoch >= 0:
                    await tracker.epoch_event(visible_epoch).wait()
                # No later task looks further back than this one: older examples can go.
                pool.evict_before(visible_epoch)
                task = sampler.task(index, pool_epoch=visible_epoch)
                examples = [pool.by_id[i] for i in task.example_ids]
                tracker.begin(task)
                await send.send(_Sampled(task, examples))

    async def generate(
        recv: ObjectReceiveStream[_Sampled], send: ObjectSendStream[_PairWork]
    ) -> None:
        async with recv, send:
            async for task, examples in recv:
                offered = [tools[name] for name in task.tool_names]
                request = generation_request(
                    prompts,
                    task,
                    offered,
                    examples,
                    model=settings.model,
                    temperature=settings.temperature,
                    max_tokens=settings.max_tokens,
                    structured=settings.structured and client.structured_enabled,
                )
                completion = await client.complete(request)
                if not isinstance(completion, Completion):
                    await tracker.fail(
                        task,
                        Rejection(
                            stage="generate", code=completion.code, message=completion.message
                        ),
                    )
                    continue
                items = read_pairs(completion)
                generator = completion.model or settings.model
                if isinstance(items, Rejection):
                    tracker.expect(task, 1, completion)
                    await tracker.record(
                        _pair_record(task, 0, generator, raw=completion.content, rejection=items)
                    )
                    continue
                tracker.expect(task, len(items), completion)
                offered_by_name = {t.name: t for t in offered}
                shown = [ex.query for ex in examples]
                passed: list[_PairWork] = []
                rejected: list[PairRecord] = []
                for i, item in enumerate(items):
                    checked = check_pair(item, offered_by_name, task.style)
                    if isinstance(checked, Rejection):
                        rejected.append(
                            _pair_record(task, i, generator, raw=item, rejection=checked)
                        )
                        continue
                    work = _PairWork(task, i, checked, generator=generator)
                    # The rules cost no request: a pair they drop is never executed.
                    if "rules" in checks and (
                        broken := check_rules(checked, offered_by_name, task.style, shown)
                    ):
                        rejected.append(_checked_record(work, rejection=broken))
                    else:
                        passed.append(work)
                # Counted before anything is recorded or sent: the last pair out of
                # execution (or the last rejection) is what releases the task.
                tracker.executing(task, len(passed))
                for record in rejected:
                    await tracker.record(record)
                for work in passed:
                    await send.send(work)

    async def execute(
        recv: ObjectReceiveStream[_PairWork], send: ObjectSendStream[list[_PairWork]]
    ) -> None:
        batch_size = max(1, settings.judge_batch)
        async with recv, send:
            async for work in recv:
                outcome = (
                    await check_execution(work.pair, tools, executor)
                    if "execution" in checks
                    else []
                )
                if isinstance(outcome, Rejection):
                    # Before the record, which may finish (and close) the task.
                    ready = tracker.executed(work.task, None)
                    await tracker.record(_checked_record(work, rejection=outcome))
                else:
                    ready = tracker.executed(
                        work.task, msgspec.structs.replace(work, results=outcome)
                    )
                for start in range(0, len(ready), batch_size):
                    await send.send(ready[start : start + batch_size])

    async def resolve(batch: list[_PairWork]) -> tuple[list[_Outcome], Completion | None]:
        task = batch[0].task
        outcomes, answer = await resolve_pairs(
            judge_client,
            prompts,
            model=solver_model,
            tools=[tools[n] for n in task.tool_names],
            pairs=[w.pair for w in batch],
            style=task.style,
            max_tokens=settings.resolve_max_tokens,
            structured=settings.structured,
        )
        return list(outcomes), answer

    async def judge(batch: list[_PairWork]) -> tuple[list[_Outcome], Completion | None]:
        if batch[0].task.style == "irrelevance" and "resolve" in checks:
            return [IRRELEVANCE_LEFT_TO_RESOLVE] * len(batch), None
        outcomes, answer = await judge_pairs(
            judge_client,
            prompts,
            model=settings.judge_model,
            tools=[tools[n] for n in batch[0].task.tool_names],
            items=[JudgedPair(w.pair, w.results or []) for w in batch],
            max_tokens=settings.judge_max_tokens,
        )
        return list(outcomes), answer

    async def llm_check(
        check: _BatchCheck,
        recv: ObjectReceiveStream[list[_PairWork]],
        send: ObjectSendStream[list[_PairWork]] | None,
    ) -> None:
        """One LLM check over batches of a task's pairs; survivors go on, or are verified."""
        async with recv, send if send is not None else contextlib.nullcontext():
            async for batch in recv:
                outcomes, completion = await check(batch)
                if completion is not None:
                    # Before any record: the last one closes the task.
                    tracker.add_tokens(batch[0].task, completion)
                survivors: list[_PairWork] = []
                for work, outcome in zip(batch, outcomes, strict=True):
                    if isinstance(outcome, Rejection):
                        await tracker.record(_checked_record(work, rejection=outcome))
                    elif send is not None:
                        survivors.append(work)
                    else:
                        thought = outcome.thought if isinstance(outcome, Judgement) else None
                        await tracker.record(_checked_record(work, thought=thought))
                if survivors:
                    await send.send(survivors)  # type: ignore[union-attr]

    async def verify(recv: ObjectReceiveStream[list[_PairWork]]) -> None:
        """No LLM check asked for: what passed execution is verified."""
        async with recv:
            async for batch in recv:
                for work in batch:
                    await tracker.record(_checked_record(work))

    async def stop_when_reached(scope: anyio.CancelScope) -> None:
        await tracker.reached.wait()
        scope.cancel()

    async def tick() -> None:
        while on_tick is not None:
            on_tick(state)
            await anyio.sleep(1.0)

    async with anyio.create_task_group() as outer:
        outer.start_soon(tick)
        async with anyio.create_task_group() as stages:
            outer.start_soon(stop_when_reached, stages.cancel_scope)
            stages.start_soon(produce, tasks_send)
            llm_checks: list[_BatchCheck] = [
                check for name, check in (("resolve", resolve), ("judge", judge)) if name in checks
            ]
            # A stream into each LLM check (or, with none, into `verify`).
            streams = [
                anyio.create_memory_object_stream[list[_PairWork]](settings.concurrency)
                for _ in range(max(1, len(llm_checks)))
            ]
            with contextlib.ExitStack() as ends:
                for end in (tasks_recv, exec_send, exec_recv, *itertools.chain(*streams)):
                    ends.enter_context(end)
                for _ in range(settings.concurrency):
                    stages.start_soon(generate, tasks_recv.clone(), exec_send.clone())
                for _ in range(max(1, settings.exec_concurrency) * 2):
                    stages.start_soon(execute, exec_recv.clone(), streams[0][0].clone())
                for i, check in enumerate(llm_checks):
                    last = i + 1 == len(llm_checks)
                    for _ in range(settings.concurrency):
                        send = None if last else streams[i + 1][0].clone()
                        stages.start_soon(llm_check, check, streams[i][1].clone(), send)
                if not llm_checks:
                    stages.start_soon(verify, streams[0][1].clone())
        outer.cancel_scope.cancel()
    if on_tick is not None:
        on_tick(state)
    return state


def _default_max_tasks(target: int, sampler: Sampler) -> int:
    # Enough tasks for a 4% pass rate; past that the run stops and says so.
    return math.ceil(target / max(1, sampler.config.pairs_per_task)) * 25 + 16


def _pair_record(
    task: Task, index: int, model: str, *, raw: object, rejection: Rejection
) -> PairRecord:
    return PairRecord(
        id=f"{task.id}:{index}",
        task_index=task.index,
        pair_index=index,
        style=task.style,
        generator=model,
        tool_names=task.tool_names,
        raw=raw,
        rejection=rejection,
    )


def _checked_record(
    work: _PairWork,
    *,
    rejection: Rejection | None = None,
    thought: str | None = None,
) -> PairRecord:
    return PairRecord(
        id=f"{work.task.id}:{work.index}",
        task_index=work.task.index,
        pair_index=work.index,
        style=work.task.style,
        generator=work.generator,
        tool_names=work.task.tool_names,
        query=work.pair.query,
        answers=work.pair.answers,
        results=work.results,
        thought=thought,
        rejection=rejection,
    )
