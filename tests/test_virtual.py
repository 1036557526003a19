"""The StableToolBench-style virtual server: cache -> real -> simulated, over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import anyio
import msgspec
import orjson
import pytest

from apigen_async.catalog.library import local_rest_tools
from apigen_async.catalog.toolbench import load_toolbench
from apigen_async.errors import ConfigError
from apigen_async.executors.rest import MemoryRestCache, RestExecutor, cache_key
from apigen_async.executors.virtual import (
    VirtualServer,
    fill_template,
    open_rest_backend,
    serve_virtual,
)
from apigen_async.schema import Call, Tool
from apis.rest.service import local_base_urls, serve
from tests.conftest import SHARED

pytestmark = pytest.mark.anyio


def toolbench_tools() -> list[Tool]:
    return load_toolbench(SHARED / "toolbench" / "api_list.json").tools


def templated(tools: list[Tool]) -> Tool:
    for t in tools:
        tr = t.rest.template_response
        if isinstance(tr, dict) and any(isinstance(v, list) for v in tr.values()):
            return t
    raise AssertionError("no templated tool")


class Served:
    def __init__(self, server: VirtualServer, port: int) -> None:
        self.server = server
        self.port = port
        self.base = f"http://127.0.0.1:{port}"

    def executor(self, **kw: Any) -> RestExecutor:
        return RestExecutor(
            backend="virtual",
            rps=1000,
            burst=100,
            base_url_override=self.server.host_map(self.base),
            **kw,
        )


async def start(server: VirtualServer) -> AsyncIterator[Served]:
    async with anyio.create_task_group() as tg:
        port = await tg.start(serve_virtual, server)
        yield Served(server, port)
        tg.cancel_scope.cancel()


@pytest.fixture
async def virtual() -> AsyncIterator[Served]:
    async for s in start(VirtualServer(toolbench_tools(), cache=MemoryRestCache())):
        yield s


def test_schema_filler_is_deterministic_and_shaped() -> None:
    tool = templated(toolbench_tools())
    args = {p.name: "x" for p in tool.parameters if p.required}
    a, b = fill_template(tool, args), fill_template(tool, args)
    assert a == b
    template = tool.rest.template_response
    assert set(a) == {k for k in template if k != "_list_length"}
    other = fill_template(tool, {**args, "extra": 1})
    assert other != a or not any(v == "str" for v in template.values())


def test_filler_types() -> None:
    tool = Tool(
        name="t",
        description="d",
        source="rest",
        rest=msgspec.structs.replace(
            toolbench_tools()[0].rest,
            template_response={
                "id": "int",
                "name": "str",
                "score": "float",
                "ok": "bool",
                "none": "NoneType",
                "tags": "list of str with length 5",
                "empty": "empty list",
                "items": [{"url": "str", "_list_length": 7}],
                "city": "str",
            },
        ),
    )
    out = fill_template(tool, {"city": "Paris"})
    assert isinstance(out["id"], int) and isinstance(out["name"], str)
    assert isinstance(out["score"], float) and isinstance(out["ok"], bool)
    assert out["none"] is None and out["empty"] == []
    assert len(out["tags"]) == 3 and all(isinstance(x, str) for x in out["tags"])
    assert len(out["items"]) == 3 and out["items"][0]["url"].startswith("https://")
    assert out["city"] == "Paris"  # arguments echo into same-named fields


async def test_simulated_then_cached(virtual: Served) -> None:
    tool = templated(toolbench_tools())
    args = {p.name: "abc" for p in tool.parameters if p.required}
    async with virtual.executor() as ex:
        first = await ex.execute(tool, Call(name=tool.name, arguments=args))
        second = await ex.execute(tool, Call(name=tool.name, arguments=args))
    assert first.ok and first.origin == "simulated"
    assert second.ok and second.origin == "cached" and second.output == first.output
    assert virtual.server.statistics() == {"cached": 1, "real": 0, "simulated": 1}
    assert ex.statistics() == {"simulated": 1, "cached": 1}


async def test_every_kind_of_toolbench_api_is_served(virtual: Served) -> None:
    tools = toolbench_tools()
    sample = tools[::40]  # path params, POST-less GETs, no-template APIs, ...
    async with virtual.executor() as ex:
        results = [
            await ex.execute(
                t, Call(name=t.name, arguments={p.name: "1" for p in t.parameters if p.required})
            )
            for t in sample
        ]
    bad = [(t.name, r.error, r.message) for t, r in zip(sample, results, strict=True) if not r.ok]
    # A template that is itself an error report ({"message": "str"} filled with "error"...)
    # may be classed error_body; anything else must succeed.
    assert all(e == "error_body" for _, e, _ in bad), bad
    assert len(bad) <= len(sample) // 10
    assert all(r.origin == "simulated" for r in results if r.ok)


async def test_llm_hook_used_and_falls_back() -> None:
    tools = toolbench_tools()[:3]
    seen: list[str] = []

    async def simulate(tool: Tool, call: Call) -> Any:
        seen.append(call.name)
        if tool is tools[1]:
            raise RuntimeError("LLM down")
        return {"simulated_by": "llm", "args": call.arguments}

    server = VirtualServer(tools, simulate=simulate, mode="llm")
    async for served in start(server):
        async with served.executor() as ex:
            a = await ex.execute(tools[0], Call(name=tools[0].name, arguments={"k": "v"}))
            b = await ex.execute(tools[1], Call(name=tools[1].name, arguments={}))
    assert a.ok and a.output == {"simulated_by": "llm", "args": {"k": "v"}}
    assert a.origin == "simulated"
    assert b.origin == "simulated" and b.output == fill_template(tools[1], {})
    assert seen == [tools[0].name, tools[1].name]


async def test_real_api_first_when_configured() -> None:
    """The virtual server's 'real' leg, pointed at the local service instead of RapidAPI."""
    tools = local_rest_tools()
    by_name = {t.name: t for t in tools}
    cache = MemoryRestCache()
    async with anyio.create_task_group() as tg:
        local_port = await tg.start(serve, 0)
        async with RestExecutor(
            backend="local", rps=1000, burst=100, base_url_override=local_base_urls(local_port)
        ) as real:
            server = VirtualServer(tools, cache=cache, real=real)
            port = await tg.start(serve_virtual, server)
            served = Served(server, port)
            tool = by_name["convert_units_for_unit_converter"]
            args = {"value": 1, "from_unit": "mi", "to_unit": "km"}
            async with served.executor() as ex:
                r1 = await ex.execute(tool, Call(name=tool.name, arguments=args))
                r2 = await ex.execute(tool, Call(name=tool.name, arguments=args))
                # A failing real call (404) falls back to simulation.
                bad = by_name["get_country_for_geo_data"]
                r3 = await ex.execute(bad, Call(name=bad.name, arguments={"code": "ZZ"}))
        tg.cancel_scope.cancel()
    assert r1.ok and r1.origin == "real" and r1.output["result"] == 1.609344
    assert r2.ok and r2.origin == "cached" and r2.output == r1.output
    assert r3.ok and r3.origin == "simulated"
    stored = orjson.loads(cache.data[cache_key(tool.name, args)])
    assert stored["origin"] == "real"


