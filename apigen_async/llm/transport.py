"""The seam between the LLM client and an endpoint: one request in, one answer out.

A `Transport` sends one `ChatRequest` to one endpoint and returns its `Completion`, or
raises one of `errors.py`'s attempt errors, so that every transport fails alike:

- `Retryable` (with the Retry-After asked for, if any): 429, 408, 409, 5xx, a timeout,
  a lost connection, a cut or garbled body;
- `StructuredOutputRefused`: a 400 or 422 to a request carrying `response_format`;
- `RequestFailed`: any other 4xx, `tools` refused, an answer without choices;
- `EndpointError`: the endpoint can never serve us (401, 403, 404).

What to do about it (retry, back off, fail over, give up) is `LLMClient`'s job, as are
timeouts, limits and counting. `raise_for_status` is the one map from an HTTP error to
those errors; each transport only says how it reads the status, headers and message.

Implementations: `AiohttpTransport` (aiohttp_transport.py, the fast default),
`SdkTransport` (sdk_transport.py, the openai SDK) and `InMemoryTransport` (below: a
function, for tests that need no HTTP).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import NoReturn, Protocol

import msgspec

from apigen_async.errors import (
    EndpointError,
    RequestFailed,
    Retryable,
    StructuredOutputRefused,
)
from apigen_async.llm.retry import retry_after_of
from apigen_async.llm.types import TOOLS_UNSUPPORTED, ChatRequest, Completion

__all__ = [
    "TRANSPORTS",
    "InMemoryTransport",
    "Transport",
    "error_message",
    "raise_for_status",
]

#: The names `--llm-transport` accepts: "aiohttp" (`AiohttpTransport`), "openai" (the SDK
#: on its aiohttp client) and "openai-httpx" (the SDK's default httpx2 client).
TRANSPORTS = ("aiohttp", "openai", "openai-httpx")


class Transport(Protocol):
    async def send(self, request: ChatRequest) -> Completion:
        """One attempt; raise an attempt error or `EndpointError` when there is no answer."""
        ...

    async def list_models(self) -> list[str] | None:
        """The models the endpoint serves (None: it does not say); `EndpointError` when
        it cannot be reached or does not speak the API."""
        ...

    async def aclose(self) -> None: ...


def raise_for_status(
    url: str, request: ChatRequest, status: int, headers: Mapping[str, str], message: str
) -> NoReturn:
    """Raise what an HTTP error `status` means for `request` (every transport's one map)."""
    # Servers without function calling answer `tools` with a 400 (vLLM without a tool
    # parser), 422, or a 500 (llama.cpp without --jinja), each naming tools in the message.
    # Other 400s (a prompt over the context size) are not about tools: they stay failures.
    if request.tools is not None and status in (400, 422, 500, 501) and "tool" in message.lower():
        raise RequestFailed(TOOLS_UNSUPPORTED, message)
    if status == 429:
        raise Retryable("rate_limited", "429 rate limited", retry_after_of(headers))
    if status in (408, 409) or status >= 500:
        raise Retryable(f"http_{status}", message, retry_after_of(headers))
    if status == 404:
        raise EndpointError(f"{url} does not serve model {request.model!r}: {message}")
    if status in (401, 403):
        raise EndpointError(f"{url} refused the API key: {message}")
    if status in (400, 422) and request.response_format is not None:
        raise StructuredOutputRefused(message)
    raise RequestFailed("bad_request" if status in (400, 422) else f"http_{status}", message)


def error_message(raw: bytes) -> str:
    """The message of an OpenAI-style error body (`{"error": {"message": ...}}`), short."""
    try:
        body = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        return raw[:300].decode(errors="replace")
    inner = body.get("error", body) if isinstance(body, dict) else body
    if isinstance(inner, dict) and "message" in inner:
        return str(inner["message"])[:300]
    return str(body)[:300]


#: What an `InMemoryTransport` calls: a Completion, or one of the errors a transport raises.
Handler = Callable[[ChatRequest], Completion | Awaitable[Completion]]


class InMemoryTransport:
    """A transport that calls `handler` instead of an endpoint (httpx's MockTransport).

    `handler` returns the answer (or an awaitable of it) or raises what a transport
    would, so the client's retries, give-up rule, limits and stats run unchanged:

        def handler(request):
            raise Retryable("rate_limited", "429", retry_after=0.1)
        client = LLMClient(base_url="memory://", api_key="", limits=...,
                           transport=InMemoryTransport(handler))
    """

    def __init__(self, handler: Handler, models: list[str] | None = None) -> None:
        self.handler = handler
        self.models = models

    async def send(self, request: ChatRequest) -> Completion:
        answer = self.handler(request)
        if inspect.isawaitable(answer):
            return await answer
        return answer

    async def list_models(self) -> list[str] | None:
        return self.models

    async def aclose(self) -> None:
        pass
