"""Progress output, built only from frozen snapshots of the run's and the client's counters.

On a terminal: a rich Live panel redrawn twice a second. Elsewhere (a log file, CI):
one plain line every `every` seconds. Disabled (`--quiet`): nothing. Rates are over
the last `window` seconds, so they follow the run rather than its start-up.
"""

from __future__ import annotations

import math
import time
from collections import deque

import msgspec
from rich.console import Console, Group
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from apigen_async.ledger import RunState
from apigen_async.llm.client import LLMClient
from apigen_async.llm.stats import ClientSnapshot, EndpointSnapshot
from apigen_async.stages import STAGES

__all__ = ["Progress", "RunSnapshot", "StatusView", "status_view"]


class RunSnapshot(msgspec.Struct, frozen=True, kw_only=True):
    at: float
    started: float
    target: int
    tasks_done: int
    generated: int
    verified: int
    prefix_verified: int
    rejected: dict[str, int]
    client: ClientSnapshot

    @classmethod
    def take(cls, state: RunState, client: LLMClient, target: int) -> RunSnapshot:
        return cls(
            at=time.monotonic(),
            started=state.started,
            target=target,
            tasks_done=state.tasks_done,
            generated=state.generated,
            verified=state.verified,
            prefix_verified=state.prefix_verified,
            rejected=dict(state.rejected),
            client=client.snapshot(),
        )


class StatusView(msgspec.Struct, frozen=True, kw_only=True):
    """What the display shows, derived from two snapshots (now and `window` ago)."""

    elapsed: float
    verified: int
    target: int
    eta: float
    pairs_per_s: float
    requests_per_s: float
    tokens_in_per_s: float
    tokens_out_per_s: float
    in_flight: int
    limit: int
    max_concurrency: int
    pass_rates: dict[str, float | None]
    rejected: dict[str, int]
    retries: int
    rate_limited: int
    timeouts: int
    failures: int
    cache_hits: int
    cost: float | None
    #: Seconds an endpoint's Retry-After still holds requests back (0: none).
    retry_wait: float = 0.0
    #: Per endpoint when there are several; requests/s over the same window.
    endpoints: tuple[EndpointSnapshot, ...] = ()
    endpoint_rps: tuple[float, ...] = ()


def status_view(now: RunSnapshot, then: RunSnapshot | None) -> StatusView:
    base = then if then is not None and now.at - then.at > 0.5 else None
    span = (now.at - base.at) if base else max(1e-9, now.at - now.started)
    c, b = now.client, base.client if base else None

    def rate(current: float, before: float) -> float:
        return (current - before) / span if span > 0 else 0.0

    pairs_rate = rate(now.verified, base.verified if base else 0)
    left = max(0, now.target - now.prefix_verified)
    eta = 0.0 if left == 0 else (left / pairs_rate if pairs_rate > 0 else math.inf)
    return StatusView(
        elapsed=now.at - now.started,
        # The last task past the target may bring more pairs than the dataset takes.
        verified=min(now.prefix_verified, now.target),
        target=now.target,
        eta=eta,
        pairs_per_s=pairs_rate,
        requests_per_s=rate(c.requests, b.requests if b else 0),
        tokens_in_per_s=rate(c.prompt_tokens, b.prompt_tokens if b else 0),
        tokens_out_per_s=rate(c.completion_tokens, b.completion_tokens if b else 0),
        in_flight=c.in_flight,
        limit=c.limit,
        max_concurrency=c.max_concurrency,
        pass_rates=_pass_rates(now),
        rejected=now.rejected,
        retries=c.retries,
        rate_limited=c.rate_limited,
        timeouts=c.timeouts,
        failures=c.failures,
        cache_hits=c.cache_hits,
        cost=c.cost,
        retry_wait=c.retry_wait,
        endpoints=c.endpoints,
        endpoint_rps=tuple(rate(e.requests, _requests_then(b, e.url)) for e in c.endpoints),
    )


def _requests_then(then: ClientSnapshot | None, url: str) -> int:
    return next((e.requests for e in then.endpoints if e.url == url), 0) if then else 0


def _pass_rates(snap: RunSnapshot) -> dict[str, float | None]:
    # Every finished pair stopped at exactly one stage or was verified, so each stage saw
    # the pairs that passed the ones before it. The first (generate) counts whole tasks.
    rej = snap.rejected
    task_stage, *pair_stages = STAGES
    rates: dict[str, float | None] = {}
    failed_tasks = rej.get(task_stage, 0)
    rates[task_stage] = _ratio(snap.tasks_done - failed_tasks, snap.tasks_done)
    entered = snap.generated
    for stage in pair_stages:
        passed = entered - rej.get(stage, 0)
        rates[stage] = _ratio(passed, entered)
        entered = passed
    return rates


def _ratio(a: int, b: int) -> float | None:
    return a / b if b > 0 else None


def _duration(seconds: float) -> str:
    if math.isinf(seconds) or math.isnan(seconds):
        return "?"
    s = int(seconds)
    return (
        f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"
    )


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def _cost(value: float | None) -> str:
    return "n/a" if value is None else f"${value:.4f}" if value < 1 else f"${value:.2f}"


def plain_line(v: StatusView) -> str:
    passes = " ".join(f"{k} {_pct(r)}" for k, r in v.pass_rates.items())
    return (
        f"[{_duration(v.elapsed)}] verified {v.verified}/{v.target} "
        f"(ETA {_duration(v.eta)}) {v.pairs_per_s:.1f} pairs/s | "
        f"LLM {v.in_flight}/{v.limit} in flight, {v.requests_per_s:.1f} req/s, "
        f"tok/s in {v.tokens_in_per_s:.0f} out {v.tokens_out_per_s:.0f} | pass {passes} | "
        f"retries {v.retries} 429s {v.rate_limited} timeouts {v.timeouts} "
        f"failed {v.failures} | cost {_cost(v.cost)}{_waiting(v)}{_endpoints_line(v)}"
    )


