"""One writer per output folder: a second one refuses at once, a killed one leaves no lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from apigen_async.errors import StoreError
from apigen_async.outdir import LOCK_NAME, atomic_file, hold_out_lock
from tests.helpers import REPO, apigen, cli_env, fake_endpoint, stored_tasks

N = 8
#: Paces the first run so that it is still going while the others try the folder.
# Slow enough that the first run outlives the two refused ones even on a loaded machine.
PACED = ("--rpm", "60")


def _args(url: str, out: Path, *extra: str) -> list[str]:
    return ["generate", "-n", str(N), "--out", str(out), "--base-url", url, "--model", "fake",
            "--concurrency", "4", "--seed", "3", "--quiet", *extra]  # fmt: skip


def _start(url: str, out: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "apigen_async", *_args(url, out, *extra)],
        cwd=REPO,
        env=cli_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_tasks(proc: subprocess.Popen[str], db: Path, n: int) -> None:
    deadline = time.monotonic() + 60
    while stored_tasks(db) < n:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        assert time.monotonic() < deadline, "run made no progress"
        time.sleep(0.02)


def test_lock_is_exclusive_and_released_with_the_block(tmp_path: Path) -> None:
    with hold_out_lock(tmp_path):
        assert (tmp_path / LOCK_NAME).read_text().strip() == str(os.getpid())
        with (
            pytest.raises(StoreError, match=rf"in use by another apigen run \(pid {os.getpid()}\)"),
            hold_out_lock(tmp_path),
        ):
            pass
    with hold_out_lock(tmp_path):  # released: taken again
        pass


def test_atomic_file_appears_whole_or_not_at_all(tmp_path: Path) -> None:
    target = tmp_path / "dataset.jsonl"
    target.write_bytes(b"old\n")
    with pytest.raises(RuntimeError), atomic_file(target) as handle:
        handle.write(b"half a li")
        raise RuntimeError
    assert target.read_bytes() == b"old\n"
    with atomic_file(target) as handle:
        handle.write(b"new\n")
    assert target.read_bytes() == b"new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dataset.jsonl"]


def test_second_writer_and_fresh_refuse_while_the_first_finishes_as_if_alone(
    tmp_path: Path,
) -> None:
    alone, shared = tmp_path / "alone", tmp_path / "shared"
    with fake_endpoint() as url:
        first = _start(url, shared, *PACED)
        _wait_for_tasks(first, shared / "apigen.sqlite", 1)
        # A reader works beside the live run.
        report = apigen("report", str(shared), "--json")
        assert report.returncode == 0, report.stderr
        for extra in ((), ("--fresh",)):
            started = time.monotonic()
            second = apigen(*_args(url, shared, *extra))
            assert time.monotonic() - started < 10
            assert second.returncode == 2
            lines = second.stderr.strip().splitlines()
            assert lines == [
                f"apigen: error: --out {shared} is in use by another apigen run "
                f"(pid {first.pid}); wait for it to finish or choose another --out"
            ], second.stderr
        assert first.poll() is None, "the first run ended before the test was done"
        assert first.wait(timeout=120) == 0, first.stderr.read() if first.stderr else ""
        lone = apigen(*_args(url, alone))
        assert lone.returncode == 0, lone.stderr
    assert (shared / "dataset.jsonl").read_bytes() == (alone / "dataset.jsonl").read_bytes()


def test_kill_9_leaves_no_stale_lock(tmp_path: Path) -> None:
    with fake_endpoint() as url:
        proc = _start(url, tmp_path, *PACED)
        _wait_for_tasks(proc, tmp_path / "apigen.sqlite", 1)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        again = apigen(*_args(url, tmp_path))
    assert again.returncode == 0, again.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".apigen-tmp.")]


def test_verify_takes_the_lock_too(tmp_path: Path) -> None:
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"query": "q", "answers": "[]", "tools": "[]"}\n')
    out = tmp_path / "verified"
    out.mkdir()
    with hold_out_lock(out):
        result = apigen("verify", str(rows), "--out", str(out), "--checks", "format", "--quiet")
    assert result.returncode == 2
    assert f"--out {out} is in use by another apigen run (pid {os.getpid()})" in result.stderr
    assert "Traceback" not in result.stderr
