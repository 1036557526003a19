"""The router over several endpoints: weighted least-loaded choice, breaker, all out."""

from __future__ import annotations

import time

import anyio
import pytest

from apigen_async.errors import EndpointGaveUp
from apigen_async.llm.client import LLMClient
from apigen_async.llm.limits import Limits
from apigen_async.llm.router import FIRST_COOLDOWN, TRIP_AFTER, Breaker, Lane
from apigen_async.llm.types import LLMFailure
from bench.fake_openai import FakeConfig, FakeOpenAI, Fixed
from tests.helpers import free_port
from tests.test_llm_client import complete_all, text_request

pytestmark = pytest.mark.anyio


def _lane(url: str, *, concurrency: int = 8, weight: float = 1.0) -> Lane:
    return Lane(url, Limits(concurrency=concurrency), {"fake": "fake"}, weight=weight)


def _client(lanes: list[Lane], **kw: object) -> LLMClient:
    options = {"api_key": "k", "timeout": 5.0, "max_retries": 4, "backoff_base": 0.01,
               "backoff_cap": 0.05} | kw  # fmt: skip
    return LLMClient(
        base_url=lanes[0].url,
        limits=lanes[0].limits,
        lanes=lanes,
        **options,  # type: ignore[arg-type]
    )


async def test_requests_split_by_weight_when_capacity_is_spare() -> None:
    config = FakeConfig(latency=Fixed(0.03))
    async with FakeOpenAI(config) as heavy, FakeOpenAI(config) as light:
        lanes = [_lane(heavy.base_url, weight=3), _lane(light.base_url, weight=1)]
        client = _client(lanes)
        outer = anyio.CapacityLimiter(4)  # fewer in flight than either endpoint allows

        async def one(i: int) -> None:
            async with outer:
                assert not isinstance(await client.complete(text_request(i)), LLMFailure)

        try:
            async with anyio.create_task_group() as tg:
                for i in range(60):
                    tg.start_soon(one, i)
        finally:
            await client.aclose()
    assert len(heavy.requests) + len(light.requests) == 60
    # Load is in flight over (limit x weight): the heavier endpoint takes about 3 in 4.
    assert len(heavy.requests) >= 2 * len(light.requests) > 0
    usage = client.usage()
    assert [u.requests for u in usage] == [len(heavy.requests), len(light.requests)]
    assert sum(u.prompt_tokens for u in usage) == client.stats.prompt_tokens


async def test_dead_endpoint_is_taken_out_and_its_requests_go_elsewhere() -> None:
    async with FakeOpenAI(FakeConfig(latency=Fixed(0.01))) as alive:
        dead = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
        client = _client([_lane(dead), _lane(alive.base_url)], give_up_after=3)
        try:
            await complete_all(client, [text_request(i) for i in range(40)])
        finally:
            await client.aclose()
    down, up = client.usage()
    assert len(alive.requests) == 40 == up.answered
    # Out after TRIP_AFTER failures (plus those already on their way when it tripped).
    assert down.trips >= 1 and TRIP_AFTER <= down.errors < 12
    assert client.stats.failures == 0


async def test_all_endpoints_out_fails_with_each_named() -> None:
    urls = [f"http://127.0.0.1:{free_port()}/v1" for _ in range(2)]
    client = _client([_lane(u) for u in urls], max_retries=3, give_up_after=2)
    try:
        with pytest.raises(BaseExceptionGroup) as caught:
            async with anyio.create_task_group() as tg:
                for i in range(6):
                    tg.start_soon(client.complete, text_request(i))
    finally:
        await client.aclose()
    gave_up = caught.value.exceptions[0]
    assert isinstance(gave_up, EndpointGaveUp)
    message = str(gave_up)
    assert message.startswith(f"2 endpoints ({urls[0]}, {urls[1]}) failed 2 requests in a row")
    assert "all 2 endpoints are out" in message or "connection" in message


def test_breaker_trips_probes_once_and_closes_on_an_answer() -> None:
    b = Breaker()
    for _ in range(TRIP_AFTER - 1):
        assert not b.failed(0.0, "x")
    assert b.failed(0.0, "x") and b.out
    assert not b.available(0.5)  # cooling down
    assert b.available(b.open_until)
    probe_at = b.open_until
    b.picked(probe_at)  # the probe
    assert not b.available(probe_at)  # one probe at a time
    assert b.failed(probe_at, "still down")  # out again, for twice as long
    assert b.open_until == probe_at + 2 * FIRST_COOLDOWN
    b.picked(b.open_until)
    b.succeeded()
    assert not b.out and b.available(0.0)


async def test_panel_shows_each_endpoint_adding_up_to_the_totals() -> None:
    from rich.console import Console

    from apigen_async.pipeline import RunState
    from apigen_async.progress import Progress, plain_line, render

    async with FakeOpenAI(FakeConfig()) as one, FakeOpenAI(FakeConfig()) as two:
        client = _client([_lane(one.base_url), _lane(two.base_url)])
        try:
            await complete_all(client, [text_request(i) for i in range(20)])
        finally:
            await client.aclose()
    progress = Progress(Console(width=200), target=10, client=client, enabled=True, live=False)
    view = progress.view(RunState())
    assert [e.url for e in view.endpoints] == [one.base_url, two.base_url]
    assert sum(e.requests for e in view.endpoints) == client.stats.requests == 20
    assert sum(e.completion_tokens for e in view.endpoints) == client.stats.completion_tokens
    line = plain_line(view)
    assert f"{one.base_url} up 0/8" in line and f"{two.base_url} up 0/8" in line
    console = Console(width=200, record=True)
    console.print(render(view))
    assert one.base_url in console.export_text()


async def test_an_endpoint_at_its_rpm_is_passed_over_while_another_is_ready() -> None:
    async with FakeOpenAI(FakeConfig()) as slow, FakeOpenAI(FakeConfig()) as free:
        paced = Lane(slow.base_url, Limits(concurrency=8, rpm=60), {"fake": "fake"})
        client = _client([paced, _lane(free.base_url)])
        started = time.monotonic()
        try:
            await complete_all(client, [text_request(i) for i in range(6)])
        finally:
            await client.aclose()
    # 60 per minute allows one now; the others went where nothing held them back (while
    # it had free slots: past them, waiting for the bucket is the way to go).
    assert len(slow.requests) == 1 and len(free.requests) == 5
    assert time.monotonic() - started < 0.9
