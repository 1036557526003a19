"""Fault injection: the LLM client against the fake endpoint over real HTTP."""

from __future__ import annotations

import argparse
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import msgspec
import orjson
import pytest
from aiohttp import web

from apigen_async.commands.bench import BenchResult, add_bench_parser, bench_command
from apigen_async.errors import EndpointError
from apigen_async.generate import read_pairs
from apigen_async.llm.client import LLMClient
from apigen_async.llm.limits import Limits, PacedBucket
from apigen_async.llm.pricing import price_of
from apigen_async.llm.stats import LLMStats
from apigen_async.llm.transport import TRANSPORTS
from apigen_async.llm.types import ChatRequest, Completion, LLMFailure
from apigen_async.schema import Rejection
from bench.fake_openai import FakeConfig, FakeOpenAI, Fixed, RequestRecord
from tests.helpers import chat_endpoint

pytestmark = pytest.mark.anyio

TOOL = {
    "name": "add",
    "description": "Add two integers.",
    "parameters": {"a": {"type": "int"}, "b": {"type": "int"}},
}


def text_request(i: int, *, max_tokens: int = 64, model: str = "fake") -> ChatRequest:
    return ChatRequest(
        model=model,
        messages=[{"role": "user", "content": f"Question number {i}: tell me something."}],
        temperature=0.0,
        max_tokens=max_tokens,
    )


def generator_request(i: int) -> ChatRequest:
    content = (
        f"Write pairs {i}.\n<style>simple</style>\n<n_pairs>2</n_pairs>\n"
        f"<tools>{orjson.dumps([TOOL]).decode()}</tools>"
    )
    return ChatRequest(
        model="fake",
        messages=[{"role": "user", "content": content}],
        temperature=0.7,
        max_tokens=512,
    )


@asynccontextmanager
async def client_for(
    fake: FakeOpenAI, *, concurrency: int = 16, rpm: float | None = None,
    tpm: float | None = None, **kw: Any,
) -> AsyncIterator[LLMClient]:  # fmt: skip
    kw = {"api_key": "test-key", "timeout": 5.0, "max_retries": 6, "backoff_base": 0.01,
          "backoff_cap": 0.2} | kw  # fmt: skip
    client = LLMClient(
        base_url=fake.base_url,
        limits=Limits(concurrency=concurrency, rpm=rpm, tpm=tpm),
        **kw,
    )
    try:
        yield client
    finally:
        await client.aclose()


async def complete_all(
    client: LLMClient, requests: list[ChatRequest]
) -> list[Completion | LLMFailure]:
    results: list[Completion | LLMFailure | None] = [None] * len(requests)

    async def one(i: int) -> None:
        results[i] = await client.complete(requests[i])

    async with anyio.create_task_group() as tg:
        for i in range(len(requests)):
            tg.start_soon(one, i)
    return [r for r in results if r is not None]


def ok(log: list[RequestRecord]) -> list[RequestRecord]:
    return [r for r in log if r.status == 200]


async def test_429_storm_slows_the_client_and_every_request_completes() -> None:
    cfg = FakeConfig(rate_429=0.5, retry_after=0.05, latency=Fixed(0.02))
    async with (
        FakeOpenAI(cfg) as fake,
        client_for(fake, concurrency=32, max_retries=12) as client,
    ):
        limits_seen: list[int] = []

        async def watch() -> None:
            while True:
                limits_seen.append(client.limits.current_limit)
                await anyio.sleep(0.005)

        async with anyio.create_task_group() as tg:
            tg.start_soon(watch)
            results = await complete_all(client, [text_request(i) for i in range(120)])
            tg.cancel_scope.cancel()

    assert all(isinstance(r, Completion) for r in results)
    assert client.stats.rate_limited == sum(1 for r in fake.requests if r.status == 429) > 20
    # The storm cut the in-flight cap, but once per round of answers, not once per 429.
    assert min(limits_seen) < 32
    assert 1 <= client.limits.cuts < client.stats.rate_limited
    # Retry-After (0.05 s) was honoured between attempts of the same body.
    by_body: dict[str, list[RequestRecord]] = {}
    for r in sorted(fake.requests, key=lambda r: r.arrival):
        by_body.setdefault(r.body_hash, []).append(r)
    gaps = [
        later.arrival - earlier.end
        for attempts in by_body.values()
        for earlier, later in itertools.pairwise(attempts)
        if earlier.status == 429
    ]
    assert gaps and min(gaps) >= 0.045


