"""A StableToolBench-style virtual API server on 127.0.0.1.

Every REST call the pipeline makes with `--rest-backend virtual` lands here (the executor
maps each declared host to this server but keeps the host check). The answer comes from,
in order:
1. the response cache (origin "cached");
2. the real API, when a RapidAPI key is configured and the real call succeeds ("real");
3. a simulation ("simulated"): the LLM hook `simulate(tool, call)` when given and
   `mode="llm"`, else (or if the hook fails) a deterministic schema filler driven by the
   API's `template_response` and documentation (`--simulate schema`).
The origin travels back in the `X-Apigen-Origin` header; simulated and real answers are
cached so a rerun is stable and free.

Two request shapes are served:
- RapidAPI-shaped: any path, `X-RapidAPI-Host` naming the host (and `X-Apigen-Tool` the
  tool, sent by our executor), arguments in the query string or a JSON body;
- StableToolBench's `POST /virtual` with `{category, tool_name, api_name, tool_input}`,
  answered as `{"error": "", "response": "<json text>"}`.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from functools import partial
from typing import Any, Literal
from urllib.parse import quote, unquote, urlsplit

import anyio
import orjson
from aiohttp import web
from anyio.abc import TaskStatus

from apigen_async.catalog.toolbench import standardize
from apigen_async.executors.rest import (
    ORIGIN_HEADER,
    Backend,
    RestCache,
    RestExecutor,
    cache_key,
    host_rate,
)
from apigen_async.schema import Call, Param, Tool

__all__ = ["Simulator", "VirtualServer", "fill_template", "open_rest_backend", "serve_virtual"]

Simulator = Callable[[Tool, Call], Awaitable[Any]]
SimulateMode = Literal["llm", "schema"]

_LIST_OF = re.compile(r"^list of (\w+) with length (\d+)$")
_MAX_ITEMS = 3


class _Filler:
    """Deterministic values from a seed: the same (tool, arguments) gives the same body."""

    def __init__(self, seed: bytes, arguments: dict[str, Any]) -> None:
        self.seed = seed
        self.arguments = {k.lower(): v for k, v in arguments.items()}
        self.n = 0

    def _int(self, path: str, lo: int, hi: int) -> int:
        self.n += 1
        h = hashlib.blake2b(self.seed + path.encode() + bytes([self.n % 256]), digest_size=8)
        return lo + int.from_bytes(h.digest(), "big") % (hi - lo + 1)

    def leaf(self, kind: str, key: str, path: str) -> Any:
        k = key.lower()
        echo = self.arguments.get(k)
        if kind == "str":
            if isinstance(echo, str):
                return echo
            n = self._int(path, 1, 9999)
            if "url" in k or "link" in k or "image" in k or "href" in k:
                return f"https://example.com/{standardize(key) or 'item'}/{n}"
            if "date" in k or k.endswith("_at") or "time" in k:
                return f"2024-{self._int(path, 1, 12):02d}-{self._int(path, 1, 28):02d}"
            if "email" in k:
                return f"user{n}@example.com"
            if k == "id" or k.endswith("_id") or k.endswith("id"):
                return f"{n:x}{self._int(path, 4096, 65535):x}"
            return f"{standardize(key) or 'value'} {n}"
        if kind == "int":
            if isinstance(echo, int) and not isinstance(echo, bool):
                return echo
            return self._int(path, 1, 1000)
        if kind == "float":
            if isinstance(echo, float):
                return echo
            return self._int(path, 0, 100000) / 100
        if kind == "bool":
            return bool(self._int(path, 0, 1))
        if kind == "NoneType":
            return None
        if kind == "empty list":
            return []
        m = _LIST_OF.match(kind)
        if m:
            count = min(int(m.group(2)), _MAX_ITEMS)
            return [self.leaf(m.group(1), key, f"{path}[{i}]") for i in range(count)]
        return kind

    def fill(self, template: Any, key: str = "", path: str = "$") -> Any:
        if isinstance(template, dict):
            return {
                k: self.fill(v, k, f"{path}.{k}")
                for k, v in template.items()
                if k != "_list_length"
            }
        if isinstance(template, list):
            out: list[Any] = []
            for i, item in enumerate(template):
                count = 1
                if isinstance(item, dict) and isinstance(item.get("_list_length"), int):
                    count = max(1, min(item["_list_length"], _MAX_ITEMS))
                out.extend(self.fill(item, key, f"{path}[{i}.{j}]") for j in range(count))
            return out
        if isinstance(template, str):
            return self.leaf(template, key, path)
        return template


def fill_template(tool: Tool, arguments: dict[str, Any]) -> Any:
    """The schema filler: a response shaped like `template_response`, seeded by the call."""
    seed = cache_key(tool.name, arguments).encode()
    filler = _Filler(seed, arguments)
    template = tool.rest.template_response if tool.rest is not None else None
    if isinstance(template, str):
        try:
            template = orjson.loads(template)
        except orjson.JSONDecodeError:
            template = None
    if isinstance(template, dict | list) and template:
        return filler.fill(template)
    # No usable shape: a small, honest record built from the documentation.
    return {
        "api": tool.rest.api_name if tool.rest is not None else tool.name,
        "description": tool.description,
        "arguments": arguments,
        "result": filler.leaf("str", "result", "$.result"),
    }


def _coerce(param: Param | None, raw: str | list[str]) -> Any:
    """Query strings back to the declared type, so cache keys match the Call's arguments."""
    if param is None:
        return raw
    if isinstance(raw, list):
        return [_coerce(Param(name=param.name, type=param.items or "string"), x) for x in raw]
    try:
        if param.type == "integer":
            return int(raw)
        if param.type == "number":
            value = float(raw)
            return int(value) if value.is_integer() and "." not in raw else value
        if param.type == "boolean":
            return {"true": True, "false": False}.get(raw.lower(), raw)
        if param.type == "array":
            return [x for x in raw.split(",") if x]
        if param.type == "object":
            return orjson.loads(raw)
    except (ValueError, orjson.JSONDecodeError):
        return raw
    return raw


