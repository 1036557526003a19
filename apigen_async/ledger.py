"""The task ledger: open tasks and their pairs, epochs of the example pool, the stop rule.

Determinism (what makes resume exact): task `i` is drawn from (seed, i) and from the
seeds and the examples verified in epochs up to `epoch(i) - 2`; the producer waits for
that epoch to finish before drawing (`visible_epoch`). The run stops once tasks `0..k` are all
finished and hold at least N verified pairs (`reached`); the dataset is the first N of
them in (task, pair) order.

A task's pairs leave the per-pair stages one by one; `settle` groups those that passed
into the batches the first batch stage (an LLM check) gets: up to `judge_batch` pairs
of one task, in pair order, so a batch (and its request's cache key) is the same on
resume whatever order the pairs were executed in.
"""

from __future__ import annotations

import bisect
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import anyio

from apigen_async.dedup import DedupConfig, Deduplicator
from apigen_async.llm.types import Completion
from apigen_async.sampling import Example, ExamplePool
from apigen_async.schema import Rejection, Task
from apigen_async.stages.base import PairWork
from apigen_async.store import PairRecord, Store, TaskRecord

__all__ = ["Ledger", "RunState"]


@dataclass
class RunState:
    """Live counters for progress and the end-of-run summary (read as snapshots)."""

    started: float = field(default_factory=time.monotonic)
    #: This session's start as `Session.started` says it; its tasks are tagged with it.
    session: str | None = None
    tasks_done: int = 0
    generated: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    verified: int = 0
    prefix_tasks: int = 0
    prefix_verified: int = 0
    #: Verified pairs in the prefix left out as exact or near repeats of an earlier query.
    duplicates: int = 0
    reached: bool = False


@dataclass
class _OpenTask:
    task: Task
    started: float
    expected: int | None = None
    pairs: list[PairRecord] = field(default_factory=list)
    #: Pairs still in the per-pair stages, by index.
    pending: set[int] = field(default_factory=set)
    #: Pairs through the per-pair stages and not yet batched, in pair order.
    ready: list[PairWork] = field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached: bool = False


