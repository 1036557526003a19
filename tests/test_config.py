"""RunConfig: the same settings from flags or a TOML file, flags first; one line per bad value."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from apigen_async.cli import _parser, generate_config, main
from apigen_async.config import IDENTITY_KEYS, RunConfig
from apigen_async.llm.endpoint import Endpoint

FLAGS = [
    "-n", "7", "--seed", "3", "--model", "m", "--base-url", "http://h:1/v1",
    "--concurrency", "5", "--styles", "simple:2,parallel", "--checks", "format,execution",
    "--tools-per-task", "2-3", "--temperature", "0.2", "--rpm", "600", "--no-builtin",
    "--apis", "a.py", "b.json", "--export", "openai,bfcl", "--fresh", "--shard", "1/4",
    "--max-retries", "0", "--rest-backend", "none", "--dedup", "exact",
]  # fmt: skip

TOML = """
n = 7
seed = 3
model = "m"
base-url = "http://h:1/v1"
concurrency = 5
styles = "simple:2,parallel"
checks = "format,execution"
tools_per_task = "2-3"
temperature = 0.2
rpm = 600
no-builtin = true
apis = ["a.py", "b.json"]
export = "openai,bfcl"
resume = false
shard = "1/4"
max_retries = 0
rest_backend = "none"
dedup = "exact"
"""


def _config(*argv: str) -> RunConfig:
    return generate_config(_parser().parse_args(["generate", *argv]))


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "run.toml"
    path.write_text(text)
    return path


def test_a_config_file_gives_the_config_of_the_same_flags(tmp_path: Path) -> None:
    from_flags = _config(*FLAGS)
    from_file = _config("--config", str(_file(tmp_path, TOML)))
    assert from_file == from_flags
    assert from_flags != RunConfig()  # every line above changed something
    assert from_flags.styles == {"simple": 2.0, "parallel": 1.0}
    assert from_flags.export == ("xlam", "openai", "bfcl")
    assert from_flags.apis == (Path("a.py"), Path("b.json"))
    assert (from_flags.shard, from_flags.fresh, from_flags.pairs) == ((1, 4), True, 7)


def test_flags_given_override_the_file_and_the_rest_are_defaults(tmp_path: Path) -> None:
    path = _file(tmp_path, 'concurrency = 5\nmodel = "m"\nfresh = true\n')
    config = _config("--config", str(path), "--concurrency", "9", "--resume")
    assert (config.concurrency, config.model, config.fresh) == (9, "m", False)
    assert config.max_retries == RunConfig().max_retries == 6


def test_identity_follows_what_shapes_the_dataset_only() -> None:
    endpoint = Endpoint(kind="remote", base_url="http://h:1/v1", model="m", judge_model="m")
    base = _config("--concurrency", "2").identity(endpoint, "fp")
    assert _config("--concurrency", "16", "--quiet").identity(endpoint, "fp") == base
    other = Endpoint(kind="remote", base_url="http://h:1/v1", model="m2", judge_model="m2")
    assert _config("--model", "m2").identity(other, "fp") != base
    assert _config("--seed", "1").identity(endpoint, "fp") != base
    assert _config("--styles", "simple").identity(endpoint, "fp") != base
    # What a run stores is what resume compares: one list of keys.
    assert tuple(msgspec.to_builtins(base)) == IDENTITY_KEYS


def _fails(capsys: pytest.CaptureFixture[str], argv: list[str], *needles: str) -> str:
    try:
        code = main(argv)
    except SystemExit as exit:  # argparse's own errors
        code = exit.code
    assert code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("apigen") and ": error: " in lines[0], lines[0]
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--max-retries", "-1"),
        ("--concurrency", "0"),
        ("--temperature", "-1"),
        ("--pairs-per-task", "0"),
        ("--judge-batch", "0"),
        ("--exec-memory-mb", "1"),
        ("--exec-timeout", "0"),
        ("--epoch-size", "0"),
        ("-n", "0"),
        ("--give-up-after", "-2"),
        ("--dedup-threshold", "1.5"),
        ("--styles", "simple:-1"),
        ("--styles", "irrelevance:0"),
        ("--styles", "simple:x"),
        ("--checks", "bogus"),
        ("--export", "csv"),
        ("--shard", "2/2"),
        ("--examples-per-task", "x"),
    ],
)
def test_a_bad_flag_is_one_line_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str, value: str
) -> None:
    out = tmp_path / "out"
    _fails(capsys, ["generate", "--out", str(out), flag, value], flag, value)
    assert not out.exists()


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        ("concurency = 3\n", ["unknown key 'concurency'"]),
        ('slots = "3"\n', ["slots", "expected `int`, got `str`"]),
        ("max-retries = -1\n", ["max_retries", "-1"]),
        ("temperature = nan\n", ["temperature", "nan"]),
        ("rpm = inf\n", ["rpm", "inf"]),
        ('styles = "simple:2,paralel"\n', ["styles", "unknown style 'paralel'"]),
        ("styles = { simple = 2 }\n", ["styles", "expected a string"]),
        ('sampling = "random"\n', ["sampling", "random"]),
        ("fresh = 1\n", ["fresh", "expected `bool`"]),
        ("apis = [1]\n", ["apis", "expected a path"]),
        ("shards = 2\n", ["--shards is for --ray"]),
        ("concurrency = \n", ["not valid TOML"]),
    ],
)
def test_a_bad_config_file_is_one_line_naming_the_file_and_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, needles: list[str]
) -> None:
    path = _file(tmp_path, text)
    out = tmp_path / "out"
    line = _fails(capsys, ["generate", "--out", str(out), "--config", str(path)], *needles)
    # A setting no flag contradicts is named by the file; a combination, by its flags.
    assert str(path) in line or "--shards" in line
    assert not out.exists()


def test_a_missing_config_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fails(capsys, ["generate", "--config", str(tmp_path / "nope.toml")], "nope.toml")
