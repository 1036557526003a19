"""Execute REST tools over HTTP: one shared aiohttp session, polite to every host.

Call path, one layer one job:
    cache -> host gate (pause after 429, concurrency cap, token bucket) -> retry loop
          -> one attempt (same-host redirects only, capped body) -> classify -> decode

Backends (`backend=`) differ only in where a declared host is served and in the origin
they report: `rapidapi` sends to the tool's own url (origin "real"); `local` and `virtual`
send to a `base_url_override` (`{host: "http://127.0.0.1:PORT"}`, `"*"` for every host)
while still refusing any tool whose url is not on its declared `RestEndpoint.host`. The
virtual server says where its answer came from in an `X-Apigen-Origin` header.

Expected failures are values: `ExecResult(ok=False, error=<code>)` with codes
timeout, connection, http_4xx, http_5xx, rate_limited, error_body, not_json,
body_too_large, redirect_refused, bad_host, bad_arguments.

The API key is read from the environment variable named at construction, at each request;
it is never stored on the executor, logged, cached or put in a message.

Token bucket: `aiolimiter.AsyncLimiter` (a leaky bucket of capacity `burst` draining at
`rps`): it wakes waiters with timers rather than polling and is already a dependency.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import time
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal, NamedTuple, Protocol, Self
from urllib.parse import quote, urlsplit

import aiohttp
import anyio
import orjson
from aiolimiter import AsyncLimiter
from yarl import URL

from apigen_async.errors import ConfigError
from apigen_async.llm.retry import parse_retry_after
from apigen_async.schema import Call, ExecResult, Tool

__all__ = [
    "DEFAULT_RATES",
    "DEFAULT_REST_RPS",
    "ORIGIN_HEADER",
    "Backend",
    "MemoryRestCache",
    "Rate",
    "RestCache",
    "RestExecutor",
    "cache_key",
    "host_rate",
    "is_error_body",
]

Backend = Literal["rapidapi", "local", "virtual"]
#: Requests per second per host to real APIs when `--rest-rps` is not given.
DEFAULT_REST_RPS = 5.0


class Rate(NamedTuple):
    """How fast one host is sent requests: `rps` per second, in bursts of at most `burst`."""

    rps: float
    burst: int


#: The rate per host when `--rest-rps` is not given, by backend (the one place it depends
#: on the backend): real hosts get a polite `DEFAULT_REST_RPS`; our own servers on
#: 127.0.0.1 are not throttled. A given `--rest-rps` holds on every backend.
DEFAULT_RATES: dict[Backend, Rate] = {
    "rapidapi": Rate(DEFAULT_REST_RPS, 1),
    "local": Rate(1000.0, 10),
    "virtual": Rate(10_000.0, 1000),
}


def host_rate(backend: Backend, rps: float | None, burst: int = 1) -> Rate:
    """`rps` (`--rest-rps`) and `burst` when a rate is given, else the backend's default."""
    return DEFAULT_RATES[backend] if rps is None else Rate(rps, burst)


ORIGIN_HEADER = "X-Apigen-Origin"
_ORIGINS = {"real", "cached", "simulated", "local"}
_REDIRECTS = {301, 302, 303, 307, 308}
# Failures that a rerun would reproduce: cached so a rerun spends no quota on them.
_CACHEABLE_ERRORS = {"http_4xx", "error_body", "not_json", "body_too_large"}


class RestCache(Protocol):
    """Response cache seam; the SQLite store implements it for real runs."""

    async def get(self, key: str) -> bytes | None: ...

    async def put(self, key: str, value: bytes) -> None: ...


class MemoryRestCache:
    """In-memory `RestCache` for tests and one-off runs."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    async def get(self, key: str) -> bytes | None:
        return self.data.get(key)

    async def put(self, key: str, value: bytes) -> None:
        self.data[key] = value


def cache_key(tool_name: str, arguments: dict[str, Any]) -> str:
    """(tool name, canonical JSON of arguments): equal calls share one cached response."""
    return tool_name + " " + orjson.dumps(arguments, option=orjson.OPT_SORT_KEYS).decode()


_ERROR_KEYS = {"message", "error", "errors", "detail", "msg", "info", "status", "code"}
_ERROR_KEYS |= {"success", "statusCode", "status_code", "messages", "description"}
_ERROR_WORDS = re.compile(
    r"error|invalid|not found|does ?n[o']t exist|unauthori[sz]ed|forbidden|exceeded|"
    r"not subscribed|failed|missing|denied|blocked|quota|unavailable|timed? ?out",
    re.IGNORECASE,
)


def is_error_body(obj: Any) -> bool:
    """True for a 2xx body that is really an error report, e.g. `{"message": "...error..."}`.

    Only small objects made of error-ish keys count, so a real payload that merely has a
    `message` field among its data is not mistaken for an error.
    """
    if obj is None or (isinstance(obj, str) and not obj.strip()):
        return True
    if not isinstance(obj, dict) or not obj or len(obj) > 4 or not set(obj) <= _ERROR_KEYS:
        return False
    if obj.get("success") is False:
        return True
    err = obj.get("error")
    if err not in (None, "", False, 0, [], {}) and not isinstance(err, int | float):
        return True
    if obj.get("errors"):
        return True
    for key in ("message", "detail", "msg", "info", "messages", "description"):
        value = obj.get(key)
        if isinstance(value, str) and _ERROR_WORDS.search(value):
            return True
    return False


@dataclass
class _HostGate:
    limiter: AsyncLimiter
    slots: asyncio.Semaphore
    paused_until: float = 0.0


@dataclass
class _Outcome:
    """One attempt's result, before retry policy and caching."""

    result: ExecResult
    retry: bool = False
    retry_after: float | None = None