async def test_stabletoolbench_endpoint(virtual: Served) -> None:
    tool = templated(toolbench_tools())
    body = {
        "category": tool.category,
        "tool_name": tool.rest.tool_name,
        "api_name": tool.rest.api_name,
        "tool_input": orjson.dumps({"q": "1"}).decode(),
        "strip": "truncate",
        "toolbench_key": "",
    }
    async with aiohttp.ClientSession() as s:
        async with s.post(f"{virtual.base}/virtual", json=body) as r:
            data = await r.json()
            assert r.headers["X-Apigen-Origin"] == "simulated"
        assert data["error"] == "" and orjson.loads(data["response"]) == fill_template(
            tool, {"q": "1"}
        )
        async with s.post(f"{virtual.base}/virtual", json={**body, "api_name": "nope"}) as r:
            assert (await r.json())["error"] == "API not found"


async def test_unknown_host_refused_by_executor(virtual: Served) -> None:
    tool = Tool(
        name="elsewhere",
        description="d",
        source="rest",
        rest=msgspec.structs.replace(
            toolbench_tools()[0].rest,
            host="unknown.example.com",
            url="https://unknown.example.com/x",
        ),
    )
    async with virtual.executor() as ex:
        r = await ex.execute(tool, Call(name="elsewhere", arguments={}))
    assert not r.ok and r.error == "bad_host"


async def test_open_rest_backend_local_and_virtual(monkeypatch) -> None:
    monkeypatch.delenv("APIGEN_TEST_NO_KEY", raising=False)
    tools = {t.name: t for t in local_rest_tools()}
    tool = tools["is_prime_for_math_toolkit"]
    call = Call(name=tool.name, arguments={"number": 91})
    async with open_rest_backend("local", tools.values(), key_env="APIGEN_TEST_NO_KEY") as ex:
        local = await ex.execute(tool, call)
    assert local.ok and local.origin == "local" and local.output["smallest_factor"] == 7
    async with open_rest_backend("virtual", tools.values(), key_env="APIGEN_TEST_NO_KEY") as ex:
        simulated = await ex.execute(tool, call)
    assert simulated.ok and simulated.origin == "simulated"
    # Simulated from the tool file's template_response: same shape as the real answer.
    assert set(simulated.output) == set(local.output)
    with pytest.raises(ConfigError):
        async with open_rest_backend("rapidapi", tools.values(), key_env="APIGEN_TEST_NO_KEY"):
            pass
