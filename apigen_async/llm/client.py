"""One OpenAI-compatible chat client shared by the generator and the judge.

Call path, one job per layer: cache -> retry with jittered backoff honouring Retry-After
-> route (the least-loaded healthy endpoint with a free slot, `router.py`) -> pacing
(that endpoint's RPM, TPM) -> one attempt -> decode. With several endpoints an attempt
that fails on one (connection error, 5xx, timeout) is retried at once on another.
Expected failures of a request come back as `LLMFailure` values; an endpoint that can
never work (unreachable at start, unknown model, bad key) raises `EndpointError`, and
one that failed `give_up_after` requests in a row raises `EndpointGaveUp` (the circuit
breaker: a dead endpoint ends the run instead of failing every task of it). Every
message from the endpoint passes a `Scrubber` first: some proxies echo our key.

Transports (`transport=`), measured in bench/transport.py and bench/README.md:
- "aiohttp" (default): one POST on an aiohttp session, the body encoded and the answer
  decoded by msgspec. The openai SDK's request transformation and pydantic models cost
  more CPU than everything else of a pipeline request together, so we skip them here.
- "openai": `openai.AsyncOpenAI` on its aiohttp transport (`DefaultAioHttpClient`), which
  served 1.6-4x the requests/s of the SDK's default httpx2 transport at 64-1,024 in flight.
- "openai-httpx": the SDK's default transport.
The openai SDK is always used for the preflight's model listing.
"""

from __future__ import annotations

import hashlib
import os
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import aiohttp
import anyio
import httpx2
import msgspec
import openai

from apigen_async.errors import ConfigError, EndpointError, EndpointGaveUp
from apigen_async.llm.limits import Limits, estimate_tokens
from apigen_async.llm.router import AllOut, EndpointUsage, Lane, Router
from apigen_async.scrub import Scrubber

if TYPE_CHECKING:
    from apigen_async.llm.requestlog import RequestLog

__all__ = [
    "DEFAULT_GIVE_UP_AFTER",
    "DEFAULT_MAX_RETRY_AFTER",
    "PRICES",
    "TOOLS_UNSUPPORTED",
    "TRANSPORTS",
    "ChatRequest",
    "ClientSnapshot",
    "Completion",
    "EndpointSnapshot",
    "LLMClient",
    "LLMFailure",
    "LLMStats",
    "ResponseCache",
    "ToolCall",
    "price_of",
]

#: USD per million (input, output) tokens of common OpenAI models, matched by the
#: longest prefix of the model name (dated snapshots share their family's price).
PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4-turbo": (10.00, 30.00),
    "gpt-3.5-turbo": (0.50, 1.50),
    "gpt-5-nano": (0.05, 0.40),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5": (1.25, 10.00),
    "o4-mini": (1.10, 4.40),
    "o3-mini": (1.10, 4.40),
    "o3": (2.00, 8.00),
}


#: Failed requests in a row (each after its retries) that end a command's run (the client
#: itself never gives up unless told to: benchmarks study failing endpoints). With 8 in
#: flight (the default), always-429, always-500 and always-hang (--timeout 5) endpoints
#: all end the run within 2 minutes.
DEFAULT_GIVE_UP_AFTER = 8
#: Longest Retry-After honoured; an endpoint asking for more fails the request at once.
DEFAULT_MAX_RETRY_AFTER = 120.0


def price_of(model: str) -> tuple[float, float] | None:
    """(input, output) USD per million tokens from the built-in table, if listed."""
    name = model.rsplit("/", 1)[-1].lower()
    best = max((p for p in PRICES if name.startswith(p)), key=len, default=None)
    return PRICES[best] if best else None


