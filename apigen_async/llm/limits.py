"""Admission control for LLM requests: in-flight cap (adaptive), RPM and TPM.

The in-flight cap shrinks multiplicatively on a 429 and grows back additively on
success (AIMD), so a rate-limited endpoint slows the whole client, not one request.
One storm of 429s (all answers to requests sent before the last cut) cuts it once.

RPM and TPM are paced buckets (GCRA): each admission reserves its slot in time at
once and sleeps until then, so waiters are served in order without polling. The burst
is one second's worth, so the caps hold over any window, not only per whole minute.
TPM is reserved from an estimate and reconciled with the usage the endpoint reports.
"""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio

__all__ = ["DEFAULT_CONCURRENCY", "Limits", "PacedBucket", "estimate_tokens"]

#: LLM requests in flight when `--concurrency` is not given (an endpoint; the embedded
#: model uses its `--slots`).
DEFAULT_CONCURRENCY = 8


def estimate_tokens(text_chars: int, max_tokens: int) -> int:
    # ~4 characters per token for English and JSON, plus the expected answer length.
    return text_chars // 4 + max_tokens


class PacedBucket:
    """`rate_per_minute` units per minute, with at most `burst_seconds` worth at once.

    A single admission larger than the burst is allowed (else it could never pass);
    it pushes every later admission back by its full cost instead.
    """

    def __init__(self, rate_per_minute: float, burst_seconds: float = 1.0) -> None:
        self.rate = rate_per_minute / 60.0
        # At least one unit fits, so rpm below 60 still lets a request through.
        self.burst = max(1.0 / self.rate, burst_seconds)
        self._tat = 0.0  # theoretical arrival time: when the bucket is empty again

    def reserve(self, amount: float) -> float:
        """Book `amount` now; return the seconds to wait before using it."""
        now = time.monotonic()
        tat = max(self._tat, now)
        cost = amount / self.rate
        # It may start once the bucket, with it added, holds at most a burst; one larger
        # than the burst waits only for an empty bucket.
        start = max(now, min(tat, tat + cost - self.burst))
        self._tat = tat + cost
        return start - now

    def wait_for(self, amount: float) -> float:
        """Seconds `reserve(amount)` would wait now, without booking anything."""
        now = time.monotonic()
        tat = max(self._tat, now)
        return max(0.0, min(tat, tat + amount / self.rate - self.burst) - now)

    async def acquire(self, amount: float = 1.0) -> None:
        wait = self.reserve(amount)
        if wait > 0:
            await anyio.sleep(wait)

    def adjust(self, amount: float) -> None:
        """Charge (positive) or refund (negative) units after the fact, without waiting."""
        self._tat = max(self._tat + amount / self.rate, time.monotonic() - self.burst)


class Limits:
    def __init__(
        self,
        *,
        concurrency: int,
        rpm: float | None = None,
        tpm: float | None = None,
        decrease: float = 0.7,
    ):
        self.max_concurrency = concurrency
        self.slots = anyio.CapacityLimiter(concurrency)
        self.rpm = PacedBucket(rpm) if rpm else None
        self.tpm = PacedBucket(tpm) if tpm else None
        self.decrease = decrease
        self.cuts = 0
        self._successes = 0
        self._last_cut = -math.inf

    @property
    def in_flight(self) -> int:
        return self.slots.borrowed_tokens

    @property
    def current_limit(self) -> int:
        return int(self.slots.total_tokens)

    @asynccontextmanager
    async def admit(self, estimated_tokens: int) -> AsyncIterator[float]:
        """Hold a slot for one attempt; yields the admission time (for `on_rate_limited`)."""
        async with self.slots:
            if self.rpm is not None:
                await self.rpm.acquire()
            if self.tpm is not None:
                await self.tpm.acquire(estimated_tokens)
            yield time.monotonic()

    @property
    def free(self) -> int:
        """Slots free now (0 while the AIMD cut holds more than it allows)."""
        return max(0, int(self.slots.total_tokens) - self.slots.borrowed_tokens)

    def take_slot(self, holder: object) -> None:
        """Hold a slot for `holder` without waiting (the router checked `free` first)."""
        self.slots.acquire_on_behalf_of_nowait(holder)

    def give_slot(self, holder: object) -> None:
        self.slots.release_on_behalf_of(holder)

    def paced(self) -> bool:
        """True when the next request would wait for the RPM or TPM bucket."""
        return (self.rpm is not None and self.rpm.wait_for(1.0) > 0) or (
            self.tpm is not None and self.tpm.wait_for(0.0) > 0
        )

    async def pace(self, estimated_tokens: int) -> float:
        """Wait for the RPM and TPM buckets (the slot is already held); the admission time."""
        if self.rpm is not None:
            await self.rpm.acquire()
        if self.tpm is not None:
            await self.tpm.acquire(estimated_tokens)
        return time.monotonic()

    def reconcile(self, estimated_tokens: int, actual_tokens: int) -> None:
        """Correct the TPM bucket by what the endpoint says the request really used."""
        if self.tpm is not None and actual_tokens != estimated_tokens:
            self.tpm.adjust(actual_tokens - estimated_tokens)

    def on_rate_limited(self, admitted_at: float = math.inf) -> None:
        # Answers to requests sent before the last cut were caused by the old limit.
        if admitted_at < self._last_cut:
            return
        self._last_cut = time.monotonic()
        self.cuts += 1
        self.slots.total_tokens = max(1, int(self.slots.total_tokens * self.decrease))
        self._successes = 0

    def on_success(self) -> None:
        limit = int(self.slots.total_tokens)
        if limit >= self.max_concurrency:
            return
        self._successes += 1
        if self._successes >= limit:
            self._successes = 0
            self.slots.total_tokens = limit + 1
