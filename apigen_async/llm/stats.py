"""What the LLM client counts, and the frozen snapshots the progress display reads.

The client's layers update `LLMStats` in place (plain attribute bumps: this is on every
request's path); readers never see it, only `ClientSnapshot` copies taken by
`take_snapshot`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import msgspec

from apigen_async.llm.limits import Limits
from apigen_async.llm.pricing import price_of
from apigen_async.llm.router import Lane

__all__ = ["ClientSnapshot", "EndpointSnapshot", "LLMStats", "take_snapshot"]


@dataclass
class LLMStats:
    """Counters the client updates; the progress display reads `LLMClient.snapshot()`.

    Prices are USD per million tokens: `price_in`/`price_out` when given, else the
    built-in table by model name; `cost` is None while a used model has no price.
    """

    requests: int = 0
    cache_hits: int = 0
    retries: int = 0
    rate_limited: int = 0
    timeouts: int = 0
    failures: int = 0
    #: Attempts that got no answer (any error); per endpoint in `EndpointUsage.errors`.
    errors: int = 0
    length_retries: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    in_flight: int = 0
    #: `time.monotonic()` until which a Retry-After holds requests back (0: none).
    waiting_until: float = 0.0
    #: Requests failed in a row (after their retries); a completion resets it.
    failed_in_a_row: int = 0
    price_in: float | None = None
    price_out: float | None = None
    #: model -> [prompt tokens, completion tokens], for the cost of mixed models.
    tokens_by_model: dict[str, list[int]] = field(default_factory=dict)

    def count_tokens(self, model: str, prompt: int, completion: int) -> None:
        self.prompt_tokens += prompt
        self.completion_tokens += completion
        tokens = self.tokens_by_model.setdefault(model, [0, 0])
        tokens[0] += prompt
        tokens[1] += completion

    @property
    def cost(self) -> float | None:
        total = 0.0
        for model, (prompt, completion) in self.tokens_by_model.items():
            listed = price_of(model)
            p_in = self.price_in if self.price_in is not None else listed and listed[0]
            p_out = self.price_out if self.price_out is not None else listed and listed[1]
            if p_in is None or p_out is None:
                return None
            total += (prompt * p_in + completion * p_out) / 1e6
        return total


class ClientSnapshot(msgspec.Struct, frozen=True, kw_only=True):
    """A copy of the client's counters at one moment (what progress displays read)."""

    at: float
    requests: int
    in_flight: int
    limit: int
    max_concurrency: int
    cache_hits: int
    retries: int
    rate_limited: int
    timeouts: int
    failures: int
    length_retries: int
    prompt_tokens: int
    completion_tokens: int
    cost: float | None
    #: Seconds a Retry-After still holds requests back (0: none).
    retry_wait: float = 0.0
    errors: int = 0
    #: Per endpoint, when the run has several (in the order given).
    endpoints: tuple[EndpointSnapshot, ...] = ()


class EndpointSnapshot(msgspec.Struct, frozen=True, kw_only=True):
    url: str
    state: str  # "up", "out" (breaker open) or "probe" (half-open)
    in_flight: int
    limit: int
    requests: int
    errors: int
    prompt_tokens: int
    completion_tokens: int
    mean_latency: float


def take_snapshot(stats: LLMStats, lanes: Sequence[Lane], *, several: bool) -> ClientSnapshot:
    """`stats` and the lanes' limits now; per endpoint only when there are `several`."""
    now = time.monotonic()
    # Lanes may share one Limits (routed models of one endpoint): count each cap once.
    limits: list[Limits] = list({id(lane.limits): lane.limits for lane in lanes}.values())
    return ClientSnapshot(
        at=now,
        retry_wait=max(0.0, stats.waiting_until - now),
        requests=stats.requests,
        in_flight=stats.in_flight,
        limit=sum(lim.current_limit for lim in limits),
        max_concurrency=sum(lim.max_concurrency for lim in limits),
        errors=stats.errors,
        endpoints=_endpoint_snapshots(lanes, now) if several else (),
        cache_hits=stats.cache_hits,
        retries=stats.retries,
        rate_limited=stats.rate_limited,
        timeouts=stats.timeouts,
        failures=stats.failures,
        length_retries=stats.length_retries,
        prompt_tokens=stats.prompt_tokens,
        completion_tokens=stats.completion_tokens,
        cost=stats.cost,
    )


def _endpoint_snapshots(lanes: Sequence[Lane], now: float) -> tuple[EndpointSnapshot, ...]:
    return tuple(
        EndpointSnapshot(
            url=lane.url,
            state=(
                "up"
                if not lane.breaker.tripped
                else "probe"
                if lane.breaker.probing or now >= lane.breaker.open_until
                else "out"
            ),
            in_flight=lane.in_flight,
            limit=lane.limits.current_limit,
            requests=lane.usage.requests,
            errors=lane.usage.errors,
            prompt_tokens=lane.usage.prompt_tokens,
            completion_tokens=lane.usage.completion_tokens,
            mean_latency=lane.usage.finish().mean_latency_s,
        )
        for lane in lanes
    )
