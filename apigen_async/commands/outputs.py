"""What `generate`, `merge` and `report` read from a run's store and write beside it."""

from __future__ import annotations

import sys
from contextlib import aclosing
from pathlib import Path
from typing import Any

import anyio
import msgspec
from rich.console import Console

from apigen_async.card import CardInfo, render_card
from apigen_async.catalog.library import Catalog, load_catalog
from apigen_async.dedup import DedupConfig
from apigen_async.errors import ApigenError
from apigen_async.export import EXPORT_FILES, DatasetWriter, Selection
from apigen_async.hub import hub_files, push_to_hub
from apigen_async.outdir import atomic_file
from apigen_async.report import Report, ReportBuilder, print_report, report_json
from apigen_async.report_rows import PageCollector
from apigen_async.schema import Tool
from apigen_async.scrub import Scrubber
from apigen_async.shards import ShardedSelection
from apigen_async.store import Store, open_reader

__all__ = [
    "STORE_NAME",
    "discard_run",
    "export_and_report",
    "load_library",
    "push_run",
    "stored_dedup",
    "stored_tools",
    "write_outputs",
]

STORE_NAME = "apigen.sqlite"


def discard_run(out: Path) -> None:
    """Delete the run stored in `out` and what was written from it (`--fresh`, a merge)."""
    for name in (
        STORE_NAME,
        STORE_NAME + "-wal",
        STORE_NAME + "-shm",
        "dataset.jsonl",
        "report.json",
        "report.html",
        "README.md",
    ):
        (out / name).unlink(missing_ok=True)


def stored_dedup(config: dict[str, Any]) -> DedupConfig:
    """The run's dedup; a run stored before `--dedup` existed was deduplicated exactly."""
    return msgspec.convert(config.get("dedup") or {}, DedupConfig)


def load_library(library: dict[str, Any]) -> Catalog:
    """The tools of a run, from where it says they come from (`apis`, `builtin`, ...)."""
    return load_catalog(
        [Path(p) for p in library.get("apis", [])],
        builtin=library.get("builtin", True),
        local_rest=library.get("local_rest", False),
    )


def stored_tools(config: dict[str, Any]) -> dict[str, Tool]:
    try:
        return load_library(config.get("library", {})).by_name()
    except ApigenError:
        return {}  # the files moved: the report goes without categories


async def write_outputs(
    out: Path,
    tools: dict[str, Any],
    target: int | None,
    formats: tuple[str, ...],
    *,
    extra: bool,
    console: Console,
    scrub: Scrubber,
    dedup: DedupConfig,
    card: CardInfo,
) -> int:
    """The dataset files, report.json, report.html and the card; the report printed."""
    async with open_reader(out / STORE_NAME) as store:
        with DatasetWriter(out, list(formats), tools, extra=extra) as writer:
            page = PageCollector(tools)
            report = await export_and_report(
                store, target=target, tools=tools, writer=writer, dedup=dedup, page=page
            )
    with atomic_file(out / "report.json") as handle:
        handle.write(scrub.data(report_json(report)))
    # Imported here: bokeh takes a second or more to import, which only this step needs.
    from apigen_async.report_html import render_html

    # Not scrubbed again: its strings come from the store, scrubbed on the way in, and a
    # scrub pass over the embedded BokehJS could only damage it.
    with atomic_file(out / "report.html") as handle:
        handle.write(render_html(report, page.result()).encode())
    with atomic_file(out / "README.md") as handle:
        handle.write(render_card(report, card).encode())
    print_report(report, Console(file=sys.stdout, width=max(120, Console().width)))
    written = ", ".join(str(out / EXPORT_FILES[f]) for f in formats)
    console.print(f"wrote {report.exported} rows to {written}")
    return report.exported


async def push_run(
    out: Path, repo: str, formats: tuple[str, ...], token: str, *, code: int, console: Console
) -> int:
    """--push-to-hub after the run's export: a run that ended with `code` != 0 (short of
    -n, or its endpoint gone) is not pushed; the exit status."""
    if code != 0:
        print(
            f"apigen: --push-to-hub {repo}: not pushed, the run did not finish (exit {code}); "
            "rerun the command without --fresh once it does",
            file=sys.stderr,
        )
        return code
    # A blocking client: in a thread, so the loop (and Ctrl-C) stays responsive.
    url = await anyio.to_thread.run_sync(push_to_hub, out, repo, formats, token)
    console.print(f"pushed {', '.join(f.name for f in hub_files(out, formats))} to {url}")
    return 0


async def export_and_report(
    store: Store,
    *,
    target: int | None,
    tools: dict[str, Tool],
    writer: DatasetWriter | None,
    dedup: DedupConfig,
    page: PageCollector | None = None,
) -> Report:
    """One streaming pass over the stored tasks: the dataset to `writer`, all to the report
    (and to `page`, what report.html adds)."""
    config = await store.run_config() or {}
    # A merge of shards: each shard's own dataset, in shard order, deduplicated across.
    selection = (
        ShardedSelection.from_config(config, dedup)
        if config.get("merged")
        else Selection(target, dedup)
    )
    builder = ReportBuilder()
    async with aclosing(store.iter_tasks()) as tasks:
        async for record in tasks:
            builder.add_task(record)
            exported = selection.take(record)
            for pair in exported:
                builder.add_exported(pair)
                if writer is not None:
                    writer.write(pair)
            if page is not None:
                page.add_task(record, exported)
    return builder.finish(
        tools=tools,
        target=target,
        sessions=await store.sessions(),
        dedup=selection.unique,
    )
