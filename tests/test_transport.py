"""The client's policy without HTTP: an `InMemoryTransport` answers, the client decides.

Also the one error map every transport shares, and the one Retry-After reader (which the
REST executor uses too).
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Iterator
from typing import Any

import anyio
import msgspec
import pytest

from apigen_async.errors import (
    ConfigError,
    EndpointError,
    EndpointGaveUp,
    RequestFailed,
    Retryable,
    StructuredOutputRefused,
)
from apigen_async.llm.client import LLMClient
from apigen_async.llm.limits import Limits
from apigen_async.llm.retry import RetryPolicy, parse_retry_after, retry_after_of
from apigen_async.llm.transport import InMemoryTransport, raise_for_status
from apigen_async.llm.types import TOOLS_UNSUPPORTED, ChatRequest, Completion, LLMFailure
from tests.helpers import chat_endpoint

REQUEST = ChatRequest(
    model="m", messages=[{"role": "user", "content": "hi"}], temperature=0.0, max_tokens=8
)
OK = Completion(content="ok", finish_reason="stop", prompt_tokens=3, completion_tokens=1)


def scripted(*steps: Completion | Exception) -> tuple[Callable[[ChatRequest], Completion], list]:
    """A handler playing `steps` in order (the last one forever), and the requests it saw."""
    seen: list[ChatRequest] = []
    script: Iterator[Completion | Exception] = iter(steps)
    last: list[Completion | Exception] = [steps[-1]]

    def handler(request: ChatRequest) -> Completion:
        seen.append(request)
        step = next(script, last[0])
        if isinstance(step, Exception):
            raise step
        return step

    return handler, seen


def client_with(handler: Any, **kw: Any) -> LLMClient:
    kw = {"max_retries": 3, "backoff_base": 0.001, "backoff_cap": 0.002} | kw
    return LLMClient(
        base_url="memory://",
        api_key="secret-key-0123456789",
        limits=Limits(concurrency=4),
        transport=InMemoryTransport(handler),
        **kw,
    )


@pytest.mark.anyio
async def test_a_retryable_error_is_retried_until_an_answer() -> None:
    handler, seen = scripted(Retryable("http_503", "busy"), Retryable("rate_limited", "429"), OK)
    client = client_with(handler)
    result = await client.complete(REQUEST)
    assert isinstance(result, Completion) and result.content == "ok" and result.model == "m"
    assert len(seen) == 3
    s = client.stats
    assert (s.requests, s.retries, s.errors, s.rate_limited, s.failures) == (3, 2, 2, 1, 0)
    assert client.limits.cuts == 1  # the 429 cut the in-flight cap (AIMD)
    assert (s.prompt_tokens, s.completion_tokens) == (3, 1)


@pytest.mark.anyio
async def test_retries_run_out_then_the_give_up_rule_ends_the_run() -> None:
    handler, seen = scripted(Retryable("http_500", "boom with secret-key-0123456789"))
    client = client_with(handler, max_retries=2, give_up_after=2)
    first = await client.complete(REQUEST)
    assert first == LLMFailure(code="http_500", message="boom with ***")
    assert len(seen) == 3 and client.stats.failures == 1
    with pytest.raises(EndpointGaveUp, match="failed 2 requests in a row: last error http_500"):
        await client.complete(REQUEST)
    # An answer resets the streak.
    handler = scripted(Retryable("x", "y"), OK, Retryable("x", "y"))[0]
    client = client_with(handler, max_retries=0, give_up_after=2)
    assert isinstance(await client.complete(REQUEST), LLMFailure)
    assert isinstance(await client.complete(REQUEST), Completion)
    assert isinstance(await client.complete(REQUEST), LLMFailure)  # streak 1 again, no raise


@pytest.mark.anyio
async def test_retry_after_is_honoured_and_shown() -> None:
    handler, seen = scripted(Retryable("rate_limited", "429", retry_after=0.3), OK)
    client = client_with(handler)
    waits: list[float] = []

    async def watch() -> None:
        await anyio.sleep(0.1)
        waits.append(client.snapshot().retry_wait)

    started = time.monotonic()
    async with anyio.create_task_group() as tg:
        tg.start_soon(watch)
        result = await client.complete(REQUEST)
    assert isinstance(result, Completion)
    assert time.monotonic() - started >= 0.3  # not the 1-2 ms backoff
    assert len(seen) == 2
    assert 0.1 < waits[0] <= 0.21  # the progress display saw the wait


@pytest.mark.anyio
async def test_retry_after_over_the_cap_fails_at_once() -> None:
    handler, seen = scripted(Retryable("rate_limited", "429", retry_after=3600), OK)
    client = client_with(handler, max_retry_after=60)
    with anyio.fail_after(1):
        result = await client.complete(REQUEST)
    assert isinstance(result, LLMFailure) and result.code == "rate_limited"
    assert "asked to wait 3600 s (Retry-After), over the cap of 60 s" in result.message
    assert len(seen) == 1 and client.stats.retries == 0


@pytest.mark.anyio
async def test_an_attempt_over_the_timeout_is_a_retryable_timeout() -> None:
    calls = 0

    async def slow_then_fast(request: ChatRequest) -> Completion:
        nonlocal calls
        calls += 1
        if calls == 1:
            await anyio.sleep(10)
        return OK

    client = client_with(slow_then_fast, timeout=0.05)
    with anyio.fail_after(2):
        result = await client.complete(REQUEST)
    assert isinstance(result, Completion)
    assert (client.stats.timeouts, client.stats.retries, calls) == (1, 1, 2)


@pytest.mark.anyio
async def test_refused_structured_output_is_switched_off_once_in_auto_mode() -> None:
    handler, seen = scripted(StructuredOutputRefused("no json_schema"), OK)
    structured = msgspec.structs.replace(REQUEST, response_format={"type": "json_object"})
    client = client_with(handler, max_retries=0)
    assert isinstance(await client.complete(structured), Completion)
    assert client.structured == "off" and seen[-1].response_format is None
    assert client.stats.retries == 0  # not a failed attempt
    strict = client_with(scripted(StructuredOutputRefused("no json_schema"))[0], structured="on")
    failure = await strict.complete(structured)
    assert failure == LLMFailure(code="bad_request", message="no json_schema")


@pytest.mark.anyio
async def test_request_failures_and_endpoint_errors_are_not_retried() -> None:
    handler, seen = scripted(RequestFailed("bad_request", "temperature > 2"))
    client = client_with(handler)
    assert await client.complete(REQUEST) == LLMFailure(
        code="bad_request", message="temperature > 2"
    )
    assert len(seen) == 1
    handler, seen = scripted(EndpointError("memory:// refused secret-key-0123456789"))
    with pytest.raises(EndpointError, match=r"refused \*\*\*$"):
        await client_with(handler).complete(REQUEST)
    assert len(seen) == 1


@pytest.mark.anyio
async def test_preflight_asks_the_transport_for_its_models() -> None:
    handler = scripted(OK)[0]
    client = LLMClient(
        base_url="memory://",
        api_key="",
        limits=Limits(concurrency=1),
        transport=InMemoryTransport(handler, models=["a", "b"]),
    )
    await client.preflight(["a"])
    with pytest.raises(EndpointError, match="model 'c' is not served by memory://"):
        await client.preflight(["a", "c"])
    await client_with(handler).preflight(["c"])  # no model list: the first request tells
    await client.aclose()


def test_max_retries_below_zero_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="max_retries must be >= 0, not -1"):
        client_with(scripted(OK)[0], max_retries=-1)


def test_backoff_doubles_with_jitter_up_to_the_cap_and_never_under_retry_after() -> None:
    policy = RetryPolicy(backoff_base=1.0, backoff_cap=4.0)
    for attempt, (low, high) in enumerate([(0.5, 1), (1, 2), (2, 4), (2, 4), (2, 4)]):
        assert all(low <= policy.delay(attempt, None) <= high for _ in range(50))
    assert policy.delay(0, 9.0) == 9.0
    assert policy.over_cap(121.0) and not policy.over_cap(120.0) and not policy.over_cap(None)


def _http_date(offset: float) -> str:
    return email.utils.formatdate(time.time() + offset, usegmt=True)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3", 3.0),
        (" 1.5 ", 1.5),
        ("0", 0.0),
        ("-4", 0.0),
        (None, None),
        ("", None),
        ("soon", None),
        ("Wed, 99 Foo 2025 00:00:00 GMT", None),
        ("nan", None),
        ("inf", None),
        (_http_date(-3600), 0.0),
    ],
)
def test_retry_after_reads_seconds_and_dates_and_rejects_garbage(
    value: str | None, expected: float | None
) -> None:
    assert parse_retry_after(value) == expected


def test_retry_after_reads_an_http_date_in_the_future() -> None:
    seconds = parse_retry_after(_http_date(30))
    assert seconds is not None and 28 <= seconds <= 30


def test_retry_after_ms_comes_first_for_llm_endpoints() -> None:
    assert retry_after_of({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    assert retry_after_of({"retry-after-ms": "soon", "retry-after": "9"}) == 9.0
    assert retry_after_of({}) is None


TOOLS = [{"type": "function", "function": {"name": "f", "parameters": {}}}]


@pytest.mark.parametrize(
    ("status", "request_fields", "message", "raised", "code"),
    [
        (429, {}, "slow down", Retryable, "rate_limited"),
        (503, {}, "busy", Retryable, "http_503"),
        (408, {}, "late", Retryable, "http_408"),
        (409, {}, "conflict", Retryable, "http_409"),
        (404, {}, "no such model", EndpointError, None),
        (401, {}, "bad key", EndpointError, None),
        (400, {"response_format": {"type": "json_object"}}, "no", StructuredOutputRefused, None),
        (422, {"response_format": {"type": "json_object"}}, "no", StructuredOutputRefused, None),
        (400, {}, "temperature > 2", RequestFailed, "bad_request"),
        (402, {}, "pay", RequestFailed, "http_402"),
        (500, {"tools": TOOLS}, "tools need --jinja", RequestFailed, TOOLS_UNSUPPORTED),
        (400, {"tools": TOOLS}, "context too long", RequestFailed, "bad_request"),
    ],
)
def test_one_error_map_for_every_transport(
    status: int, request_fields: dict[str, Any], message: str, raised: type, code: str | None
) -> None:
    request = msgspec.structs.replace(REQUEST, **request_fields)
    with pytest.raises(raised) as caught:
        raise_for_status("http://x/v1", request, status, {"retry-after": "2"}, message)
    if code is not None:
        assert caught.value.code == code
    if raised is Retryable:
        assert caught.value.retry_after == 2.0


@pytest.mark.anyio
@pytest.mark.parametrize("compact", [False, True])
async def test_the_embedded_server_gets_a_json_schema_as_its_one_line_grammar(
    compact: bool,
) -> None:
    from aiohttp import web

    from apigen_async.llm.aiohttp_transport import AiohttpTransport

    bodies: list[dict[str, Any]] = []

    async def chat(request: web.Request) -> web.Response:
        bodies.append(await request.json())
        answer = {"choices": [{"message": {"content": "{}"}, "finish_reason": "stop"}]}
        return web.json_response(answer)

    schema = {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}
    fmt = {"type": "json_schema", "json_schema": {"name": "x", "schema": schema}}
    async with chat_endpoint(chat) as base_url:
        transport = AiohttpTransport(base_url, "k", 1, 5.0, compact_json=compact)
        try:
            await transport.send(ChatRequest(model="m", messages=[], temperature=0,
                                             max_tokens=9, response_format=fmt))  # fmt: skip
            # Without a schema nothing changes, whatever the endpoint.
            await transport.send(ChatRequest(model="m", messages=[], temperature=0, max_tokens=9))
        finally:
            await transport.aclose()
    with_schema, plain = bodies
    assert "grammar" not in plain and "response_format" not in plain
    if not compact:
        assert with_schema["response_format"] == fmt and "grammar" not in with_schema
        return
    assert "response_format" not in with_schema
    head, _, body = with_schema["grammar"].partition("start: %json ")
    assert head == "%llguidance {}\n"
    sent = msgspec.json.decode(body)
    assert sent["x-guidance"] == {
        "whitespace_flexible": False, "key_separator": ": ", "item_separator": ", "
    }  # fmt: skip
    assert {k: v for k, v in sent.items() if k != "x-guidance"} == schema
