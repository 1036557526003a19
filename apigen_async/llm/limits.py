"""Admission control for LLM requests: in-flight cap (adaptive), RPM and TPM.

The in-flight cap shrinks multiplicatively on a 429 and grows back additively on
success (AIMD), so a rate-limited endpoint slows the whole client, not one request.
RPM and TPM are leaky buckets (aiolimiter); TPM is reserved from an estimate before a
request and reconciled with the usage the endpoint reports.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from aiolimiter import AsyncLimiter

__all__ = ["Limits", "estimate_tokens"]


def estimate_tokens(text_chars: int, max_tokens: int) -> int:
    # ~4 characters per token for English and JSON; the answer may use all of max_tokens.
    return text_chars // 4 + max_tokens


class Limits:
    def __init__(self, *, concurrency: int, rpm: float | None = None, tpm: float | None = None):
        self.max_concurrency = concurrency
        self.slots = anyio.CapacityLimiter(concurrency)
        self.rpm = AsyncLimiter(rpm, 60) if rpm else None
        self.tpm = AsyncLimiter(tpm, 60) if tpm else None
        self._tpm_capacity = tpm or 0
        self._successes = 0

    @property
    def in_flight(self) -> int:
        return self.slots.borrowed_tokens

    @property
    def current_limit(self) -> int:
        return int(self.slots.total_tokens)

    @asynccontextmanager
    async def admit(self, estimated_tokens: int) -> AsyncIterator[None]:
        async with self.slots:
            if self.rpm is not None:
                await self.rpm.acquire()
            if self.tpm is not None:
                await self.tpm.acquire(min(estimated_tokens, self._tpm_capacity))
            yield

    async def reconcile(self, estimated_tokens: int, actual_tokens: int) -> None:
        """Charge the TPM bucket for tokens used beyond the estimate."""
        extra = actual_tokens - estimated_tokens
        if self.tpm is not None and extra > 0:
            await self.tpm.acquire(min(extra, self._tpm_capacity))

    def on_rate_limited(self) -> None:
        self.slots.total_tokens = max(1, int(self.slots.total_tokens * 0.7))
        self._successes = 0

    def on_success(self) -> None:
        limit = int(self.slots.total_tokens)
        if limit >= self.max_concurrency:
            return
        self._successes += 1
        if self._successes >= limit:
            self._successes = 0
            self.slots.total_tokens = limit + 1
