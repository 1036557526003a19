"""Several endpoints in one run: routing, failover and return of a killed one, accounting."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from apigen_async.errors import ConfigError
from apigen_async.llm.endpoints import load_endpoints_file
from tests.helpers import REPO, apigen, cli_env, free_port, stored_tasks


class FakeProcess:
    """`python -m bench.fake_openai` on a fixed port, so it can be killed and restarted."""

    def __init__(self, *flags: str) -> None:
        self.port = free_port()
        self.flags = flags
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.proc: subprocess.Popen[bytes] | None = None
        self.logs: list[Path] = []

    def start(self, log: Path) -> None:
        self.logs.append(log)
        # A first start may lose its free port to another process binding it in between
        # (the whole suite runs servers): then it takes another. Restarts keep the port.
        for _ in range(3 if len(self.logs) == 1 else 1):
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bench.fake_openai", "--port", str(self.port),
                 "--log", str(log), *self.flags],
                cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            assert self.proc.stdout is not None
            if self.proc.stdout.readline().startswith(b"READY"):
                return
            self.proc.wait(20)
            self.port = free_port()
            self.url = f"http://127.0.0.1:{self.port}/v1"
        raise AssertionError("fake endpoint did not start")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(20)
        self.proc = None

    def arrivals(self) -> list[float]:
        """When each logged request arrived (`time.monotonic()`, one clock for all processes)."""
        return [
            json.loads(line)["arrival"]
            for p in self.logs
            if p.exists()
            for line in p.read_bytes().splitlines()
        ]


@contextmanager
def fakes(tmp: Path, *latencies: str) -> Iterator[list[FakeProcess]]:
    procs = [FakeProcess("--latency", lat) for lat in latencies]
    try:
        for i, p in enumerate(procs):
            p.start(tmp / f"fake{i}-0.jsonl")
        yield procs
    finally:
        for p in procs:
            p.stop()


def _args(urls: list[str], out: Path, n: int) -> list[str]:
    flags = [x for url in urls for x in ("--base-url", url)]
    return ["generate", "-n", str(n), "--out", str(out), *flags, "--model", "fake",
            "--concurrency", "3", "--epoch-size", "16", "--seed", "3", "--quiet",
            "--give-up-after", "0"]  # fmt: skip


def _wait_for_tasks(db: Path, proc: subprocess.Popen[bytes], depth: int) -> None:
    deadline = time.monotonic() + 60
    while stored_tasks(db) < depth and proc.poll() is None:
        assert time.monotonic() < deadline, "run made no progress"
        time.sleep(0.02)


def test_killed_endpoint_hands_over_and_comes_back_and_kill_9_resumes(tmp_path: Path) -> None:
    n = 320
    with fakes(tmp_path, "0.05", "0.1", "uniform:0.05,0.15") as (a, b, c):
        urls = [a.url, b.url, c.url]
        out = tmp_path / "run"
        run = subprocess.Popen(
            [sys.executable, "-m", "apigen_async", *_args(urls, out, n)],
            cwd=REPO, env=cli_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        _wait_for_tasks(out / "apigen.sqlite", run, 15)
        c.stop(signal.SIGKILL)  # mid-run, with requests in flight on it
        killed_at = time.monotonic()
        time.sleep(1.5)
        c.start(tmp_path / "fake2-1.jsonl")
        back_at = time.monotonic()
        _, err = run.communicate(timeout=240)
        assert run.returncode == 0, err.decode()[-2000:]
        c.stop()  # SIGTERM: the restarted fake writes its log
        c_arrivals = c.arrivals()
        c.start(tmp_path / "fake2-2.jsonl")
        reference = (out / "dataset.jsonl").read_bytes()
        report = json.loads((out / "report.json").read_text())

        # The killed endpoint was taken out, its requests answered elsewhere, and it
        # served again once restarted.
        lanes = {e["url"]: e for e in report["endpoints"]}
        assert list(lanes) == urls
        assert lanes[c.url]["errors"] >= 1 and lanes[c.url]["trips"] >= 1
        assert any(t > back_at for t in c_arrivals), "the restarted endpoint got nothing"
        assert report["failed_requests"] == {}
        # Per-endpoint figures add up to the totals.
        for mine, total in (("requests", "requests"), ("errors", "request_errors"),
                            ("prompt_tokens", "sent_tokens_in"),
                            ("completion_tokens", "sent_tokens_out")):  # fmt: skip
            assert sum(e[mine] for e in lanes.values()) == report[total] > 0 or mine == "errors"
        assert report["request_errors"] >= 1
        assert [r["generator"] for r in report["filter_table"]] == ["fake"]
        rows = reference.splitlines()
        assert len(rows) == n

        # kill -9 of the same run over the three endpoints, then resume: the same dataset.
        killed = tmp_path / "killed"
        for depth in (5, 40):
            proc = subprocess.Popen(
                [sys.executable, "-m", "apigen_async", *_args(urls, killed, n)],
                cwd=REPO, env=cli_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            _wait_for_tasks(killed / "apigen.sqlite", proc, depth)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        resumed = apigen(*_args(urls, killed, n))
        assert resumed.returncode == 0, resumed.stderr
        a.stop()
        b.stop()
    assert (killed / "dataset.jsonl").read_bytes() == reference
    # While it was down, the other two served.
    assert all(any(killed_at < t < back_at for t in p.arrivals()) for p in (a, b))


def test_endpoints_serving_different_models_get_a_row_each(tmp_path: Path) -> None:
    a = FakeProcess("--model", "fake", "--model", "judge-a")
    b = FakeProcess("--model", "other", "--model", "judge-b")
    config = tmp_path / "endpoints.toml"
    config.write_text(
        f'[[endpoint]]\nbase_url = "{a.url}"\nmodel = "fake"\n\n'
        f'[[endpoint]]\nbase_url = "{b.url}"\nmodel = "other"\njudge_model = "judge-b"\n'
        "concurrency = 6\n"
    )
    # Requests name the first endpoint's models, so it must name a judge of its own too.
    bad = apigen("generate", "-n", "2", "--out", str(tmp_path / "bad"), "--endpoints",
                 str(config), "--quiet")  # fmt: skip
    assert bad.returncode == 2
    assert "a later endpoint judges with a judge_model of its own" in bad.stderr
    config.write_text(config.read_text().replace('"fake"\n', '"fake"\njudge_model = "judge-a"\n'))
    out = tmp_path / "out"
    try:
        a.start(tmp_path / "a.jsonl")
        b.start(tmp_path / "b.jsonl")
        done = apigen("generate", "-n", "40", "--out", str(out), "--endpoints", str(config),
                      "--concurrency", "4", "--quiet", "--extra-columns")  # fmt: skip
        assert done.returncode == 0, done.stderr
    finally:
        a.stop()
        b.stop()
    report = json.loads((out / "report.json").read_text())
    rows = {r["generator"]: r for r in report["filter_table"]}
    assert set(rows) == {"fake", "other"}
    assert all(r["generated"] > 0 for r in rows.values())
    assert sum(r["verified"] for r in rows.values()) >= 40
    lanes = {e["url"]: e for e in report["endpoints"]}
    assert lanes[a.url]["models"] == ["fake", "judge-a"]
    assert lanes[b.url]["models"] == ["judge-b", "other"]
    assert lanes[b.url]["requests"] > 0 and lanes[a.url]["requests"] > 0
    rows_out = (out / "dataset.jsonl").read_text().splitlines()
    assert {json.loads(row)["generator"] for row in rows_out} == {"fake", "other"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[endpoint]]\nbase_url = "http://h:1/v1"\nmodel = \n', ":3: not valid TOML: "),
        ('[[endpoint]]\nbase_url = "http://h:1/v1"\nmodel = "m"\n\n[[endpoint]]\n'
         'base_url = "http://h:2/v1"\nmodel = "m"\nwieght = 2\n',
         ":8: endpoint 2: wieght: unknown key (known: base_url, model, judge_model, "
         "api_key_env, weight, concurrency, rpm, tpm)"),
        ('[[endpoint]]\nbase_url = "http://h:1/v1"\nmodel = "m"\nconcurrency = "lots"\n',
         ":4: endpoint 1: concurrency: Expected `int | null`, got `str`"),
        ('[[endpoint]]\nbase_url = "http://h:1/v1"\nmodel = "m"\nrpm = -5\n',
         ":4: endpoint 1: rpm: must be > 0, got -5"),
        ('[[endpoint]]\nbase_url = "h:1/v1"\nmodel = "m"\n', ":2: endpoint 1: base_url: "),
        ('[[endpoint]]\nbase_url = "http://h:1/v1"\n', ":1: endpoint 1: missing model"),
        ('[endpoints]\nbase_url = "http://h:1/v1"\n', ":1: unknown key 'endpoints'"),
    ],
    ids=["toml", "unknown-field", "type", "negative", "url", "missing", "table-name"],
)  # fmt: skip
def test_bad_endpoints_file_names_file_line_and_key(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "endpoints.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_endpoints_file(path)
    assert str(caught.value).startswith(f"{path}{message}"), str(caught.value)
    assert "\n" not in str(caught.value)


def test_bad_endpoints_file_is_one_line_and_keeps_the_stored_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "apigen.sqlite").write_bytes(b"kept")
    path = tmp_path / "e.toml"
    path.write_text('[[endpoint]]\nbase_url = "http://h:1/v1"\nmodel = "m"\ncolour = 1\n')
    result = apigen("generate", "--endpoints", str(path), "--out", str(out), "--fresh")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"apigen: error: {path}:4: endpoint 1: colour: unknown key (known: base_url, model, "
        "judge_model, api_key_env, weight, concurrency, rpm, tpm)"
    ]
    assert (out / "apigen.sqlite").read_bytes() == b"kept"
