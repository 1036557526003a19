"""What `report.html` shows beyond `report.json`, gathered in the report's streaming pass.

`PageCollector` is fed every stored task (with the pairs the selection exported from it)
and keeps counters plus a bounded, deterministic sample of rows for the page's browser:
the `limit` pairs whose id hashes lowest (a uniform sample that does not depend on the
order tasks finished in), plus the lowest-hashing few of every rejection reason so a
rare reason still has rows to look at. Memory stays O(limit) whatever the store's size.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import itertools
from array import array
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from apigen_async.schema import Call, Tool
from apigen_async.store import PairRecord, TaskRecord

__all__ = ["BrowserRow", "InFlight", "PageCollector", "PageData"]

#: Rows in the browser before it samples: keeps a 10k-row run's page near 5 MB
#: (measured figures in bench/README.md).
DEFAULT_ROW_LIMIT = 2000
#: Rows kept for every (stage, reason code), on top of the uniform sample.
PER_REASON = 3
#: Long strings (results, thoughts, raw answers) are cut to this many characters: one
#: runaway result must not decide the file's size.
TEXT_LIMIT = 600
#: Points of the cumulative-progress line; more add bytes and nothing visible.
MAX_POINTS = 400
#: Bins of the task-latency histogram.
LATENCY_BINS = 30
#: Idle time on the tasks-in-flight time line longer than this (between sessions: a run
#: resumed the next day) is cut out of it.
IDLE_GAP = 60.0


class BrowserRow(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One pair as the row browser shows it (strings already cut to `TEXT_LIMIT`)."""

    id: str
    task: int
    style: str
    generator: str
    #: "exported", "unexported" (verified but a duplicate or beyond the target), or the
    #: stage that rejected it.
    status: str
    functions: list[str]
    query: str = ""
    calls: list[Call] = []
    results: list[str] = []
    thought: str = ""
    code: str = ""
    reason: str = ""


class Progress(msgspec.Struct, frozen=True, kw_only=True):
    """Cumulative counts after each sampled task index (index order, not time order)."""

    task_index: list[int]
    generated: list[int]
    verified: list[int]


class Latency(msgspec.Struct, frozen=True, kw_only=True):
    """Histogram of task seconds (first request to last check), and their sum."""

    edges: list[float]
    counts: list[int]
    total_seconds: float
    tasks: int


class InFlight(msgspec.Struct, frozen=True, kw_only=True):
    """Tasks in flight over time: the time-weighted mean over each of equal spans of the
    time line (every session on one clock, idle gaps over `IDLE_GAP` cut out)."""

    #: The middle of each span, in seconds of the time line.
    seconds: list[float]
    tasks: list[float]
    #: Tasks with times (stores made before they were recorded have none), the most in
    #: flight at once, and the idle gaps cut out.
    timed: int
    peak: int
    gaps_cut: int


class PageData(msgspec.Struct, frozen=True, kw_only=True):
    rows: list[BrowserRow]
    #: Pairs in the store; `rows` holds all of them unless `sampled`.
    total_rows: int
    sampled: bool
    limit: int
    per_reason: int
    #: Per category of the offered functions: generated and verified pairs.
    by_category: dict[str, dict[str, int]]
    #: Calls per function in the exported pairs.
    calls_per_function: dict[str, int]
    #: Exported queries by length in words.
    query_words: dict[int, int]
    progress: Progress
    latency: Latency
    in_flight: InFlight


def _rank(pair_id: str) -> int:
    """A 64-bit hash of the id, stable across processes (unlike `hash`)."""
    return int.from_bytes(hashlib.blake2b(pair_id.encode(), digest_size=8).digest())


def _cut(text: str) -> str:
    return text if len(text) <= TEXT_LIMIT else text[:TEXT_LIMIT] + " …"


def _result_text(value: Any) -> str:
    return _cut(msgspec.json.encode(value).decode())


