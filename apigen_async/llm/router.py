"""Which endpoint serves a request: the least-loaded healthy one that serves its model.

A run may name several endpoints (`--endpoints FILE`, a repeated `--base-url`), each a
`Lane` with its own limits (in-flight cap with AIMD on 429, RPM, TPM) and its own
circuit breaker. For each attempt the router picks, among the lanes that serve the
request's model and are not out, the one with a free slot and the lowest load
(in flight / (limit x weight)), one whose RPM or TPM would hold the request back coming
last; with none free it waits for a slot to be given back.

The breaker (only where a request has somewhere else to go): `TRIP_AFTER` failed
attempts in a row (connection errors, 5xx, timeouts; not 429s, which AIMD handles) take
a lane out for a cool-down that doubles each time it trips, up to `MAX_COOLDOWN`. After
it, one request is let through as a probe (half-open): an answer brings the lane back, a
failure takes it out again. While every lane of a model is out, an attempt fails at once
(`AllOut`), so requests use up their retries and the client's give-up rule ends the run
with one message naming each endpoint and its last error.

The router never sees a request's body or the cache: which lane answers does not change
what is asked, so cache keys stay the same whichever endpoint serves.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import anyio
import msgspec

from apigen_async.errors import AllOut
from apigen_async.llm.limits import Limits

__all__ = [
    "MAX_COOLDOWN",
    "TRIP_AFTER",
    "Breaker",
    "EndpointUsage",
    "Lane",
    "Router",
]

TRIP_AFTER = 3
FIRST_COOLDOWN = 1.0
MAX_COOLDOWN = 30.0


class EndpointUsage(msgspec.Struct, kw_only=True):
    """What one endpoint did in a session (stored with it; the report adds sessions up)."""

    url: str
    models: list[str] = msgspec.field(default_factory=list)
    #: Attempts sent, and those that failed (any error, 429s included).
    requests: int = 0
    errors: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    #: Seconds spent on answered attempts (mean latency = latency_sum / answered).
    latency_sum: float = 0.0
    answered: int = 0
    #: Times its breaker took it out.
    trips: int = 0
    mean_latency_s: float = 0.0

    def finish(self) -> EndpointUsage:
        """A copy with `mean_latency_s` filled in (what is stored and reported)."""
        mean = round(self.latency_sum / self.answered, 4) if self.answered else 0.0
        return msgspec.structs.replace(
            self, latency_sum=round(self.latency_sum, 3), mean_latency_s=mean
        )


@dataclass
class Breaker:
    """Closed -> (TRIP_AFTER failures) open -> (cool-down over) half-open -> closed or open."""

    failures: int = 0
    open_until: float = 0.0
    cooldown: float = FIRST_COOLDOWN
    tripped: bool = False
    probing: bool = False
    last_error: str = ""

    def available(self, now: float) -> bool:
        return not self.tripped or (now >= self.open_until and not self.probing)

    @property
    def out(self) -> bool:
        return self.tripped

    def picked(self, now: float) -> None:
        if self.tripped and now >= self.open_until:
            self.probing = True  # half-open: this attempt is the probe

    def succeeded(self) -> None:
        self.failures = 0
        self.tripped = self.probing = False
        self.cooldown = FIRST_COOLDOWN

    def failed(self, now: float, error: str) -> bool:
        """Count a failed attempt; True when it takes the lane out."""
        self.last_error = error
        self.failures += 1
        if self.probing or (not self.tripped and self.failures >= TRIP_AFTER):
            self.tripped, self.probing = True, False
            self.open_until = now + self.cooldown
            self.cooldown = min(MAX_COOLDOWN, self.cooldown * 2)
            return True
        return False


@dataclass(eq=False)
class Lane:
    """One endpoint: where it is, which models it serves under which names, its state."""

    url: str
    limits: Limits
    #: Requested model -> the name this endpoint serves it under. A lane with
    #: `serves_any` also takes any model not listed, under its own name.
    models: Mapping[str, str]
    serves_any: bool = False
    weight: float = 1.0
    breaker: Breaker = field(default_factory=Breaker)
    usage: EndpointUsage = field(init=False)

    def __post_init__(self) -> None:
        self.usage = EndpointUsage(url=self.url, models=sorted(set(self.models.values())))

    def serves(self, model: str) -> bool:
        return self.serves_any or model in self.models

    def model_for(self, model: str) -> str:
        return self.models.get(model, model)

    @property
    def in_flight(self) -> int:
        return self.limits.in_flight

    def load(self) -> float:
        return (self.limits.in_flight + 1) / (max(1, self.limits.current_limit) * self.weight)


class _Waiter:
    """A request waiting for a slot; `release` hands one over by setting `lane`."""

    __slots__ = ("event", "gone", "holder", "lane", "model", "seq")

    def __init__(self, model: str, holder: object, seq: int) -> None:
        self.model, self.holder, self.seq = model, holder, seq
        self.event = anyio.Event()
        self.lane: Lane | None = None
        self.gone = False


#: Longest wait before a waiting request looks at the lanes again by itself (a safety
#: net: slots freed by a release, an AIMD step or a lane coming back are handed over).
_RECHECK = 5.0


class Router:
    def __init__(self, lanes: Sequence[Lane]) -> None:
        if not lanes:
            raise ValueError("a router needs at least one lane")
        self.lanes = list(lanes)
        # Waiting requests by model, first come first served (no barging), as with
        # anyio's CapacityLimiter: a slot given back goes to the oldest one it can serve.
        self._queues: dict[str, deque[_Waiter]] = {}
        self._seq = 0

    def candidates(self, model: str) -> list[Lane]:
        exact = [lane for lane in self.lanes if model in lane.models]
        return exact or [lane for lane in self.lanes if lane.serves(model)] or self.lanes[:1]

    def candidates_of(self, lane: Lane) -> list[Lane]:
        """The lanes that serve the requests `lane` serves (itself included)."""
        if not lane.models:
            return [other for other in self.lanes if other.serves_any]
        found = {id(o): o for m in lane.models for o in self.candidates(m)}
        return list(found.values())

    def _pick(
        self, lanes: list[Lane], guarded: bool, avoid: Lane | None, now: float
    ) -> Lane | None:
        usable = [
            lane
            for lane in lanes
            if lane.limits.free > 0 and (not guarded or lane.breaker.available(now))
        ]
        # Another endpoint if there is one: the last one just failed this request.
        elsewhere = [lane for lane in usable if lane is not avoid] or usable
        # One whose RPM/TPM bucket would hold the request back comes after those ready now.
        return (
            min(elsewhere, key=lambda lane: (lane.limits.paced(), lane.load()))
            if elsewhere
            else None
        )

    def _queued(self, model: str) -> deque[_Waiter] | None:
        queue = self._queues.get(model)
        while queue and queue[0].gone:
            queue.popleft()
        return queue or None

    async def acquire(self, model: str, holder: object, avoid: Lane | None = None) -> Lane:
        """A lane for one attempt, its slot held for `holder` until `release`."""
        lanes = self.candidates(model)
        guarded = len(lanes) > 1
        while True:
            now = time.monotonic()
            lane = None if self._queued(model) else self._pick(lanes, guarded, avoid, now)
            if lane is not None:
                if guarded:
                    lane.breaker.picked(now)
                lane.limits.take_slot(holder)
                return lane
            if guarded and all(lane.breaker.out for lane in lanes):
                soonest = min(lane.breaker.open_until for lane in lanes)
                if soonest > now or all(lane.breaker.probing for lane in lanes):
                    raise AllOut(self.describe_out(lanes))
            # A cool-down ending frees a lane without anything to signal it: look then.
            reopen = min(
                (lane.breaker.open_until for lane in lanes if lane.breaker.out and guarded),
                default=math.inf,
            )
            self._seq += 1
            waiter = _Waiter(model, holder, self._seq)
            self._queues.setdefault(model, deque()).append(waiter)
            try:
                with anyio.move_on_after(min(_RECHECK, max(0.0, reopen - now))):
                    await waiter.event.wait()
            except BaseException:
                waiter.gone = True
                if waiter.lane is not None:  # handed a slot, then cancelled: give it back
                    self.release(waiter.lane, holder)
                raise
            waiter.gone = True
            if waiter.lane is not None:
                return waiter.lane
            self._hand_off_all()  # woke by itself: a lane may be back

    def _hand_off(self, lane: Lane) -> None:
        """Free slots of `lane` to the oldest waiters it serves."""
        while lane.limits.free > 0:
            heads = [
                q[0]
                for model in list(self._queues)
                if (q := self._queued(model)) is not None and lane in self.candidates(model)
            ]
            if not heads:
                return
            waiter = min(heads, key=lambda w: w.seq)
            now = time.monotonic()
            if len(self.candidates(waiter.model)) > 1:
                if not lane.breaker.available(now):
                    return
                lane.breaker.picked(now)
            self._queues[waiter.model].popleft()
            lane.limits.take_slot(waiter.holder)
            waiter.lane, waiter.gone = lane, True
            waiter.event.set()

    def _hand_off_all(self) -> None:
        for lane in self.lanes:
            self._hand_off(lane)

    def release(self, lane: Lane, holder: object) -> None:
        lane.limits.give_slot(holder)
        self._hand_off(lane)

    def grew(self, lane: Lane) -> None:
        """`lane`'s limit may have grown (an AIMD step): hand the new slots over."""
        self._hand_off(lane)

    def succeeded(self, lane: Lane) -> None:
        if lane.breaker.tripped or lane.breaker.failures:
            lane.breaker.succeeded()
            self._hand_off(lane)

    def failed(self, lane: Lane, error: str) -> None:
        """A failed attempt that says the endpoint may be down (not a 429)."""
        if len(self.candidates_of(lane)) < 2:
            lane.breaker.last_error = error
            return
        if lane.breaker.failed(time.monotonic(), error):
            lane.usage.trips += 1

    def has_other(self, lane: Lane, model: str) -> bool:
        now = time.monotonic()
        return any(
            other is not lane and other.breaker.available(now) for other in self.candidates(model)
        )

    @staticmethod
    def describe_out(lanes: Sequence[Lane]) -> str:
        parts = [f"{lane.url} ({lane.breaker.last_error or 'out'})" for lane in lanes]
        return f"all {len(lanes)} endpoints are out: " + "; ".join(parts)
