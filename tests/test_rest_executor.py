"""RestExecutor against real aiohttp servers on 127.0.0.1 that misbehave on purpose."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import anyio
import orjson
import pytest
from aiohttp import web

from apigen_async.executors.rest import MemoryRestCache, RestExecutor, cache_key, is_error_body
from apigen_async.schema import Call, Param, RestEndpoint, Tool

pytestmark = pytest.mark.anyio

HOST = "test-api.p.rapidapi.com"


class Server:
    """Records every request (time, path, headers) and serves scripted answers."""

    def __init__(self) -> None:
        self.hits: list[tuple[float, str, dict[str, str], str]] = []
        self.counters: dict[str, int] = {}
        self.in_flight = 0
        self.max_in_flight = 0
        self.port = 0

    def times(self, path: str) -> list[float]:
        return [t for t, p, _, _ in self.hits if p == path]

    def app(self) -> web.Application:
        async def handle(request: web.Request) -> web.StreamResponse:
            path = request.path
            self.hits.append((time.monotonic(), path, dict(request.headers), request.raw_path))
            n = self.counters[path] = self.counters.get(path, 0) + 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            try:
                return await self.answer(request, path, n)
            finally:
                self.in_flight -= 1

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handle)
        return app

    async def answer(self, request: web.Request, path: str, n: int) -> web.StreamResponse:
        if path == "/ok":
            return web.json_response({"value": 1, "args": dict(request.query)})
        if path == "/throttled":  # first call: 429 Retry-After 1
            if n == 1:
                return web.json_response(
                    {"message": "Too many requests"}, status=429, headers={"Retry-After": "1"}
                )
            return web.json_response({"value": "after wait"})
        if path == "/always429":
            return web.json_response({"message": "slow down"}, status=429)
        if path == "/flaky":  # two 5xx then success
            if n <= 2:
                return web.json_response({"message": "boom"}, status=503)
            return web.json_response({"value": "third time lucky"})
        if path == "/down":
            return web.json_response({"message": "down"}, status=500)
        if path == "/slow":
            await asyncio.sleep(1.0)
            return web.json_response({"value": "late"})
        if path == "/held":
            await asyncio.sleep(0.15)
            return web.json_response({"value": "held"})
        if path == "/big":
            return web.Response(
                body=b"[" + b"1," * 200_000 + b"1]", content_type="application/json"
            )
        if path == "/stream":  # chunked, no Content-Length: the cap must cut while reading
            resp = web.StreamResponse()
            resp.content_type = "application/json"
            await resp.prepare(request)
            for _ in range(100):
                await resp.write(b" " * 10_000)
            await resp.write(b"{}")
            return resp
        if path == "/redirect-away":
            raise web.HTTPFound("http://example.org/steal")
        if path == "/redirect-home":
            raise web.HTTPFound("/ok?from=redirect")
        if path == "/error-body":
            return web.json_response({"message": "Internal error: quota exceeded"})
        if path == "/empty":
            return web.Response(body=b"", content_type="application/json")
        if path == "/text":
            return web.Response(text="<html>hello</html>", content_type="text/html")
        if path == "/missing":
            return web.json_response({"message": "no such thing"}, status=404)
        if path.startswith("/items/"):
            return web.json_response({"raw_path": request.raw_path})
        if path == "/echo-post":
            return web.json_response({"body": await request.json()})
        return web.json_response({"message": "unknown"}, status=404)


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    srv = Server()
    runner = web.AppRunner(srv.app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    srv.port = runner.addresses[0][1]
    try:
        yield srv
    finally:
        await runner.cleanup()


def make_tool(
    path: str,
    *,
    method: str = "GET",
    host: str = HOST,
    url_host: str | None = None,
    path_params: tuple[str, ...] = (),
) -> Tool:
    params = tuple(Param(name=p, type="string") for p in path_params)
    return Tool(
        name="t_"
        + path.strip("/").replace("/", "_").replace("{", "").replace("}", "").replace("-", "_"),
        description="test",
        parameters=(*params, Param(name="q", type="string", required=False)),
        source="rest",
        rest=RestEndpoint(
            host=host,
            url=f"https://{url_host or host}{path}",
            method=method,
            path_params=path_params,
        ),
    )


def executor(srv: Server, **kw: Any) -> RestExecutor:
    options: dict[str, Any] = {
        "backend": "local",
        "rps": 100.0,
        "burst": 10,
        "timeout": 5.0,
        "retries": 3,
        "backoff": 0.05,
        "base_url_override": {HOST: f"http://127.0.0.1:{srv.port}"},
    }
    options.update(kw)
    return RestExecutor(**options)


async def run(srv: Server, tool: Tool, args: dict[str, Any] | None = None, **kw: Any):
    async with executor(srv, **kw) as ex:
        return await ex.execute(tool, Call(name=tool.name, arguments=args or {}))


async def test_ok_call_sends_query_and_rapidapi_headers(server: Server, monkeypatch) -> None:
    monkeypatch.setenv("MY_TEST_KEY", "s3cret-key")
    r = await run(
        server, make_tool("/ok"), {"q": "paris", "n": 3, "flag": True}, key_env="MY_TEST_KEY"
    )
    assert r.ok and r.origin == "local"
    assert r.output == {"value": 1, "args": {"q": "paris", "n": "3", "flag": "true"}}
    headers = server.hits[-1][2]
    assert headers["X-RapidAPI-Key"] == "s3cret-key"
    assert headers["X-RapidAPI-Host"] == HOST


async def test_429_retry_after_is_honoured(server: Server) -> None:
    r = await run(server, make_tool("/throttled"))
    assert r.ok and r.output == {"value": "after wait"}
    first, second = server.times("/throttled")
    assert second - first >= 0.95  # waited the server's Retry-After: 1


async def test_429_gives_up_as_rate_limited(server: Server) -> None:
    r = await run(server, make_tool("/always429"), retries=2)
    assert not r.ok and r.error == "rate_limited"
    assert len(server.times("/always429")) == 3


async def test_5xx_retried_then_succeeds(server: Server) -> None:
    r = await run(server, make_tool("/flaky"))
    assert r.ok and r.output == {"value": "third time lucky"}
    assert len(server.times("/flaky")) == 3


async def test_5xx_exhausted(server: Server) -> None:
    r = await run(server, make_tool("/down"), retries=1)
    assert not r.ok and r.error == "http_5xx" and "500" in (r.message or "")
    assert len(server.times("/down")) == 2


async def test_timeout(server: Server) -> None:
    start = time.monotonic()
    r = await run(server, make_tool("/slow"), timeout=0.2)
    assert not r.ok and r.error == "timeout"
    assert time.monotonic() - start < 0.8


async def test_oversized_body_cut(server: Server) -> None:
    r = await run(server, make_tool("/big"), max_body=100_000)
    assert not r.ok and r.error == "body_too_large"
    r = await run(server, make_tool("/stream"), max_body=50_000)
    assert not r.ok and r.error == "body_too_large"
    r = await run(server, make_tool("/stream"), max_body=2_000_000)
    assert r.ok and r.output == {}


async def test_redirect_to_other_host_refused(server: Server) -> None:
    r = await run(server, make_tool("/redirect-away"))
    assert not r.ok and r.error == "redirect_refused" and "example.org" in (r.message or "")
    r = await run(server, make_tool("/redirect-home"))
    assert r.ok and r.output["args"] == {"from": "redirect"}


async def test_error_bodies_detected(server: Server) -> None:
    r = await run(server, make_tool("/error-body"))
    assert not r.ok and r.error == "error_body"
    r = await run(server, make_tool("/empty"))
    assert not r.ok and r.error == "error_body"
    r = await run(server, make_tool("/text"))
    assert not r.ok and r.error == "not_json" and "hello" in r.output
    r = await run(server, make_tool("/missing"))
    assert not r.ok and r.error == "http_4xx"


def test_error_body_rule() -> None:
    assert is_error_body({"message": "You are not subscribed to this API."})
    assert is_error_body({"error": "Invalid API key"})
    assert is_error_body({"success": False, "message": "nope"})
    assert is_error_body(None)
    assert not is_error_body({"message": "Hello world"})
    assert not is_error_body({"message": "error", "data": [1], "x": 1, "y": 2, "z": 3})
    assert not is_error_body({"quote": "errors are human"})
    assert not is_error_body([])


async def test_path_params_url_encoded(server: Server) -> None:
    tool = make_tool("/items/{id}", path_params=("id",))
    r = await run(server, tool, {"id": "a/../b c?x=1"})
    assert r.ok
    assert r.output["raw_path"] == "/items/a%2F..%2Fb%20c%3Fx%3D1"


async def test_post_sends_json_body(server: Server) -> None:
    r = await run(server, make_tool("/echo-post", method="POST"), {"q": "x", "n": [1, 2]})
    assert r.ok and r.output == {"body": {"q": "x", "n": [1, 2]}}


async def test_only_declared_host(server: Server) -> None:
    tool = make_tool("/ok", url_host="evil.example.com")
    r = await run(server, tool)
    assert not r.ok and r.error == "bad_host"
    other = make_tool("/ok", host="other.p.rapidapi.com")  # host not served locally
    r = await run(server, other)
    assert not r.ok and r.error == "bad_host"
    assert server.hits == []


async def test_rapidapi_backend_goes_to_declared_host(server: Server, monkeypatch) -> None:
    monkeypatch.setenv("RAPIDAPI_TEST_KEY", "s3cr3t-value")
    tool = Tool(
        name="direct",
        description="d",
        source="rest",
        rest=RestEndpoint(host="127.0.0.1", url=f"http://127.0.0.1:{server.port}/ok"),
    )
    async with RestExecutor(backend="rapidapi", key_env="RAPIDAPI_TEST_KEY") as ex:
        r = await ex.execute(tool, Call(name="direct", arguments={}))
        # The key is read from the environment per request, never kept on the executor.
        assert "s3cr3t-value" not in repr(ex) + repr(vars(ex))
    assert r.ok and r.origin == "real"


async def test_connection_error(server: Server) -> None:
    with_dead_port = {HOST: "http://127.0.0.1:9"}
    r = await run(server, make_tool("/ok"), base_url_override=with_dead_port, retries=1)
    assert not r.ok and r.error == "connection"


async def test_cache_spends_no_second_request(server: Server) -> None:
    cache = MemoryRestCache()
    tool = make_tool("/ok")
    async with executor(server, cache=cache) as ex:
        a = await ex.execute(tool, Call(name=tool.name, arguments={"q": "x", "b": 1}))
        b = await ex.execute(tool, Call(name=tool.name, arguments={"b": 1, "q": "x"}))
    assert a.ok and a.origin == "local"
    assert b.ok and b.origin == "cached" and b.output == a.output
    assert len(server.times("/ok")) == 1
    assert cache_key(tool.name, {"q": "x", "b": 1}) in cache.data


async def test_per_host_rate_limit_held(server: Server) -> None:
    rps, burst, n = 20.0, 2, 24
    tool = make_tool("/ok")
    ex = executor(server, rps=rps, burst=burst, per_host_concurrency=64)
    async with ex, anyio.create_task_group() as tg:
        for i in range(n):
            tg.start_soon(ex.execute, tool, Call(name=tool.name, arguments={"q": str(i)}))
    times = sorted(server.times("/ok"))
    assert len(times) == n
    # A token bucket of `burst` refilled at `rps`: any k+burst requests span >= k/rps.
    slack = 0.02
    for i in range(n):
        for j in range(i + burst, n):
            assert times[j] - times[i] >= (j - i - burst + 1) / rps - slack, (i, j)
    assert times[-1] - times[0] >= (n - burst) / rps - slack


async def test_per_host_concurrency_cap(server: Server) -> None:
    tool = make_tool("/held")
    ex = executor(server, per_host_concurrency=2, rps=1000, burst=100)
    async with ex, anyio.create_task_group() as tg:
        for i in range(6):
            tg.start_soon(ex.execute, tool, Call(name=tool.name, arguments={"q": str(i)}))
    assert server.max_in_flight == 2


async def test_cache_value_is_plain_json(server: Server) -> None:
    cache = MemoryRestCache()
    tool = make_tool("/missing")
    async with executor(server, cache=cache) as ex:
        r1 = await ex.execute(tool, Call(name=tool.name, arguments={}))
        r2 = await ex.execute(tool, Call(name=tool.name, arguments={}))
    assert r1.error == r2.error == "http_4xx" and r2.origin == "cached"
    stored = orjson.loads(next(iter(cache.data.values())))
    assert stored["ok"] is False and stored["error"] == "http_4xx"