def _call(call: Call) -> Call:
    text = msgspec.json.encode(call.arguments)
    if len(text) <= TEXT_LIMIT:
        return call
    return Call(name=call.name, arguments={"(cut)": _cut(text.decode())})


def _row(pair: PairRecord, status: str) -> BrowserRow:
    names = dict.fromkeys(pair.tool_names)
    names.update(dict.fromkeys(c.name for c in pair.answers or ()))
    results = [
        _result_text(r.output) if r.ok else _cut(f"error {r.error}: {r.message or ''}")
        for r in pair.results or ()
    ]
    query = pair.query or ""
    if not query and pair.raw is not None:
        query = "(no query; raw answer) " + _result_text(pair.raw)
    rejection = pair.rejection
    return BrowserRow(
        id=pair.id,
        task=pair.task_index,
        style=pair.style,
        generator=pair.generator,
        status=status,
        functions=list(names),
        query=_cut(query),
        calls=[_call(c) for c in pair.answers or ()],
        results=results,
        thought=_cut(pair.thought or ""),
        code=rejection.code if rejection else "",
        reason=_cut(rejection.message) if rejection else "",
    )


class _BottomK:
    """The `k` items of lowest rank seen so far (a max-heap on negated ranks)."""

    def __init__(self, k: int) -> None:
        self.k = k
        self.heap: list[tuple[int, str]] = []

    def wants(self, rank: int) -> bool:
        return len(self.heap) < self.k or -self.heap[0][0] > rank

    def push(self, rank: int, key: str) -> str | None:
        """Add; returns the key pushed out, if one was."""
        if len(self.heap) < self.k:
            heapq.heappush(self.heap, (-rank, key))
            return None
        return heapq.heappushpop(self.heap, (-rank, key))[1]


