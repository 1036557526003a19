"""The openai SDK as a transport (`--llm-transport openai` or `openai-httpx`).

`http="aiohttp"` runs the SDK on its aiohttp client (`DefaultAioHttpClient`), which
served 1.6-4x the requests/s of its default httpx2 client (`http="httpx"`) at 64-1,024 in
flight (bench/transport.py). Every transport lists models through the SDK for the
start-up check.
"""

from __future__ import annotations

import os
from typing import Any, Literal

import httpx2
import openai

from apigen_async.errors import EndpointError, RequestFailed, Retryable
from apigen_async.llm.transport import raise_for_status
from apigen_async.llm.types import ChatRequest, Completion, ToolCall

__all__ = ["SdkTransport"]


class SdkTransport:
    def __init__(
        self,
        base_url: str,
        api_key: str,
        connections: int,
        timeout: float,
        *,
        http: Literal["aiohttp", "httpx"],
    ) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self._sdk = openai.AsyncOpenAI(
            base_url=base_url,
            api_key=api_key,
            max_retries=0,  # retries are the client's
            timeout=timeout,
            http_client=_http_client(http, connections, timeout),
        )

    def __repr__(self) -> str:
        return f"SdkTransport({self.base_url!r})"

    async def send(self, request: ChatRequest) -> Completion:
        kwargs: dict[str, Any] = {}
        if request.seed is not None:
            kwargs["seed"] = request.seed
        if request.response_format is not None:
            kwargs["response_format"] = request.response_format
        if request.tools is not None:
            kwargs["tools"] = request.tools
        try:
            response = await self._sdk.chat.completions.create(
                model=request.model,
                messages=request.messages,  # type: ignore[arg-type]
                temperature=request.temperature,
                max_tokens=request.max_tokens,
                **kwargs,
            )
        except openai.APITimeoutError as exc:
            raise Retryable("timeout", f"no answer within {self.timeout:g} s") from exc
        except openai.APIConnectionError as exc:
            raise Retryable("connection", f"{self.base_url}: {exc}") from exc
        except openai.APIStatusError as exc:
            headers = exc.response.headers if exc.response is not None else {}
            raise_for_status(self.base_url, request, exc.status_code, headers, _message(exc))
        except (openai.APIResponseValidationError, ValueError) as exc:
            # A cut or garbled body is a transport fault: another attempt may get it whole.
            raise Retryable("bad_response", f"unparseable HTTP body: {exc}"[:300]) from exc
        if not response.choices:
            raise RequestFailed("bad_response", "no choices")
        choice = response.choices[0]
        usage = response.usage
        return Completion(
            content=choice.message.content or "",
            finish_reason=choice.finish_reason or "stop",
            prompt_tokens=usage.prompt_tokens if usage else 0,
            completion_tokens=usage.completion_tokens if usage else 0,
            tool_calls=[
                ToolCall(name=c.function.name, arguments=c.function.arguments or "")
                for c in choice.message.tool_calls or ()
                if getattr(c, "function", None) is not None
            ],
        )

    async def list_models(self) -> list[str] | None:
        url = self.base_url
        try:
            return [m.id async for m in self._sdk.models.list()]
        except openai.APIConnectionError as exc:
            raise EndpointError(f"cannot reach the LLM endpoint at {url}: {_cause(exc)}") from exc
        except openai.AuthenticationError as exc:
            raise EndpointError(f"{url} refused the API key (401)") from exc
        except openai.APIStatusError:
            return None  # Some servers have no /models; the first request will tell.
        except (openai.APIResponseValidationError, AttributeError, TypeError, ValueError) as exc:
            # The SDK trips over a body that is not JSON (an HTML page, a proxy's notice).
            raise EndpointError(
                f"{url} does not answer like an OpenAI-compatible API (GET /models "
                "returned no model list); is the URL right, e.g. http://HOST:PORT/v1?"
            ) from exc

    async def aclose(self) -> None:
        await self._sdk.close()


def _http_client(
    http: Literal["aiohttp", "httpx"], connections: int, timeout: float
) -> httpx2.AsyncClient:
    # Keep a connection alive for every request we may have in flight: the SDK keeps
    # only 100, and reconnecting costs CPU on both ends at high concurrency.
    limits = httpx2.Limits(
        max_connections=max(connections, 1), max_keepalive_connections=max(connections, 1)
    )
    if http == "httpx":
        return openai.DefaultAsyncHttpxClient(limits=limits, timeout=timeout)
    return openai.DefaultAioHttpClient(limits=limits, timeout=timeout)


def _message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and "message" in inner:
            return str(inner["message"])
    return str(exc)[:300]


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
