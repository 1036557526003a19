"""Progress output: plain lines off a terminal, a live panel on one, nothing when quiet."""

from __future__ import annotations

import io
import math
import time
from collections.abc import AsyncIterator

import pytest
from rich.console import Console

from apigen_async.llm.client import LLMClient
from apigen_async.llm.limits import Limits
from apigen_async.pipeline import RunState
from apigen_async.progress import Progress, RunSnapshot, status_view

pytestmark = pytest.mark.anyio


@pytest.fixture
async def client() -> AsyncIterator[LLMClient]:
    c = LLMClient(
        base_url="http://127.0.0.1:9/v1",
        api_key="k",
        limits=Limits(concurrency=64),
        price_in=1.0,
        price_out=4.0,
    )
    yield c
    await c.aclose()


def busy_state() -> RunState:
    state = RunState(started=0.0)
    state.tasks_done, state.generated, state.verified, state.prefix_verified = 40, 100, 50, 45
    state.rejected = {"format": 20, "execution": 20, "semantic": 10}
    return state


async def test_plain_lines_are_periodic_and_show_the_counters(client: LLMClient) -> None:
    client.stats.count_tokens("m", 3000, 1500)
    client.stats.retries, client.stats.rate_limited, client.stats.in_flight = 7, 3, 12
    client.limits.on_rate_limited()  # cap 64 -> 44
    out = io.StringIO()
    progress = Progress(Console(file=out, width=300), target=200, client=client, every=60)
    assert not progress.live
    state = busy_state()
    progress.tick(state)
    progress.tick(state)  # within `every`: no second line
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    line = lines[0]
    assert "verified 45/200" in line
    assert "LLM 12/44 in flight" in line
    assert "retries 7 429s 3" in line
    # Pass rates per stage: 80 of 100 passed format, 60 of 80 execution, 50 of 60 judge.
    assert "format 80% rules 100% execution 75% resolve 100% semantic 83%" in line
    assert "cost $0.0090" in line  # 3000 * 1 + 1500 * 4 per million
    progress.close()  # a final line off a terminal
    assert len(out.getvalue().splitlines()) == 2


async def test_live_panel_on_a_terminal_and_close_stops_it(client: LLMClient) -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120)
    progress = Progress(console, target=200, client=client)
    assert progress.live
    progress.tick(busy_state())
    assert progress._live is not None and progress._live.is_started
    progress.tick(busy_state())
    progress.close()
    progress.close()
    assert progress._live is None
    text = out.getvalue()
    assert "verified" in text and "45/200" in text and "semantic" in text and "$0.0000" in text


async def test_quiet_prints_nothing(client: LLMClient) -> None:
    out = io.StringIO()
    progress = Progress(Console(file=out, force_terminal=True), target=5, client=client,
                        enabled=False)  # fmt: skip
    progress.tick(busy_state())
    progress.close()
    assert out.getvalue() == ""


async def test_rates_and_eta_come_from_the_recent_window(client: LLMClient) -> None:
    before = RunSnapshot.take(busy_state(), client, 245)
    client.stats.count_tokens("m", 10_000, 2_000)
    client.stats.requests += 40
    later = busy_state()
    later.verified += 20
    later.prefix_verified += 20
    now = RunSnapshot.take(later, client, 245)
    now = RunSnapshot(
        **{**{f: getattr(now, f) for f in now.__struct_fields__}, "at": before.at + 10}
    )
    view = status_view(now, before)
    assert view.pairs_per_s == pytest.approx(2.0)
    assert view.requests_per_s == pytest.approx(4.0)
    assert view.tokens_in_per_s == pytest.approx(1000.0)
    assert view.tokens_out_per_s == pytest.approx(200.0)
    assert view.eta == pytest.approx((245 - 65) / 2.0)
    stalled = status_view(before, None)
    assert stalled.pass_rates["format"] == pytest.approx(0.8)
    idle = RunSnapshot.take(RunState(), client, 10)
    assert math.isinf(status_view(idle, None).eta)
    assert status_view(idle, None).pass_rates["format"] is None


async def test_verified_never_shows_more_than_the_target(client: LLMClient) -> None:
    # The last task past the target may bring several pairs: "66/50" was shown.
    state = busy_state()
    state.prefix_verified = 66
    view = status_view(RunSnapshot.take(state, client, 50), None)
    assert (view.verified, view.target) == (50, 50)


async def test_a_retry_after_wait_is_shown(client: LLMClient) -> None:
    client.stats.waiting_until = time.monotonic() + 30
    view = status_view(RunSnapshot.take(busy_state(), client, 200), None)
    assert 29 < view.retry_wait <= 30
    out = io.StringIO()
    progress = Progress(Console(file=out, width=300), target=200, client=client, every=60)
    progress.tick(busy_state())
    assert "waiting 30 s (Retry-After)" in out.getvalue()
