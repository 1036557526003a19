"""`apigen eval` on the real embedded model (llama.cpp), on a handful of items.

Meaning is not asserted (a small model's score on 5 items says little); what is: llama.cpp
accepts every request, `tools` included (no request failure), and both modes write scores
and BFCL result files. The 0.5B model writes its native calls as a ```json block, not
in Qwen's <tool_call> tags, so llama.cpp hands them back as text: in fc mode its answers
are text, which BFCL's FC scoring counts as no call (README, "Evaluating a model").
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apigen_async.catalog.dialects import tool_to_xlam
from apigen_async.catalog.library import load_catalog
from tests.helpers import apigen, require_bfcl_data

pytestmark = pytest.mark.slow
MODEL = ("--local-model", "qwen2.5-coder-0.5b")
require_bfcl_data()


@pytest.mark.timeout(900)
def test_embedded_model_answers_bfcl_in_fc_mode_and_our_data_in_prompt_mode(
    tmp_path: Path,
) -> None:
    out = tmp_path / "bfcl"
    # The 0.5B, not the default 1.5B: the same embedded path at a third of the test's time.
    result = apigen("eval", "--bfcl", "simple_python,parallel,irrelevance", "--sample", "1",
                    "--out", str(out), "--quiet", *MODEL, timeout=840)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    scores = json.loads((out / "scores.json").read_text())
    assert scores["scores"]["items"] == 3 and scores["requests"] == 3
    assert scores["endpoint"] == "embedded (qwen2.5-coder-0.5b)"
    answers = [
        json.loads(line)["result"]
        for category in ("simple_python", "parallel", "irrelevance")
        for line in (out / f"BFCL_v4_{category}_result.json").read_text().splitlines()
    ]
    assert len(answers) == 3 and all(answers), answers
    failures = [json.loads(f) for f in (out / "failures.jsonl").read_text().splitlines()]
    assert not any(f["error_type"].startswith("llm_error") for f in failures), failures

    tools = load_catalog([], builtin=True, local_rest=False).by_name()
    bmi = tools["calculate_bmi"]
    rows = [
        {"id": "a", "query": "What is the BMI of someone 1.8 m tall weighing 75 kg?",
         "answers": json.dumps([{"name": "calculate_bmi",
                                 "arguments": {"weight_kg": 75, "height_m": 1.8}}]),
         "tools": json.dumps([tool_to_xlam(bmi)])},
        {"id": "b", "query": "Who wrote the novel Middlemarch?", "answers": "[]",
         "tools": json.dumps([tool_to_xlam(bmi)])},
    ]  # fmt: skip
    data = tmp_path / "test.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "data"
    result = apigen("eval", "--data", str(data), "--mode", "prompt", "--out", str(out),
                    "--quiet", *MODEL, timeout=840)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    scores = json.loads((out / "scores.json").read_text())
    assert scores["scores"]["items"] == 2 and scores["mode"] == "prompt"
    assert {c["category"] for c in scores["scores"]["categories"]} == {"simple", "irrelevance"}
    failures = [json.loads(f) for f in (out / "failures.jsonl").read_text().splitlines()]
    assert not any(f["error_type"].startswith("llm_error") for f in failures), failures
