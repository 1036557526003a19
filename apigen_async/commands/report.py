"""`apigen report DIR`: print a run's report again (or write report.html) from its store."""

from __future__ import annotations

import argparse
import sys

from rich.console import Console

from apigen_async.commands.outputs import (
    STORE_NAME,
    export_and_report,
    stored_dedup,
    stored_tools,
)
from apigen_async.outdir import atomic_file
from apigen_async.report import print_report, report_json
from apigen_async.report_rows import PageCollector
from apigen_async.store import open_reader

__all__ = ["report_command"]


async def report_command(args: argparse.Namespace) -> int:
    async with open_reader(args.out / STORE_NAME) as store:
        config = await store.run_config() or {}
        target = config.get("target")
        tools = stored_tools(config)
        page = PageCollector(tools) if args.html else None
        report = await export_and_report(
            store,
            target=target,
            tools=tools,
            writer=None,
            dedup=stored_dedup(config),
            page=page,
        )
    if page is not None:
        from apigen_async.report_html import render_html  # slow import: only for --html

        with atomic_file(args.out / "report.html") as handle:
            handle.write(render_html(report, page.result()).encode())
        print(f"wrote {args.out / 'report.html'}", file=sys.stderr)
    if args.json:
        sys.stdout.write(report_json(report).decode() + "\n")
    else:
        print_report(report, Console(file=sys.stdout, width=max(120, Console().width)))
    return 0
