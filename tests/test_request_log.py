"""`generate --log-requests` and `bench --replay`: the pipeline's workload, sent again."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import apigen, fake_endpoint

SECRET = "sk-test-secret-never-logged"


def test_the_request_log_replays_through_bench(tmp_path: Path) -> None:
    log, fake_log = tmp_path / "requests.jsonl", tmp_path / "fake.jsonl"
    with fake_endpoint("--judge-pass-rate", "0.8", "--log", str(fake_log)) as url:
        result = apigen("generate", "-n", "1000", "--max-tasks", "12", "--out",
                        str(tmp_path / "out"), "--base-url", url, "--model", "fake", "--quiet",
                        "--log-requests", str(log), "--api-key-env", "TEST_KEY",
                        TEST_KEY=SECRET)  # fmt: skip
        assert "stopped after 12 tasks" in result.stderr, result.stderr
        text = log.read_text()
        entries = [json.loads(line) for line in text.splitlines()]
        replay = apigen("bench", "--base-url", url, "--model", "fake", "--levels", "3",
                        "--replay", str(log), "--out", str(tmp_path / "bench.json"))  # fmt: skip
        assert replay.returncode == 0, replay.stderr
    assert SECRET not in text
    # One line per answered request, with what was asked and what it cost; the endpoint
    # answered each of them twice (the run, the replay) plus the replay's warm-up.
    answered = [json.loads(line) for line in fake_log.read_text().splitlines()]
    assert len(entries) >= 12
    assert sum(r["status"] == 200 for r in answered) == 2 * len(entries) + 1
    kinds = {"<pair id=" in e["request"]["messages"][-1]["content"] for e in entries}
    assert kinds == {True, False}  # generator and judge requests
    assert all(e["completion_tokens"] > 0 and e["seconds"] >= 0 for e in entries)
    assert sorted(e["start"] for e in entries)[0] >= 0
    # The replay sends each logged request once (after one warm-up), and no more.
    (level,) = json.loads((tmp_path / "bench.json").read_text())["levels"]
    assert level["concurrency"] == 3 and level["requests"] == len(entries)
    assert level["failures"] == 0


def test_bench_refuses_a_file_that_is_not_a_request_log(tmp_path: Path) -> None:
    bad = tmp_path / "not-a-log.jsonl"
    bad.write_text('{"hello": 1}\n')
    with fake_endpoint() as url:
        result = apigen("bench", "--base-url", url, "--model", "fake", "--levels", "1",
                        "--replay", str(bad), "--out", str(tmp_path / "b.json"))  # fmt: skip
    assert result.returncode != 0
    assert f"{bad}:1: not a request log line" in result.stderr