class _TooLarge(Exception):
    pass


class _Refused(Exception):
    pass


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return orjson.dumps(value).decode()
    return str(value)


def _snippet(body: bytes, n: int = 300) -> str:
    return body[:n].decode("utf-8", "replace").strip()


class RestExecutor:
    """`async execute(tool, call) -> ExecResult` for REST tools; use as an async context."""

    def __init__(
        self,
        *,
        backend: Backend = "rapidapi",
        rps: float = DEFAULT_REST_RPS,
        burst: int = 1,
        per_host_concurrency: int = 8,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        max_body: int = 1_000_000,
        retries: int = 3,
        backoff: float = 0.5,
        max_retry_wait: float = 30.0,
        max_redirects: int = 3,
        cache: RestCache | None = None,
        key_env: str = "RAPIDAPI_KEY",
        base_url_override: dict[str, str] | None = None,
    ) -> None:
        if backend not in ("rapidapi", "local", "virtual"):
            raise ConfigError(f"unknown REST backend {backend!r}")
        if rps <= 0 or burst < 1 or per_host_concurrency < 1:
            raise ConfigError("rps must be > 0, burst and per_host_concurrency >= 1")
        self.backend = backend
        self.rps = rps
        self.burst = burst
        self.per_host_concurrency = per_host_concurrency
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.max_body = max_body
        self.retries = retries
        self.backoff = backoff
        self.max_retry_wait = max_retry_wait
        self.max_redirects = max_redirects
        self.cache = cache
        self.key_env = key_env
        self.base_url_override = {h.lower(): URL(u) for h, u in (base_url_override or {}).items()}
        self._gates: dict[str, _HostGate] = {}
        self._session: aiohttp.ClientSession | None = None
        self.counts: dict[str, int] = {}

    async def __aenter__(self) -> Self:
        if self.backend == "rapidapi" and not os.environ.get(self.key_env):
            raise ConfigError(f"REST backend rapidapi needs an API key in ${self.key_env}")
        if self.backend != "rapidapi" and not self.base_url_override:
            raise ConfigError(f"REST backend {self.backend} needs base_url_override")
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0, ttl_dns_cache=300),
            # `timeout` bounds a whole attempt, so a server trickling bytes cannot hold a
            # slot forever; connecting has its own, shorter budget.
            timeout=aiohttp.ClientTimeout(
                total=self.timeout,
                connect=min(self.connect_timeout, self.timeout),
                sock_read=self.timeout,
            ),
            auto_decompress=True,
            trust_env=False,
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            # Shielded: on Ctrl-C the enclosing scope is cancelled and would cut the close.
            with anyio.CancelScope(shield=True):
                await session.close()

    def statistics(self) -> dict[str, int]:
        """A snapshot of results by origin (`local`, `cached`, ...) or `origin:error`."""
        return dict(self.counts)

    def __repr__(self) -> str:
        return f"RestExecutor(backend={self.backend!r}, rps={self.rps}, key_env={self.key_env!r})"

    # -- public seam -------------------------------------------------------------------

    async def execute(self, tool: Tool, call: Call) -> ExecResult:
        start = time.perf_counter()
        result = await self._execute(tool, call)
        result = ExecResult(
            ok=result.ok,
            output=result.output,
            error=result.error,
            message=result.message,
            origin=result.origin,
            seconds=round(time.perf_counter() - start, 6),
        )
        tag = result.origin if result.ok else f"{result.origin}:{result.error}"
        self.counts[tag] = self.counts.get(tag, 0) + 1
        return result

    # -- layers --------------------------------------------------------------------------

    async def _execute(self, tool: Tool, call: Call) -> ExecResult:
        origin = self._default_origin()
        if tool.rest is None:
            return ExecResult(ok=False, error="bad_host", message="not a REST tool", origin=origin)
        arguments = {k: v for k, v in call.arguments.items() if v is not None}
        key = cache_key(tool.name, arguments) if self.cache is not None else ""
        if self.cache is not None:
            hit = await self.cache.get(key)
            cached = _decode_cached(hit) if hit is not None else None
            if cached is not None:
                return ExecResult(
                    ok=cached["ok"],
                    output=cached.get("output"),
                    error=cached.get("error"),
                    message=cached.get("message"),
                    origin="cached",
                )
        try:
            url, params, body = self._request_parts(tool, arguments)
        except _Refused as exc:
            return ExecResult(ok=False, error="bad_host", message=str(exc), origin=origin)
        except ValueError as exc:
            return ExecResult(ok=False, error="bad_arguments", message=str(exc), origin=origin)
        result = await self._with_retries(tool, url, params, body)
        if self.cache is not None and (result.ok or result.error in _CACHEABLE_ERRORS):
            value = {"ok": result.ok, "output": result.output, "error": result.error}
            value |= {"message": result.message, "origin": result.origin}
            await self.cache.put(key, orjson.dumps(value))
        return result

    def _default_origin(self) -> str:
        return {"rapidapi": "real", "local": "local", "virtual": "simulated"}[self.backend]

    def _request_parts(
        self, tool: Tool, arguments: dict[str, Any]
    ) -> tuple[URL, list[tuple[str, str]], bytes | None]:
        rest = tool.rest
        assert rest is not None
        parts = urlsplit(rest.url)
        declared = rest.host.lower()
        if parts.scheme not in ("http", "https") or (parts.hostname or "").lower() != declared:
            raise _Refused(f"url {rest.url!r} is not on the declared host {declared!r}")
        if parts.username or parts.password:
            raise _Refused("credentials in url")
        path = _fill_path(parts.path or "/", rest.path_params, arguments)
        target = URL.build(
            scheme=parts.scheme,
            host=declared,
            port=parts.port,
            path=path,
            query_string=parts.query,
            encoded=True,
        )
        if self.backend != "rapidapi":
            base = self.base_url_override.get(declared) or self.base_url_override.get("*")
            if base is None:
                raise _Refused(f"host {declared!r} is not served by the {self.backend} backend")
            target = URL.build(
                scheme=base.scheme,
                host=base.host or "127.0.0.1",
                port=base.port,
                path=path,
                query_string=parts.query,
                encoded=True,
            )
        rest_args = {k: v for k, v in arguments.items() if k not in rest.path_params}
        if rest.method in ("GET", "DELETE"):
            params: list[tuple[str, str]] = []
            for k, v in rest_args.items():
                if isinstance(v, list) and k.endswith("[]"):
                    params.extend((k, _query_value(x)) for x in v)
                elif isinstance(v, list):
                    params.append((k, ",".join(_query_value(x) for x in v)))
                else:
                    params.append((k, _query_value(v)))
            return target, params, None
        return target, [], orjson.dumps(rest_args)

    async def _with_retries(
        self, tool: Tool, url: URL, params: list[tuple[str, str]], body: bytes | None
    ) -> ExecResult:
        assert tool.rest is not None
        gate = self._gate(tool.rest.host.lower())
        attempt = 0
        while True:
            pause = gate.paused_until - time.monotonic()
            if pause > 0:
                await asyncio.sleep(pause)
            async with gate.slots:
                await gate.limiter.acquire()
                outcome = await self._attempt(tool, url, params, body)
            if not outcome.retry or attempt >= self.retries:
                return outcome.result
            if outcome.retry_after is not None:
                if outcome.retry_after > self.max_retry_wait:
                    return outcome.result
                wait = outcome.retry_after + random.uniform(0, 0.05)
                if outcome.result.error == "rate_limited":
                    # The quota is per host: hold every request to it, not just this one.
                    gate.paused_until = max(gate.paused_until, time.monotonic() + wait)
            else:
                wait = min(self.max_retry_wait, self.backoff * 2**attempt)
                wait *= random.uniform(0.5, 1.5)
            attempt += 1
            await asyncio.sleep(wait)

    def _gate(self, host: str) -> _HostGate:
        gate = self._gates.get(host)
        if gate is None:
            gate = _HostGate(
                limiter=AsyncLimiter(self.burst, self.burst / self.rps),
                slots=asyncio.Semaphore(self.per_host_concurrency),
            )
            self._gates[host] = gate
        return gate

    def _headers(self, tool: Tool) -> dict[str, str]:
        assert tool.rest is not None
        key = os.environ.get(self.key_env) or ("" if self.backend == "rapidapi" else "local")
        headers = {"X-RapidAPI-Key": key, "X-RapidAPI-Host": tool.rest.host}
        if self.backend != "rapidapi":
            # Lets the virtual server find the tool even when two share a host and path.
            headers["X-Apigen-Tool"] = tool.name
        return headers

    async def _attempt(
        self, tool: Tool, url: URL, params: list[tuple[str, str]], body: bytes | None
    ) -> _Outcome:
        assert self._session is not None and tool.rest is not None, "use `async with`"
        origin = self._default_origin()
        method = tool.rest.method
        headers = self._headers(tool)
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            for _ in range(self.max_redirects + 1):
                async with self._session.request(
                    method,
                    url,
                    params=params or None,
                    data=body,
                    headers=headers,
                    allow_redirects=False,
                ) as resp:
                    if resp.status in _REDIRECTS:
                        location = resp.headers.get("Location", "")
                        nxt = url.join(URL(location)) if location else None
                        if nxt is None or (nxt.host, nxt.port) != (url.host, url.port):
                            msg = f"redirect to another host refused: {location[:200]!r}"
                            return _Outcome(_fail("redirect_refused", msg, origin))
                        url, params = nxt, []
                        if resp.status == 303:
                            method, body = "GET", None
                        continue
                    raw = await self._read_capped(resp)
                    if self.backend == "virtual":
                        told = resp.headers.get(ORIGIN_HEADER, "")
                        origin = told if told in _ORIGINS else origin
                    return _classify(resp.status, resp.headers, raw, origin)
            return _Outcome(_fail("redirect_refused", "too many redirects", origin))
        except _TooLarge:
            msg = f"response body exceeds {self.max_body} bytes; cut"
            return _Outcome(_fail("body_too_large", msg, origin))
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            return _Outcome(_fail("timeout", f"no response in time ({type(exc).__name__})", origin))
        except aiohttp.ClientError as exc:
            msg = f"{type(exc).__name__}: {exc}"[:300]
            return _Outcome(_fail("connection", msg, origin), retry=True)

    async def _read_capped(self, resp: aiohttp.ClientResponse) -> bytes:
        if resp.content_length is not None and resp.content_length > self.max_body:
            raise _TooLarge
        chunks: list[bytes] = []
        size = 0
        async for chunk in resp.content.iter_chunked(65536):
            size += len(chunk)
            if size > self.max_body:
                raise _TooLarge
            chunks.append(chunk)
        return b"".join(chunks)


