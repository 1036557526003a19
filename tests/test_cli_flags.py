"""Flags: one default per setting wherever it is used; out-of-range values refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from apigen_async.cli import _parser
from apigen_async.commands.generate import llm_concurrency, pipeline_settings
from apigen_async.config import given, load_run_config
from apigen_async.executors.python import PythonExecutor
from apigen_async.llm.endpoint import Endpoint
from apigen_async.llm.limits import DEFAULT_CONCURRENCY
from apigen_async.stages import CHECKS
from apigen_async.styles import STYLES
from tests.helpers import apigen


def test_defaults_agree_wherever_they_are_used() -> None:
    parser = _parser()
    # The generate parser has no defaults: they are RunConfig's.
    generate = load_run_config({})
    assert vars(parser.parse_args(["generate"])) == {"command": "generate"}
    verify = parser.parse_args(["verify", "rows.jsonl"])
    check = parser.parse_args(["catalog", "check"])
    sandbox = PythonExecutor()  # as `catalog check` builds it
    run_sandbox = generate.python_executor()  # as `generate` and `verify` build it
    endpoint = Endpoint(kind="remote", base_url="http://h/v1", model="m", judge_model="m")
    settings = pipeline_settings(generate, endpoint, llm_concurrency(generate, endpoint))
    assert generate.exec_memory_mb == verify.exec_memory_mb == sandbox.memory_mb == 1024
    assert run_sandbox.memory_mb == 1024
    workers = (generate.exec_concurrency, verify.exec_concurrency, check.exec_concurrency)
    assert workers == (2, 2, 2) == (settings.exec_concurrency,) * 3
    assert sandbox._slots.total_tokens == run_sandbox._slots.total_tokens == 2
    assert generate.exec_timeout == verify.exec_timeout == sandbox.timeout == 5.0
    assert run_sandbox.timeout == 5.0
    # `--concurrency` has no default: without it an endpoint gets 8, the embedded
    # model its --slots.
    assert generate.concurrency is None and settings.concurrency == DEFAULT_CONCURRENCY == 8


def test_the_embedded_model_gets_its_own_checks_and_no_examples_unless_asked() -> None:
    remote = Endpoint(kind="remote", base_url="http://h/v1", model="m", judge_model="m")
    local = Endpoint(kind="local", base_url="", model="q", judge_model="q")
    default = load_run_config({})
    assert default.by_endpoint(remote).checks == CHECKS
    assert default.by_endpoint(remote).examples_per_task == (1, 2)
    # Measured (bench/README.md): the 0.5B copies shown examples; the 1.5B judge on top
    # of re-solve drops more correct rows than wrong ones.
    assert default.by_endpoint(local).checks == tuple(c for c in CHECKS if c != "judge")
    assert default.by_endpoint(local).examples_per_task == (0, 0)
    asked = load_run_config({"checks": "format,judge", "examples_per_task": "1-1"})
    assert asked.by_endpoint(local).checks == ("format", "judge")
    assert asked.by_endpoint(local).examples_per_task == (1, 1)
    # The identity holds the filled-in values, so a resumed run compares like with like.
    assert default.identity(local, "fp").checks == list(default.by_endpoint(local).checks)
    # Nor is it shown verified queries to differ from; 0 keeps older stores' identity.
    assert default.by_endpoint(remote).avoid_queries == 3
    assert default.by_endpoint(local).avoid_queries == 0
    assert default.identity(remote, "fp").avoid_queries == 3
    assert default.identity(local, "fp").avoid_queries is None
    assert load_run_config({"avoid_queries": 2}).by_endpoint(local).avoid_queries == 2
    # The embedded 1.5B writes irrelevance queries its offered functions answer: none by
    # default there, all five styles elsewhere, and --styles is obeyed on both.
    assert set(given(default.by_endpoint(remote).styles)) == set(STYLES)
    assert "irrelevance" not in given(default.by_endpoint(local).styles)
    assert default.identity(local, "fp").styles == {s: 1.0 for s in STYLES if s != "irrelevance"}
    only = load_run_config({"styles": "irrelevance"})
    assert only.by_endpoint(local).styles == {"irrelevance": 1.0}


# (command..., flag, bad value): every one is refused in one line naming the flag, exit 2.
OUT_OF_RANGE = [
    *(
        ("generate", flag, value)
        for flag, value in [
            ("--max-retries", "-1"),
            ("--timeout", "0"),
            ("--timeout", "-5"),
            ("--rpm", "0"),
            ("--tpm", "-1"),
            ("--temperature", "-0.1"),
            ("--temperature", "2.5"),
            ("--max-tokens", "0"),
            ("--epoch-size", "0"),
            ("--exec-timeout", "0"),
            ("--exec-memory-mb", "63"),
            ("--exec-concurrency", "0"),
            ("--slots", "0"),
            ("--concurrency", "0"),
            ("--pairs", "0"),
            ("--judge-batch", "0"),
            ("--pairs-per-task", "0"),
            ("--max-tasks", "-3"),
            ("--rest-rps", "0"),
            ("--rest-rps", "nan"),
            ("--length-retry-tokens", "0"),
            ("--price-in", "-1"),
            ("--tools-per-task", "0-2"),
            ("--examples-per-task", "3-1"),
        ]
    ),
    *(
        ("bench", flag, value)
        for flag, value in [
            ("--slots", "0"),
            ("--requests", "-1"),
            ("--max-tokens", "0"),
            ("--temperature", "3"),
            ("--timeout", "0"),
            ("--levels", "0,2"),
        ]
    ),
    ("catalog check", "--exec-concurrency", "0"),
    ("verify rows.jsonl", "--concurrency", "0"),
    ("verify rows.jsonl", "--exec-memory-mb", "10"),
    ("serve-apis", "--port", "70000"),
    ("serve-apis", "--rps-per-key", "0"),
]


@pytest.mark.parametrize(
    ("command", "flag", "value"), OUT_OF_RANGE, ids=[" ".join(c) for c in OUT_OF_RANGE]
)
def test_out_of_range_numbers_are_one_line_naming_the_flag(
    tmp_path: Path, command: str, flag: str, value: str
) -> None:
    out = tmp_path / "out"
    where = ("--out", str(out)) if command.split()[0] in ("generate", "bench", "verify") else ()
    result = apigen(*command.split(), *where, flag, value)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith("apigen") and ": error: " in lines[0], lines[0]
    assert flag in lines[0] and value in lines[0], lines[0]
    assert not out.exists()