class ChatRequest(msgspec.Struct, frozen=True, kw_only=True):
    model: str
    messages: list[dict[str, str]]
    temperature: float
    max_tokens: int
    seed: int | None = None
    response_format: dict[str, Any] | None = None
    #: OpenAI `tools` (native function calling); the answer's calls come back in
    #: `Completion.tool_calls`.
    tools: list[dict[str, Any]] | None = None

    def key(self) -> str:
        fields = msgspec.structs.asdict(self)
        # Fields added after the first release are left out while unset, so the cache
        # keys of older requests (and their cached answers) stay what they were.
        for name in _ADDED_FIELDS:
            if fields[name] is None:
                del fields[name]
        return hashlib.sha256(msgspec.json.encode(fields)).hexdigest()


_ADDED_FIELDS = ("tools",)


class ToolCall(msgspec.Struct, frozen=True, kw_only=True):
    """One native function call as the endpoint returned it: arguments are raw JSON text
    (decoding them is the caller's judgement, not a transport fault)."""

    name: str
    arguments: str = ""


class Completion(msgspec.Struct, frozen=True, kw_only=True):
    content: str
    finish_reason: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached: bool = False
    tool_calls: list[ToolCall] = []
    #: The model that answered, under the name its endpoint serves it ("" in caches
    #: written before several endpoints existed: the requested model).
    model: str = ""


