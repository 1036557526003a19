"""--push-to-hub: no token and an unreachable Hub are one line each, the run's files stay,
and what would go up is the dataset, card and report.html, never the store."""

from __future__ import annotations

from pathlib import Path

from apigen_async.hub import hub_files
from tests.helpers import apigen, fake_endpoint, free_port

TOKEN = "hf_testTokenThatMustNeverBeWritten0123"


def _errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("apigen:")]


def test_no_token_is_one_line_before_the_run_starts(tmp_path: Path) -> None:
    out = tmp_path / "out"
    # No HF_TOKEN and no stored login (HF_HOME is empty).
    done = apigen(
        "generate", "-n", "3", "--base-url", f"http://127.0.0.1:{free_port()}/v1",
        "--model", "fake", "--out", str(out), "--push-to-hub", "me/my-data",
        HF_TOKEN="", HF_HOME=str(tmp_path / "hf"),
    )  # fmt: skip
    assert done.returncode != 0
    [line] = _errors(done.stderr)
    assert "--push-to-hub me/my-data: no Hugging Face token" in line and "HF_TOKEN" in line
    assert not out.exists()  # said before anything was spent or stored


def test_unreachable_hub_is_one_line_naming_the_repo_and_the_run_is_kept(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with fake_endpoint() as url:
        done = apigen(
            "generate", "-n", "6", "--base-url", url, "--model", "fake", "--out", str(out),
            "--quiet", "--export", "openai", "--log-requests", str(out / "requests.jsonl"),
            "--push-to-hub", "me/my-data",
            HF_TOKEN=TOKEN, HF_ENDPOINT=f"http://127.0.0.1:{free_port()}",
        )  # fmt: skip
    assert done.returncode != 0
    [line] = _errors(done.stderr)
    assert "--push-to-hub me/my-data: cannot reach http://127.0.0.1:" in line
    assert f"the run's files are in {out}" in line
    assert TOKEN not in done.stdout + done.stderr
    # The run's data is all there, and the token is in none of it.
    assert len((out / "dataset.jsonl").read_text().splitlines()) == 6
    for path in out.iterdir():
        assert TOKEN.encode() not in path.read_bytes(), path
    # What a push uploads: the dataset files, the card and report.html; not the store,
    # report.json or the request log, though the folder holds them.
    present = {p.name for p in out.iterdir()}
    assert {"apigen.sqlite", "report.json", "requests.jsonl"} <= present
    uploaded = [p.name for p in hub_files(out, ("xlam", "openai"))]
    assert uploaded == ["dataset.jsonl", "dataset.openai.jsonl", "README.md", "report.html"]
