"""What `apigen generate` and `apigen report` do, given parsed flags."""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import shlex
import sys
import time
from contextlib import AsyncExitStack, aclosing
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import anyio
import msgspec
from rich.console import Console

from apigen_async import __version__
from apigen_async.card import CardInfo, render_card
from apigen_async.catalog.library import Catalog, load_catalog, load_seeds
from apigen_async.checks.execution import Executor, ExecutorRouter
from apigen_async.cli import parse_range, parse_styles
from apigen_async.dedup import DedupConfig
from apigen_async.errors import ApigenError, ConfigError, EndpointGaveUp, StoreError
from apigen_async.executors.python import PythonExecutor
from apigen_async.executors.simulate import llm_simulator
from apigen_async.executors.virtual import open_rest_backend
from apigen_async.export import EXPORT_FILES, EXPORT_FORMATS, DatasetWriter, Selection
from apigen_async.llm.client import LLMClient
from apigen_async.llm.endpoint import Endpoint, resolve_endpoint
from apigen_async.llm.endpoints import lanes_for
from apigen_async.llm.limits import DEFAULT_CONCURRENCY, Limits
from apigen_async.llm.local import require_local_extra
from apigen_async.llm.requestlog import RequestLog
from apigen_async.llm.session import start_local_models
from apigen_async.outdir import atomic_file, hold_out_lock, prepare_out
from apigen_async.pipeline import PipelineSettings, RunState, run_pipeline
from apigen_async.progress import Progress
from apigen_async.prompts import PromptLibrary
from apigen_async.report import Report, ReportBuilder, print_report, report_json
from apigen_async.report_rows import PageCollector
from apigen_async.sampling import Example, ExamplePool, Sampler, SamplerConfig
from apigen_async.schema import Tool
from apigen_async.scrub import Scrubber
from apigen_async.shards import ShardedSelection
from apigen_async.stages import parse_checks
from apigen_async.store import Session, Store, open_reader, open_store
from apigen_async.styles import api_ranges

__all__ = ["generate_command", "report_command"]

STORE_NAME = "apigen.sqlite"
#: Hosts of our own local API service (apis/rest); anything else is a ToolBench host.
LOCAL_HOST_SUFFIX = ".local-apis.apigen"

#: Config keys that shape the dataset; a stored run only resumes if they all match.
IDENTITY_KEYS = (
    "seed",
    "model",
    "judge_model",
    "judge_batch",
    "checks",
    "solver_model",
    "styles",
    "pairs_per_task",
    "temperature",
    "max_tokens",
    "structured",
    "epoch_size",
    "catalog",
    "sampler",
    "length_retry_tokens",
    "dedup",
    "shard",
)


def _identity(args: argparse.Namespace, endpoint: Endpoint, catalog: Catalog) -> dict[str, Any]:
    return {
        "seed": args.seed,
        "model": endpoint.model,
        "judge_model": endpoint.judge_model,
        "judge_batch": args.judge_batch,
        "checks": list(_checks(args)),
        "solver_model": args.solver_model or endpoint.judge_model,
        "styles": parse_styles(args.styles),
        "pairs_per_task": args.pairs_per_task,
        "sampler": msgspec.to_builtins(_sampler_config(args)),
        "temperature": args.temperature,
        "max_tokens": args.max_tokens,
        "structured": args.structured != "off",
        "epoch_size": args.epoch_size,
        "length_retry_tokens": args.length_retry_tokens,
        "catalog": catalog.fingerprint(),
        "dedup": msgspec.to_builtins(_dedup_config(args)),
        # None for a whole run, so stores made before shards existed keep their identity.
        "shard": list(args.shard) if getattr(args, "shard", None) else None,
    }


def _dedup_config(args: argparse.Namespace) -> DedupConfig:
    return DedupConfig(mode=args.dedup, threshold=args.dedup_threshold)