class LLMFailure(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    message: str


class ResponseCache(Protocol):
    async def get_completion(self, key: str) -> Completion | None: ...
    async def put_completion(self, key: str, completion: Completion) -> None: ...


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


class _Retryable(Exception):
    def __init__(self, code: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.retry_after = retry_after
        #: The endpoint the attempt went to (None: none was free) and when it was admitted.
        self.lane: Lane | None = None
        self.admitted = time.monotonic()


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
        transport: str = "aiohttp",
        request_log: RequestLog | None = None,
        routes: Mapping[str, str] | None = None,
        lanes: Sequence[Lane] | None = None,
        keys: Mapping[str, str] | None = None,
        max_retry_after: float = DEFAULT_MAX_RETRY_AFTER,
        give_up_after: int | None = None,
        scrub: Scrubber | None = None,
    ) -> None:
        if max_retries < 0:
            raise ConfigError(f"max_retries must be >= 0, not {max_retries}")
        self.base_url = base_url
        self.max_retry_after = max_retry_after
        self.give_up_after = give_up_after
        self._scrub = scrub or Scrubber([api_key])
        self.request_log = request_log
        self.limits = limits
        self.cache = cache
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.structured = structured
        self.length_retry_tokens = length_retry_tokens
        self.stats = LLMStats(price_in=price_in, price_out=price_out)
        self._avg_completion = 256.0
        if transport not in TRANSPORTS:
            raise ValueError(f"transport must be one of {TRANSPORTS}, not {transport!r}")
        self.transport = transport
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
        # The keys live only in these client objects, never in config, store or logs.
        self._openai: dict[int, openai.AsyncOpenAI] = {}
        self._direct: dict[int, _DirectChat] = {}
        for lane in self.router.lanes:
            key = keys.get(lane.url, api_key) or "none"
            connections = lane.limits.max_concurrency
            self._openai[id(lane)] = openai.AsyncOpenAI(
                base_url=lane.url,
                api_key=key,
                max_retries=0,
                timeout=timeout,
                http_client=_http_client(transport, connections, timeout),
            )
            if transport == "aiohttp":
                self._direct[id(lane)] = _DirectChat(lane.url, key, connections)

    def __repr__(self) -> str:
        return f"LLMClient(base_url={self.base_url!r}, api_key='***')"

    async def aclose(self) -> None:
        for direct in self._direct.values():
            await direct.close()
        for sdk in self._openai.values():
            await sdk.close()

    @property
    def several(self) -> bool:
        """True when requests may go to more than one endpoint for the same model."""
        return any(len(self.router.candidates_of(lane)) > 1 for lane in self.router.lanes)

    def usage(self) -> list[EndpointUsage]:
        """What each endpoint did so far (copies; the report adds sessions up)."""
        return [lane.usage.finish() for lane in self.router.lanes]

    def _distinct_limits(self) -> list[Limits]:
        return list({id(lane.limits): lane.limits for lane in self.router.lanes}.values())

    def _endpoint_snapshots(self) -> tuple[EndpointSnapshot, ...]:
        if not self.several:
            return ()
        now = time.monotonic()
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
            for lane in self.router.lanes
        )

    def snapshot(self) -> ClientSnapshot:
        s = self.stats
        now = time.monotonic()
        limits = self._distinct_limits()
        return ClientSnapshot(
            at=now,
            retry_wait=max(0.0, s.waiting_until - now),
            requests=s.requests,
            in_flight=s.in_flight,
            limit=sum(lim.current_limit for lim in limits),
            max_concurrency=sum(lim.max_concurrency for lim in limits),
            errors=s.errors,
            endpoints=self._endpoint_snapshots(),
            cache_hits=s.cache_hits,
            retries=s.retries,
            rate_limited=s.rate_limited,
            timeouts=s.timeouts,
            failures=s.failures,
            length_retries=s.length_retries,
            prompt_tokens=s.prompt_tokens,
            completion_tokens=s.completion_tokens,
            cost=s.cost,
        )

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
                listed = [m.id async for m in self._openai[id(lane)].models.list()]
            except openai.APIConnectionError as exc:
                raise EndpointError(
                    self._scrub(f"cannot reach the LLM endpoint at {url}: {_cause(exc)}")
                ) from exc
            except openai.AuthenticationError as exc:
                raise EndpointError(f"{url} refused the API key (401)") from exc
            except openai.APIStatusError:
                continue  # Some servers have no /models; the first request will tell.
            except (
                openai.APIResponseValidationError,
                AttributeError,
                TypeError,
                ValueError,
            ) as exc:
                # The SDK trips over a body that is not JSON (an HTML page, a proxy's notice).
                raise EndpointError(
                    f"{url} does not answer like an OpenAI-compatible API (GET /models "
                    "returned no model list); is the URL right, e.g. http://HOST:PORT/v1?"
                ) from exc
            missing = [m for m in wanted if m not in listed]
            if missing and listed:
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

    async def _routed(
        self, request: ChatRequest, estimate: int, avoid: Lane | None
    ) -> tuple[Completion, Lane]:
        """One attempt on the endpoint the router picks; the slot is given back after."""
        holder = object()  # each attempt holds its slot under its own name
        try:
            lane = await self.router.acquire(request.model, holder, avoid)
        except AllOut as exc:
            raise _Retryable("all_out", str(exc)) from None
        admitted = time.monotonic()
        try:
            admitted = await lane.limits.pace(estimate)
            completion = await self._attempt(lane, request)
        except _Retryable as exc:
            exc.lane, exc.admitted = lane, admitted
            raise
        finally:
            self.router.release(lane, holder)
        lane.limits.on_success()
        self.router.grew(lane)
        self.router.succeeded(lane)
        return completion, lane

    async def _with_retries(self, request: ChatRequest) -> Completion | LLMFailure:
        chars = sum(len(m["content"]) for m in request.messages)
        if request.tools:
            chars += len(_ENCODE(request.tools))
        estimate = estimate_tokens(chars, int(min(self._avg_completion, request.max_tokens)))
        attempt = 0
        avoid: Lane | None = None
        while True:
            try:
                completion, lane = await self._routed(request, estimate, avoid)
            except _Retryable as exc:
                lane, admitted = exc.lane, exc.admitted
                message = self._scrub(str(exc))
                if exc.code == "rate_limited":
                    self.stats.rate_limited += 1
                    if lane is not None:
                        lane.limits.on_rate_limited(admitted)
                else:
                    if exc.code == "timeout":
                        self.stats.timeouts += 1
                    if lane is not None:
                        self.router.failed(lane, f"{exc.code}: {message}"[:200])
                avoid = lane
                if exc.retry_after is not None and exc.retry_after > self.max_retry_after:
                    # Waiting that long looks like a stalled run; fail and let the breaker judge.
                    self.stats.failures += 1
                    return LLMFailure(
                        code=exc.code,
                        message=f"{message}; asked to wait {exc.retry_after:g} s (Retry-After), "
                        f"over the cap of {self.max_retry_after:g} s (--max-retry-after)",
                    )
                if attempt == self.max_retries:
                    self.stats.failures += 1
                    return LLMFailure(code=exc.code, message=message)
                # Another endpoint stands ready: go there now rather than wait here.
                failover = (
                    lane is not None
                    and exc.code != "rate_limited"
                    and self.router.has_other(lane, request.model)
                )
                if not failover:
                    delay = self._backoff(attempt, exc.retry_after)
                    if exc.retry_after:
                        self.stats.waiting_until = max(
                            self.stats.waiting_until, time.monotonic() + delay
                        )
                    await anyio.sleep(delay)
                attempt += 1
                self.stats.retries += 1
                continue
            except _StructuredUnsupported:
                # Not a failed attempt: the same one again, without response_format (this
                # request cannot be refused for it twice).
                self.structured = "off"
                request = msgspec.structs.replace(request, response_format=None)
                continue
            except LLMFailureError as exc:
                self.stats.failures += 1
                return msgspec.structs.replace(
                    exc.failure, message=self._scrub(exc.failure.message)
                )
            except EndpointError as exc:
                raise EndpointError(self._scrub(str(exc))) from None
            used = completion.prompt_tokens + completion.completion_tokens
            lane.limits.reconcile(estimate, used)
            self._avg_completion = 0.9 * self._avg_completion + 0.1 * completion.completion_tokens
            return completion

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        delay = min(self.backoff_cap, self.backoff_base * 2**attempt)
        delay = random.uniform(delay / 2, delay)
        return max(delay, retry_after or 0.0)

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
            completion = await self._send(lane, request)
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

    async def _send(self, lane: Lane, request: ChatRequest) -> Completion:
        direct = self._direct.get(id(lane))
        if direct is None:
            return await self._send_openai(lane, request)
        try:
            with anyio.fail_after(self.timeout):
                status, headers, raw = await direct.post(request)
        except TimeoutError as exc:
            raise _Retryable("timeout", f"no answer within {self.timeout:g} s") from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise _Retryable("connection", f"{lane.url}: {exc!r}"[:300]) from exc
        if status != 200:
            self._raise_for_status(lane.url, request, status, headers, raw)
        try:
            response = _RESPONSE.decode(raw)
        except msgspec.DecodeError as exc:
            # A cut or garbled body is a transport fault: another attempt may get it whole.
            raise _Retryable("bad_response", f"unparseable HTTP body: {exc}"[:300]) from exc
        if not response.choices:
            raise LLMFailureError(LLMFailure(code="bad_response", message="no choices"))
        choice = response.choices[0]
        usage = response.usage or _Usage()
        return Completion(
            content=choice.message.content or "",
            finish_reason=choice.finish_reason or "stop",
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            tool_calls=[
                ToolCall(name=c.function.name, arguments=c.function.arguments or "")
                for c in choice.message.tool_calls or ()
            ],
        )

    def _raise_for_status(
        self, url: str, request: ChatRequest, status: int, headers: Any, raw: bytes
    ) -> None:
        """Map an HTTP error to what the retry layer does with it (as the SDK would)."""
        message = _error_message(raw)
        _raise_if_tools_refused(request, status, message)
        if status == 429:
            raise _Retryable("rate_limited", "429 rate limited", _retry_after_headers(headers))
        if status in (408, 409) or status >= 500:
            raise _Retryable(f"http_{status}", message, _retry_after_headers(headers))
        if status == 404:
            raise EndpointError(f"{url} does not serve model {request.model!r}: {message}")
        if status in (401, 403):
            raise EndpointError(f"{url} refused the API key: {message}")
        if (
            status in (400, 422)
            and request.response_format is not None
            and (self.structured == "auto")
        ):
            raise _StructuredUnsupported
        code = "bad_request" if status in (400, 422) else f"http_{status}"
        raise LLMFailureError(LLMFailure(code=code, message=message))

    async def _send_openai(self, lane: Lane, request: ChatRequest) -> Completion:
        kwargs: dict[str, Any] = {}
        if request.seed is not None:
            kwargs["seed"] = request.seed
        if request.response_format is not None:
            kwargs["response_format"] = request.response_format
        if request.tools is not None:
            kwargs["tools"] = request.tools
        try:
            with anyio.fail_after(self.timeout):
                sdk = self._openai[id(lane)]
                response = await sdk.chat.completions.create(
                    model=request.model,
                    messages=request.messages,  # type: ignore[arg-type]
                    temperature=request.temperature,
                    max_tokens=request.max_tokens,
                    **kwargs,
                )
        except TimeoutError as exc:
            raise _Retryable("timeout", f"no answer within {self.timeout:g} s") from exc
        except openai.APITimeoutError as exc:
            raise _Retryable("timeout", f"no answer within {self.timeout:g} s") from exc
        except openai.RateLimitError as exc:
            raise _Retryable("rate_limited", "429 rate limited", _retry_after(exc)) from exc
        except openai.InternalServerError as exc:
            _raise_if_tools_refused(request, exc.status_code, _message(exc))
            raise _Retryable(f"http_{exc.status_code}", str(exc)[:200], _retry_after(exc)) from exc
        except openai.APIConnectionError as exc:
            raise _Retryable("connection", f"{lane.url}: {exc}") from exc
        except openai.NotFoundError as exc:
            url = lane.url
            raise EndpointError(
                f"{url} does not serve model {request.model!r}: {_message(exc)}"
            ) from exc
        except (openai.AuthenticationError, openai.PermissionDeniedError) as exc:
            url = lane.url
            raise EndpointError(f"{url} refused the API key: {_message(exc)}") from exc
        except openai.BadRequestError as exc:
            _raise_if_tools_refused(request, exc.status_code, _message(exc))
            if request.response_format is not None and self.structured == "auto":
                raise _StructuredUnsupported from exc
            raise LLMFailureError(LLMFailure(code="bad_request", message=_message(exc))) from exc
        except (openai.APIResponseValidationError, ValueError) as exc:
            # A cut or garbled body is a transport fault: another attempt may get it whole.
            raise _Retryable("bad_response", f"unparseable HTTP body: {exc}"[:300]) from exc
        if not response.choices:
            raise LLMFailureError(LLMFailure(code="bad_response", message="no choices"))
        choice = response.choices[0]
        usage = response.usage
        prompt_tokens = usage.prompt_tokens if usage else 0
        completion_tokens = usage.completion_tokens if usage else 0
        return Completion(
            content=choice.message.content or "",
            finish_reason=choice.finish_reason or "stop",
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            tool_calls=[
                ToolCall(name=c.function.name, arguments=c.function.arguments or "")
                for c in choice.message.tool_calls or ()
                if getattr(c, "function", None) is not None
            ],
        )


