"""Wiring: the stages of `apigen_async.stages.ORDER`, joined by streams and worker pools.

sample -> generate -> format -> rules -> execute -> resolve -> judge -> store. Each
stage that waits on something (a request, an execution) is a pool of workers reading a
bounded anyio memory stream, so a full stage slows the one before it and a slow request
holds up nothing but itself; a cheap stage runs in the worker of the one before it.
Only this module knows about streams, workers and shutdown; what a stage does is in its
module, and what happens to a task's pairs (batches, epochs, the stop rule) in
`apigen_async.ledger`.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import anyio
import msgspec
from anyio.abc import ObjectReceiveStream, ObjectSendStream

from apigen_async.checks.execution import Executor
from apigen_async.dedup import DedupConfig
from apigen_async.ledger import Ledger, RunState
from apigen_async.llm.client import LLMClient
from apigen_async.prompts import PromptLibrary
from apigen_async.sampling import ExamplePool, Sampler
from apigen_async.schema import Judgement, Rejection, Tool
from apigen_async.stages import ORDER
from apigen_async.stages.base import (
    BatchStage,
    Context,
    GenerateStage,
    PairStage,
    PairWork,
    Sampled,
    SampleStage,
)
from apigen_async.store import Store

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
    #: Which checks run, in pipeline order (`apigen_async.stages.CHECKS`).
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
    #: Verified queries of a task's functions its prompt shows to differ from (0: none).
    avoid_queries: int


_Step = Callable[[Context, PairWork], Awaitable[PairWork | Rejection]]


@dataclass
class _Segment:
    """Per-pair stages run one after another by one pool of workers."""

    steps: list[_Step] = field(default_factory=list)
    #: Its pool's size (None: the first segment, run by the generator's workers).
    workers: Callable[[PipelineSettings], int] | None = None


@dataclass(frozen=True)
class _Plan:
    sample: SampleStage
    generate: GenerateStage
    #: The first runs in the generator's workers; each other starts with a stage that
    #: has a pool of its own.
    segments: list[_Segment]
    batches: list[BatchStage]


def _plan(settings: PipelineSettings) -> _Plan:
    """`ORDER` as pools of workers, leaving out the checks `settings.checks` turns off."""
    sample, generate, *checks = ORDER
    assert isinstance(sample, SampleStage) and isinstance(generate, GenerateStage)
    segments = [_Segment()]
    batches: list[BatchStage] = []
    for stage in checks:
        assert isinstance(stage, PairStage | BatchStage)
        on = not stage.optional or stage.name in settings.checks
        if isinstance(stage, BatchStage):
            if on:
                batches.append(stage)
            continue
        if batches:
            raise ValueError(f"{stage.name}: per-pair stages come before the batch stages")
        if on and stage.workers is not None:
            segments.append(_Segment([stage.run], stage.workers))
        elif on:
            segments[-1].steps.append(stage.run)
        elif stage.when_off is not None:
            segments[-1].steps.append(_off(stage.when_off))
    return _Plan(sample, generate, segments, batches)


def _off(when_off: Callable[[PairWork], PairWork]) -> _Step:
    async def step(ctx: Context, work: PairWork) -> PairWork:
        return when_off(work)

    return step


@dataclass(frozen=True)
class _Outlets:
    """Where a per-pair worker sends: the next pool (None: its stages are the last per-pair
    ones), and the first batch stage (None: there is none; what passes is verified)."""

    next: ObjectSendStream[PairWork] | None
    batches: ObjectSendStream[list[PairWork]] | None

    async def __aenter__(self) -> None:
        pass

    async def __aexit__(self, *exc: object) -> None:
        for stream in (self.next, self.batches):
            if stream is not None:
                await stream.aclose()


def _clone(stream: ObjectSendStream[Any] | None) -> ObjectSendStream[Any] | None:
    return stream.clone() if stream is not None else None


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
    max_tasks = settings.max_tasks or _default_max_tasks(settings.target, sampler)
    ledger = Ledger(
        target=settings.target,
        epoch_size=settings.epoch_size,
        judge_batch=settings.judge_batch,
        dedup=settings.dedup,
        store=store,
        pool=pool,
        state=state,
        max_tasks=max_tasks,
    )
    done = await ledger.resume()
    if state.reached:
        return state
    ctx = Context(
        settings=settings,
        tools=tools,
        sampler=sampler,
        pool=pool,
        prompts=prompts,
        client=client,
        judge_client=judge_client or client,
        executor=executor,
    )
    plan = _plan(settings)
    segments, batch_stages = plan.segments, plan.batches

    async def reject(work: PairWork, rejection: Rejection, out: _Outlets) -> None:
        if out.batches is not None:
            # Before the record, which may finish (and close) the task.
            for batch in ledger.settle(work, passed=False):
                await out.batches.send(batch)
        await ledger.record(work.record(rejection=rejection))

    async def through(segment: _Segment, work: PairWork, out: _Outlets) -> None:
        """`work` through one worker's per-pair stages, then on (or rejected)."""
        for step in segment.steps:
            outcome = await step(ctx, work)
            if isinstance(outcome, Rejection):
                await reject(work, outcome, out)
                return
            work = outcome
        if out.next is not None:
            await out.next.send(work)
        elif out.batches is not None:
            for batch in ledger.settle(work, passed=True):
                await out.batches.send(batch)
        else:
            await ledger.record(work.record())

    async def produce(send: ObjectSendStream[Sampled]) -> None:
        async with send:
            for index in range(max_tasks):
                if index in done:
                    continue
                sampled = await plan.sample.run(ctx, index, await ledger.visible_epoch(index))
                ledger.begin(sampled.task)
                await send.send(sampled)

    async def generate_worker(recv: ObjectReceiveStream[Sampled], out: _Outlets) -> None:
        async with recv, out:
            async for sampled in recv:
                ledger.sending(sampled.task)
                outcome = await plan.generate.run(ctx, sampled)
                if isinstance(outcome, Rejection):
                    await ledger.fail(sampled.task, outcome)
                    continue
                ledger.expect(sampled.task, len(outcome.items), outcome.completion)
                if outcome.rejection is not None:
                    await reject(outcome.items[0], outcome.rejection, out)
                    continue
                for item in outcome.items:
                    await through(segments[0], item, out)

    async def pair_worker(
        segment: _Segment, recv: ObjectReceiveStream[PairWork], out: _Outlets
    ) -> None:
        async with recv, out:
            async for work in recv:
                await through(segment, work, out)

    async def batch_worker(
        stage: BatchStage,
        recv: ObjectReceiveStream[list[PairWork]],
        send: ObjectSendStream[list[PairWork]] | None,
    ) -> None:
        """A batch stage: survivors go on together, or are verified."""
        async with recv, send if send is not None else contextlib.nullcontext():
            async for batch in recv:
                verdicts, completion = await stage.run(ctx, batch)
                if completion is not None:
                    # Before any record: the last one closes the task.
                    ledger.add_tokens(batch[0].task, completion)
                survivors: list[PairWork] = []
                for work, verdict in zip(batch, verdicts, strict=True):
                    if isinstance(verdict, Rejection):
                        await ledger.record(work.record(rejection=verdict))
                    elif send is not None:
                        survivors.append(work)
                    else:
                        thought = verdict.thought if isinstance(verdict, Judgement) else None
                        await ledger.record(work.record(thought=thought))
                if survivors:
                    await send.send(survivors)  # type: ignore[union-attr]

    async def stop_when_reached(scope: anyio.CancelScope) -> None:
        await ledger.reached.wait()
        scope.cancel()

    async def tick() -> None:
        while on_tick is not None:
            on_tick(state)
            await anyio.sleep(1.0)

    # A stream into each pool after the generator's: each later segment's, then each
    # batch stage's. Every per-pair worker may complete a task's batch (`ledger.settle`),
    # so each holds the first batch stream as well as the stream after its own stages.
    buffer = settings.concurrency
    tasks_send, tasks_recv = anyio.create_memory_object_stream[Sampled](buffer)
    pair_streams = [anyio.create_memory_object_stream[PairWork](buffer) for _ in segments[1:]]
    batch_streams = [
        anyio.create_memory_object_stream[list[PairWork]](buffer) for _ in batch_stages
    ]
    first_batches = batch_streams[0][0] if batch_streams else None

    def outlets(k: int) -> _Outlets:
        """Clones of what segment `k`'s workers send to."""
        nxt = pair_streams[k][0] if k < len(pair_streams) else None
        return _Outlets(_clone(nxt), _clone(first_batches))

    async with anyio.create_task_group() as outer:
        outer.start_soon(tick)
        async with anyio.create_task_group() as workers:
            outer.start_soon(stop_when_reached, workers.cancel_scope)
            workers.start_soon(produce, tasks_send)
            with contextlib.ExitStack() as ends:
                # Every worker owns clones; the originals close here once all are started.
                for send, recv in (*pair_streams, *batch_streams):
                    ends.enter_context(send)
                    ends.enter_context(recv)
                ends.enter_context(tasks_recv)
                for _ in range(settings.concurrency):
                    workers.start_soon(generate_worker, tasks_recv.clone(), outlets(0))
                for k, (_, recv) in enumerate(pair_streams, 1):
                    size = segments[k].workers
                    assert size is not None
                    for _ in range(size(settings)):
                        workers.start_soon(pair_worker, segments[k], recv.clone(), outlets(k))
                for i, stage in enumerate(batch_stages):
                    nxt = batch_streams[i + 1][0] if i + 1 < len(batch_stages) else None
                    for _ in range(settings.concurrency):
                        workers.start_soon(
                            batch_worker, stage, batch_streams[i][1].clone(), _clone(nxt)
                        )
        outer.cancel_scope.cancel()
    if on_tick is not None:
        on_tick(state)
    return state


def _default_max_tasks(target: int, sampler: Sampler) -> int:
    # Enough tasks for a 4% pass rate; past that the run stops and says so.
    return math.ceil(target / max(1, sampler.config.pairs_per_task)) * 25 + 16
