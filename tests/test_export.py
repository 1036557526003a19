"""Export formats people fine-tune and evaluate with, from one stored run."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pyarrow.parquet as pq
import pytest

from apigen_async.errors import ConfigError
from apigen_async.export import (
    EXPORT_FILES,
    EXPORT_FORMATS,
    FORMATS,
    dataset_rows,
    export_format,
    write_dataset,
)
from apigen_async.schema import Call, Param, Tool
from apigen_async.store import PairRecord
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


PAIR = PairRecord(
    id="t-0:0",
    task_index=0,
    pair_index=0,
    style="simple",
    generator="m",
    tool_names=("add",),
    query="add 1 and 2",
    answers=[Call(name="add", arguments={"a": 1, "b": 2})],
)
ADD = {"add": Tool(name="add", description="adds", parameters=(Param(name="a", type="integer"),))}


def test_every_registered_format_writes_its_own_file(tmp_path: Path) -> None:
    assert set(EXPORT_FORMATS) == set(FORMATS) >= {"xlam", "openai", "sharegpt", "bfcl", "parquet"}
    filenames = [f.filename for f in FORMATS.values()]
    assert len(set(filenames)) == len(filenames), "two formats would write one file"
    written = write_dataset([PAIR], ADD, list(FORMATS), tmp_path)
    assert written == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(filenames)
    for fmt in FORMATS.values():
        path = tmp_path / fmt.filename
        if path.suffix == ".jsonl":
            # Each file holds its own format's row, not another format's.
            assert path.read_bytes() == msgspec.json.encode(fmt.row(0, PAIR, ADD, False)) + b"\n"
    # No two JSON formats write the same row.
    jsonl = [p.read_bytes() for p in tmp_path.glob("*.jsonl")]
    assert len(set(jsonl)) == len(jsonl)
    assert pq.read_table(tmp_path / EXPORT_FILES["parquet"]).to_pylist() == [
        FORMATS["xlam"].row(0, PAIR, ADD, False)
    ]


@pytest.mark.parametrize("name", ["csv", "", "XLAM", "sharegpt "])
def test_an_unknown_format_is_refused_never_written_as_another(tmp_path: Path, name: str) -> None:
    with pytest.raises(ConfigError, match=r"^--export: unknown format .*choose from xlam,"):
        export_format(name)
    with pytest.raises(ConfigError, match="--export"):
        write_dataset([PAIR], ADD, ["xlam", name], tmp_path)
    assert list(tmp_path.iterdir()) == []  # refused before any file was started
    with pytest.raises(ConfigError, match="--export"):
        list(dataset_rows([PAIR], ADD, name))
