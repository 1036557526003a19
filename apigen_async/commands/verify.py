"""`apigen verify FILE`: the run's checks applied to an existing dataset in the xlam format.

Rows bring their functions as specs (`tools`); calls execute by name with the library's
implementations (and `--apis`). A row whose function has none is rejected
`not_executable`, unless `--rest-backend virtual` simulates REST tools. Writes the kept
rows as they were (`dataset.jsonl`), one verdict per input line (`verdicts.jsonl`), and
the filter table (`report.json`, and as a page: `report.html`). LLM answers are cached
in `apigen.sqlite`, so a killed verify resumes without asking again.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from contextlib import AsyncExitStack
from pathlib import Path

import msgspec
from rich.console import Console

from apigen_async.catalog.library import load_catalog
from apigen_async.checks.execution import Executor, ExecutorRouter
from apigen_async.config import sandbox_config
from apigen_async.errors import ConfigError
from apigen_async.executors.simulate import llm_simulator
from apigen_async.executors.virtual import open_rest_backend
from apigen_async.llm.client import LLMClient
from apigen_async.llm.endpoint import Endpoint, endpoint_config, resolve_endpoint
from apigen_async.llm.local import require_local_extra
from apigen_async.llm.session import open_client
from apigen_async.outdir import atomic_file, hold_out_lock, prepare_out
from apigen_async.prompts import PromptLibrary
from apigen_async.report import ReportBuilder, print_report, report_json
from apigen_async.report_rows import PageCollector
from apigen_async.rows import Row, VerifyItem, read_rows
from apigen_async.schema import Call, Rejection, Task, Tool
from apigen_async.scrub import Scrubber
from apigen_async.stages import parse_checks
from apigen_async.store import PairRecord, Session, TaskRecord, open_store
from apigen_async.verify import CheckedItem, Checker, check_items

__all__ = ["Verdict", "verify_command"]


class Verdict(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One line of `verdicts.jsonl`: what became of one input line."""

    line: int
    id: str | None
    kept: bool
    stage: str | None = None
    code: str | None = None
    message: str | None = None


def _record(item: VerifyItem, checked: CheckedItem, generator: str) -> TaskRecord:
    task = Task(
        id=f"verify-{item.index}",
        index=item.index,
        style=item.style,
        tool_names=tuple(t.name for t in item.tools),
        example_ids=(),
        template="verify",
        n_pairs=1,
    )
    well_formed = checked.outcomes.get("format") is None
    answers = msgspec.convert(item.answers, list[Call]) if well_formed else None
    pair = PairRecord(
        id=item.id,
        task_index=item.index,
        pair_index=0,
        style=item.style,
        generator=generator,
        tool_names=task.tool_names,
        query=item.query,
        answers=answers,
        results=checked.results,
        thought=checked.thought,
        rejection=checked.rejection,
    )
    return TaskRecord(task=task, pairs=[pair])


async def verify_command(args: argparse.Namespace) -> int:
    started = time.monotonic()
    try:
        checks = parse_checks(args.checks)
    except ValueError as exc:
        raise ConfigError(f"--checks: {exc}") from exc
    rows = list(read_rows(args.file))
    items = [r.item for r in rows if r.item is not None]
    library = load_catalog(
        list(args.apis), builtin=not args.no_builtin, local_rest=args.rest_backend == "local"
    ).by_name()
    endpoint = resolve_endpoint(endpoint_config(vars(args)), os.environ.get(args.api_key_env, ""))
    needs_llm = bool({"resolve", "judge"} & set(checks)) or args.rest_backend == "virtual"
    if needs_llm and endpoint.kind == "local":  # before anything is written
        require_local_extra(*endpoint.local_models.values(), key_env=args.api_key_env)
    out = prepare_out(args.out)
    with hold_out_lock(out):
        return await _verify(
            args, out, rows, items, library, checks, endpoint, started, needs_llm=needs_llm
        )