def _stored_dedup(config: dict[str, Any]) -> DedupConfig:
    """The run's dedup; a run stored before `--dedup` existed was deduplicated exactly."""
    return msgspec.convert(config.get("dedup") or {}, DedupConfig)


async def _check_config(
    store: Store, identity: dict[str, Any], out: Path, extra: dict[str, Any]
) -> None:
    """Refuse a stored run with another identity; record the rest (target, sources)."""
    stored = await store.run_config()
    if stored is None:
        await store.set_run_config(identity | {"version": __version__} | extra)
        return
    stored_identity = msgspec.json.decode(
        msgspec.json.encode({k: stored.get(k) for k in IDENTITY_KEYS})
    )
    wanted = msgspec.json.decode(msgspec.json.encode(identity))
    diffs = [
        f"{k}: {stored_identity.get(k)!r} -> {wanted.get(k)!r}"
        for k in IDENTITY_KEYS
        if stored_identity.get(k) != wanted.get(k)
    ]
    if diffs:
        raise StoreError(
            f"--out {out} holds a run with a different config ({'; '.join(diffs)}); "
            "rerun with --fresh to discard it, or choose another --out"
        )
    # The target is not part of the identity: a run may be resumed towards a larger N.
    await store.set_run_config(stored | extra)


def _discard(out: Path) -> None:
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


def _sampler_config(args: argparse.Namespace) -> SamplerConfig:
    lo, hi = parse_range("--tools-per-task", args.tools_per_task)
    if lo < 1:
        raise ConfigError(
            f"--tools-per-task: at least 1 tool per task, got {args.tools_per_task!r}"
        )
    return SamplerConfig(
        seed=args.seed,
        sampling=args.sampling,
        style_weights=parse_styles(args.styles),
        pairs_per_task=args.pairs_per_task,
        examples_range=parse_range("--examples-per-task", args.examples_per_task),
        api_ranges=api_ranges(lo, hi),
    )


def _check_rest_backend(catalog: Catalog, backend: str) -> None:
    toolbench = [
        t
        for t in catalog.tools
        if t.source == "rest" and t.rest is not None and not t.rest.host.endswith(LOCAL_HOST_SUFFIX)
    ]
    if toolbench and backend in ("local", "none"):
        raise ConfigError(
            f"--apis loaded {len(toolbench)} ToolBench REST tools (e.g. {toolbench[0].name!r}), "
            f"which --rest-backend {backend} cannot call; use --rest-backend virtual "
            "(offline, simulated) or rapidapi (real, needs a key)"
        )


def _checks(args: argparse.Namespace) -> tuple[str, ...]:
    try:
        return parse_checks(args.checks)
    except ValueError as exc:
        raise ConfigError(f"--checks: {exc}") from exc


def _export_formats(spec: str) -> list[str]:
    formats = ["xlam"]
    for f in (f.strip() for f in spec.split(",")):
        if f and f not in EXPORT_FORMATS:
            raise ConfigError(
                f"--export: unknown format {f!r}; choose from {', '.join(EXPORT_FORMATS)}"
            )
        if f and f not in formats:
            formats.append(f)
    return formats


