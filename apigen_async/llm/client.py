"""One OpenAI-compatible chat client shared by the generator and the judge.

Call path, one job per layer: cache -> retry with jittered backoff honouring Retry-After
(`retry.py`) -> route (the least-loaded healthy endpoint with a free slot, `router.py`)
-> pacing (that endpoint's RPM, TPM, `limits.py`) -> one attempt under the timeout ->
the endpoint's `Transport` (`transport.py`: aiohttp by default, the openai SDK, or a
function in tests). With several endpoints an attempt that fails on one (connection
error, 5xx, timeout) is retried at once on another.

Expected failures of a request come back as `LLMFailure` values; an endpoint that can
never work (unreachable at start, unknown model, bad key) raises `EndpointError`, and
one that failed `give_up_after` requests in a row raises `EndpointGaveUp` (the circuit
breaker: a dead endpoint ends the run instead of failing every task of it). Every
message from the endpoint passes a `Scrubber` first: some proxies echo our key.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Protocol

import anyio
import msgspec

from apigen_async.errors import (
    EndpointError,
    EndpointGaveUp,
    RequestFailed,
    Retryable,
    StructuredOutputRefused,
)
from apigen_async.llm.aiohttp_transport import AiohttpTransport
from apigen_async.llm.limits import Limits, estimate_tokens
from apigen_async.llm.requestlog import RequestLog
from apigen_async.llm.retry import DEFAULT_MAX_RETRY_AFTER, RetryPolicy
from apigen_async.llm.router import EndpointUsage, Lane, Router
from apigen_async.llm.sdk_transport import SdkTransport
from apigen_async.llm.stats import ClientSnapshot, LLMStats, take_snapshot
from apigen_async.llm.transport import TRANSPORTS, Transport
from apigen_async.llm.types import ChatRequest, Completion, LLMFailure
from apigen_async.scrub import Scrubber

__all__ = ["DEFAULT_GIVE_UP_AFTER", "LLMClient", "ResponseCache"]

#: Failed requests in a row (each after its retries) that end a command's run (the client
#: itself never gives up unless told to: benchmarks study failing endpoints). With 8 in
#: flight (the default), always-429, always-500 and always-hang (--timeout 5) endpoints
#: all end the run within 2 minutes.
DEFAULT_GIVE_UP_AFTER = 8


class ResponseCache(Protocol):
    async def get_completion(self, key: str) -> Completion | None: ...
    async def put_completion(self, key: str, completion: Completion) -> None: ...


class _Miss:
    """An attempt that may be retried: its error, where it went (None: nowhere was
    free) and when it was admitted (for the AIMD cut of a 429)."""

    __slots__ = ("admitted", "error", "lane")

    def __init__(self, error: Retryable, lane: Lane | None, admitted: float) -> None:
        self.error, self.lane, self.admitted = error, lane, admitted


_encode = msgspec.json.Encoder().encode


class LLMClient:
    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        limits: Limits,
        cache: ResponseCache | None = None,
        timeout: float = 120.0,
        max_retries: int = 6,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        structured: str = "auto",
        length_retry_tokens: int | None = None,
        price_in: float | None = None,
        price_out: float | None = None,
        transport: str | Transport = "aiohttp",
        request_log: RequestLog | None = None,
        routes: Mapping[str, str] | None = None,
        lanes: Sequence[Lane] | None = None,
        keys: Mapping[str, str] | None = None,
        max_retry_after: float = DEFAULT_MAX_RETRY_AFTER,
        give_up_after: int | None = None,
        scrub: Scrubber | None = None,
        llama_server: bool = False,
    ) -> None:
        """`transport` is one of `TRANSPORTS` (a transport per endpoint, each with its
        key from `keys` or `api_key`), or a `Transport` that serves every endpoint.
        `llama_server`: every endpoint is the embedded llama.cpp server, which is sent
        JSON response formats as its compact grammar (`llama_grammar`)."""
        self.retry = RetryPolicy(
            max_retries=max_retries,
            backoff_base=backoff_base,
            backoff_cap=backoff_cap,
            max_retry_after=max_retry_after,
        )
        if isinstance(transport, str) and transport not in TRANSPORTS:
            raise ValueError(f"transport must be one of {TRANSPORTS}, not {transport!r}")
        self.base_url = base_url
        self.give_up_after = give_up_after
        self._scrub = scrub or Scrubber([api_key])
        self.request_log = request_log
        self.limits = limits
        self.cache = cache
        self.timeout = timeout
        self.structured = structured
        self.length_retry_tokens = length_retry_tokens
        self.stats = LLMStats(price_in=price_in, price_out=price_out)
        self._avg_completion = 256.0
        #: Models served somewhere other than `base_url` (the embedded checker model runs
        #: in a server of its own), by model name.
        self.routes = dict(routes or {})
        if lanes is None:
            # One endpoint, plus a lane per routed model sharing its limits (one cap in all).
            lanes = [Lane(url=base_url, limits=limits, models={}, serves_any=True)]
            lanes += [
                Lane(url=url, limits=limits, models={model: model})
                for model, url in self.routes.items()
            ]
        self.router = Router(lanes)
        keys = dict(keys or {})
        # The keys live only in the transports, never in config, store or logs.
        self._transports: dict[int, Transport] = {}
        for lane in self.router.lanes:
            if isinstance(transport, str):
                key = keys.get(lane.url, api_key) or "none"
                connections = lane.limits.max_concurrency
                self._transports[id(lane)] = _open(
                    transport, lane.url, key, connections, timeout, llama_server=llama_server
                )
            else:
                self._transports[id(lane)] = transport

    def __repr__(self) -> str:
        return f"LLMClient(base_url={self.base_url!r}, api_key='***')"

    async def aclose(self) -> None:
        for transport in {id(t): t for t in self._transports.values()}.values():
            await transport.aclose()

    @property
    def several(self) -> bool:
        """True when requests may go to more than one endpoint for the same model."""
        return any(len(self.router.candidates_of(lane)) > 1 for lane in self.router.lanes)

    def usage(self) -> list[EndpointUsage]:
        """What each endpoint did so far (copies; the report adds sessions up)."""
        return [lane.usage.finish() for lane in self.router.lanes]

    def snapshot(self) -> ClientSnapshot:
        return take_snapshot(self.stats, self.router.lanes, several=self.several)

    @property
    def structured_enabled(self) -> bool:
        return self.structured != "off"

    def url_of(self, model: str) -> str:
        """The base URL that serves `model` (the first, when several do)."""
        return self.router.candidates(model)[0].url

    async def preflight(self, models: list[str]) -> None:
        """Fail fast, with the URL and model named, when an endpoint cannot serve us."""
        by_lane: dict[int, list[str]] = {}
        for model in models:
            for lane in self.router.candidates(model):
                by_lane.setdefault(id(lane), []).append(lane.model_for(model))
        for lane in self.router.lanes:
            if id(lane) not in by_lane:
                continue
            url, wanted = lane.url, sorted(set(by_lane[id(lane)]))
            try:
                listed = await self._transports[id(lane)].list_models()
            except EndpointError as exc:
                raise EndpointError(self._scrub(str(exc))) from exc.__cause__
            if not listed:
                continue  # no /models, or an empty list: the first request will tell
            missing = [m for m in wanted if m not in listed]
            if missing:
                raise EndpointError(
                    f"model {missing[0]!r} is not served by {url}; "
                    f"available: {', '.join(sorted(listed)[:20])}"
                )

    async def complete(self, request: ChatRequest) -> Completion | LLMFailure:
        if not self.structured_enabled and request.response_format is not None:
            request = msgspec.structs.replace(request, response_format=None)
        key = request.key()
        if self.cache is not None and (hit := await self.cache.get_completion(key)):
            self.stats.cache_hits += 1
            return msgspec.structs.replace(hit, cached=True)
        started = time.monotonic()
        result = await self._with_retries(request)
        if (
            isinstance(result, Completion)
            and result.finish_reason == "length"
            and self.length_retry_tokens
            and self.length_retry_tokens > request.max_tokens
        ):
            # Cut at max_tokens: ask once more with room to finish, and count both.
            self.stats.length_retries += 1
            longer = msgspec.structs.replace(request, max_tokens=self.length_retry_tokens)
            retry = await self._with_retries(longer)
            if isinstance(retry, Completion):
                result = msgspec.structs.replace(
                    retry,
                    prompt_tokens=retry.prompt_tokens + result.prompt_tokens,
                    completion_tokens=retry.completion_tokens + result.completion_tokens,
                )
        if isinstance(result, Completion):
            self.stats.failed_in_a_row = 0
            if self.request_log is not None:
                self.request_log.write(request, result, started)
            if self.cache is not None:
                await self.cache.put_completion(key, result)
        else:
            self._count_failure(result)
        return result

    def _count_failure(self, failure: LLMFailure) -> None:
        """The give-up rule: dead endpoints end the run, not each of its tasks."""
        self.stats.failed_in_a_row += 1
        streak = self.stats.failed_in_a_row
        if self.give_up_after is not None and streak >= self.give_up_after:
            lanes = self.router.lanes
            who = (
                f"endpoint {self.base_url}"
                if not self.several
                else f"{len(lanes)} endpoints ({', '.join(lane.url for lane in lanes)})"
            )
            raise EndpointGaveUp(
                f"{who} failed {streak} requests in a row: "
                f"last error {failure.code}: {failure.message}"
            )

    async def _with_retries(self, request: ChatRequest) -> Completion | LLMFailure:
        chars = sum(len(m["content"]) for m in request.messages)
        if request.tools:
            chars += len(_encode(request.tools))
        estimate = estimate_tokens(chars, int(min(self._avg_completion, request.max_tokens)))
        policy = self.retry
        attempt = 0
        avoid: Lane | None = None
        while True:
            try:
                outcome = await self._routed(request, estimate, avoid)
            except StructuredOutputRefused as exc:
                if self.structured != "auto":
                    self.stats.failures += 1
                    return LLMFailure(code=exc.code, message=self._scrub(exc.message))
                # Not a failed attempt: the same one again, without response_format (this
                # request cannot be refused for it twice).
                self.structured = "off"
                request = msgspec.structs.replace(request, response_format=None)
                continue
            except RequestFailed as exc:
                self.stats.failures += 1
                return LLMFailure(code=exc.code, message=self._scrub(exc.message))
            except EndpointError as exc:
                raise EndpointError(self._scrub(str(exc))) from None
            if not isinstance(outcome, _Miss):
                completion, lane = outcome
                used = completion.prompt_tokens + completion.completion_tokens
                lane.limits.reconcile(estimate, used)
                self._avg_completion = (
                    0.9 * self._avg_completion + 0.1 * completion.completion_tokens
                )
                return completion
            exc, miss_lane = outcome.error, outcome.lane
            message = self._scrub(exc.message)
            if exc.code == "rate_limited":
                self.stats.rate_limited += 1
                if miss_lane is not None:
                    miss_lane.limits.on_rate_limited(outcome.admitted)
            else:
                if exc.code == "timeout":
                    self.stats.timeouts += 1
                if miss_lane is not None:
                    self.router.failed(miss_lane, f"{exc.code}: {message}"[:200])
            avoid = miss_lane
            if policy.over_cap(exc.retry_after):
                # Waiting that long looks like a stalled run; fail and let the breaker judge.
                self.stats.failures += 1
                return LLMFailure(
                    code=exc.code,
                    message=f"{message}; asked to wait {exc.retry_after:g} s (Retry-After), "
                    f"over the cap of {policy.max_retry_after:g} s (--max-retry-after)",
                )
            if attempt == policy.max_retries:
                self.stats.failures += 1
                return LLMFailure(code=exc.code, message=message)
            # Another endpoint stands ready: go there now rather than wait here.
            failover = (
                miss_lane is not None
                and exc.code != "rate_limited"
                and self.router.has_other(miss_lane, request.model)
            )
            if not failover:
                delay = policy.delay(attempt, exc.retry_after)
                if exc.retry_after:
                    self.stats.waiting_until = max(
                        self.stats.waiting_until, time.monotonic() + delay
                    )
                await anyio.sleep(delay)
            attempt += 1
            self.stats.retries += 1

    async def _routed(
        self, request: ChatRequest, estimate: int, avoid: Lane | None
    ) -> tuple[Completion, Lane] | _Miss:
        """One attempt on the endpoint the router picks; the slot is given back after."""
        holder = object()  # each attempt holds its slot under its own name
        try:
            lane = await self.router.acquire(request.model, holder, avoid)
        except Retryable as exc:  # AllOut: every endpoint of the model is out
            return _Miss(exc, None, time.monotonic())
        admitted = time.monotonic()
        try:
            admitted = await lane.limits.pace(estimate)
            completion = await self._attempt(lane, request)
        except Retryable as exc:
            return _Miss(exc, lane, admitted)
        finally:
            self.router.release(lane, holder)
        lane.limits.on_success()
        self.router.grew(lane)
        self.router.succeeded(lane)
        return completion, lane

    async def _attempt(self, lane: Lane, request: ChatRequest) -> Completion:
        usage = lane.usage
        self.stats.requests += 1
        usage.requests += 1
        self.stats.in_flight += 1
        started = time.monotonic()
        served = lane.model_for(request.model)
        if served != request.model:
            request = msgspec.structs.replace(request, model=served)
        try:
            try:
                with anyio.fail_after(self.timeout):
                    completion = await self._transports[id(lane)].send(request)
            except TimeoutError as exc:
                raise Retryable("timeout", f"no answer within {self.timeout:g} s") from exc
        except Exception:
            self.stats.errors += 1
            usage.errors += 1
            raise
        finally:
            self.stats.in_flight -= 1
        usage.answered += 1
        usage.latency_sum += time.monotonic() - started
        usage.prompt_tokens += completion.prompt_tokens
        usage.completion_tokens += completion.completion_tokens
        self.stats.count_tokens(served, completion.prompt_tokens, completion.completion_tokens)
        return msgspec.structs.replace(completion, model=served)


def _open(
    kind: str, url: str, key: str, connections: int, timeout: float, *, llama_server: bool
) -> Transport:
    """The transport named `kind` (one of `TRANSPORTS`) for the endpoint at `url`."""
    if kind == "aiohttp":
        return AiohttpTransport(url, key, connections, timeout, compact_json=llama_server)
    return SdkTransport(
        url, key, connections, timeout, http="httpx" if kind == "openai-httpx" else "aiohttp"
    )
