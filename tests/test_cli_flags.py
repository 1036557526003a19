"""Flags: one default per setting wherever it is used."""

from __future__ import annotations

from apigen_async.cli import _parser
from apigen_async.executors.python import PythonExecutor
from apigen_async.llm.limits import DEFAULT_CONCURRENCY
from apigen_async.pipeline import PipelineSettings


def test_defaults_agree_wherever_they_are_used() -> None:
    parser = _parser()
    generate = parser.parse_args(["generate"])
    verify = parser.parse_args(["verify", "rows.jsonl"])
    check = parser.parse_args(["catalog", "check"])
    sandbox = PythonExecutor()  # as `catalog check` builds it
    settings = PipelineSettings(target=1, model="m", judge_model="m")
    assert generate.exec_memory_mb == verify.exec_memory_mb == sandbox.memory_mb == 1024
    workers = (generate.exec_concurrency, verify.exec_concurrency, check.exec_concurrency)
    assert workers == (2, 2, 2) == (settings.exec_concurrency,) * 3
    assert sandbox._slots.total_tokens == 2
    assert generate.exec_timeout == verify.exec_timeout == sandbox.timeout == 5.0
    # `--concurrency` has no parser default: without it an endpoint gets 8, the embedded
    # model its --slots.
    assert generate.concurrency is None and settings.concurrency == DEFAULT_CONCURRENCY == 8
