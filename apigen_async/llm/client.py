"""One OpenAI-compatible chat client shared by the generator and the judge.

Call path, one job per layer: cache -> admission (in-flight, RPM, TPM) -> retry with
jittered backoff honouring Retry-After -> one attempt (`openai.AsyncOpenAI`) -> decode.
Expected failures of a request come back as `LLMFailure` values; an endpoint that can
never work (unreachable at start, unknown model, bad key) raises `EndpointError`.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from typing import Any, Protocol

import anyio
import msgspec
import openai

from apigen_async.errors import EndpointError
from apigen_async.llm.limits import Limits, estimate_tokens

__all__ = ["ChatRequest", "Completion", "LLMClient", "LLMFailure", "LLMStats", "ResponseCache"]


class ChatRequest(msgspec.Struct, frozen=True, kw_only=True):
    model: str
    messages: list[dict[str, str]]
    temperature: float
    max_tokens: int
    seed: int | None = None
    response_format: dict[str, Any] | None = None

    def key(self) -> str:
        return hashlib.sha256(msgspec.json.encode(self)).hexdigest()


class Completion(msgspec.Struct, frozen=True, kw_only=True):
    content: str
    finish_reason: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached: bool = False


class LLMFailure(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    message: str


class ResponseCache(Protocol):
    async def get_completion(self, key: str) -> Completion | None: ...
    async def put_completion(self, key: str, completion: Completion) -> None: ...


@dataclass
class LLMStats:
    """Counters the client updates; the progress display reads them."""

    requests: int = 0
    cache_hits: int = 0
    retries: int = 0
    rate_limited: int = 0
    failures: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0


class _Retryable(Exception):
    def __init__(self, code: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.retry_after = retry_after


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
    ) -> None:
        self.base_url = base_url
        self.limits = limits
        self.cache = cache
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.structured = structured
        self.stats = LLMStats()
        self._avg_completion = 256.0
        # The key lives only in this client object, never in config, store or logs.
        self._openai = openai.AsyncOpenAI(
            base_url=base_url, api_key=api_key or "none", max_retries=0, timeout=timeout
        )

    def __repr__(self) -> str:
        return f"LLMClient(base_url={self.base_url!r}, api_key='***')"

    async def aclose(self) -> None:
        await self._openai.close()

    @property
    def structured_enabled(self) -> bool:
        return self.structured != "off"

    async def preflight(self, models: list[str]) -> None:
        """Fail fast, with the URL and model named, when the endpoint cannot serve us."""
        try:
            listed = [m.id async for m in self._openai.models.list()]
        except openai.APIConnectionError as exc:
            raise EndpointError(f"cannot reach the LLM endpoint at {self.base_url}: {exc}") from exc
        except openai.AuthenticationError as exc:
            raise EndpointError(f"{self.base_url} refused the API key (401)") from exc
        except openai.APIStatusError:
            return  # Some servers have no /models; the first request will tell.
        missing = [m for m in models if m not in listed]
        if missing and listed:
            raise EndpointError(
                f"model {missing[0]!r} is not served by {self.base_url}; "
                f"available: {', '.join(sorted(listed)[:20])}"
            )

    async def complete(self, request: ChatRequest) -> Completion | LLMFailure:
        if not self.structured_enabled and request.response_format is not None:
            request = msgspec.structs.replace(request, response_format=None)
        key = request.key()
        if self.cache is not None and (hit := await self.cache.get_completion(key)):
            self.stats.cache_hits += 1
            return msgspec.structs.replace(hit, cached=True)
        result = await self._with_retries(request)
        if isinstance(result, Completion) and self.cache is not None:
            await self.cache.put_completion(key, result)
        return result

    async def _with_retries(self, request: ChatRequest) -> Completion | LLMFailure:
        chars = sum(len(m["content"]) for m in request.messages)
        estimate = estimate_tokens(chars, int(min(self._avg_completion, request.max_tokens)))
        for attempt in range(self.max_retries + 1):
            if attempt:
                self.stats.retries += 1
            try:
                async with self.limits.admit(estimate):
                    completion = await self._attempt(request)
            except _Retryable as exc:
                if exc.code == "rate_limited":
                    self.stats.rate_limited += 1
                    self.limits.on_rate_limited()
                if attempt == self.max_retries:
                    self.stats.failures += 1
                    return LLMFailure(code=exc.code, message=str(exc))
                await anyio.sleep(self._backoff(attempt, exc.retry_after))
                continue
            except _StructuredUnsupported:
                self.structured = "off"
                request = msgspec.structs.replace(request, response_format=None)
                continue
            except LLMFailureError as exc:
                self.stats.failures += 1
                return exc.failure
            self.limits.on_success()
            used = completion.prompt_tokens + completion.completion_tokens
            await self.limits.reconcile(estimate, used)
            self._avg_completion = 0.9 * self._avg_completion + 0.1 * completion.completion_tokens
            return completion
        raise AssertionError("unreachable")

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        delay = min(self.backoff_cap, self.backoff_base * 2**attempt)
        delay = random.uniform(delay / 2, delay)
        return max(delay, retry_after or 0.0)

    async def _attempt(self, request: ChatRequest) -> Completion:
        self.stats.requests += 1
        kwargs: dict[str, Any] = {}
        if request.seed is not None:
            kwargs["seed"] = request.seed
        if request.response_format is not None:
            kwargs["response_format"] = request.response_format
        try:
            with anyio.fail_after(self.timeout):
                response = await self._openai.chat.completions.create(
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
            raise _Retryable(f"http_{exc.status_code}", str(exc)[:200], _retry_after(exc)) from exc
        except openai.APIConnectionError as exc:
            raise _Retryable("connection", f"{self.base_url}: {exc}") from exc
        except openai.NotFoundError as exc:
            raise EndpointError(
                f"{self.base_url} does not serve model {request.model!r}: {_message(exc)}"
            ) from exc
        except (openai.AuthenticationError, openai.PermissionDeniedError) as exc:
            raise EndpointError(f"{self.base_url} refused the API key: {_message(exc)}") from exc
        except openai.BadRequestError as exc:
            if request.response_format is not None and self.structured == "auto":
                raise _StructuredUnsupported from exc
            raise LLMFailureError(LLMFailure(code="bad_request", message=_message(exc))) from exc
        except (openai.APIResponseValidationError, ValueError) as exc:
            raise LLMFailureError(
                LLMFailure(code="bad_response", message=f"unparseable HTTP body: {exc}"[:300])
            ) from exc
        if not response.choices:
            raise LLMFailureError(LLMFailure(code="bad_response", message="no choices"))
        choice = response.choices[0]
        usage = response.usage
        prompt_tokens = usage.prompt_tokens if usage else 0
        completion_tokens = usage.completion_tokens if usage else 0
        self.stats.prompt_tokens += prompt_tokens
        self.stats.completion_tokens += completion_tokens
        return Completion(
            content=choice.message.content or "",
            finish_reason=choice.finish_reason or "stop",
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
        )


class _StructuredUnsupported(Exception):
    pass


class LLMFailureError(Exception):
    def __init__(self, failure: LLMFailure) -> None:
        super().__init__(failure.message)
        self.failure = failure


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
