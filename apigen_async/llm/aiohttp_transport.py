"""The default transport: one POST on an aiohttp session, msgspec on both ends.

The openai SDK's request transformation and pydantic models cost more CPU than
everything else of a pipeline request together (bench/transport.py, bench/README.md),
so the chat request skips them: the body is encoded and the answer decoded by msgspec
into the few fields we read. The model listing of the start-up check still goes through
the SDK (`SdkTransport.list_models`), once per run.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import msgspec

from apigen_async.errors import RequestFailed, Retryable
from apigen_async.llm.sdk_transport import SdkTransport
from apigen_async.llm.transport import error_message, raise_for_status
from apigen_async.llm.types import ChatRequest, Completion, ToolCall

__all__ = ["AiohttpTransport", "llama_grammar"]

_ENCODE = msgspec.json.Encoder().encode


class _Body(msgspec.Struct, omit_defaults=True):
    model: str
    messages: list[dict[str, str]]
    temperature: float
    max_tokens: int
    seed: int | None = None
    response_format: dict[str, Any] | None = None
    tools: list[dict[str, Any]] | None = None
    #: llama.cpp's own constraint field (see `llama_grammar`).
    grammar: str | None = None


def llama_grammar(response_format: dict[str, Any]) -> str | None:
    """llama.cpp's grammar for a `json_schema` response format, holding JSON to one line.

    llama.cpp lets a model indent the JSON a schema asks for, and small models do: the
    embedded 1.5B spent about half its output tokens on newlines and indentation
    (bench/README.md, "Issue 10: the embedded generator"). llguidance, llama.cpp's JSON
    engine here, takes fixed separators through the schema's `x-guidance` key, which the
    server reads only from a `grammar` it is given, not from `response_format`.
    """
    if response_format.get("type") != "json_schema":
        return None
    schema = response_format["json_schema"]["schema"] | {
        "x-guidance": {"whitespace_flexible": False, "key_separator": ": ", "item_separator": ", "}
    }
    return "%llguidance {}\nstart: %json " + _ENCODE(schema).decode()


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
_NO_USAGE = _Usage()


class AiohttpTransport:
    """POST /chat/completions on one aiohttp session; the session opens on first use.

    Timeouts are the client's (`anyio.fail_after` around `send`); `timeout` here is for
    the SDK's model listing. `compact_json`: the endpoint is llama.cpp's server (the
    embedded model), and a JSON response format goes as its one-line `grammar`.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        connections: int,
        timeout: float,
        *,
        compact_json: bool = False,
    ) -> None:
        self.base_url = base_url
        self.compact_json = compact_json
        self.url = base_url.rstrip("/") + "/chat/completions"
        self._headers = {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"}
        self._connections = max(1, connections)
        self._session: aiohttp.ClientSession | None = None
        self._lister = SdkTransport(base_url, api_key, connections, timeout, http="aiohttp")

    def __repr__(self) -> str:
        return f"AiohttpTransport({self.url!r})"

    async def send(self, request: ChatRequest) -> Completion:
        if self._session is None:
            # One kept-alive connection per request in flight.
            connector = aiohttp.TCPConnector(limit=self._connections, keepalive_timeout=30)
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers=self._headers,
                timeout=aiohttp.ClientTimeout(total=None),
            )
        response_format, grammar = request.response_format, None
        if (
            self.compact_json
            and response_format is not None
            and (grammar := llama_grammar(response_format))
        ):
            response_format = None
        body = _Body(
            model=request.model,
            messages=request.messages,
            temperature=request.temperature,
            max_tokens=request.max_tokens,
            seed=request.seed,
            response_format=response_format,
            tools=request.tools,
            grammar=grammar,
        )
        try:
            async with self._session.post(self.url, data=_ENCODE(body)) as response:
                status, headers, raw = response.status, response.headers, await response.read()
        except TimeoutError:
            raise  # the client's deadline (or the socket's): the client says "timeout"
        except (aiohttp.ClientError, OSError) as exc:
            raise Retryable("connection", f"{self.base_url}: {exc!r}"[:300]) from exc
        if status != 200:
            raise_for_status(self.base_url, request, status, headers, error_message(raw))
        try:
            answer = _RESPONSE.decode(raw)
        except msgspec.DecodeError as exc:
            # A cut or garbled body is a transport fault: another attempt may get it whole.
            raise Retryable("bad_response", f"unparseable HTTP body: {exc}"[:300]) from exc
        if not answer.choices:
            raise RequestFailed("bad_response", "no choices")
        choice = answer.choices[0]
        usage = answer.usage or _NO_USAGE
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

    async def list_models(self) -> list[str] | None:
        return await self._lister.list_models()

    async def aclose(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()
        await self._lister.aclose()
