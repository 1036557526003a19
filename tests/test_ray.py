"""`--ray --shards 2` on a local Ray instance: the by-hand shards' dataset, and a rerun
after the driver was killed runs only the shards not finished."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import ray  # noqa: F401  (the test extra installs it: without it this file fails, not skips)

from tests.helpers import REPO, apigen, cli_env, fake_endpoint

COMMON = ["-n", "40", "--seed", "11", "--model", "fake", "--concurrency", "4", "--quiet",
          "--epoch-size", "8"]  # fmt: skip


def _lines(path: Path) -> int:
    return len(path.read_bytes().splitlines()) if path.exists() else 0


def test_ray_shards_match_hand_shards_and_a_rerun_skips_finished_ones(tmp_path: Path) -> None:
    hand = [tmp_path / "hand-0", tmp_path / "hand-1"]
    out, log = tmp_path / "ray", tmp_path / "requests.jsonl"
    with fake_endpoint("--latency", "uniform:0.05,0.25") as url:
        for k, folder in enumerate(hand):
            done = apigen("generate", "--shard", f"{k}/2", "--out", str(folder),
                          "--base-url", url, *COMMON)  # fmt: skip
            assert done.returncode == 0, done.stderr
        merged = apigen("merge", str(tmp_path / "hand"), *map(str, hand))
        assert merged.returncode == 0, merged.stderr
        expected = (tmp_path / "hand" / "dataset.jsonl").read_bytes()

        command = [sys.executable, "-m", "apigen_async", "generate", "--ray", "--shards", "2",
                   "--out", str(out), "--base-url", url, "--log-requests", str(log),
                   *COMMON]  # fmt: skip
        # Its own session, so the Ray processes it starts can be cleaned up after the kill.
        driver = subprocess.Popen(command, cwd=REPO, env=cli_env(), start_new_session=True,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        marks = [out / "shards" / f"shard-{k}" / ".finished" for k in range(2)]
        deadline = time.monotonic() + 120
        while not any(m.exists() for m in marks):
            assert driver.poll() is None, "the driver ended before any shard finished"
            assert time.monotonic() < deadline, "no shard finished"
            time.sleep(0.02)
        driver.send_signal(signal.SIGKILL)  # the driver dies with a shard finished
        driver.wait()
        os.killpg(driver.pid, signal.SIGKILL)  # and what it left of Ray with it
        finished = [k for k, m in enumerate(marks) if m.exists()]
        logs = [log.with_name(f"requests.shard-{k}.jsonl") for k in range(2)]
        sent = [_lines(p) for p in logs]
        stores = {k: (out / "shards" / f"shard-{k}" / "apigen.sqlite").read_bytes()
                  for k in finished}  # fmt: skip
        assert not (out / "dataset.jsonl").exists()

        rerun = subprocess.run(command, cwd=REPO, env=cli_env(), capture_output=True, text=True,
                               timeout=240, start_new_session=True)  # fmt: skip
        assert rerun.returncode == 0, rerun.stderr[-3000:]
    for k in finished:
        assert f"shard {k}/2: finished in an earlier run" in rerun.stderr
        # Nothing of a finished shard was sent again: its request log did not grow.
        assert _lines(logs[k]) == sent[k] > 0
        assert (out / "shards" / f"shard-{k}" / "apigen.sqlite").read_bytes() == stores[k]
    for k in set(range(2)) - set(finished):
        # The unfinished one ran again, on to its end (its own resume applies).
        assert (out / "shards" / f"shard-{k}" / ".finished").exists()
        assert f"shard {k}/2: finished in an earlier run" not in rerun.stderr
    assert (out / "dataset.jsonl").read_bytes() == expected


def test_ray_not_installed_is_one_line_naming_the_extra(tmp_path: Path) -> None:
    blocker = tmp_path / "block"
    (blocker / "ray").mkdir(parents=True)
    (blocker / "ray" / "__init__.py").write_text("raise ImportError('no ray here')\n")
    env = {"PYTHONPATH": os.pathsep.join([str(blocker), str(REPO)])}
    out = tmp_path / "out"
    result = apigen("generate", "--ray", "--out", str(out), "--base-url", "http://127.0.0.1:9/v1",
                    "--model", "m", **env)  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "apigen: error: --ray needs Ray, which is not installed: pip install 'apigen-async[ray]'"
    ]
    assert not out.exists()
