"""Crash safety: `kill -9` at any moment, rerun, and get the uninterrupted run's dataset."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.helpers import REPO, apigen, cli_env, fake_endpoint, stored_tasks

N = 90
FAKE_FLAGS = ("--latency", "uniform:0.02,0.15", "--bad-share", "0.3", "--judge-pass-rate", "0.8")


def _args(base_url: str, out: Path) -> list[str]:
    return [
        "generate", "-n", str(N), "--out", str(out), "--base-url", base_url, "--model", "fake",
        "--concurrency", "16", "--epoch-size", "8", "--seed", "7", "--quiet", "--extra-columns",
        # Every check, the re-solve request included: its answers are cached like the others.
        "--checks", "format,rules,execution,resolve,judge",
    ]  # fmt: skip


def _sessions(db: Path) -> list[dict[str, object]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT value FROM run WHERE key LIKE 'session:%' ORDER BY key")
        return [json.loads(v) for (v,) in rows]


def test_kill_9_then_resume_gives_the_uninterrupted_dataset(tmp_path: Path) -> None:
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    with fake_endpoint(*FAKE_FLAGS) as url:
        done = apigen(*_args(url, whole))
        assert done.returncode == 0, done.stderr
        reference = (whole / "dataset.jsonl").read_bytes()

        # Kill the same run twice, at different depths, with SIGKILL.
        for depth in (3, 20):
            proc = subprocess.Popen(
                [sys.executable, "-m", "apigen_async", *_args(url, killed)],
                cwd=REPO,
                env=cli_env(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            deadline = time.monotonic() + 60
            while stored_tasks(killed / "apigen.sqlite") < depth and proc.poll() is None:
                assert time.monotonic() < deadline, "run made no progress"
                time.sleep(0.01)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        cached_before = _cache_size(killed / "apigen.sqlite")
        resumed = apigen(*_args(url, killed))
        assert resumed.returncode == 0, resumed.stderr

    assert (killed / "dataset.jsonl").read_bytes() == reference
    # Near-dedup (the default) merged at least one pair, so its decisions were replayed too.
    report = json.loads((killed / "report.json").read_text())
    assert report["dedup"] == "near" and report["near_duplicates"] >= 1
    rows = [json.loads(line) for line in reference.splitlines()]
    assert len(rows) == N
    assert [r["id"] for r in rows] == list(range(N))
    assert len({r["pair_id"] for r in rows}) == N

    # The resumed session re-used the cached responses instead of re-sending them.
    last = _sessions(killed / "apigen.sqlite")[-1]
    assert cached_before > 0
    assert last["cache_hits"] > 0
    whole_requests = sum(s["requests"] for s in _sessions(whole / "apigen.sqlite"))
    killed_requests = sum(s["requests"] for s in _sessions(killed / "apigen.sqlite"))
    # Only requests in flight at a kill may be sent twice (2 kills x 16 in flight).
    assert killed_requests <= whole_requests + 2 * 16

    # No task or pair was stored twice.
    with sqlite3.connect(killed / "apigen.sqlite") as conn:
        pairs = conn.execute("SELECT count(*), count(DISTINCT id) FROM pairs").fetchone()
        assert pairs[0] == pairs[1]


def _cache_size(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM llm_cache").fetchone()[0])


def test_rerun_of_a_finished_run_sends_nothing(tmp_path: Path) -> None:
    with fake_endpoint(*FAKE_FLAGS) as url:
        first = apigen(*_args(url, tmp_path))
        assert first.returncode == 0, first.stderr
        data = (tmp_path / "dataset.jsonl").read_bytes()
        again = apigen(*_args(url, tmp_path))
        assert again.returncode == 0, again.stderr
    assert (tmp_path / "dataset.jsonl").read_bytes() == data
    assert _sessions(tmp_path / "apigen.sqlite")[-1]["requests"] == 0