class _Route:
    """Matches a request path (as the executor encodes it) to one tool and its path args."""

    def __init__(self, tool: Tool) -> None:
        assert tool.rest is not None
        self.tool = tool
        path = urlsplit(tool.rest.url).path or "/"
        pattern = re.escape(quote(path, safe="/%:@!$&'()*+,;=-._~{}"))
        self.names: dict[str, str] = {}
        for i, name in enumerate(tool.rest.path_params):
            self.names[f"p{i}"] = name
            pattern = pattern.replace(
                re.escape("{" + quote(name, safe="") + "}"), f"(?P<p{i}>[^/]+)"
            )
        pattern = pattern.replace(re.escape("{"), "%7B").replace(re.escape("}"), "%7D")
        self.regex = re.compile(pattern + "/?$")

    def match(self, raw_path: str) -> dict[str, str] | None:
        m = self.regex.match(raw_path)
        if m is None:
            return None
        return {self.names[g]: unquote(v) for g, v in m.groupdict().items()}


class VirtualServer:
    """Answers REST calls for a set of tools: cache, then real API, then simulation."""

    def __init__(
        self,
        tools: Iterable[Tool],
        *,
        cache: RestCache | None = None,
        simulate: Simulator | None = None,
        mode: SimulateMode = "schema",
        real: RestExecutor | None = None,
    ) -> None:
        self.tools = {t.name: t for t in tools if t.source == "rest" and t.rest is not None}
        self.cache = cache
        self.simulate = simulate
        self.mode = mode
        self.real = real
        self.routes: dict[str, list[_Route]] = {}
        self.by_names: dict[tuple[str, str], Tool] = {}
        for t in self.tools.values():
            assert t.rest is not None
            self.routes.setdefault(t.rest.host.lower(), []).append(_Route(t))
            self.by_names[(standardize(t.rest.tool_name), standardize(t.rest.api_name))] = t
        self.counts: dict[str, int] = {"cached": 0, "real": 0, "simulated": 0}

    def statistics(self) -> dict[str, int]:
        """A snapshot of answers by origin: cached, real, simulated."""
        return dict(self.counts)

    def host_map(self, base_url: str) -> dict[str, str]:
        """`base_url_override` for a RestExecutor pointed at this server."""
        return {host: base_url for host in self.routes}

    # -- answering ---------------------------------------------------------------------

    async def answer(self, tool: Tool, arguments: dict[str, Any]) -> tuple[str, Any]:
        key = cache_key(tool.name, arguments)
        if self.cache is not None:
            hit = await self.cache.get(key)
            if hit is not None:
                try:
                    cached = orjson.loads(hit)
                except orjson.JSONDecodeError:
                    cached = None  # not ours: a miss
                if isinstance(cached, dict) and cached.get("ok") is True:
                    self.counts["cached"] += 1
                    return "cached", cached.get("output")
        origin, output = "simulated", None
        if self.real is not None:
            result = await self.real.execute(tool, Call(name=tool.name, arguments=arguments))
            if result.ok:
                origin, output = "real", result.output
        if origin == "simulated":
            output = await self._simulate(tool, arguments)
        if self.cache is not None:
            value = {"ok": True, "output": output, "origin": origin}
            await self.cache.put(key, orjson.dumps(value))
        self.counts[origin] += 1
        return origin, output

    async def _simulate(self, tool: Tool, arguments: dict[str, Any]) -> Any:
        if self.simulate is not None and self.mode == "llm":
            try:
                output = await self.simulate(tool, Call(name=tool.name, arguments=arguments))
                orjson.dumps(output)  # must be sendable as JSON
                return output
            except Exception:  # a failed simulation falls back to the schema
                pass
        return fill_template(tool, arguments)

    # -- HTTP ----------------------------------------------------------------------------

    def _find(self, request: web.Request) -> tuple[Tool, dict[str, str]] | None:
        host = request.headers.get("X-RapidAPI-Host", "").lower()
        named = self.tools.get(request.headers.get("X-Apigen-Tool", ""))
        for route in self.routes.get(host, []):
            if named is not None and route.tool is not named:
                continue
            found = route.match(request.raw_path.split("?")[0])
            if found is not None:
                return route.tool, found
        return None

    async def _rapidapi(self, request: web.Request) -> web.StreamResponse:
        if not request.headers.get("X-RapidAPI-Key"):
            return _json(401, {"message": "Missing RapidAPI application key."})
        found = self._find(request)
        if found is None:
            return _json(404, {"message": "API doesn't exists"})
        tool, path_args = found
        arguments: dict[str, Any] = {}
        for name in set(request.query):
            values = request.query.getall(name)
            raw: str | list[str] = values if name.endswith("[]") else values[-1]
            arguments[name] = _coerce(tool.param(name), raw)
        for name, value in path_args.items():
            arguments[name] = _coerce(tool.param(name), value)
        if request.can_read_body:
            try:
                body = orjson.loads(await request.read())
            except orjson.JSONDecodeError:
                return _json(400, {"message": "request body is not JSON"})
            if isinstance(body, dict):
                arguments.update(body)
        origin, output = await self.answer(tool, arguments)
        return _json(200, output, {ORIGIN_HEADER: origin})

    async def _stabletoolbench(self, request: web.Request) -> web.StreamResponse:
        try:
            body = orjson.loads(await request.read())
            key = (standardize(body["tool_name"]), standardize(body["api_name"]))
            tool_input = body.get("tool_input") or {}
            if isinstance(tool_input, str):
                tool_input = orjson.loads(tool_input) if tool_input.strip() else {}
        except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
            return _json(400, {"error": "bad request", "response": ""})
        tool = self.by_names.get(key)
        if tool is None or not isinstance(tool_input, dict):
            return _json(200, {"error": "API not found", "response": ""})
        origin, output = await self.answer(tool, tool_input)
        text = orjson.dumps(output).decode()
        return _json(200, {"error": "", "response": text}, {ORIGIN_HEADER: origin})

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/virtual", self._stabletoolbench)
        app.router.add_route("*", "/{tail:.*}", self._rapidapi)
        return app


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        status=status, body=orjson.dumps(body), content_type="application/json", headers=headers
    )