def _endpoints_line(v: StatusView) -> str:
    return "".join(
        f" | {e.url} {e.state} {e.in_flight}/{e.limit} {rps:.1f} req/s err {e.errors}"
        for e, rps in zip(v.endpoints, v.endpoint_rps, strict=True)
    )


def _waiting(v: StatusView) -> str:
    # Said out loud: a run held back by Retry-After otherwise looks hung.
    return f" | waiting {v.retry_wait:.0f} s (Retry-After)" if v.retry_wait >= 1 else ""


def render(v: StatusView) -> Group:
    bar = ProgressBar(total=max(1, v.target), completed=min(v.verified, v.target), width=40)
    head = Text.assemble(
        ("verified ", "bold"),
        (f"{v.verified}/{v.target}", "bold green"),
        f"  ETA {_duration(v.eta)}  elapsed {_duration(v.elapsed)}  ",
        (f"{v.pairs_per_s:.1f} pairs/s", "cyan"),
    )
    table = Table.grid(padding=(0, 2))
    for _ in range(4):
        table.add_column()
    limit = f"{v.in_flight}/{v.limit}" + (
        f" (cut from {v.max_concurrency})" if v.limit < v.max_concurrency else ""
    )
    table.add_row("LLM in flight", limit, "requests/s", f"{v.requests_per_s:.1f}")
    table.add_row(
        "tokens/s in", f"{v.tokens_in_per_s:,.0f}", "tokens/s out", f"{v.tokens_out_per_s:,.0f}"
    )
    table.add_row("retries", str(v.retries), "429s / timeouts", f"{v.rate_limited} / {v.timeouts}")
    table.add_row("failed requests", str(v.failures), "cost so far", _cost(v.cost))
    if v.retry_wait >= 1:
        table.add_row("waiting", f"{v.retry_wait:.0f} s", "for", "the endpoint's Retry-After")
    stages = Table(box=None, padding=(0, 2), show_edge=False)
    stages.add_column("stage")
    stages.add_column("pass", justify="right")
    stages.add_column("rejected", justify="right")
    for stage in STAGES:
        stages.add_row(stage, _pct(v.pass_rates.get(stage)), str(v.rejected.get(stage, 0)))
    # A grid row ends the bar's line (a bare ProgressBar does not).
    bar_row = Table.grid(padding=(0, 1))
    bar_row.add_row(bar, f"{100 * v.verified / max(1, v.target):.0f}%")
    if not v.endpoints:
        return Group(head, bar_row, table, stages)
    lanes = Table(box=None, padding=(0, 2), show_edge=False)
    for col in ("endpoint", "state", "in flight", "req/s", "requests", "errors", "tokens in",
                "tokens out", "latency s"):  # fmt: skip
        lanes.add_column(col, justify="left" if col in ("endpoint", "state") else "right")
    for e, rps in zip(v.endpoints, v.endpoint_rps, strict=True):
        lanes.add_row(e.url, e.state, f"{e.in_flight}/{e.limit}", f"{rps:.1f}", str(e.requests),
                      str(e.errors), f"{e.prompt_tokens:,}", f"{e.completion_tokens:,}",
                      f"{e.mean_latency:.2f}")  # fmt: skip
    return Group(head, bar_row, table, stages, lanes)


class Progress:
    def __init__(
        self,
        console: Console,
        *,
        target: int,
        client: LLMClient,
        enabled: bool = True,
        every: float = 5.0,
        window: float = 10.0,
        live: bool | None = None,
    ) -> None:
        self.console = console
        self.target = target
        self.client = client
        self.enabled = enabled
        self.every = every
        self.window = window
        self.live = console.is_terminal if live is None else live
        self._history: deque[RunSnapshot] = deque()
        self._last_line = -math.inf
        self._live: Live | None = None
        self._last_view: StatusView | None = None

    def snapshot(self, state: RunState) -> RunSnapshot:
        snap = RunSnapshot.take(state, self.client, self.target)
        self._history.append(snap)
        while len(self._history) > 2 and snap.at - self._history[1].at >= self.window:
            self._history.popleft()
        return snap

    def view(self, state: RunState) -> StatusView:
        now = self.snapshot(state)
        then = self._history[0] if self._history[0] is not now else None
        return status_view(now, then)

    def tick(self, state: RunState) -> None:
        if not self.enabled:
            return
        view = self._last_view = self.view(state)
        if self.live:
            if self._live is None:
                self._live = Live(
                    render(view), console=self.console, refresh_per_second=2, transient=False
                )
                self._live.start()
            else:
                self._live.update(render(view))
            return
        now = time.monotonic()
        if now - self._last_line >= self.every:
            self._last_line = now
            self.console.print(plain_line(view), highlight=False, soft_wrap=True)

    def line(self, state: RunState) -> str:
        return plain_line(self.view(state))

    def close(self) -> None:
        """Stop the live display, leaving its last frame; without one, print a last line.

        Safe to call more than once."""
        if self._live is not None:
            live, self._live = self._live, None
            live.stop()
        elif self.enabled and self._last_view is not None and not self.live:
            self.console.print(plain_line(self._last_view), highlight=False, soft_wrap=True)
        self._last_view = None