def _decode_cached(raw: bytes) -> dict[str, Any] | None:
    """A stored entry, or None (treated as a miss) if it is not one of ours."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    return value if isinstance(value, dict) and isinstance(value.get("ok"), bool) else None


def _fail(code: str, message: str, origin: str) -> ExecResult:
    return ExecResult(ok=False, error=code, message=message, origin=origin)


def _fill_path(path: str, names: tuple[str, ...], arguments: dict[str, Any]) -> str:
    """Substitute `{name}` segments with URL-encoded values (a '/' cannot escape a segment)."""
    out = quote(path, safe="/%:@!$&'()*+,;=-._~{}")
    for name in names:
        if name not in arguments:
            raise ValueError(f"missing path parameter {name!r}")
        value = quote(_query_value(arguments[name]), safe="")
        if value in ("", ".", ".."):
            raise ValueError(f"path parameter {name!r} has an unusable value")
        out = out.replace("{" + quote(name, safe="") + "}", value)
    return out.replace("{", "%7B").replace("}", "%7D")


def _classify(status: int, headers: Any, raw: bytes, origin: str) -> _Outcome:
    if status == 429:
        wait = parse_retry_after(headers.get("Retry-After"))
        msg = f"HTTP 429: {_snippet(raw)}"
        return _Outcome(_fail("rate_limited", msg, origin), retry=True, retry_after=wait)
    if status >= 500:
        wait = parse_retry_after(headers.get("Retry-After"))
        msg = f"HTTP {status}: {_snippet(raw)}"
        return _Outcome(_fail("http_5xx", msg, origin), retry=True, retry_after=wait)
    if status >= 400:
        return _Outcome(_fail("http_4xx", f"HTTP {status}: {_snippet(raw)}", origin))
    if status >= 300 or status < 200:
        return _Outcome(_fail("http_4xx", f"unexpected HTTP {status}", origin))
    if not raw.strip():
        return _Outcome(_fail("error_body", "empty response body", origin))
    try:
        output = orjson.loads(raw)
    except orjson.JSONDecodeError:
        result = ExecResult(
            ok=False,
            output=_snippet(raw, 2000),
            error="not_json",
            message="response is not JSON",
            origin=origin,
        )
        return _Outcome(result)
    if is_error_body(output):
        return _Outcome(_fail("error_body", _snippet(raw), origin))
    return _Outcome(ExecResult(ok=True, output=output, origin=origin))
