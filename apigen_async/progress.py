"""Progress output: periodic status lines built from read-only snapshots of the counters."""

from __future__ import annotations

import time

from rich.console import Console

from apigen_async.llm.client import LLMClient
from apigen_async.pipeline import RunState

__all__ = ["Progress"]


class Progress:
    def __init__(
        self,
        console: Console,
        *,
        target: int,
        client: LLMClient,
        enabled: bool = True,
        every: float = 5.0,
    ) -> None:
        self.console = console
        self.target = target
        self.client = client
        self.enabled = enabled
        self.every = every
        self._last = 0.0

    def tick(self, state: RunState) -> None:
        now = time.monotonic()
        if not self.enabled or now - self._last < self.every:
            return
        self._last = now
        self.console.print(self.line(state))

    def line(self, state: RunState) -> str:
        elapsed = max(1e-9, time.monotonic() - state.started)
        stats = self.client.stats
        rate = state.verified / elapsed
        eta = (self.target - state.prefix_verified) / rate if rate > 0 else float("inf")
        rejected = ", ".join(f"{k} {v}" for k, v in sorted(state.rejected.items())) or "none"
        return (
            f"[{elapsed:6.0f}s] verified {state.prefix_verified}/{self.target} "
            f"(ETA {eta:.0f}s) | pairs {state.generated} rejected: {rejected} | "
            f"LLM in flight {self.client.limits.in_flight}, requests {stats.requests}, "
            f"cached {stats.cache_hits}, retries {stats.retries}, 429s {stats.rate_limited} | "
            f"tok/s in {stats.prompt_tokens / elapsed:.0f} "
            f"out {stats.completion_tokens / elapsed:.0f}"
        )