class PageCollector:
    def __init__(
        self,
        tools: Mapping[str, Tool],
        *,
        limit: int = DEFAULT_ROW_LIMIT,
        per_reason: int = PER_REASON,
    ) -> None:
        self.tools = tools
        self.limit = limit
        self.per_reason = per_reason
        self.total = 0
        self._uniform = _BottomK(limit)
        self._reasons: dict[tuple[str, str], _BottomK] = {}
        #: Rows by id, held while a sample (uniform or per reason) still wants them.
        self._rows: dict[str, BrowserRow] = {}
        self._holders: Counter[str] = Counter()
        self.by_category: dict[str, Counter[str]] = {}
        self.calls_per_function: Counter[str] = Counter()
        self.query_words: Counter[int] = Counter()
        self._progress: list[tuple[int, int, int]] = []
        self._generated = 0
        self._verified = 0
        self._seconds: list[float] = []
        self._timeline = _Timeline()

    def add_task(self, record: TaskRecord, exported: Sequence[PairRecord]) -> None:
        kept = {p.id for p in exported}
        self._seconds.append(record.seconds)
        self._timeline.add(record)
        for pair in record.pairs:
            self.total += 1
            self._generated += 1
            verified = pair.rejection is None
            self._verified += verified
            for cat in {self.tools[n].category for n in pair.tool_names if n in self.tools}:
                counts = self.by_category.setdefault(cat, Counter())
                counts["generated"] += 1
                counts["verified"] += verified
            if pair.id in kept:
                self.calls_per_function.update(c.name for c in pair.answers or ())
                self.query_words[len((pair.query or "").split())] += 1
            status = (
                "exported"
                if pair.id in kept
                else "unexported"
                if verified
                else pair.rejection.stage
            )
            self._sample(pair, status)
        self._progress.append((record.task.index, self._generated, self._verified))

    def _sample(self, pair: PairRecord, status: str) -> None:
        rank = _rank(pair.id)
        samples = [self._uniform]
        if pair.rejection is not None:
            key = (pair.rejection.stage, pair.rejection.code)
            samples.append(self._reasons.setdefault(key, _BottomK(self.per_reason)))
        wanted = [s for s in samples if s.wants(rank)]
        if not wanted:
            return
        self._rows[pair.id] = _row(pair, status)
        for sample in wanted:
            self._holders[pair.id] += 1
            out = sample.push(rank, pair.id)
            if out is not None:
                self._release(out)

    def _release(self, pair_id: str) -> None:
        self._holders[pair_id] -= 1
        if self._holders[pair_id] <= 0:
            del self._holders[pair_id]
            del self._rows[pair_id]

    def result(self) -> PageData:
        rows = sorted(self._rows.values(), key=lambda r: (r.task, r.id))
        step = max(1, len(self._progress) // MAX_POINTS)
        points = self._progress[::step]
        if self._progress and points[-1] != self._progress[-1]:
            points.append(self._progress[-1])
        return PageData(
            rows=rows,
            total_rows=self.total,
            sampled=len(rows) < self.total,
            limit=self.limit,
            per_reason=self.per_reason,
            by_category={k: dict(v) for k, v in sorted(self.by_category.items())},
            calls_per_function=dict(self.calls_per_function.most_common()),
            query_words=dict(sorted(self.query_words.items())),
            progress=Progress(
                task_index=[p[0] for p in points],
                generated=[p[1] for p in points],
                verified=[p[2] for p in points],
            ),
            latency=_histogram(self._seconds),
            in_flight=self._timeline.result(MAX_POINTS),
        )


class _Timeline:
    """Each timed task's begin and end on one clock (its session's start + its offsets)."""

    def __init__(self) -> None:
        self.began = array("d")
        self.ended = array("d")
        self._zero: dict[str, float] = {}

    def add(self, record: TaskRecord) -> None:
        if record.session is None or record.began is None or record.ended is None:
            return
        zero = self._zero.get(record.session)
        if zero is None:
            try:
                zero = dt.datetime.fromisoformat(record.session).timestamp()
            except ValueError:
                return
            self._zero[record.session] = zero
        self.began.append(zero + record.began)
        self.ended.append(zero + record.ended)

    def result(self, points: int) -> InFlight:
        # Ends before begins at the same instant: a task handing over to the next is not
        # two in flight.
        events = sorted([(t, 1) for t in self.began] + [(t, -1) for t in self.ended])
        if not events:
            return InFlight(seconds=[], tasks=[], timed=0, peak=0, gaps_cut=0)
        # The time line: idle gaps longer than IDLE_GAP cut out.
        level = peak = gaps = 0
        cut, last = 0.0, events[0][0]
        line: list[tuple[float, int]] = []
        for t, step in events:
            if level == 0 and t - last > IDLE_GAP:
                cut += t - last
                gaps += 1
            last = t
            level += step
            peak = max(peak, level)
            line.append((t - cut - events[0][0], level))
        span = line[-1][0] or 1.0
        width = span / points
        area = [0.0] * points
        # The level after each event holds until the next one: add it over the spans.
        for (t0, held), (t1, _) in itertools.pairwise(line):
            k = min(points - 1, int(t0 / width))
            while t0 < t1:
                # The span's own end, or t1 (k moves on every time: no rounding stalls it).
                edge = t1 if k >= points - 1 else min(t1, (k + 1) * width)
                if edge > t0:
                    area[k] += held * (edge - t0)
                    t0 = edge
                k += 1
        return InFlight(
            seconds=[round((k + 0.5) * width, 3) for k in range(points)],
            tasks=[round(a / width, 3) for a in area],
            timed=len(self.began),
            peak=peak,
            gaps_cut=gaps,
        )


def _histogram(seconds: list[float]) -> Latency:
    if not seconds:
        return Latency(edges=[], counts=[], total_seconds=0.0, tasks=0)
    top = max(seconds) or 1.0
    width = top / LATENCY_BINS
    counts = [0] * LATENCY_BINS
    for s in seconds:
        counts[min(LATENCY_BINS - 1, int(s / width))] += 1
    return Latency(
        edges=[round(i * width, 3) for i in range(LATENCY_BINS + 1)],
        counts=counts,
        total_seconds=round(sum(seconds), 3),
        tasks=len(seconds),
    )
