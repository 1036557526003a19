"""The local API service: an aiohttp app serving every endpoint of `apis.rest.endpoints`.

It behaves like a RapidAPI-hosted API so the REST executor is exercised for real offline:
- every request needs an `X-RapidAPI-Key` header (any non-empty key; 401 otherwise);
- each key has a per-second quota (token bucket); over it -> 429 with `Retry-After`;
- an `X-RapidAPI-Host` header, when sent, must name the endpoint's tool host (else 404);
- bad parameters -> 400 `{"message": ...}`, unknown things -> 404 `{"message": ...}`.

Start it inside a task group with `await tg.start(serve, 0)` (returns the bound port), or
`python -m apis.rest.service --port 8765`.
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import orjson
from aiohttp import web
from anyio.abc import TaskStatus

from apis.rest.framework import ApiError, Endpoint, parse, registry

__all__ = ["TOOLS_DIR", "local_base_urls", "make_app", "serve"]

TOOLS_DIR = Path(__file__).resolve().parent / "tools"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        status=status,
        body=orjson.dumps(body),
        content_type="application/json",
        headers=headers,
    )


class _KeyQuota:
    """Per-key token bucket: `rate` requests/s with a burst of one second's worth."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self.buckets: dict[str, tuple[float, float]] = {}

    def take(self, key: str) -> float:
        """0 when allowed, else seconds until a token is available."""
        now = time.monotonic()
        tokens, last = self.buckets.get(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        if tokens >= 1:
            self.buckets[key] = (tokens - 1, now)
            return 0.0
        self.buckets[key] = (tokens, now)
        return (1 - tokens) / self.rate


def _endpoint_handler(ep: Endpoint) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        sent_host = request.headers.get("X-RapidAPI-Host")
        if sent_host and sent_host.lower() != ep.tool.host:
            return _json(404, {"message": "API doesn't exists"})
        try:
            kwargs = {}
            for p in ep.params:
                raw = request.match_info.get(p.name)
                if raw is None:
                    raw = request.query.get(p.name)
                kwargs[p.name] = parse(p, raw)
            return _json(200, ep.handler(**kwargs))
        except ApiError as err:
            return _json(err.status, {"message": err.message})

    return handle


def make_app(rps_per_key: float = 50.0) -> web.Application:
    quota = _KeyQuota(rps_per_key)

    @web.middleware
    async def gate(request: web.Request, handler: Handler) -> web.StreamResponse:
        key = request.headers.get("X-RapidAPI-Key", "").strip()
        if not key:
            return _json(401, {"message": "Missing RapidAPI application key."})
        wait = quota.take(key)
        if wait > 0:
            return _json(
                429,
                {"message": "You have exceeded the rate limit per second for your plan"},
                {"Retry-After": str(max(1, math.ceil(wait)))},
            )
        try:
            return await handler(request)
        except web.HTTPNotFound:
            return _json(404, {"message": f"Endpoint '{request.path}' does not exist"})
        except web.HTTPMethodNotAllowed:
            return _json(405, {"message": f"Method {request.method} not allowed"})

    app = web.Application(middlewares=[gate])
    for ep in registry():
        app.router.add_get(ep.path, _endpoint_handler(ep))
    return app


async def serve(
    port: int = 0,
    host: str = "127.0.0.1",
    *,
    rps_per_key: float = 50.0,
    task_status: TaskStatus[int] = anyio.TASK_STATUS_IGNORED,
) -> None:
    """Serve until cancelled; reports the bound port (useful with port 0) when ready."""
    runner = web.AppRunner(make_app(rps_per_key), access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound = runner.addresses[0][1]
        task_status.started(bound)
        await anyio.sleep_forever()
    finally:
        with anyio.CancelScope(shield=True):
            await runner.cleanup()


def local_base_urls(port: int, host: str = "127.0.0.1") -> dict[str, str]:
    """`base_url_override` for RestExecutor: every local tool host -> this service."""
    return {ep.tool.host: f"http://{host}:{port}" for ep in registry()}


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the local REST API service.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--rps-per-key", type=float, default=50.0)
    args = parser.parse_args()

    async def run() -> None:
        async with anyio.create_task_group() as tg:
            port = await tg.start(
                lambda task_status: serve(
                    args.port,
                    args.host,
                    rps_per_key=args.rps_per_key,
                    task_status=task_status,
                )
            )
            print(f"local APIs on http://{args.host}:{port} ({len(registry())} tools)")

    anyio.run(run)


if __name__ == "__main__":
    main()