async def test_500s_and_hangs_are_retried_then_counted_as_failures() -> None:
    cfg = FakeConfig(rate_500=0.35, rate_hang=0.25, hang_seconds=30.0)
    async with FakeOpenAI(cfg) as fake, client_for(fake, timeout=0.3, max_retries=1) as client:
        results = await complete_all(client, [text_request(i) for i in range(60)])
    failures = [r for r in results if isinstance(r, LLMFailure)]
    assert len(results) == 60
    assert failures and len(failures) < 60
    assert {f.code for f in failures} <= {"http_500", "timeout"}
    assert client.stats.failures == len(failures)
    assert client.stats.timeouts > 0 and client.stats.retries > 0
    # Every failed request was tried twice (one retry) before it was given up.
    assert client.stats.requests == 60 + client.stats.retries
    # With enough retries, every request gets through a milder storm.
    cfg = FakeConfig(rate_500=0.2, rate_hang=0.15, hang_seconds=30.0)
    async with FakeOpenAI(cfg) as fake, client_for(fake, timeout=0.3, max_retries=10) as client:
        results = await complete_all(client, [text_request(i) for i in range(30)])
    assert all(isinstance(r, Completion) for r in results)


async def test_truncated_bodies_are_retried_then_fail_as_bad_response() -> None:
    async with FakeOpenAI(FakeConfig(rate_truncated=1.0)) as fake, client_for(fake) as client:
        result = await client.complete(text_request(0))
    assert isinstance(result, LLMFailure) and result.code == "bad_response"
    assert len(fake.requests) == 7  # first attempt + max_retries
    async with FakeOpenAI(FakeConfig(rate_truncated=0.5)) as fake, client_for(fake) as client:
        results = await complete_all(client, [text_request(i) for i in range(20)])
    assert all(isinstance(r, Completion) for r in results)
    assert any(r.fault == "truncated" for r in fake.requests)


async def test_malformed_content_becomes_a_format_rejection() -> None:
    async with FakeOpenAI(FakeConfig(rate_malformed=1.0)) as fake, client_for(fake) as client:
        result = await client.complete(generator_request(0))
    assert isinstance(result, Completion)
    rejection = read_pairs(result)
    assert isinstance(rejection, Rejection)
    assert (rejection.stage, rejection.code) == ("format", "invalid_json")


async def test_length_is_a_format_rejection_unless_a_longer_retry_is_configured() -> None:
    async with FakeOpenAI() as fake:
        async with client_for(fake) as client:
            cut = await client.complete(text_request(0, max_tokens=4))
        assert isinstance(cut, Completion) and cut.finish_reason == "length"
        rejection = read_pairs(cut)
        assert isinstance(rejection, Rejection) and rejection.code == "truncated"

        async with client_for(fake, length_retry_tokens=128) as client:
            whole = await client.complete(text_request(0, max_tokens=4))
        assert isinstance(whole, Completion) and whole.finish_reason == "stop"
        assert client.stats.length_retries == 1 and client.stats.requests == 2
        # Tokens of both attempts are counted, on the stats and on the completion.
        assert whole.completion_tokens == 4 + sum(r.completion_tokens for r in fake.requests[-1:])
        assert client.stats.completion_tokens == whole.completion_tokens


def max_in_window(times: list[float], weights: list[float], window: float) -> float:
    best, j, total = 0.0, 0, 0.0
    for i, t in enumerate(times):
        total += weights[i]
        while times[j] < t - window:
            total -= weights[j]
            j += 1
        best = max(best, total)
    return best


