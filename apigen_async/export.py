"""Dataset files: the xlam-function-calling-60k format, and fine-tuning formats.

xlam rows hold `id`, `query`, and `answers` and `tools` as JSON *strings*, tools in the
xlam type dialect. The dataset is the first N verified pairs in (task, pair) order,
which is what makes a resumed run's file identical to an uninterrupted one's.

Everything streams: tasks come one at a time from `Store.iter_tasks()`, `Selection`
picks the dataset's pairs from them, and `DatasetWriter` writes each pair to every
requested file at once (JSONL line by line, Parquet in row groups), so memory does not
grow with the size of the store or of the dataset.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Protocol

import msgspec

from apigen_async.catalog.dialects import tool_to_bfcl, tool_to_openai, tool_to_xlam
from apigen_async.dedup import DedupConfig, Deduplicator
from apigen_async.errors import ConfigError
from apigen_async.outdir import temp_path
from apigen_async.schema import Tool
from apigen_async.store import PairRecord, TaskRecord

__all__ = [
    "EXPORT_FILES",
    "EXPORT_FORMATS",
    "FORMATS",
    "PARQUET_ROW_GROUP",
    "DatasetWriter",
    "ExportFormat",
    "Selection",
    "dataset_rows",
    "export_format",
    "select_verified",
    "write_dataset",
]

#: Rows per Parquet row group (and per Arrow batch held before it is written).
PARQUET_ROW_GROUP = 4096
_json = msgspec.json.encode
#: One dataset row from (row number, pair, the catalog's tools, --extra-columns).
Row = Callable[[int, PairRecord, Mapping[str, Tool], bool], dict[str, Any]]


class Selection:
    """Which pairs make the dataset, decided task by task in index order.

    Feed every stored task, in index order, to `take()`: it returns the pairs that join
    the dataset, i.e. the first `limit` unique verified pairs in (task, pair) order. Only
    the gap-free run of finished tasks from task 0 counts: what lies beyond a task still
    missing (an interrupted run) may change when that task finishes. Past the end of the
    dataset it keeps deduplicating, so `duplicates` counts every repeated verified query
    in the tasks fed (what the report shows).
    """

    def __init__(
        self, limit: int | None, dedup: DedupConfig | None = None, *, first: int = 0
    ) -> None:
        self.limit = limit
        self.unique = Deduplicator(dedup)
        self.selected = 0
        #: False once the dataset is complete (limit reached or a missing task).
        self.open = limit is None or limit > 0
        #: The first task's index (a shard's tasks in a merged store start further on).
        self._expected = first

    @property
    def duplicates(self) -> int:
        return self.unique.duplicates

    def take(self, record: TaskRecord) -> list[PairRecord]:
        kept = self.unique.take(record)
        if not self.open:
            return []
        if record.task.index != self._expected:
            self.open = False
            return []
        self._expected += 1
        if self.limit is not None and self.selected + len(kept) >= self.limit:
            kept = kept[: self.limit - self.selected]
            self.open = False
        self.selected += len(kept)
        return kept


def select_verified(
    records: Iterable[TaskRecord], limit: int | None, dedup: DedupConfig | None = None
) -> Iterator[PairRecord]:
    """The first `limit` unique verified pairs of `records` (in task-index order).

    A generator: it reads tasks only until the dataset is complete.
    """
    selection = Selection(limit, dedup)
    for record in records:
        if not selection.open:
            return
        yield from selection.take(record)


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


def _openai_row(i: int, pair: PairRecord, tools: Mapping[str, Tool], extra: bool) -> dict[str, Any]:
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


def _sharegpt_row(
    i: int, pair: PairRecord, tools: Mapping[str, Tool], extra: bool
) -> dict[str, Any]:
    return {
        "conversations": [
            {"from": "human", "value": pair.query},
            {"from": "function_call", "value": _json(pair.answers or []).decode()},
        ],
        "tools": _json([tool_to_xlam(tools[n]) for n in pair.tool_names]).decode(),
    }


def _bfcl_row(i: int, pair: PairRecord, tools: Mapping[str, Tool], extra: bool) -> dict[str, Any]:
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
    fmt: str = "xlam",
    *,
    extra: bool = False,
) -> Iterator[dict[str, Any]]:
    row = export_format(fmt).row
    for i, pair in enumerate(pairs):
        yield row(i, pair, tools, extra)


def _parquet_schema(extra: bool) -> Any:
    """The xlam row's columns, as `pa.Table.from_pylist` would infer them."""
    import pyarrow as pa

    fields = [
        ("id", pa.int64()),
        ("query", pa.string()),
        ("answers", pa.string()),
        ("tools", pa.string()),
    ]
    if extra:
        fields += [
            ("pair_id", pa.string()),
            ("style", pa.string()),
            ("categories", pa.list_(pa.string())),
            ("generator", pa.string()),
            ("execution_results", pa.string()),
            ("judge_thought", pa.string()),
        ]
    return pa.schema(fields)


