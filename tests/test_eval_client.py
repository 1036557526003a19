"""The LLM client's native function calling: `tools` out, `tool_calls` back, a refusal of
`tools` reported as such, and cache keys of requests without tools unchanged."""

from __future__ import annotations

import json

import pytest

from apigen_async.llm.client import LLMClient
from apigen_async.llm.limits import Limits
from apigen_async.llm.types import TOOLS_UNSUPPORTED, ChatRequest, Completion, LLMFailure, ToolCall
from bench.fake_openai import FakeConfig, FakeOpenAI

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Get the weather for a city",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        },
    }
]
# The fake reads a generated query back into the call it states.
QUERY = "Please get the weather for a city with city = 'Paris'."


def _request(**extra: object) -> ChatRequest:
    return ChatRequest(
        model="fake",
        messages=[{"role": "user", "content": QUERY}],
        temperature=0.0,
        max_tokens=64,
        **extra,  # type: ignore[arg-type]
    )


def test_cache_keys_of_requests_without_tools_are_those_of_earlier_releases() -> None:
    # Pinned from the release before `tools` existed: caches made then still answer.
    old = ChatRequest(model="m", messages=[{"role": "user", "content": "hi"}], temperature=0.7,
                      max_tokens=64, seed=3, response_format={"type": "json_object"})  # fmt: skip
    assert old.key() == "312c63366ba36246437cc6d44d8dc5e4703f04137c778e6ad19e6ba6ab31185f"
    plain = ChatRequest(model="m", messages=[{"role": "user", "content": "hi"}],
                        temperature=0.0, max_tokens=64)  # fmt: skip
    assert plain.key() == "fd798594c8780c56ed78beecc3a18a36e2b54a58612c4774e6302f252fefc6f8"
    with_tools = ChatRequest(model="m", messages=[{"role": "user", "content": "hi"}],
                             temperature=0.0, max_tokens=64, tools=TOOLS)  # fmt: skip
    assert with_tools.key() != plain.key()


@pytest.mark.anyio
@pytest.mark.parametrize("transport", ["aiohttp", "openai"])
async def test_tools_go_out_and_tool_calls_come_back(transport: str) -> None:
    async with FakeOpenAI(FakeConfig()) as fake:
        client = LLMClient(base_url=fake.base_url, api_key="x", limits=Limits(concurrency=2),
                           transport=transport)  # fmt: skip
        try:
            answer = await client.complete(_request(tools=TOOLS))
            plain = await client.complete(_request())
        finally:
            await client.aclose()
    assert isinstance(answer, Completion)
    assert answer.finish_reason == "tool_calls"
    assert answer.tool_calls == [ToolCall(name="get_weather", arguments='{"city":"Paris"}')]
    assert json.loads(answer.tool_calls[0].arguments) == {"city": "Paris"}
    assert isinstance(plain, Completion) and plain.tool_calls == []


@pytest.mark.anyio
@pytest.mark.parametrize("transport", ["aiohttp", "openai"])
async def test_an_endpoint_refusing_tools_fails_the_request_at_once(transport: str) -> None:
    async with FakeOpenAI(FakeConfig(refuse_tools=True)) as fake:
        client = LLMClient(base_url=fake.base_url, api_key="x", limits=Limits(concurrency=2),
                           transport=transport)  # fmt: skip
        try:
            refused = await client.complete(_request(tools=TOOLS))
            plain = await client.complete(_request())
        finally:
            await client.aclose()
        # Not retried: a refusal of `tools` is the endpoint's nature, not a passing fault.
        assert fake.stats().by_status == {400: 1, 200: 1}
    assert isinstance(refused, LLMFailure) and refused.code == TOOLS_UNSUPPORTED
    assert "tools" in refused.message
    assert isinstance(plain, Completion)
