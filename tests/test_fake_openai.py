"""The simulated OpenAI endpoint, driven by the real `openai` client over real HTTP."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import anyio
import msgspec
import openai
import orjson
import pytest

from bench.fake_openai import (
    FakeConfig,
    FakeOpenAI,
    Fixed,
    LogNormal,
    RequestRecord,
    Uniform,
    parse_latency,
    serve,
)

MakeClient = Callable[..., openai.AsyncOpenAI]
ROOT = Path(__file__).resolve().parents[1]

TOOLS: list[dict[str, Any]] = [
    {
        "name": "binomial_coefficient",
        "description": "Count the ways to choose k items from n without regard to order.",
        "parameters": {
            "n": {"type": "int", "description": "Size of the set."},
            "k": {"type": "int", "description": "Number of items chosen."},
        },
    },
    {
        "name": "convert_units",
        "description": "Converts a length from one unit to another.",
        "parameters": {
            "value": {"type": "float", "description": "The length."},
            "unit": {"type": "str", "description": "Source unit.", "enum": ["m", "ft", "in"]},
            "exact": {"type": "bool, optional", "description": "Exact maths.", "default": False},
            # required despite its default, as in ToolBench-derived specs
            "digits": {"type": "int", "description": "Rounding.", "default": 2},
        },
    },
    {
        "name": "mean_of",
        "description": "Compute the arithmetic mean of numbers.",
        "parameters": {
            "numbers": {"type": "List[float]", "description": "Values."},
            "labels": {"type": "List[str], optional", "description": "Names."},
            "weights": {"type": "Dict[str, Any], optional", "description": "Weights."},
        },
    },
]

_PY_TYPES: dict[str, Any] = {
    "int": int,
    "float": (int, float),
    "str": str,
    "bool": bool,
    "List[int]": list,
    "List[str]": list,
    "List[float]": list,
    "Dict[str, Any]": dict,
}


def generator_prompt(style: str, n_pairs: int, tools: list[dict[str, Any]], salt: str = "") -> str:
    return (
        f"Write pairs. {salt}\n<style>{style}</style>\n<n_pairs>{n_pairs}</n_pairs>\n"
        f"<tools>{orjson.dumps(tools).decode()}</tools>"
    )


def judge_prompt(i: int) -> str:
    # The lead's judge template lists the tools as well.
    return (
        f"<tools>{orjson.dumps(TOOLS[:1]).decode()}</tools>\n<query>What is 5 choose {i}?</query>"
        f"\n<calls>[]</calls>\n<results>[{i}]</results>"
    )


def problems(pair: Any, tools: list[dict[str, Any]]) -> list[str]:
    """Why a generated pair would fail a strict format check (empty when it is valid)."""
    by_name = {t["name"]: t for t in tools}
    if not isinstance(pair, dict) or not isinstance(pair.get("query"), str):
        return ["no query"]
    if not isinstance(pair.get("answers"), list):
        return ["no answers"]
    out = []
    for call in pair["answers"]:
        tool = by_name.get(call.get("name"))
        if tool is None:
            out.append(f"unknown function {call.get('name')}")
            continue
        args = call.get("arguments")
        if not isinstance(args, dict):
            out.append("arguments not an object")
            continue
        params = tool["parameters"]
        for name, value in args.items():
            spec = params.get(name)
            if spec is None:
                out.append(f"unknown argument {name}")
                continue
            base = spec["type"].removesuffix(", optional")
            if not isinstance(value, _PY_TYPES[base]) or (base != "bool" and value is True):
                out.append(f"{name}={value!r} is not {base}")
            if "enum" in spec and value not in spec["enum"]:
                out.append(f"{name}={value!r} not in enum")
            if base.startswith("List[") and not value:
                out.append(f"{name} empty")
        for name, spec in params.items():
            if "optional" not in spec["type"] and name not in args:
                out.append(f"missing {name}")
    return out


@pytest.fixture
async def client() -> AsyncIterator[MakeClient]:
    """Make clients for an endpoint; all are closed while the event loop still runs."""
    made: list[openai.AsyncOpenAI] = []

    def make(fake: FakeOpenAI, **kw: Any) -> openai.AsyncOpenAI:
        kw.setdefault("max_retries", 0)
        made.append(openai.AsyncOpenAI(base_url=fake.base_url, api_key="sk-test", **kw))
        return made[-1]

    yield make
    for c in made:
        await c.close()


async def ask(c: openai.AsyncOpenAI, content: str, **kw: Any) -> Any:
    return await c.chat.completions.create(
        model="fake", messages=[{"role": "user", "content": content}], **kw
    )


@pytest.mark.anyio
async def test_completion_parses_with_usage_and_ids(client: MakeClient) -> None:
    async with FakeOpenAI(FakeConfig(models=("fake", "other"))) as fake:
        c = client(fake)
        messages = [
            {"role": "system", "content": "You write data. " * 50},
            {"role": "user", "content": "Say something."},
        ]
        r = await c.chat.completions.create(model="other", messages=messages)
        assert r.object == "chat.completion"
        assert r.model == "other"
        assert r.id.startswith("chatcmpl-")
        assert abs(r.created - time.time()) < 60
        choice = r.choices[0]
        assert choice.finish_reason == "stop"
        assert choice.message.role == "assistant"
        assert choice.message.content
        # ~chars/4 for the prompt and the answer
        prompt_chars = sum(len(m["content"]) for m in messages)
        assert prompt_chars // 4 <= r.usage.prompt_tokens <= prompt_chars // 4 + 20
        assert r.usage.completion_tokens == pytest.approx(len(choice.message.content) / 4, abs=2)
        assert r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens
        models = await c.models.list()
        assert [m.id for m in models.data] == ["fake", "other"]
        rec = fake.requests[-1]
        assert isinstance(rec, RequestRecord)
        assert rec.status == 200 and rec.kind == "text" and rec.model == "other"
        assert rec.arrival <= rec.start <= rec.end
        assert rec.prompt_tokens == r.usage.prompt_tokens


@pytest.mark.anyio
async def test_unknown_model_is_404_model_not_found(client: MakeClient) -> None:
    async with FakeOpenAI() as fake:
        c = client(fake)
        with pytest.raises(openai.NotFoundError) as info:
            await c.chat.completions.create(
                model="gpt-9", messages=[{"role": "user", "content": "x"}]
            )
        assert info.value.status_code == 404
        assert info.value.code == "model_not_found"
        assert info.value.body["message"] == "The model `gpt-9` does not exist"
        assert info.value.body["type"] == "invalid_request_error"
        with pytest.raises(openai.NotFoundError):
            await c.models.retrieve("gpt-9")


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("style", "tools", "calls"),
    [
        ("simple", TOOLS[:1], {1}),
        ("multiple", TOOLS, {1}),
        ("parallel", TOOLS[1:2], {2, 3}),
        ("parallel_multiple", TOOLS, {2, 3}),
        ("irrelevance", TOOLS[:2], {0}),
    ],
)
async def test_generator_answers_fit_style_and_tools(
    client: MakeClient, style: str, tools: list[dict[str, Any]], calls: set[int]
) -> None:
    async with FakeOpenAI() as fake:
        c = client(fake)
        seen_names: set[str] = set()
        for i in range(8):
            r = await ask(c, generator_prompt(style, 4, tools, salt=str(i)))
            pairs = orjson.loads(r.choices[0].message.content)["pairs"]
            assert len(pairs) == 4
            for pair in pairs:
                assert problems(pair, tools) == []
                assert len(pair["answers"]) in calls
                assert len(pair["query"]) > 10
                names = {a["name"] for a in pair["answers"]}
                seen_names |= names
                if style == "parallel":
                    assert names == {tools[0]["name"]}
                if style == "parallel_multiple":
                    assert len(names) >= 2
                for a in pair["answers"]:
                    # The query mentions the values it asks about.
                    for v in a["arguments"].values():
                        if isinstance(v, int) and not isinstance(v, bool):
                            assert str(v) in pair["query"]
        if style == "multiple":
            assert len(seen_names) >= 2
        assert {rec.kind for rec in fake.requests} == {"generator"}


@pytest.mark.anyio
async def test_bad_share_breaks_that_share_of_pairs(client: MakeClient) -> None:
    async with FakeOpenAI(FakeConfig(bad_share=0.3, seed=7)) as fake:
        c = client(fake)
        bad = total = 0
        kinds: set[str] = set()
        for i in range(40):
            r = await ask(c, generator_prompt("parallel_multiple", 5, TOOLS, salt=str(i)))
            for pair in orjson.loads(r.choices[0].message.content)["pairs"]:
                total += 1
                found = problems(pair, TOOLS)
                bad += bool(found)
                kinds |= {f.split()[0] for f in found}
        assert 0.2 <= bad / total <= 0.4, bad / total
        # format errors, wrong argument names and wrong function names all occur
        assert {"unknown", "arguments", "no"} <= kinds


@pytest.mark.anyio
async def test_answers_are_deterministic_by_seed_and_body(client: MakeClient) -> None:
    prompt = generator_prompt("parallel_multiple", 3, TOOLS)
    contents = []
    for seed in (1, 1, 2):
        async with FakeOpenAI(FakeConfig(seed=seed, bad_share=0.2, fence_share=0.5)) as fake:
            c = client(fake)
            first = (await ask(c, prompt)).choices[0].message.content
            again = (await ask(c, prompt)).choices[0].message.content
            assert first == again
            contents.append(first)
    assert contents[0] == contents[1]
    assert contents[0] != contents[2]


@pytest.mark.anyio
async def test_fences_and_json_mode(client: MakeClient) -> None:
    async with FakeOpenAI(FakeConfig(fence_share=1.0)) as fake:
        c = client(fake)
        fenced = (await ask(c, generator_prompt("simple", 2, TOOLS[:1]))).choices[0].message.content
        assert "```json\n" in fenced
        inner = fenced.split("```json\n", 1)[1].rsplit("\n```", 1)[0]
        assert len(orjson.loads(inner)["pairs"]) == 2
        schema = {"type": "json_schema", "json_schema": {"name": "pairs", "schema": {}}}
        plain = await ask(c, generator_prompt("simple", 2, TOOLS[:1]), response_format=schema)
        assert len(orjson.loads(plain.choices[0].message.content)["pairs"]) == 2


@pytest.mark.anyio
async def test_judge_pass_rate(client: MakeClient) -> None:
    async with FakeOpenAI(FakeConfig(judge_pass_rate=0.7)) as fake:
        c = client(fake)
        verdicts = []
        for i in range(150):
            content = (await ask(c, judge_prompt(i))).choices[0].message.content
            answer = orjson.loads(content)
            assert set(answer) == {"thought", "passes"} and answer["thought"]
            verdicts.append(answer["passes"])
        assert set(verdicts) == {"yes", "no"}
        assert 0.58 <= verdicts.count("yes") / len(verdicts) <= 0.82


@pytest.mark.anyio
async def test_429_has_retry_after_and_a_retry_succeeds(client: MakeClient) -> None:
    async with FakeOpenAI(FakeConfig(rate_429=0.5, retry_after=0.05)) as fake:
        c = client(fake)
        statuses = []
        for i in range(40):
            try:
                await ask(c, f"hello {i}")
                statuses.append(200)
            except openai.RateLimitError as exc:
                statuses.append(429)
                assert exc.response.headers["retry-after"] == "0.05"
                assert exc.response.headers["retry-after-ms"] == "50"
                assert exc.code == "rate_limit_exceeded"
        assert 8 <= statuses.count(429) <= 32
        # The attempt number is part of the draw: the client's own retries get through.
        patient = client(fake, max_retries=8)
        for i in range(20):
            r = await ask(patient, f"hello {i}")
            assert r.choices[0].finish_reason == "stop"
        retried = [r for r in fake.requests if r.attempt > 0]
        assert retried and {r.status for r in retried} <= {200, 429}


@pytest.mark.anyio
async def test_faults_happen_at_their_configured_rates(client: MakeClient) -> None:
    cfg = FakeConfig(rate_500=0.1, rate_truncated=0.15, rate_malformed=0.2, rate_length=0.1)
    async with FakeOpenAI(cfg) as fake:
        c = client(fake)
        counts = {"500": 0, "truncated": 0, "malformed": 0, "length": 0, "ok": 0}
        n = 300
        for i in range(n):
            try:
                r = await ask(c, judge_prompt(i))
            except openai.InternalServerError:
                counts["500"] += 1
                continue
            except ValueError:  # the client cannot decode a body cut mid-way
                counts["truncated"] += 1
                continue
            choice = r.choices[0]
            if choice.finish_reason == "length":
                counts["length"] += 1
                with pytest.raises(orjson.JSONDecodeError):
                    orjson.loads(choice.message.content)
                continue
            try:
                orjson.loads(choice.message.content)
                counts["ok"] += 1
            except orjson.JSONDecodeError:
                counts["malformed"] += 1
        # Content faults are drawn among answers that made it through the transport.
        delivered = n - counts["500"] - counts["truncated"]
        assert 0.05 * n <= counts["500"] <= 0.15 * n
        assert 0.09 * n <= counts["truncated"] <= 0.21 * n
        assert 0.13 * delivered <= counts["malformed"] <= 0.27 * delivered
        assert 0.05 * delivered <= counts["length"] <= 0.15 * delivered
        logged = [r.fault for r in fake.requests]
        assert logged.count("truncated") == counts["truncated"]
        assert logged.count("500") == counts["500"]


@pytest.mark.anyio
async def test_max_tokens_cuts_with_length(client: MakeClient) -> None:
    async with FakeOpenAI() as fake:
        r = await ask(client(fake), generator_prompt("simple", 3, TOOLS[:1]), max_tokens=10)
        assert r.choices[0].finish_reason == "length"
        assert r.usage.completion_tokens == 10
        assert len(r.choices[0].message.content) == 40


@pytest.mark.anyio
async def test_hang_lasts_until_client_timeout(client: MakeClient) -> None:
    async with FakeOpenAI(FakeConfig(rate_hang=1.0)) as fake:
        c = client(fake, timeout=0.3)
        t0 = time.monotonic()
        with pytest.raises(openai.APITimeoutError):
            await ask(c, "hello")
        assert time.monotonic() - t0 == pytest.approx(0.3, abs=0.2)
        with anyio.fail_after(2):
            while not fake.requests:  # the handler is cancelled when the client leaves
                await anyio.sleep(0.01)
        assert fake.requests[0].fault == "hang"
        assert fake.stats().active == 0


@pytest.mark.anyio
async def test_concurrency_cap_queues_requests(client: MakeClient) -> None:
    cfg = FakeConfig(max_concurrency=3, latency=Fixed(0.2))
    async with FakeOpenAI(cfg) as fake:
        c = client(fake)
        t0 = time.monotonic()
        async with anyio.create_task_group() as tg:
            for i in range(9):
                tg.start_soon(ask, c, f"q {i}")
        wall = time.monotonic() - t0
        stats = fake.stats()
        assert stats.peak_active == 3
        assert stats.peak_in_flight == 9
        assert 0.55 <= wall <= 1.2, wall
        # three waves: served at once, after one latency, after two
        waits = sorted(r.start - r.arrival for r in fake.requests)
        for i, wait in enumerate(waits):
            assert wait == pytest.approx(0.2 * (i // 3), abs=0.08), waits
        # at no moment were more than 3 requests being served
        events = sorted(
            [(r.start, 1) for r in fake.requests] + [(r.end, -1) for r in fake.requests]
        )
        level = peak = 0
        for _, step in events:
            level += step
            peak = max(peak, level)
        assert peak == 3


@pytest.mark.anyio
async def test_latency_distributions_are_deterministic_per_request(client: MakeClient) -> None:
    assert parse_latency("0.5") == Fixed(0.5)
    assert parse_latency("uniform:0.1,0.3") == Uniform(0.1, 0.3)
    assert parse_latency("lognormal:0.2,0.4") == LogNormal(0.2, 0.4)
    for latency in (Uniform(0.05, 0.25), LogNormal(0.08, 0.5)):
        async with FakeOpenAI(FakeConfig(latency=latency)) as fake:
            c = client(fake)
            async with anyio.create_task_group() as tg:
                for i in range(12):
                    tg.start_soon(ask, c, f"q {i}")
            first = {r.body_hash: r.end - r.start for r in fake.requests}
        async with FakeOpenAI(FakeConfig(latency=latency)) as fake:
            c = client(fake)
            async with anyio.create_task_group() as tg:
                for i in range(12):
                    tg.start_soon(ask, c, f"q {i}")
            second = {r.body_hash: r.end - r.start for r in fake.requests}
        assert first.keys() == second.keys()
        for key, seconds in first.items():
            assert seconds == pytest.approx(second[key], abs=0.05)
        if isinstance(latency, Uniform):
            assert all(0.04 <= s <= 0.3 for s in first.values())
        assert max(first.values()) - min(first.values()) > 0.05


@pytest.mark.anyio
async def test_streaming_matches_protocol_and_paces_tokens(client: MakeClient) -> None:
    async with FakeOpenAI(FakeConfig(tokens_per_s=400.0)) as fake:
        c = client(fake)
        t0 = time.monotonic()
        stream = await ask(
            c,
            generator_prompt("parallel", 2, TOOLS[:1]),
            stream=True,
            stream_options={"include_usage": True},
        )
        pieces, finish, usage, chunks = [], None, None, 0
        async for chunk in stream:
            chunks += 1
            assert chunk.object == "chat.completion.chunk"
            if chunk.usage:
                usage = chunk.usage
            for choice in chunk.choices:
                pieces.append(choice.delta.content or "")
                finish = choice.finish_reason or finish
        wall = time.monotonic() - t0
        content = "".join(pieces)
        pairs = orjson.loads(content)["pairs"]
        assert len(pairs) == 2 and all(problems(p, TOOLS) == [] for p in pairs)
        assert finish == "stop"
        assert usage is not None and usage.completion_tokens == pytest.approx(
            len(content) / 4, abs=2
        )
        # paced at 400 tokens/s, in steps of ~50 ms
        assert wall == pytest.approx(usage.completion_tokens / 400, rel=0.5, abs=0.1)
        assert chunks > 3
        assert fake.requests[-1].stream


@pytest.mark.anyio
async def test_truncated_stream_stops_without_finish_reason(client: MakeClient) -> None:
    async with FakeOpenAI(FakeConfig(rate_truncated=1.0)) as fake:
        stream = await ask(client(fake), judge_prompt(1), stream=True)
        finishes = [c.choices[0].finish_reason async for c in stream if c.choices]
        assert set(finishes) == {None}


@pytest.mark.anyio
async def test_rpm_limit_answers_429_with_wait(client: MakeClient) -> None:
    async with FakeOpenAI(FakeConfig(limit_rpm=3)) as fake:
        c = client(fake)
        ok = limited = 0
        for i in range(5):
            try:
                await ask(c, f"q {i}")
                ok += 1
            except openai.RateLimitError as exc:
                limited += 1
                assert 59 <= float(exc.response.headers["retry-after"]) <= 60
        assert (ok, limited) == (3, 2)
        assert [r.fault for r in fake.requests].count("limit") == 2


@pytest.mark.anyio
async def test_serve_starts_in_a_task_group(client: MakeClient) -> None:
    async with anyio.create_task_group() as tg:
        fake = await tg.start(serve, FakeConfig(models=("m1",)))
        r = await client(fake).chat.completions.create(
            model="m1", messages=[{"role": "user", "content": "hi"}]
        )
        assert r.choices[0].message.content
        tg.cancel_scope.cancel()


def test_command_line_serves_and_writes_its_log(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    cmd = [sys.executable, "-m", "bench.fake_openai", "--port", "0", "--model", "cli-model"]
    cmd += ["--latency", "uniform:0,0.01", "--judge-pass-rate", "0", "--log", str(log)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    ) as proc:
        try:
            line = proc.stdout.readline()
            assert line.startswith("READY http://127.0.0.1:"), line
            with openai.OpenAI(base_url=line.split()[1], api_key="x", max_retries=0) as sync:
                r = sync.chat.completions.create(
                    model="cli-model", messages=[{"role": "user", "content": judge_prompt(3)}]
                )
            assert orjson.loads(r.choices[0].message.content)["passes"] == "no"
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=10)
            assert proc.returncode == 0, err
            assert "served 1 requests" in err
        finally:
            proc.kill()
    records = [msgspec.json.decode(x, type=RequestRecord) for x in log.read_bytes().splitlines()]
    assert [(r.status, r.kind, r.model) for r in records] == [(200, "judge", "cli-model")]


def test_public_surface() -> None:
    import bench.fake_openai as module

    public = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and getattr(value, "__module__", None) == module.__name__
    }
    assert set(module.__all__) == public