class Sink(Protocol):
    """Where one format's rows go, under a temporary name until the writer closes."""

    def write(self, row: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


class _JsonlSink:
    """One msgspec-encoded JSON object per line."""

    def __init__(self, tmp: Path, extra: bool, row_group: int) -> None:
        self._file: IO[bytes] = tmp.open("wb", buffering=1 << 20)

    def write(self, row: dict[str, Any]) -> None:
        self._file.write(_json(row) + b"\n")

    def close(self) -> None:
        self._file.close()


class _ParquetSink:
    """xlam rows into a Parquet file, one row group per `PARQUET_ROW_GROUP` rows."""

    def __init__(self, tmp: Path, extra: bool, row_group: int) -> None:
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError as exc:
            raise ConfigError(
                "--export parquet needs pyarrow: pip install 'apigen-async[parquet]'"
            ) from exc

        self._pa = pa
        self._schema = _parquet_schema(extra)
        self._writer = pq.ParquetWriter(tmp, self._schema)
        self._rows: list[dict[str, Any]] = []
        self._row_group = row_group

    def write(self, row: dict[str, Any]) -> None:
        self._rows.append(row)
        if len(self._rows) >= self._row_group:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            batch = self._pa.RecordBatch.from_pylist(self._rows, schema=self._schema)
            self._writer.write_batch(batch, row_group_size=self._row_group)
            self._rows = []

    def close(self) -> None:
        try:
            self._flush()
        finally:
            self._writer.close()


class ExportFormat(msgspec.Struct, frozen=True):
    """One dataset file: its `--export` name, its file in the output folder, how a pair
    becomes a row, and the sink that writes the rows (JSON lines unless said otherwise)."""

    name: str
    filename: str
    row: Row
    #: Opened on the file's temporary path with (path, --extra-columns, Parquet row group).
    sink: Callable[[Path, bool, int], Sink] = _JsonlSink


#: Every format `--export` accepts, by name: adding one is one entry here (and its row).
FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("xlam", "dataset.jsonl", _xlam_row),
        ExportFormat("openai", "dataset.openai.jsonl", _openai_row),
        ExportFormat("sharegpt", "dataset.sharegpt.jsonl", _sharegpt_row),
        ExportFormat("bfcl", "dataset.bfcl.jsonl", _bfcl_row),
        # The xlam rows again, as a table.
        ExportFormat("parquet", "dataset.parquet", _xlam_row, sink=_ParquetSink),
    )
}
EXPORT_FORMATS: tuple[str, ...] = tuple(FORMATS)
#: File written for each format.
EXPORT_FILES: dict[str, str] = {name: f.filename for name, f in FORMATS.items()}


def export_format(name: str) -> ExportFormat:
    """The registered format `name`; any other name is refused (never a default format)."""
    try:
        return FORMATS[name]
    except KeyError:
        raise ConfigError(
            f"--export: unknown format {name!r}; choose from {', '.join(FORMATS)}"
        ) from None


class DatasetWriter:
    """Writes the dataset in every requested format in one pass, pair by pair.

    Each file is written under a temporary name and renamed into place by `close()`, so
    a crash never leaves half a file; used as a context manager, an error removes the
    temporary files instead. Holds one Parquet row group at most, nothing else.
    """

    def __init__(
        self,
        out: Path,
        formats: Iterable[str],
        tools: Mapping[str, Tool],
        *,
        extra: bool = False,
        row_group: int = PARQUET_ROW_GROUP,
    ) -> None:
        self.tools = tools
        self.extra = extra
        self.rows = 0
        self.paths: list[Path] = []
        self._tmps: list[Path] = []
        #: (format, sink) per file; formats that share a row function share its rows.
        self._sinks: list[tuple[ExportFormat, Sink]] = []
        chosen = [export_format(name) for name in dict.fromkeys(formats)]
        try:
            for fmt in chosen:
                path = out / fmt.filename
                # Unique, so two writers (or a writer and a crash) never share one.
                tmp = temp_path(path)
                self.paths.append(path)
                self._tmps.append(tmp)
                self._sinks.append((fmt, fmt.sink(tmp, extra, row_group)))
        except BaseException:
            self.abort()
            raise

    def write(self, pair: PairRecord) -> None:
        rows: dict[Row, dict[str, Any]] = {}
        for fmt, sink in self._sinks:
            row = rows.get(fmt.row)
            if row is None:
                row = rows[fmt.row] = fmt.row(self.rows, pair, self.tools, self.extra)
            sink.write(row)
        self.rows += 1

    def close(self) -> list[Path]:
        """Finish every file and move it into place; returns the final paths."""
        try:
            self._close_sinks()
        except BaseException:
            self.abort()
            raise
        for tmp, path in zip(self._tmps, self.paths, strict=True):
            tmp.replace(path)
        self._tmps = []
        return self.paths

    def abort(self) -> None:
        try:
            self._close_sinks()
        finally:
            for tmp in self._tmps:
                tmp.unlink(missing_ok=True)
            self._tmps = []

    def _close_sinks(self) -> None:
        sinks, self._sinks = self._sinks, []
        errors = []
        for _, sink in sinks:
            try:
                sink.close()
            except Exception as exc:
                errors.append(exc)
        if errors:
            raise errors[0]

    def __enter__(self) -> DatasetWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def write_dataset(
    pairs: Iterable[PairRecord],
    tools: Mapping[str, Tool],
    formats: Iterable[str],
    out: Path,
    *,
    extra: bool = False,
) -> int:
    """Write `pairs` in every format of `formats` (one pass); returns the number of rows."""
    with DatasetWriter(out, formats, tools, extra=extra) as writer:
        for pair in pairs:
            writer.write(pair)
    return writer.rows
