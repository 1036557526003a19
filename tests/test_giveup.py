"""The give-up policy: a dead endpoint ends the run with one line, not after a day."""

from __future__ import annotations

import json
import time
from pathlib import Path

import anyio
import pytest

from apigen_async.errors import EndpointGaveUp
from apigen_async.llm.types import LLMFailure
from bench.fake_openai import FakeConfig, FakeOpenAI
from tests.helpers import apigen, fake_endpoint
from tests.test_llm_client import client_for, complete_all, text_request


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("config", "code"),
    [
        (FakeConfig(rate_500=1.0), "http_500"),
        (FakeConfig(rate_429=1.0, retry_after=0.05), "rate_limited"),
        (FakeConfig(rate_hang=1.0, hang_seconds=30), "timeout"),
    ],
    ids=["always-500", "always-429", "always-hang"],
)
async def test_breaker_ends_a_dead_endpoint_with_one_message(config: FakeConfig, code: str) -> None:
    async with (
        FakeOpenAI(config) as fake,
        client_for(fake, concurrency=4, timeout=0.3, max_retries=1, give_up_after=4) as client,
    ):
        started = time.monotonic()
        with pytest.raises(BaseExceptionGroup) as caught:
            await complete_all(client, [text_request(i) for i in range(12)])
    assert time.monotonic() - started < 5
    gave_up = caught.value.exceptions[0]
    assert isinstance(gave_up, EndpointGaveUp)
    assert str(gave_up).startswith(
        f"endpoint {fake.base_url} failed 4 requests in a row: last error {code}: "
    )
    # Stopped before every request used its retries (12 x 2 attempts).
    assert len(fake.requests) < 24
    if code == "timeout":
        assert client.stats.timeouts >= 8


@pytest.mark.anyio
async def test_retry_after_over_the_cap_fails_at_once_and_under_it_is_shown() -> None:
    async with (
        FakeOpenAI(FakeConfig(rate_429=1.0, retry_after=3600)) as fake,
        client_for(fake, max_retry_after=60, give_up_after=None) as client,
    ):
        started = time.monotonic()
        result = await client.complete(text_request(0))
    assert time.monotonic() - started < 2
    assert isinstance(result, LLMFailure) and result.code == "rate_limited"
    assert "asked to wait 3600 s (Retry-After), over the cap of 60 s" in result.message

    async with (
        FakeOpenAI(FakeConfig(rate_429=1.0, retry_after=1.5)) as fake,
        client_for(fake, max_retries=1, give_up_after=None) as client,
        anyio.create_task_group() as tg,
    ):
        tg.start_soon(client.complete, text_request(0))
        await anyio.sleep(0.5)
        waiting = client.snapshot().retry_wait
        tg.cancel_scope.cancel()
    assert 0.5 < waiting <= 1.5


def _generate(url: str, out: Path, n: int, *extra: str) -> list[str]:
    return ["generate", "-n", str(n), "--out", str(out), "--base-url", url, "--model", "fake",
            "--seed", "5", "--quiet", *extra]  # fmt: skip


def test_run_gives_up_with_one_line_and_exports_what_was_verified(tmp_path: Path) -> None:
    with fake_endpoint() as url:
        first = apigen(*_generate(url, tmp_path, 3))
        assert first.returncode == 0, first.stderr
    kept = (tmp_path / "dataset.jsonl").read_bytes()
    with fake_endpoint("--rate-500", "1") as url:
        dead = apigen(*_generate(url, tmp_path, 30, "--max-retries", "0", "--give-up-after", "3"))
    assert dead.returncode == 3
    assert dead.stderr.splitlines() == [
        f"apigen: endpoint {url} failed 3 requests in a row: last error http_500: The server "
        "had an error while processing your request. (rerun to resume once it answers)"
    ]
    assert "max-tasks" not in dead.stderr
    # Everything verified before is still exported.
    assert (tmp_path / "dataset.jsonl").read_bytes().startswith(kept) and kept
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["sessions"][-1]["gave_up"].startswith(f"endpoint {url} failed 3 requests")
    assert report["timeouts"] == 0


def test_every_request_failed_never_says_raise_max_tasks(tmp_path: Path) -> None:
    with fake_endpoint("--rate-500", "1") as url:
        result = apigen(*_generate(url, tmp_path, 2, "--max-retries", "0", "--give-up-after", "0",
                                   "--max-tasks", "3"))  # fmt: skip
    assert result.returncode == 1
    assert "every generation request of this session failed" in result.stderr
    assert "max-tasks" not in result.stderr
    assert "Traceback" not in result.stderr
