"""`apigen split DIR`: a deterministic train/test split of an xlam dataset.

Three ways to hold rows out, each deterministic for a given seed and dataset:
- `row`: rows drawn at random (ranked by a hash of seed and row text);
- `tool`: every function a test row offers is absent from train, to measure
  generalisation to unseen tools;
- `category`: likewise for the API categories of a row (the `categories` column that
  `--extra-columns` writes).

For `tool` and `category`, rows that share a function (or category) are linked; each
connected group goes to one side whole, so the separation is exact. Groups are taken in
hash order until the test side reaches its target; a group that would overshoot the
target by more than the target itself is passed over (it would swallow the split).
Rows are written unchanged, in their input order, so a split is a pure selection.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

import msgspec
import orjson

from apigen_async.errors import ConfigError
from apigen_async.outdir import atomic_file

__all__ = ["SPLIT_BY", "SplitResult", "split_dataset", "split_rows"]

SplitBy = Literal["row", "tool", "category"]
SPLIT_BY: tuple[SplitBy, ...] = ("row", "tool", "category")


class SplitResult(msgspec.Struct, frozen=True, kw_only=True):
    """Which input rows (by position) went where."""

    train: tuple[int, ...]
    test: tuple[int, ...]
    #: Groups of linked rows (row: one per row).
    groups: int


def _rank(seed: int, text: str) -> bytes:
    return hashlib.blake2b(f"{seed}\x00{text}".encode(), digest_size=16).digest()


def _tool_names(row: dict[str, Any]) -> list[str]:
    tools = row.get("tools")
    if isinstance(tools, str):
        tools = orjson.loads(tools)
    names = []
    for tool in tools if isinstance(tools, list) else []:
        if isinstance(tool, dict):
            spec = tool.get("function") if isinstance(tool.get("function"), dict) else tool
            if isinstance(spec.get("name"), str):
                names.append(spec["name"])
    return names


def _categories(row: dict[str, Any]) -> list[str]:
    found = row.get("categories")
    if not isinstance(found, list) or not found:
        raise ConfigError(
            "--by category needs each row's 'categories' column (export the dataset with "
            "--extra-columns); use --by tool or --by row"
        )
    return [str(c) for c in found]


def _groups(labels: Sequence[Sequence[str]]) -> list[list[int]]:
    """Rows linked by a shared label, as lists of row positions (union-find)."""
    parent = list(range(len(labels)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, names in enumerate(labels):
        for name in names:
            j = owner.setdefault(name, i)
            parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(labels)):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def split_rows(
    rows: Sequence[dict[str, Any]],
    texts: Sequence[str],
    *,
    test: float,
    by: SplitBy,
    seed: int,
) -> SplitResult:
    """Assign rows to train and test; `texts` are the rows' raw lines (for the row hash)."""
    if not 0 < test < 1:
        raise ConfigError(f"--test must be between 0 and 1, got {test:g}")
    n = len(rows)
    if n < 2:
        raise ConfigError(f"cannot split {n} row(s): need at least 2")
    target = max(1, round(test * n))
    label_of: Callable[[int], list[str]]
    if by == "row":
        label_of = lambda i: [f"row:{i}"]  # noqa: E731
    elif by == "tool":
        label_of = lambda i: _tool_names(rows[i]) or [f"row:{i}"]  # noqa: E731
    else:
        label_of = lambda i: _categories(rows[i])  # noqa: E731
    groups = _groups([label_of(i) for i in range(n)])

    def key(group: list[int]) -> bytes:
        if by == "row":
            return _rank(seed, texts[group[0]])
        # A group's identity is its labels, not its row positions.
        return _rank(seed, min(name for i in group for name in label_of(i)))

    chosen: list[int] = []
    for group in sorted(groups, key=key):
        if len(chosen) >= target:
            break
        if chosen and len(chosen) + len(group) > 2 * target:
            continue
        if len(group) == n:
            raise ConfigError(
                f"--by {by}: all {n} rows share {by}s with each other (one linked group), "
                "so no row can be held out; use --by row"
            )
        chosen.extend(group)
    picked = set(chosen)
    return SplitResult(
        train=tuple(i for i in range(n) if i not in picked),
        test=tuple(sorted(picked)),
        groups=len(groups),
    )


def _read(path: Path) -> tuple[list[dict[str, Any]], list[bytes]]:
    rows: list[dict[str, Any]] = []
    lines: list[bytes] = []
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ConfigError(f"split: cannot read {path}: {exc.strerror}") from exc
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise ConfigError(f"split: {path} line {number}: not JSON ({exc})") from exc
            if not isinstance(row, dict) or "query" not in row or "tools" not in row:
                raise ConfigError(
                    f"split: {path} line {number}: not an xlam row (needs query, answers, tools)"
                )
            rows.append(row)
            lines.append(line.rstrip(b"\r\n") + b"\n")
    return rows, lines


def split_dataset(
    source: Path, *, test: float, by: SplitBy, seed: int
) -> tuple[Path, Path, SplitResult]:
    """Split `source` (a dataset folder or its `dataset.jsonl`): writes train/test beside it."""
    path = source / "dataset.jsonl" if source.is_dir() else source
    if not path.exists():
        raise ConfigError(f"split: {path} does not exist")
    rows, lines = _read(path)
    result = split_rows(rows, [x.decode() for x in lines], test=test, by=by, seed=seed)
    train, test_path = path.with_name("train.jsonl"), path.with_name("test.jsonl")
    for target, picked in ((train, result.train), (test_path, result.test)):
        with atomic_file(target) as handle:
            handle.writelines(lines[i] for i in picked)
    return train, test_path, result
