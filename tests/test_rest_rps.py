"""`--rest-rps` holds on every backend: measured where the requests land, on a real server
on 127.0.0.1 (the local API service, the virtual server)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from itertools import pairwise

import anyio
import pytest
from aiohttp import web

import apis.rest.service
from apigen_async.catalog.library import local_rest_tools
from apigen_async.executors.rest import DEFAULT_RATES, DEFAULT_REST_RPS
from apigen_async.executors.virtual import VirtualServer, open_rest_backend
from apigen_async.schema import Call

pytestmark = pytest.mark.anyio

Arrivals = dict[str, list[float]]
CALLS_PER_HOST = 6
# (tool, arguments) on two hosts of the local service; the number makes each call unique.
TOOLS = {
    "is_prime_for_math_toolkit": lambda n: {"number": 100 + n},
    "list_holidays_for_public_holidays": lambda n: {"country": "FR", "year": 2000 + n},
}


def _recording(arrivals: Arrivals) -> Callable[[web.Application], web.Application]:
    """Adds a first middleware to an app that notes when each request arrives, by host."""

    @web.middleware
    async def record(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        host = request.headers.get("X-RapidAPI-Host", "")
        arrivals.setdefault(host, []).append(time.monotonic())
        return await handler(request)

    def wrap(app: web.Application) -> web.Application:
        app.middlewares.insert(0, record)
        return app

    return wrap


@pytest.fixture
def arrivals(monkeypatch: pytest.MonkeyPatch) -> Arrivals:
    """Server-side arrival times of every request to the local service or virtual server."""
    seen: Arrivals = {}
    wrap = _recording(seen)
    make_app, virtual_app = apis.rest.service.make_app, VirtualServer.app
    monkeypatch.setattr(apis.rest.service, "make_app", lambda *a, **kw: wrap(make_app(*a, **kw)))
    monkeypatch.setattr(VirtualServer, "app", lambda self: wrap(virtual_app(self)))
    monkeypatch.delenv("APIGEN_TEST_NO_KEY", raising=False)
    return seen


async def _call_concurrently(backend: str, rps: float | None) -> None:
    tools = {t.name: t for t in local_rest_tools()}
    async with (
        open_rest_backend(backend, tools.values(), rps=rps, key_env="APIGEN_TEST_NO_KEY") as ex,
        anyio.create_task_group() as tg,
    ):
        for name, arguments in TOOLS.items():
            for n in range(CALLS_PER_HOST):
                call = Call(name=name, arguments=arguments(n))
                tg.start_soon(ex.execute, tools[name], call)


@pytest.mark.parametrize("backend", ["local", "virtual"])
async def test_rest_rps_spaces_the_calls_to_each_host(arrivals: Arrivals, backend: str) -> None:
    rps = 5.0
    await _call_concurrently(backend, rps)
    assert len(arrivals) == len(TOOLS)
    for host, times in arrivals.items():
        assert len(times) == CALLS_PER_HOST, host
        gaps = [b - a for a, b in pairwise(times)]
        # Each host gets one call per 1/rps (a little jitter in transit), no bursts...
        assert min(gaps) >= 0.75 / rps, (host, gaps)
        span = times[-1] - times[0]
        assert span >= (CALLS_PER_HOST - 1) / rps - 0.05, (host, gaps)
        # ...and no slower than that: ~1/rps apart.
        assert span <= (CALLS_PER_HOST - 1) / rps + 1.0, (host, gaps)
    # The rate is per host: the two hosts ran side by side, not one after the other.
    firsts = [times[0] for times in arrivals.values()]
    assert max(firsts) - min(firsts) < 0.5 / rps


@pytest.mark.parametrize("backend", ["local", "virtual"])
async def test_without_rest_rps_our_own_servers_are_not_throttled(
    arrivals: Arrivals, backend: str
) -> None:
    await _call_concurrently(backend, None)
    for host, times in arrivals.items():
        assert len(times) == CALLS_PER_HOST, host
        assert times[-1] - times[0] < 0.5, (host, times)


@pytest.mark.parametrize("backend", ["local", "virtual", "rapidapi"])
async def test_a_given_rate_is_the_executors_rate_on_every_backend(
    backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The example: `--rest-rps 0.001` once ran 6 calls in 0.4 s on `local`.
    monkeypatch.setenv("APIGEN_TEST_KEY", "k")
    tools = local_rest_tools()
    async with open_rest_backend(backend, tools, rps=0.001, key_env="APIGEN_TEST_KEY") as ex:
        assert (ex.rps, ex.burst) == (0.001, 1)
    async with open_rest_backend(backend, tools, key_env="APIGEN_TEST_KEY") as ex:
        assert (ex.rps, ex.burst) == DEFAULT_RATES[backend]
    assert DEFAULT_RATES["rapidapi"] == (DEFAULT_REST_RPS, 1)


async def test_a_low_rate_holds_on_the_local_backend(arrivals: Arrivals) -> None:
    # One host, a rate well below the default: three calls take two full periods.
    rps = 2.0
    tools = {t.name: t for t in local_rest_tools()}
    name, arguments = next(iter(TOOLS.items()))
    async with (
        open_rest_backend("local", tools.values(), rps=rps, key_env="APIGEN_TEST_NO_KEY") as ex,
        anyio.create_task_group() as tg,
    ):
        for n in range(3):
            tg.start_soon(ex.execute, tools[name], Call(name=name, arguments=arguments(n)))
    (times,) = arrivals.values()
    gaps = [b - a for a, b in pairwise(times)]
    assert len(times) == 3 and min(gaps) >= 0.9 / rps, gaps
