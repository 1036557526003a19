"""The dataset card: out/README.md loads with `datasets` and states the report's numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from apigen_async.card import size_category
from tests.helpers import apigen, fake_endpoint

N = 40


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("card") / "out"
    with fake_endpoint() as url:
        done = apigen(
            "generate", "-n", str(N), "--out", str(out), "--base-url", url, "--model", "fake",
            "--seed", "5", "--quiet", "--export", "openai,sharegpt",
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return out


def _header(card: str) -> dict:
    assert card.startswith("---\n")
    return yaml.safe_load(card.split("---\n")[1])


def test_card_header_is_hub_metadata(run: Path) -> None:
    meta = _header((run / "README.md").read_text())
    assert meta["license"] == "apache-2.0"
    assert meta["size_categories"] == ["n<1K"]
    assert "function-calling" in meta["tags"]
    configs = {c["config_name"]: c["data_files"][0]["path"] for c in meta["configs"]}
    assert configs == {
        "default": "dataset.jsonl",
        "openai": "dataset.openai.jsonl",
        "sharegpt": "dataset.sharegpt.jsonl",
    }


def test_card_numbers_are_the_reports(run: Path) -> None:
    card = (run / "README.md").read_text()
    report = json.loads((run / "report.json").read_text())
    row = report["filter_table"][0]
    assert f"| {row['generator']} | {row['generated']} | {row['failed_format']} |" in card
    for style, counts in report["by_style"].items():
        assert f"| {style} | {counts['generated']} | {counts.get('verified', 0)} |" in card
    for category, calls in report["diversity"]["calls_by_category"].items():
        assert f"| {category} | {calls} |" in card
    assert f"{report['exact_duplicates']} exact, {report['near_duplicates']} near" in card
    assert "- seed: 5" in card and "**resolve**" in card


def test_folder_loads_with_datasets(run: Path) -> None:
    datasets = pytest.importorskip("datasets")
    rows = datasets.load_dataset(str(run), split="train")
    assert rows.num_rows == N
    assert set(rows.column_names) == {"id", "query", "answers", "tools"}
    openai = datasets.load_dataset(str(run), "openai", split="train")
    assert openai.num_rows == N


def test_size_categories() -> None:
    assert [size_category(n) for n in (0, 999, 1000, 60_000, 2_000_000)] == [
        "n<1K", "n<1K", "1K<n<10K", "10K<n<100K", "1M<n<10M",
    ]  # fmt: skip