async def serve_virtual(
    server: VirtualServer,
    port: int = 0,
    host: str = "127.0.0.1",
    *,
    real_key_env: str | None = None,
    real_rps: float = 2.0,
    task_status: TaskStatus[int] = anyio.TASK_STATUS_IGNORED,
) -> None:
    """Serve `server` until cancelled; reports the bound port when ready.

    With `real_key_env` naming a set environment variable, misses go to the real RapidAPI
    first (through a rate-limited `RestExecutor`); otherwise straight to simulation.
    """
    real: RestExecutor | None = None
    if real_key_env and os.environ.get(real_key_env) and server.real is None:
        real = RestExecutor(backend="rapidapi", key_env=real_key_env, rps=real_rps)
        await real.__aenter__()
        server.real = real
    runner = web.AppRunner(server.app(), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        task_status.started(runner.addresses[0][1])
        await anyio.sleep_forever()
    finally:
        with anyio.CancelScope(shield=True):
            await runner.cleanup()
            if real is not None:
                server.real = None
                await real.__aexit__(None, None, None)


@asynccontextmanager
async def open_rest_backend(
    backend: Backend,
    tools: Iterable[Tool],
    *,
    cache: RestCache | None = None,
    rps: float | None = None,
    burst: int = 1,
    per_host_concurrency: int = 8,
    timeout: float = 30.0,
    max_body: int = 1_000_000,
    key_env: str = "RAPIDAPI_KEY",
    simulate: Simulator | None = None,
    simulate_mode: SimulateMode = "schema",
    local_rps_per_key: float = 1000.0,
) -> AsyncIterator[RestExecutor]:
    """A ready RestExecutor for `--rest-backend`, with its server running while open.

    `rps` (`--rest-rps`), when given, is the rate per declared host the executor sends at
    on every backend, with a bucket of `burst`. When it is None, the backend's default
    (`DEFAULT_RATES`): real hosts get `DEFAULT_REST_RPS`, our own servers on 127.0.0.1 are
    not throttled.
    - rapidapi: real hosts, key from `$key_env`, `cache` on the executor;
    - local: starts `apis.rest.service` on a free port (its per-key quota raised to let
      every host run at `rps`); `cache` on the executor;
    - virtual: starts a VirtualServer over `tools` on a free port, owning `cache` (so it
      can answer cached/real/simulated); real calls only when `$key_env` is set, limited
      to `rps` (default `DEFAULT_REST_RPS`) per host.
    """
    options = {
        "per_host_concurrency": per_host_concurrency,
        "timeout": timeout,
        "max_body": max_body,
        "key_env": key_env,
    }
    rate = host_rate(backend, rps, burst)
    if backend == "rapidapi":
        # No server to run: enter outside a task group so a missing key is a plain error.
        async with RestExecutor(
            backend="rapidapi",
            rps=rate.rps,
            burst=rate.burst,
            cache=cache,
            **options,
        ) as ex:
            yield ex
        return
    async with anyio.create_task_group() as tg:
        if backend == "local":
            from apis.rest.service import local_base_urls, serve

            hosts = local_base_urls(0)
            # All hosts share the executor's one key, so the service's quota covers them all.
            quota = local_rps_per_key if rps is None else max(local_rps_per_key, rps * len(hosts))
            port = await tg.start(partial(serve, 0, rps_per_key=quota))
            ex = RestExecutor(
                backend="local",
                rps=rate.rps,
                burst=rate.burst,
                cache=cache,
                base_url_override=local_base_urls(port),
                **options,
            )
        else:
            server = VirtualServer(tools, cache=cache, simulate=simulate, mode=simulate_mode)
            real_env = key_env if os.environ.get(key_env) else None
            # The real hosts behind the virtual server: as for the rapidapi backend.
            real_rps = host_rate("rapidapi", rps).rps
            port = await tg.start(
                partial(serve_virtual, server, 0, real_key_env=real_env, real_rps=real_rps)
            )
            ex = RestExecutor(
                backend="virtual",
                rps=rate.rps,
                burst=rate.burst,
                base_url_override=server.host_map(f"http://127.0.0.1:{port}"),
                **options,
            )
        async with ex:
            yield ex
        tg.cancel_scope.cancel()
