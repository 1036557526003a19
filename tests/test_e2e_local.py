"""The whole job on a real local LLM (llama.cpp), offline.

Structure is asserted, not meaning. Generation runs SmolLM2-135M with the paper's three
checks: its pairs almost never pass the rules and re-solve checks, which is those checks
working, not the pipeline failing (bench/verify measures the checks themselves). The
default checks run on the embedded default model through `apigen verify`.
"""

from __future__ import annotations

import json
from pathlib import Path

import anyio
import pytest

from apigen_async.llm.local import resolve_local_model, serve_local_model
from tests.helpers import apigen
from tests.test_generate import assert_report_adds_up, assert_valid_xlam_rows

# Real llama.cpp runs: `-m "not slow"` leaves them out; by default (and in CI) they run.
pytestmark = pytest.mark.slow

SMALL = ("--pairs-per-task", "2", "--max-tokens", "384", "--styles", "simple,multiple",
         "--quiet", "--seed", "3", "--checks", "format,execution,judge",
         "--local-checker", "same")  # fmt: skip


def _check_run(out: Path, n: int) -> dict:  # type: ignore[type-arg]
    rows = assert_valid_xlam_rows(out / "dataset.jsonl")
    assert len(rows) == n
    report = json.loads((out / "report.json").read_text())
    assert_report_adds_up(report)
    assert report["tokens_out"] > 0 and report["exported"] == n
    return report


# A real model on 2 shared cores: generous limits (alone it takes 1-2 minutes).
@pytest.mark.timeout(900)
def test_embedded_default_model_makes_a_verified_dataset(tmp_path: Path) -> None:
    # No --base-url and no key: the tool starts llama.cpp itself on 127.0.0.1.
    result = apigen("generate", "-n", "2", "--out", str(tmp_path), "--local-model",
                    "smollm2-135m", *SMALL, timeout=840)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    report = _check_run(tmp_path, 2)
    assert report["filter_table"][0]["generator"] == "smollm2-135m"


@pytest.mark.timeout(900)
@pytest.mark.anyio
async def test_base_url_works_against_a_real_llama_cpp_server(tmp_path: Path) -> None:
    path = resolve_local_model("smollm2-135m")
    async with anyio.create_task_group() as tg:
        url = await tg.start(
            lambda task_status: serve_local_model(
                path, alias="smol", n_parallel=4, task_status=task_status
            )
        )
        result = await anyio.to_thread.run_sync(
            lambda: apigen(
                "generate",
                "-n",
                "2",
                "--out",
                str(tmp_path),
                "--base-url",
                url,
                "--model",
                "smol",
                *SMALL,
                timeout=840,
            )
        )
        tg.cancel_scope.cancel()
    assert result.returncode == 0, result.stderr[-3000:]
    report = _check_run(tmp_path, 2)
    assert report["filter_table"][0]["generator"] == "smol"


@pytest.mark.timeout(900)
def test_verify_runs_every_check_on_the_embedded_default_model(tmp_path: Path) -> None:
    from tests.test_verify_command import _row

    bmi = {"name": "calculate_bmi", "arguments": {"weight_kg": 75, "height_m": 1.8}}
    source = tmp_path / "rows.jsonl"
    source.write_text(
        "\n".join(
            [
                _row("asked", "What's the BMI of someone 1.8 m tall weighing 75 kg?", [bmi],
                     ["calculate_bmi"]),
                _row("invented", "What's my BMI?", [bmi], ["calculate_bmi"]),
                _row("none", "Which gym near me is open all night?", [], ["calculate_bmi"]),
            ]
        )
        + "\n"
    )  # fmt: skip
    out = tmp_path / "out"
    result = apigen("verify", str(source), "--out", str(out), "--quiet", timeout=840)
    assert result.returncode == 0, result.stderr[-3000:]
    verdicts = {
        v["id"]: v for v in map(json.loads, (out / "verdicts.jsonl").read_text().splitlines())
    }
    assert set(verdicts) == {"asked", "invented", "none"}
    # No request is needed to see an invented value.
    assert (verdicts["invented"]["stage"], verdicts["invented"]["code"]) == (
        "rules",
        "ungrounded_value",
    )
    # The others reach the model: kept, or dropped by one of its two checks.
    for key in ("asked", "none"):
        assert verdicts[key]["kept"] or verdicts[key]["stage"] in ("resolve", "semantic")
    report = json.loads((out / "report.json").read_text())
    assert report["filter_table"][0]["generated"] == 3