async def generate_command(args: argparse.Namespace) -> int:
    if getattr(args, "ray", None) is not None:
        from apigen_async.commands.ray_shards import ray_command

        return await ray_command(args)
    if getattr(args, "shards", None):
        raise ConfigError("--shards is for --ray; to run one shard yourself give --shard K/N")
    if getattr(args, "shard", None):
        # -n and --max-tasks are the whole run's: a shard aims for its share of them.
        shards = args.shard[1]
        args.pairs = math.ceil(args.pairs / shards)
        if args.max_tasks:
            args.max_tasks = math.ceil(args.max_tasks / shards)
    wall_start = time.monotonic()
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    console = Console(stderr=True, quiet=args.quiet)
    # Flags are validated before anything slow or stateful happens.
    sampler_config = _sampler_config(args)
    checks = _checks(args)
    formats = _export_formats(args.export)
    library = _library_sources(args)
    catalog = _load_library(library)
    _check_rest_backend(catalog, args.rest_backend)
    if catalog.skipped:
        skipped = ", ".join(f"{k} {v}" for k, v in sorted(catalog.skipped.items()))
        print(f"--apis: {len(catalog.tools)} tools loaded; skipped: {skipped}", file=sys.stderr)
    api_key = os.environ.get(args.api_key_env, "")
    endpoint = resolve_endpoint(args, api_key)
    if endpoint.kind == "local":  # before the store exists: an endpoint may be chosen instead
        require_local_extra(*endpoint.local_models.values(), key_env=args.api_key_env)
    identity = _identity(args, endpoint, catalog)
    out = prepare_out(args.out)
    # Taken before `--fresh` deletes anything, held until the dataset is written.
    with hold_out_lock(out):
        if args.fresh:
            _discard(out)
        return await _generate(
            args,
            _Plan(
                console=console,
                sampler_config=sampler_config,
                checks=checks,
                formats=formats,
                library=library,
                catalog=catalog,
                api_key=api_key,
                endpoint=endpoint,
                identity=identity,
                wall_start=wall_start,
                started=started,
            ),
        )


@dataclass(frozen=True)
class _Plan:
    """What `generate` settled before taking the folder: validated flags and sources."""

    console: Console
    sampler_config: SamplerConfig
    checks: tuple[str, ...]
    formats: list[str]
    library: dict[str, Any]
    catalog: Catalog
    api_key: str
    endpoint: Endpoint
    identity: dict[str, Any]
    wall_start: float
    started: str