async def test_rpm_holds_in_the_endpoint_request_log() -> None:
    rpm = 240.0  # 4 per second, burst of one second's worth
    async with FakeOpenAI() as fake, client_for(fake, concurrency=16, rpm=rpm) as client:
        t0 = anyio.current_time()
        results = await complete_all(client, [text_request(i) for i in range(14)])
        elapsed = anyio.current_time() - t0
    assert all(isinstance(r, Completion) for r in results)
    arrivals = sorted(r.arrival for r in fake.requests)
    # A second's worth (4) at once, then one every 0.25 s: 10 more take 2.5 s.
    assert elapsed >= 2.4
    for window in (0.5, 1.0, 2.0):
        assert max_in_window(arrivals, [1.0] * len(arrivals), window) <= 4 + 4 * window + 1


async def test_tpm_holds_in_the_endpoint_request_log() -> None:
    tpm = 60 * 300.0  # 300 tokens a second
    async with FakeOpenAI() as fake, client_for(fake, concurrency=16, tpm=tpm) as client:
        results = await complete_all(client, [text_request(i, max_tokens=48) for i in range(24)])
    assert all(isinstance(r, Completion) for r in results)
    log = sorted(ok(fake.requests), key=lambda r: r.arrival)
    times = [r.arrival for r in log]
    used = [float(r.prompt_tokens + r.completion_tokens) for r in log]
    assert sum(used) > 900  # enough traffic for the cap to matter (> 3 s of budget)
    biggest = max(used)
    assert times[-1] - times[0] >= (sum(used) - 300 - 2 * biggest) / 300
    for window in (0.5, 1.0, 2.0):
        assert max_in_window(times, used, window) <= 300 + 300 * window + 2 * biggest


def test_paced_bucket_charges_and_refunds() -> None:
    bucket = PacedBucket(60.0, burst_seconds=2.0)  # 1 per second, 2 at once
    assert bucket.reserve(1) == 0 and bucket.reserve(1) == 0
    assert 0.9 < bucket.reserve(1) <= 1.0
    bucket.adjust(-1)  # the last one used nothing after all
    assert 0.9 < bucket.reserve(1) <= 1.0


async def test_every_transport_speaks_to_the_endpoint() -> None:
    async with FakeOpenAI() as fake:
        for transport in TRANSPORTS:
            async with client_for(fake, transport=transport) as client:
                result = await client.complete(text_request(1))
                assert isinstance(result, Completion) and result.content


async def test_cost_from_flags_or_the_built_in_table() -> None:
    assert price_of("gpt-4o-mini-2024-07-18") == (0.15, 0.60)
    assert price_of("openai/gpt-4o") == (2.50, 10.00)
    assert price_of("fake") is None
    stats = LLMStats()
    stats.count_tokens("gpt-4o-mini", 1_000_000, 500_000)
    assert stats.cost == pytest.approx(0.15 + 0.30)
    async with FakeOpenAI(FakeConfig(models=("fake",))) as fake:
        async with client_for(fake) as client:
            await client.complete(text_request(2))
            assert client.stats.cost is None  # an unknown model has no price
        async with client_for(fake, price_in=1.0, price_out=2.0) as client:
            await client.complete(text_request(2))
            snap = client.snapshot()
    assert snap.prompt_tokens > 0 and snap.completion_tokens > 0
    expected = (snap.prompt_tokens * 1.0 + snap.completion_tokens * 2.0) / 1e6
    assert snap.cost == pytest.approx(expected)
    assert "test-key" not in repr(client)


