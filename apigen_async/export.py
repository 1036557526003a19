"""Dataset files: the xlam-function-calling-60k format, and fine-tuning formats.

xlam rows hold `id`, `query`, and `answers` and `tools` as JSON *strings*, tools in the
xlam type dialect. The dataset is the first N verified pairs in (task, pair) order,
which is what makes a resumed run's file identical to an uninterrupted one's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

import msgspec

from apigen_async.catalog.dialects import tool_to_bfcl, tool_to_openai, tool_to_xlam
from apigen_async.errors import ConfigError
from apigen_async.schema import Tool
from apigen_async.store import PairRecord, TaskRecord, UniqueVerified

__all__ = [
    "EXPORT_FILES",
    "EXPORT_FORMATS",
    "dataset_rows",
    "select_verified",
    "write_dataset",
    "write_jsonl",
    "write_parquet",
]

ExportFormat = Literal["xlam", "openai", "sharegpt", "bfcl"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("xlam", "openai", "sharegpt", "bfcl", "parquet")
#: File written for each format.
EXPORT_FILES = {
    "xlam": "dataset.jsonl",
    "openai": "dataset.openai.jsonl",
    "sharegpt": "dataset.sharegpt.jsonl",
    "bfcl": "dataset.bfcl.jsonl",
    "parquet": "dataset.parquet",
}
_json = msgspec.json.encode


def select_verified(records: Iterable[TaskRecord], limit: int | None) -> list[PairRecord]:
    """The first `limit` unique verified pairs in (task, pair) order.

    Only the gap-free run of finished tasks from task 0 counts: what lies beyond a task
    still missing (an interrupted run) may change when that task finishes.
    """
    unique = UniqueVerified()
    pairs: list[PairRecord] = []
    for expected, record in enumerate(sorted(records, key=lambda r: r.task.index)):
        if record.task.index != expected:
            break
        pairs.extend(unique.take(record))
        if limit is not None and len(pairs) >= limit:
            break
    return pairs if limit is None else pairs[:limit]


def _xlam_row(i: int, pair: PairRecord, tools: Mapping[str, Tool], extra: bool) -> dict[str, Any]:
    offered = [tools[name] for name in pair.tool_names]
    row: dict[str, Any] = {
        "id": i,
        "query": pair.query,
        "answers": _json(pair.answers or []).decode(),
        "tools": _json([tool_to_xlam(t) for t in offered]).decode(),
    }
    if extra:
        row |= {
            "pair_id": pair.id,
            "style": pair.style,
            "categories": sorted({t.category for t in offered}),
            "generator": pair.generator,
            "execution_results": _json([r.output for r in pair.results or []]).decode(),
            "judge_thought": pair.thought,
        }
    return row


def _openai_row(pair: PairRecord, tools: Mapping[str, Tool]) -> dict[str, Any]:
    calls = [
        {
            "id": f"call_{k}",
            "type": "function",
            "function": {"name": c.name, "arguments": _json(c.arguments).decode()},
        }
        for k, c in enumerate(pair.answers or [])
    ]
    assistant: dict[str, Any] = {"role": "assistant"}
    if calls:
        assistant["tool_calls"] = calls
    else:
        assistant["content"] = "None of the available functions can help with that request."
    return {
        "messages": [{"role": "user", "content": pair.query}, assistant],
        "tools": [tool_to_openai(tools[n]) for n in pair.tool_names],
    }


def _sharegpt_row(pair: PairRecord, tools: Mapping[str, Tool]) -> dict[str, Any]:
    return {
        "conversations": [
            {"from": "human", "value": pair.query},
            {"from": "function_call", "value": _json(pair.answers or []).decode()},
        ],
        "tools": _json([tool_to_xlam(tools[n]) for n in pair.tool_names]).decode(),
    }


def _bfcl_row(i: int, pair: PairRecord, tools: Mapping[str, Tool]) -> dict[str, Any]:
    """A BFCL question with its possible answer (each argument's accepted values)."""
    return {
        "id": f"{pair.style}_{i}",
        "question": [[{"role": "user", "content": pair.query}]],
        "function": [tool_to_bfcl(tools[n]) for n in pair.tool_names],
        "ground_truth": [
            {c.name: {k: [v] for k, v in c.arguments.items()}} for c in pair.answers or []
        ],
    }


def dataset_rows(
    pairs: Iterable[PairRecord],
    tools: Mapping[str, Tool],
    fmt: ExportFormat = "xlam",
    *,
    extra: bool = False,
) -> Iterator[dict[str, Any]]:
    for i, pair in enumerate(pairs):
        if fmt == "xlam":
            yield _xlam_row(i, pair, tools, extra)
        elif fmt == "openai":
            yield _openai_row(pair, tools)
        elif fmt == "bfcl":
            yield _bfcl_row(i, pair, tools)
        else:
            yield _sharegpt_row(pair, tools)


def write_parquet(rows: Iterable[dict[str, Any]], path: Path) -> int:
    """xlam rows as a Parquet table (the optional `parquet` extra)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise ConfigError(
            "--export parquet needs pyarrow: pip install 'apigen-async[parquet]'"
        ) from exc
    table = pa.Table.from_pylist(list(rows))
    tmp = path.with_suffix(path.suffix + ".tmp")
    pq.write_table(table, tmp)
    tmp.replace(path)
    return table.num_rows


def write_jsonl(rows: Iterable[dict[str, Any]], path: Path) -> int:
    """Write atomically (temp file, then rename) so a crash never leaves half a file."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    n = 0
    with tmp.open("wb") as f:
        for row in rows:
            f.write(_json(row) + b"\n")
            n += 1
    tmp.replace(path)
    return n


def write_dataset(
    pairs: list[PairRecord],
    tools: Mapping[str, Tool],
    fmt: str,
    out: Path,
    *,
    extra: bool = False,
) -> Path:
    path = out / EXPORT_FILES[fmt]
    if fmt == "parquet":
        write_parquet(dataset_rows(pairs, tools, "xlam", extra=extra), path)
    else:
        write_jsonl(dataset_rows(pairs, tools, fmt, extra=extra), path)  # type: ignore[arg-type]
    return path