class Ledger:
    """Collects pair outcomes per task; finished tasks go to the store and the pool."""

    def __init__(
        self,
        *,
        target: int,
        epoch_size: int,
        judge_batch: int,
        dedup: DedupConfig,
        store: Store,
        pool: ExamplePool,
        state: RunState,
        max_tasks: int,
    ) -> None:
        self.target = target
        self.epoch_size = epoch_size
        self.judge_batch = max(1, judge_batch)
        self.store = store
        self.pool = pool
        self.state = state
        self.max_tasks = max_tasks
        self.open: dict[int, _OpenTask] = {}
        self.finished: dict[int, TaskRecord] = {}
        self.unique = Deduplicator(dedup)
        self.epoch_left: dict[int, int] = {}
        self.epoch_examples: dict[int, list[Example]] = {}
        #: Offers per function of each epoch's answered tasks (balanced sampling's yield).
        self.epoch_offers: dict[int, Counter[str]] = {}
        self.epoch_done: dict[int, anyio.Event] = {}
        self.next_epoch = 0
        self.reached = anyio.Event()

    # Epochs and resume.

    def epoch_of(self, index: int) -> int:
        return index // self.epoch_size

    def epoch_event(self, epoch: int) -> anyio.Event:
        return self.epoch_done.setdefault(epoch, anyio.Event())

    def _epoch_size(self, epoch: int) -> int:
        first = epoch * self.epoch_size
        return max(0, min(self.epoch_size, self.max_tasks - first))

    async def resume(self) -> set[int]:
        """Take the tasks finished in earlier sessions; their indices."""
        done: set[int] = set()
        first_missing = 0
        # Streamed: the prefix passes through the ledger without piling up in memory.
        async for record in self.store.iter_tasks():
            self._finish(record)
            done.add(record.task.index)
            if record.task.index == first_missing:
                first_missing += 1
                # No task still to run looks further back than the first missing one does.
                self.pool.evict_before(self.epoch_of(first_missing) - 2)
        return done

    async def visible_epoch(self, index: int) -> int:
        """The last pool epoch task `index` may see, once it has finished."""
        # Never below -1, the seeds' epoch: the first two epochs' tasks see them.
        visible = max(self.epoch_of(index) - 2, -1)
        if visible >= 0:
            await self.epoch_event(visible).wait()
        # No later task looks further back than this one: older examples can go.
        self.pool.evict_before(visible)
        return visible

    # A task's life: begin, expect, settle its pairs, record them (or fail).

    def begin(self, task: Task) -> None:
        self.open[task.index] = _OpenTask(task=task, started=time.monotonic())

    def sending(self, task: Task) -> None:
        """The task's generation request goes out now: its time starts here, not in the
        queue before the generator's workers."""
        self.open[task.index].started = time.monotonic()

    def expect(self, task: Task, n: int, completion: Completion) -> None:
        entry = self.open[task.index]
        entry.expected = n
        entry.pending = set(range(n))
        self._tokens(entry, completion)

    def settle(self, work: PairWork, *, passed: bool) -> list[list[PairWork]]:
        """Note a pair out of the per-pair stages; the task's batches now ready.

        Call it before recording the pair: the record may finish the task.
        """
        entry = self.open[work.task.index]
        entry.pending.discard(work.index)
        if passed:
            bisect.insort(entry.ready, work, key=_pair_index)
        size = self.judge_batch
        if size == 1 or not entry.pending:
            # Alone in its batch (or the last of its task): nothing to wait for.
            ready, entry.ready = entry.ready, []
            return [ready[i : i + size] for i in range(0, len(ready), size)]
        # Pairs below the lowest one still pending are in their final order: whole
        # batches of them can go now, the same ones as if all had been waited for.
        lowest = min(entry.pending)
        settled = bisect.bisect_left(entry.ready, lowest, key=_pair_index)
        batches = []
        while settled >= size:
            batches.append(entry.ready[:size])
            del entry.ready[:size]
            settled -= size
        return batches

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
        self.state.rejected[failure.stage] = self.state.rejected.get(failure.stage, 0) + 1
        record = TaskRecord(task=task, pairs=[], failure=failure, **self._times(entry))
        await self.store.put_task(record)
        self._finish(record)

    async def record(self, pair: PairRecord) -> None:
        entry = self.open[pair.task_index]
        entry.pairs.append(pair)
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
                **self._times(entry),
            )
            await self.store.put_task(record)
            self._finish(record)

    def _times(self, entry: _OpenTask) -> dict[str, Any]:
        """A finishing task's duration, and its begin and end in seconds of its session."""
        now, zero = time.monotonic(), self.state.started
        return {
            "seconds": round(now - entry.started, 3),
            "session": self.state.session,
            "began": round(entry.started - zero, 3),
            "ended": round(now - zero, 3),
        }

    # Finished tasks: epochs, the pool and the stop rule.

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
        if record.failure is None:
            # A failed request says nothing of its functions.
            self.epoch_offers.setdefault(epoch, Counter()).update(record.task.tool_names)
        self._publish_epochs()
        self._advance_prefix()

    def _publish_epochs(self) -> None:
        # Epochs join the pool strictly in order, each sorted by (task, pair).
        while self.epoch_left.get(self.next_epoch, self._epoch_size(self.next_epoch)) == 0:
            if self._epoch_size(self.next_epoch) == 0:
                break
            examples = sorted(self.epoch_examples.pop(self.next_epoch, []), key=_example_order)
            offers = self.epoch_offers.pop(self.next_epoch, None)
            self.pool.add(examples, self.next_epoch, offers)
            self.epoch_event(self.next_epoch).set()
            self.next_epoch += 1

    def _advance_prefix(self) -> None:
        state = self.state
        while state.prefix_tasks in self.finished:
            record = self.finished.pop(state.prefix_tasks)
            state.prefix_verified += len(self.unique.take(record))
            state.duplicates = self.unique.duplicates
            state.prefix_tasks += 1
        if state.prefix_verified >= self.target and not state.reached:
            state.reached = True
            self.reached.set()


def _pair_index(work: PairWork) -> int:
    return work.index


def _example_order(ex: Example) -> tuple[int, ...]:
    return tuple(int(part) for part in ex.id.rsplit("-", 1)[-1].split(":"))
