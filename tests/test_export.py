"""Export formats people fine-tune and evaluate with, from one stored run."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from tests.helpers import apigen, fake_endpoint


def test_every_export_format_holds_the_same_pairs(tmp_path: Path) -> None:
    with fake_endpoint("--bad-share", "0.2") as url:
        result = apigen("generate", "-n", "25", "--out", str(tmp_path), "--base-url", url,
                        "--model", "fake", "--quiet",
                        "--export", "openai,sharegpt,bfcl,parquet")  # fmt: skip
    assert result.returncode == 0, result.stderr
    xlam = [json.loads(x) for x in (tmp_path / "dataset.jsonl").read_text().splitlines()]
    assert len(xlam) == 25

    openai_rows = [json.loads(x) for x in (tmp_path / "dataset.openai.jsonl").open()]
    for row, ref in zip(openai_rows, xlam, strict=True):
        user, assistant = row["messages"]
        assert user == {"role": "user", "content": ref["query"]}
        calls = [
            {"name": c["function"]["name"], "arguments": json.loads(c["function"]["arguments"])}
            for c in assistant.get("tool_calls", [])
        ]
        assert calls == json.loads(ref["answers"])
        assert {t["function"]["name"] for t in row["tools"]} == {
            t["name"] for t in json.loads(ref["tools"])
        }

    sharegpt = [json.loads(x) for x in (tmp_path / "dataset.sharegpt.jsonl").open()]
    assert [r["conversations"][0]["value"] for r in sharegpt] == [r["query"] for r in xlam]

    bfcl = [json.loads(x) for x in (tmp_path / "dataset.bfcl.jsonl").open()]
    for row, ref in zip(bfcl, xlam, strict=True):
        assert row["question"][0][0]["content"] == ref["query"]
        assert all(f["parameters"]["type"] == "dict" for f in row["function"])
        truth = [
            {"name": name, "arguments": {k: v[0] for k, v in args.items()}}
            for call in row["ground_truth"]
            for name, args in call.items()
        ]
        assert truth == json.loads(ref["answers"])

    table = pq.read_table(tmp_path / "dataset.parquet").to_pylist()
    assert table == xlam


def test_unknown_export_format_is_refused(tmp_path: Path) -> None:
    result = apigen("generate", "--out", str(tmp_path), "--export", "csv")
    assert result.returncode == 2 and "--export" in result.stderr and "'csv'" in result.stderr