TRANSPORTS = ("aiohttp", "openai", "openai-httpx")


class _Body(msgspec.Struct, omit_defaults=True):
    model: str
    messages: list[dict[str, str]]
    temperature: float
    max_tokens: int
    seed: int | None = None
    response_format: dict[str, Any] | None = None
    tools: list[dict[str, Any]] | None = None


class _Function(msgspec.Struct):
    name: str = ""
    arguments: str | None = None


class _ToolCall(msgspec.Struct):
    function: _Function = msgspec.field(default_factory=_Function)


class _Message(msgspec.Struct):
    content: str | None = None
    tool_calls: list[_ToolCall] | None = None


class _Choice(msgspec.Struct):
    message: _Message = msgspec.field(default_factory=_Message)
    finish_reason: str | None = None


class _Usage(msgspec.Struct):
    prompt_tokens: int = 0
    completion_tokens: int = 0


class _ChatResponse(msgspec.Struct):
    choices: list[_Choice] = []
    usage: _Usage | None = None


_RESPONSE = msgspec.json.Decoder(_ChatResponse)
_ENCODE = msgspec.json.Encoder().encode


class _DirectChat:
    """POST /chat/completions on one aiohttp session; the session opens on first use."""

    def __init__(self, base_url: str, api_key: str, connections: int) -> None:
        self.url = _chat_url(base_url)
        self._headers = {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"}
        self._connections = max(1, connections)
        self._session: aiohttp.ClientSession | None = None

    def __repr__(self) -> str:
        return f"_DirectChat({self.url!r})"

    async def post(self, request: ChatRequest) -> tuple[int, Any, bytes]:
        if self._session is None:
            # One kept-alive connection per request in flight; timeouts are the caller's.
            connector = aiohttp.TCPConnector(limit=self._connections, keepalive_timeout=30)
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers=self._headers,
                timeout=aiohttp.ClientTimeout(total=None),
            )
        body = _Body(
            model=request.model,
            messages=request.messages,
            temperature=request.temperature,
            max_tokens=request.max_tokens,
            seed=request.seed,
            response_format=request.response_format,
            tools=request.tools,
        )
        async with self._session.post(self.url, data=_ENCODE(body)) as response:
            return response.status, response.headers, await response.read()

    async def close(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()


def _chat_url(base_url: str) -> str:
    return base_url.rstrip("/") + "/chat/completions"


def _retry_after_headers(headers: Any) -> float | None:
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is not None:
            try:
                return float(value) / scale
            except ValueError:
                continue
    return None


def _error_message(raw: bytes) -> str:
    try:
        body = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        return raw[:300].decode(errors="replace")
    inner = body.get("error", body) if isinstance(body, dict) else body
    if isinstance(inner, dict) and "message" in inner:
        return str(inner["message"])[:300]
    return str(body)[:300]


def _http_client(transport: str, connections: int, timeout: float) -> httpx2.AsyncClient:
    # Keep a connection alive for every request we may have in flight: the SDK keeps
    # only 100, and reconnecting costs CPU on both ends at high concurrency.
    limits = httpx2.Limits(
        max_connections=max(connections, 1), max_keepalive_connections=max(connections, 1)
    )
    if transport == "openai-httpx":
        return openai.DefaultAsyncHttpxClient(limits=limits, timeout=timeout)
    return openai.DefaultAioHttpClient(limits=limits, timeout=timeout)


#: `LLMFailure.code` of a request whose `tools` the endpoint refused (no function calling).
TOOLS_UNSUPPORTED = "tools_unsupported"


def _raise_if_tools_refused(request: ChatRequest, status: int, message: str) -> None:
    # Servers without function calling answer `tools` with a 400 (vLLM without a tool
    # parser), 422, or a 500 (llama.cpp without --jinja), each naming tools in the message.
    # Other 400s (a prompt over the context size) are not about tools: they stay failures.
    if request.tools is not None and status in (400, 422, 500, 501) and "tool" in message.lower():
        raise LLMFailureError(LLMFailure(code=TOOLS_UNSUPPORTED, message=message))


class _StructuredUnsupported(Exception):
    pass


class LLMFailureError(Exception):
    def __init__(self, failure: LLMFailure) -> None:
        super().__init__(failure.message)
        self.failure = failure


def _cause(exc: BaseException) -> str:
    """The innermost OS error behind `exc` ("connection refused"), else `exc` itself.

    The SDK reports a refused connection as "Request timed out." and a bad scheme as
    "Connection error.", neither of which says what to fix.
    """
    seen: BaseException | None = exc
    found: OSError | None = None
    while seen is not None:
        if isinstance(seen, OSError) and not isinstance(seen, TimeoutError):
            found = seen
        seen = seen.__cause__ or seen.__context__
    if found is None:
        return str(exc)
    if found.errno and found.errno > 0:
        return os.strerror(found.errno)  # "Connection refused"
    return found.strerror or str(found)  # name resolution: "Name or service not known"


def _retry_after(exc: openai.APIStatusError) -> float | None:
    value = exc.response.headers.get("retry-after") if exc.response is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and "message" in inner:
            return str(inner["message"])
    return str(exc)[:300]