async def _generate(args: argparse.Namespace, plan: _Plan) -> int:
    console, catalog, endpoint, api_key = plan.console, plan.catalog, plan.endpoint, plan.api_key
    wall_start, started, out = plan.wall_start, plan.started, Path(args.out)
    tools = catalog.by_name()

    prompts = PromptLibrary()
    pool = ExamplePool()
    pool.add(
        [
            Example(id=f"seed-{i}", style=style, query=query, answers=calls)  # type: ignore[arg-type]
            for i, (style, query, calls) in enumerate(load_seeds(tools))
        ],
        epoch=-1,
    )
    sampler = Sampler(
        plan.sampler_config,
        catalog.tools,
        pool,
        prompts,
        shard=getattr(args, "shard", None) or (0, 1),
    )
    concurrency = args.concurrency or (
        args.slots * len(endpoint.local_models) if endpoint.kind == "local" else DEFAULT_CONCURRENCY
    )
    share = getattr(args, "limit_share", 1)
    lanes = (
        lanes_for(
            endpoint.lanes,
            model=endpoint.model,
            judge_model=endpoint.judge_model,
            concurrency=concurrency,
            rpm=args.rpm,
            tpm=args.tpm,
            share=share,
        )
        if endpoint.lanes
        else None
    )
    if lanes is not None:
        # Each endpoint has its own cap: the pipeline keeps them all busy.
        concurrency = sum(lane.limits.max_concurrency for lane in lanes)
    else:
        concurrency = max(1, concurrency // share)
    settings = PipelineSettings(
        target=args.pairs,
        model=endpoint.model,
        judge_model=endpoint.judge_model,
        judge_batch=args.judge_batch,
        checks=plan.checks,
        solver_model=args.solver_model or endpoint.judge_model,
        temperature=args.temperature,
        max_tokens=args.max_tokens,
        structured=args.structured != "off",
        concurrency=concurrency,
        exec_concurrency=args.exec_concurrency,
        epoch_size=args.epoch_size,
        max_tasks=args.max_tasks,
        dedup=_dedup_config(args),
    )
    state = RunState()
    # Key values as well as token shapes: an endpoint or a REST host may echo our headers.
    key_envs = {spec.base_url: spec.api_key_env or args.api_key_env for spec in endpoint.lanes}
    scrub = Scrubber.from_env(args.api_key_env, args.rapidapi_key_env, *key_envs.values())
    gave_up: EndpointGaveUp | None = None
    async with AsyncExitStack() as stack:
        store = await stack.enter_async_context(open_store(out / STORE_NAME, scrub=scrub))
        await _check_config(
            store, plan.identity, out, {"target": args.pairs, "library": plan.library}
        )
        tg = await stack.enter_async_context(anyio.create_task_group())
        # Unwinding is last-in first-out: the services in `tg` (the local model) stop only
        # after everything entered later (client, executors) has closed cleanly.
        stack.callback(tg.cancel_scope.cancel)
        if endpoint.kind == "local":
            routes = await start_local_models(tg, endpoint, slots=args.slots, say=console.print)
            base_url = routes.pop(endpoint.model)
        else:
            base_url, routes = endpoint.base_url, {}
        request_log = RequestLog(args.log_requests, scrub) if args.log_requests else None
        if request_log is not None:
            stack.callback(request_log.close)
        client = LLMClient(
            base_url=base_url,
            routes=routes,
            api_key=api_key,
            limits=Limits(
                concurrency=concurrency,
                rpm=args.rpm / share if args.rpm else None,
                tpm=args.tpm / share if args.tpm else None,
            ),
            lanes=lanes,
            keys={url: os.environ.get(name, "") for url, name in key_envs.items()},
            cache=store,
            timeout=args.timeout or (900.0 if endpoint.kind == "local" else 300.0),
            max_retries=args.max_retries,
            structured=args.structured,
            length_retry_tokens=args.length_retry_tokens,
            price_in=args.price_in,
            price_out=args.price_out,
            transport=args.llm_transport,
            request_log=request_log,
            max_retry_after=args.max_retry_after,
            give_up_after=args.give_up_after or None,
            scrub=scrub,
        )
        stack.push_async_callback(client.aclose)
        solver = args.solver_model or endpoint.judge_model
        await client.preflight(sorted({endpoint.model, endpoint.judge_model, solver}))
        executors: dict[str, Executor] = {}
        if args.rest_backend != "none":
            executors["rest"] = await stack.enter_async_context(
                open_rest_backend(
                    args.rest_backend,
                    [t for t in catalog.tools if t.source == "rest"],
                    cache=store,
                    rps=args.rest_rps,
                    key_env=args.rapidapi_key_env,
                    simulate=llm_simulator(client, endpoint.model),
                    simulate_mode=args.simulate,
                )
            )
        python = await stack.enter_async_context(
            PythonExecutor(
                workers=args.exec_concurrency,
                timeout=args.exec_timeout,
                cpu_seconds=args.exec_timeout,
                memory_mb=args.exec_memory_mb,
            )
        )
        progress = Progress(console, target=args.pairs, client=client, enabled=not args.quiet)

        def session() -> Session:
            stats = client.stats
            return Session(
                started=started,
                wall_seconds=round(time.monotonic() - wall_start, 3),
                requests=stats.requests,
                cache_hits=stats.cache_hits,
                retries=stats.retries,
                rate_limited=stats.rate_limited,
                timeouts=stats.timeouts,
                gave_up=str(gave_up) if gave_up else None,
                reached_target=state.reached,
                errors=stats.errors,
                prompt_tokens=stats.prompt_tokens,
                completion_tokens=stats.completion_tokens,
                endpoints=client.usage(),
            )

        async def record_session() -> None:
            # Rewritten every few seconds so a killed session still counts its time.
            while True:
                await anyio.sleep(5)
                await store.add_session(session())

        tg.start_soon(record_session)
        try:
            await run_pipeline(
                settings=settings,
                tools=tools,
                sampler=sampler,
                pool=pool,
                prompts=prompts,
                store=store,
                client=client,
                executor=ExecutorRouter(executors | {"python": python}),
                state=state,
                on_tick=progress.tick,
            )
        except* EndpointGaveUp as group:
            # The breaker ends the stages; the store, already holding every finished
            # task, closes normally below.
            gave_up = _first(group)
        finally:
            progress.close()
        await store.add_session(session())
    # Whatever was verified before the endpoint died is exported all the same.
    written = await _write_outputs(
        out,
        tools,
        args.pairs,
        plan.formats,
        extra=args.extra_columns,
        console=console,
        scrub=scrub,
        dedup=_dedup_config(args),
        card=CardInfo(
            command=scrub(shlex.join(["apigen", *sys.argv[1:]])),
            seed=args.seed,
            model=endpoint.model,
            judge_model=endpoint.judge_model,
            solver_model=args.solver_model or endpoint.judge_model,
            checks=plan.checks,
            formats=tuple(plan.formats),
            dedup=(f"near, Jaccard >= {args.dedup_threshold}" if args.dedup == "near" else "exact"),
        ),
    )
    if gave_up is not None:
        print(f"apigen: {gave_up} (rerun to resume once it answers)", file=sys.stderr)
        return 3
    if state.generated == 0 and state.rejected.get("generate"):
        print(
            f"apigen: every generation request of this session failed ({written} verified "
            f"pairs of {args.pairs}); see failed requests above and check the endpoint",
            file=sys.stderr,
        )
        return 1
    if written < args.pairs:
        print(
            f"apigen: stopped after {state.tasks_done} tasks with {written} verified pairs "
            f"of {args.pairs} (raise --max-tasks or check the rejection reasons above)",
            file=sys.stderr,
        )
        return 1
    return 0


def _first(group: BaseExceptionGroup[EndpointGaveUp]) -> EndpointGaveUp:
    inner: BaseException = group
    while isinstance(inner, BaseExceptionGroup):
        inner = inner.exceptions[0]
    assert isinstance(inner, EndpointGaveUp)
    return inner


async def _write_outputs(
    out: Path,
    tools: dict[str, Any],
    target: int | None,
    formats: list[str],
    *,
    extra: bool,
    console: Console,
    scrub: Scrubber,
    dedup: DedupConfig,
    card: CardInfo,
) -> int:
    async with open_reader(out / STORE_NAME) as store:
        with DatasetWriter(out, formats, tools, extra=extra) as writer:
            page = PageCollector(tools)
            report = await _export_and_report(
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


async def _export_and_report(
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


def _library_sources(args: argparse.Namespace) -> dict[str, Any]:
    """Where a run's tools come from; stored with the run so a report can reload them."""
    return {
        "apis": [str(p.resolve()) for p in args.apis],
        "builtin": not args.no_builtin,
        "local_rest": args.rest_backend == "local" and not args.no_builtin,
    }


def _load_library(library: dict[str, Any]) -> Catalog:
    return load_catalog(
        [Path(p) for p in library.get("apis", [])],
        builtin=library.get("builtin", True),
        local_rest=library.get("local_rest", False),
    )


def _stored_tools(config: dict[str, Any]) -> dict[str, Tool]:
    try:
        return _load_library(config.get("library", {})).by_name()
    except ApigenError:
        return {}  # the files moved: the report goes without categories


async def report_command(args: argparse.Namespace) -> int:
    async with open_reader(args.out / STORE_NAME) as store:
        config = await store.run_config() or {}
        target = config.get("target")
        tools = _stored_tools(config)
        page = PageCollector(tools) if args.html else None
        report = await _export_and_report(
            store,
            target=target,
            tools=tools,
            writer=None,
            dedup=_stored_dedup(config),
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


async def serve_apis_command(args: argparse.Namespace) -> int:
    from apigen_async.catalog.library import local_rest_tools
    from apis.rest.service import serve

    async with anyio.create_task_group() as tg:
        port = await tg.start(partial(serve, args.port, rps_per_key=args.rps_per_key))
        print(
            f"local APIs: {len(local_rest_tools())} tools on http://127.0.0.1:{port} "
            "(X-RapidAPI-Key: any non-empty value)",
            flush=True,
        )
    return 0
