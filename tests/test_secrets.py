"""No key on disk: an endpoint that echoes our Authorization header leaves no trace of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from apigen_async.errors import EndpointGaveUp
from apigen_async.llm.types import LLMFailure
from apigen_async.scrub import Scrubber
from bench.fake_openai import FakeConfig, FakeOpenAI
from tests.helpers import apigen, fake_endpoint
from tests.test_llm_client import client_for, text_request

#: Not shaped like any known key: only the value itself can find it.
KEY = "proxy-Key-0123456789abcdef"


def test_scrubber_masks_values_and_token_shapes_only() -> None:
    scrub = Scrubber([KEY, "short"])
    assert scrub(f"token {KEY}!") == "token ***!"
    assert scrub("Authorization: Bearer abcDEF0123456789xyz") == "Authorization: Bearer ***"
    assert scrub("key sk-proj-ABCDEFGHIJ0123456789") == "key ***"
    # Ordinary text stays: short values, bearer bonds, basic arithmetic.
    text = "a short note on bearer bonds and basic arithmetic"
    assert scrub(text) == text
    assert Scrubber([KEY]).data(b'{"m":"' + KEY.encode() + b'"}') == b'{"m":"***"}'


@pytest.mark.anyio
async def test_client_failures_and_give_up_carry_no_key() -> None:
    config = FakeConfig(rate_500=1.0, echo_auth=True)
    async with FakeOpenAI(config) as fake:
        async with client_for(fake, max_retries=0, give_up_after=None, api_key=KEY) as client:
            failure = await client.complete(text_request(0))
        assert isinstance(failure, LLMFailure)
        assert "rejected token *** (Authorization: Bearer ***)" in failure.message
        async with client_for(fake, max_retries=0, give_up_after=1, api_key=KEY) as client:
            with pytest.raises(EndpointGaveUp) as caught:
                await client.complete(text_request(1))
    assert KEY not in str(caught.value) and "***" in str(caught.value)


def test_key_echoed_by_the_endpoint_is_nowhere_on_disk(tmp_path: Path) -> None:
    out, log, cache = tmp_path / "out", tmp_path / "requests.jsonl", tmp_path / "cache"
    with fake_endpoint("--rate-500", "0.4", "--echo-auth") as url:
        result = apigen(
            "generate", "-n", "4", "--out", str(out), "--base-url", url, "--model", "fake",
            "--api-key-env", "MY_PROXY_KEY", "--max-retries", "0", "--give-up-after", "0",
            "--log-requests", str(log), "--quiet",
            MY_PROXY_KEY=KEY, APIGEN_CACHE=str(cache),
        )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert out / "apigen.sqlite" in files and log in files
    for path in files:
        assert KEY.encode() not in path.read_bytes(), path
    assert KEY not in result.stdout + result.stderr
    # The endpoint did echo it: the stored failures hold the masked text.
    assert b"rejected token *** (Authorization: Bearer ***)" in (out / "apigen.sqlite").read_bytes()
