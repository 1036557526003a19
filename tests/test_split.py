"""`apigen split`: deterministic train/test splits by row, tool and category."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import apigen


def _row(i: int, tools: list[str], categories: list[str] | None = None) -> str:
    row: dict[str, object] = {
        "id": i,
        "query": f"query {i}",
        "answers": json.dumps([{"name": tools[0], "arguments": {}}]),
        "tools": json.dumps([{"name": t, "description": t, "parameters": {}} for t in tools]),
    }
    if categories is not None:
        row["categories"] = categories
    return json.dumps(row)


def _dataset(folder: Path, with_categories: bool = True) -> Path:
    folder.mkdir()
    lines = []
    for i in range(60):
        tool = f"tool_{i % 12}"
        # Some rows offer two tools, linking those tools' rows into one group.
        tools = [tool, f"tool_{(i + 1) % 12}"] if i % 12 == 0 else [tool]
        category = [f"cat_{i % 12 // 3}"] if with_categories else None
        lines.append(_row(i, tools, category))
    (folder / "dataset.jsonl").write_text("\n".join(lines) + "\n")
    return folder


def _ids(path: Path) -> list[int]:
    return [json.loads(line)["id"] for line in path.read_text().splitlines()]


def _tools(path: Path) -> set[str]:
    return {
        t["name"]
        for line in path.read_text().splitlines()
        for t in json.loads(json.loads(line)["tools"])
    }


def test_row_split_is_deterministic_and_complete(tmp_path: Path) -> None:
    data = _dataset(tmp_path / "d")
    first = apigen("split", str(data), "--test", "0.2", "--seed", "3")
    assert first.returncode == 0, first.stderr
    train, test = _ids(data / "train.jsonl"), _ids(data / "test.jsonl")
    assert len(test) == 12 and len(train) == 48
    assert sorted(train + test) == list(range(60))
    # Rows keep their input order within each file.
    assert train == sorted(train) and test == sorted(test)
    again = apigen("split", str(data), "--test", "0.2", "--seed", "3")
    assert again.returncode == 0
    assert _ids(data / "test.jsonl") == test
    other = apigen("split", str(data), "--test", "0.2", "--seed", "4")
    assert other.returncode == 0
    assert _ids(data / "test.jsonl") != test


def test_tool_split_keeps_every_test_function_out_of_train(tmp_path: Path) -> None:
    data = _dataset(tmp_path / "d")
    for seed in range(5):
        result = apigen("split", str(data), "--test", "0.25", "--by", "tool", "--seed", str(seed))
        assert result.returncode == 0, result.stderr
        train, test = _tools(data / "train.jsonl"), _tools(data / "test.jsonl")
        assert test and train
        assert not train & test, (seed, train & test)
        assert len(_ids(data / "train.jsonl")) + len(_ids(data / "test.jsonl")) == 60


def test_category_split_keeps_categories_apart(tmp_path: Path) -> None:
    data = _dataset(tmp_path / "d")
    result = apigen("split", str(data), "--test", "0.25", "--by", "category")
    assert result.returncode == 0, result.stderr

    def categories(path: Path) -> set[str]:
        return {c for line in path.read_text().splitlines() for c in json.loads(line)["categories"]}

    train, test = categories(data / "train.jsonl"), categories(data / "test.jsonl")
    assert test and train and not train & test


def test_category_split_without_the_column_is_a_one_line_error(tmp_path: Path) -> None:
    data = _dataset(tmp_path / "d", with_categories=False)
    result = apigen("split", str(data), "--by", "category")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--extra-columns" in result.stderr


def test_one_linked_group_cannot_be_split_by_tool(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    rows = [_row(i, ["shared", f"t{i}"]) for i in range(10)]
    (folder / "dataset.jsonl").write_text("\n".join(rows) + "\n")
    result = apigen("split", str(folder), "--by", "tool")
    assert result.returncode == 2
    assert "one linked group" in result.stderr and result.stderr.count("\n") == 1