async def _verify(
    args: argparse.Namespace,
    out: Path,
    rows: list[Row],
    items: list[VerifyItem],
    library: dict[str, Tool],
    checks: tuple[str, ...],
    endpoint: Endpoint,
    started: float,
    *,
    needs_llm: bool,
) -> int:
    console = Console(stderr=True, quiet=args.quiet)
    solver = args.solver_model or endpoint.judge_model
    checked: dict[int, CheckedItem] = {}
    async with AsyncExitStack() as stack:
        scrub = Scrubber.from_env(args.api_key_env)
        store = await stack.enter_async_context(open_store(out / "apigen.sqlite", scrub=scrub))
        client: LLMClient | None = None
        if needs_llm:
            client = await stack.enter_async_context(
                open_client(
                    endpoint,
                    api_key=os.environ.get(args.api_key_env, ""),
                    slots=args.slots,
                    concurrency=args.concurrency,
                    cache=store,
                    structured=args.structured,
                    models=sorted({endpoint.model, endpoint.judge_model, solver}),
                )
            )
        python = await stack.enter_async_context(sandbox_config(vars(args)).python_executor())
        executors: dict[str, Executor] = {"python": python}
        rest_tools = [t for t in library.values() if t.source == "rest"]
        if rest_tools and args.rest_backend != "none":
            executors["rest"] = await stack.enter_async_context(
                open_rest_backend(
                    args.rest_backend,
                    rest_tools,
                    cache=store,
                    simulate=llm_simulator(client, endpoint.model) if client else None,
                )
            )
        checker = Checker(
            checks=checks,
            client=client,
            prompts=PromptLibrary(),
            executor=ExecutorRouter(executors),
            implementations=library,
            solver_model=solver,
            judge_model=endpoint.judge_model,
            structured=args.structured != "off",
        )

        def note(item: CheckedItem) -> None:
            checked[item.index] = item
            if len(checked) % 50 == 0:
                console.print(f"verify: {len(checked)}/{len(items)} rows checked")

        await check_items(items, checker, concurrency=args.concurrency, on_checked=note)
    return _write(out, rows, checked, library, args.file.name, time.monotonic() - started)


def _write(
    out: Path,
    rows: list[Row],
    checked: dict[int, CheckedItem],
    library: dict[str, Tool],
    source: str,
    seconds: float,
) -> int:
    builder = ReportBuilder()
    page = PageCollector(library)
    kept = 0
    with (
        atomic_file(out / "dataset.jsonl") as dataset,
        atomic_file(out / "verdicts.jsonl") as verdicts,
    ):
        for row in rows:
            if row.item is None:
                verdict = Verdict(
                    line=row.line,
                    id=None,
                    kept=False,
                    stage="input",
                    code="malformed",
                    message=row.problem,
                )
            else:
                result = checked[row.item.index]
                record = _record(row.item, result, source)
                builder.add_task(record)
                page.add_task(record, record.pairs if result.rejection is None else [])
                rejection: Rejection | None = result.rejection
                verdict = Verdict(
                    line=row.line,
                    id=row.item.id,
                    kept=rejection is None,
                    stage=rejection.stage if rejection else None,
                    code=rejection.code if rejection else None,
                    message=rejection.message if rejection else None,
                )
                if rejection is None:
                    kept += 1
                    builder.add_exported(record.pairs[0])
                    dataset.write(row.text.rstrip(b"\r\n") + b"\n")
            verdicts.write(msgspec.json.encode(verdict) + b"\n")
    report = builder.finish(
        tools=library,
        target=None,
        sessions=[Session(started="", wall_seconds=round(seconds, 3))],
        duplicates=0,
    )
    with atomic_file(out / "report.json") as handle:
        handle.write(report_json(report))
    from apigen_async.report_html import render_html  # slow import (bokeh): only here

    with atomic_file(out / "report.html") as handle:
        handle.write(render_html(report, page.result()).encode())
    print_report(report, Console(file=sys.stdout, width=max(120, Console().width)))
    malformed = sum(1 for r in rows if r.item is None)
    print(
        f"verify: kept {kept} of {len(rows)} rows ({malformed} malformed); wrote "
        f"{out / 'dataset.jsonl'}, {out / 'verdicts.jsonl'}, {out / 'report.json'}, "
        f"{out / 'report.html'}",
        file=sys.stderr,
    )
    return 0