async def test_bench_command_measures_each_level(tmp_path: Path, capsys: Any) -> None:
    parser = argparse.ArgumentParser()
    add_bench_parser(parser.add_subparsers(dest="command"))
    out = tmp_path / "bench.json"
    async with FakeOpenAI(FakeConfig(latency=Fixed(0.1), tokens_per_s=2000)) as fake:
        args = parser.parse_args(
            ["bench", "--base-url", fake.base_url, "--model", "fake", "--levels", "1,4",
             "--requests", "8", "--max-tokens", "200", "--out", str(out)]
        )  # fmt: skip
        assert await bench_command(args) == 0
    result = msgspec.json.decode(out.read_bytes(), type=BenchResult)
    one, four = result.levels
    assert (one.concurrency, four.concurrency) == (1, 4)
    assert one.requests == four.requests == 8 and one.failures == 0
    # 0.1 s latency plus ~0.1 s of streaming tokens per answer: 1 in flight serves ~5/s.
    assert 2.5 < one.requests_per_s < 6
    assert four.requests_per_s > 2.5 * one.requests_per_s
    assert four.output_tokens_per_s > 2.5 * one.output_tokens_per_s > 0
    assert 0.1 < one.latency_p50_s <= one.latency_p99_s
    # Every request reached the endpoint with the generator prompt, warm-up included.
    assert len(fake.requests) == 17 and {r.kind for r in fake.requests} == {"generator"}
    assert "req/s" in capsys.readouterr().out


# With --max-retries 0 the structured-output fallback must not use up the one attempt.
@pytest.mark.parametrize("max_retries", [6, 0])
async def test_http_errors_map_like_the_sdk_on_the_direct_transport(max_retries: int) -> None:
    seen: list[dict[str, Any]] = []

    async def chat(request: web.Request) -> web.Response:
        body = await request.json()
        seen.append(body)
        if body["model"] == "locked":
            return web.json_response({"error": {"message": "bad key"}}, status=401)
        if body["model"] == "gone":
            return web.json_response({"error": {"message": "no such model"}}, status=404)
        if "response_format" in body:
            return web.json_response({"error": {"message": "no json_schema here"}}, status=400)
        if body["model"] == "picky":
            return web.json_response({"error": {"message": "temperature > 2"}}, status=400)
        choice = {"message": {"content": "ok"}, "finish_reason": "stop"}
        return web.json_response({"choices": [choice], "usage": {"prompt_tokens": 3}})

    async with chat_endpoint(chat) as base_url:
        client = LLMClient(
            base_url=base_url, api_key="k", limits=Limits(concurrency=2), max_retries=max_retries
        )
        try:
            structured = msgspec.structs.replace(
                text_request(0), response_format={"type": "json_object"}
            )
            # A 400 on structured output switches it off for the rest of the run, then works.
            result = await client.complete(structured)
            assert isinstance(result, Completion) and result.content == "ok"
            assert client.structured == "off" and "response_format" not in seen[-1]
            assert (result.prompt_tokens, result.completion_tokens) == (3, 0)
            picky = await client.complete(text_request(1, model="picky"))
            assert isinstance(picky, LLMFailure) and picky.code == "bad_request"
            assert "temperature" in picky.message
            for model, words in (("locked", "refused the API key"), ("gone", "does not serve")):
                with pytest.raises(EndpointError, match=words):
                    await client.complete(text_request(2, model=model))
        finally:
            await client.aclose()


async def test_models_served_elsewhere_are_routed_by_name() -> None:
    # The embedded checker runs in a server of its own: requests for it go there, on
    # every transport, and the start-up check asks each server for its own models.
    async with (
        FakeOpenAI(FakeConfig(models=("gen",))) as generator,
        FakeOpenAI(FakeConfig(models=("checker",))) as checker,
    ):
        for transport in TRANSPORTS:
            client = LLMClient(
                base_url=generator.base_url,
                routes={"checker": checker.base_url},
                api_key="k",
                limits=Limits(concurrency=4),
                transport=transport,
            )
            try:
                await client.preflight(["gen", "checker"])
                for model in ("gen", "checker", "gen"):
                    result = await client.complete(text_request(1, model=model))
                    assert isinstance(result, Completion), result
            finally:
                await client.aclose()
        assert {r.model for r in generator.requests} == {"gen"}
        assert {r.model for r in checker.requests} == {"checker"}
        assert len(checker.requests) == len(TRANSPORTS)
        wrong = LLMClient(base_url=generator.base_url, api_key="k", limits=Limits(concurrency=1))
        try:
            with pytest.raises(EndpointError, match="'checker' is not served by"):
                await wrong.preflight(["gen", "checker"])
        finally:
            await wrong.aclose()
