"""`apigen generate`: a verified dataset from a `RunConfig`.

The one place where the run's config becomes the objects that do the work: the sampler,
the pipeline's settings, the LLM client and its limits, the sandbox and the REST backend.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import shlex
import sys
import time
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import msgspec
from rich.console import Console

from apigen_async import __version__
from apigen_async.card import CardInfo
from apigen_async.catalog.library import Catalog, load_seeds
from apigen_async.checks.execution import Executor, ExecutorRouter
from apigen_async.commands.outputs import (
    STORE_NAME,
    discard_run,
    load_library,
    push_run,
    write_outputs,
)
from apigen_async.config import IDENTITY_KEYS, RunConfig, given
from apigen_async.errors import ConfigError, EndpointGaveUp, StoreError
from apigen_async.executors.simulate import llm_simulator
from apigen_async.executors.virtual import open_rest_backend
from apigen_async.hub import hub_token
from apigen_async.llm.client import LLMClient
from apigen_async.llm.endpoint import Endpoint, resolve_endpoint
from apigen_async.llm.endpoints import lanes_for
from apigen_async.llm.limits import DEFAULT_CONCURRENCY, Limits
from apigen_async.llm.local import require_local_extra
from apigen_async.llm.requestlog import RequestLog
from apigen_async.llm.router import Lane
from apigen_async.llm.session import start_local_models
from apigen_async.outdir import hold_out_lock, prepare_out
from apigen_async.pipeline import PipelineSettings, RunState, run_pipeline
from apigen_async.progress import Progress
from apigen_async.prompts import PromptLibrary
from apigen_async.sampling import Example, ExamplePool, Sampler
from apigen_async.scrub import Scrubber
from apigen_async.store import Session, Store, open_store

__all__ = ["generate_command", "llm_concurrency", "pipeline_settings"]

#: Hosts of our own local API service (apis/rest); anything else is a ToolBench host.
LOCAL_HOST_SUFFIX = ".local-apis.apigen"


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


def _library_sources(config: RunConfig) -> dict[str, Any]:
    """Where a run's tools come from; stored with the run so a report can reload them."""
    return {
        "apis": [str(p.resolve()) for p in config.apis],
        "builtin": not config.no_builtin,
        "local_rest": config.rest_backend == "local" and not config.no_builtin,
    }


# What the config becomes: each built here and nowhere else.


def llm_concurrency(config: RunConfig, endpoint: Endpoint) -> int:
    """LLM requests in flight: --concurrency, else the embedded model's slots, else 8."""
    if config.concurrency:
        return config.concurrency
    if endpoint.kind == "local":
        return config.slots * len(endpoint.local_models)
    return DEFAULT_CONCURRENCY


def _lanes(config: RunConfig, endpoint: Endpoint) -> list[Lane] | None:
    """One lane per endpoint of a run with several, each with its own limits."""
    if not endpoint.lanes:
        return None
    return lanes_for(
        endpoint.lanes,
        model=endpoint.model,
        judge_model=endpoint.judge_model,
        concurrency=llm_concurrency(config, endpoint),
        rpm=config.rpm,
        tpm=config.tpm,
        share=config.limit_share,
    )


def _limits(config: RunConfig, endpoint: Endpoint, lanes: list[Lane] | None) -> Limits:
    """The client's limits; a Ray shard keeps to its share of each."""
    share = config.limit_share
    if lanes is not None:
        # Each endpoint has its own cap: the pipeline keeps them all busy.
        concurrency = sum(lane.limits.max_concurrency for lane in lanes)
    else:
        concurrency = max(1, llm_concurrency(config, endpoint) // share)
    return Limits(
        concurrency=concurrency,
        rpm=config.rpm / share if config.rpm else None,
        tpm=config.tpm / share if config.tpm else None,
    )


def pipeline_settings(config: RunConfig, endpoint: Endpoint, concurrency: int) -> PipelineSettings:
    config = config.by_endpoint(endpoint)
    return PipelineSettings(
        target=config.pairs,
        model=endpoint.model,
        judge_model=endpoint.judge_model,
        judge_batch=config.judge_batch,
        checks=given(config.checks),
        solver_model=config.solver(endpoint),
        temperature=config.temperature,
        max_tokens=config.max_tokens,
        structured=config.structured != "off",
        concurrency=concurrency,
        exec_concurrency=config.exec_concurrency,
        epoch_size=config.epoch_size,
        max_tasks=config.max_tasks,
        dedup=config.dedup_config(),
        avoid_queries=given(config.avoid_queries),
    )


def _client(
    config: RunConfig,
    endpoint: Endpoint,
    *,
    base_url: str | None,
    routes: dict[str, str],
    cache: Store,
    scrub: Scrubber,
    request_log: RequestLog | None,
    lanes: list[Lane] | None,
    limits: Limits,
) -> LLMClient:
    key_envs = _key_envs(config, endpoint)
    return LLMClient(
        base_url=base_url,
        routes=routes,
        api_key=os.environ.get(config.api_key_env, ""),
        limits=limits,
        lanes=lanes,
        keys={url: os.environ.get(name, "") for url, name in key_envs.items()},
        cache=cache,
        timeout=config.timeout or endpoint.request_timeout,
        max_retries=config.max_retries,
        structured=config.structured,
        length_retry_tokens=config.length_retry_tokens,
        price_in=config.price_in,
        price_out=config.price_out,
        transport=config.llm_transport,
        request_log=request_log,
        max_retry_after=config.max_retry_after,
        give_up_after=config.give_up_after or None,
        scrub=scrub,
        llama_server=endpoint.kind == "local",
    )


def _key_envs(config: RunConfig, endpoint: Endpoint) -> dict[str, str]:
    """Each endpoint's API key variable, by its base URL."""
    return {spec.base_url: spec.api_key_env or config.api_key_env for spec in endpoint.lanes}


async def generate_command(config: RunConfig) -> int:
    assert config.ray is None, "the CLI sends --ray runs to commands.ray_shards"
    if config.shard:
        # -n and --max-tasks are the whole run's: a shard aims for its share of them.
        shards = config.shard[1]
        config = msgspec.structs.replace(
            config,
            pairs=math.ceil(config.pairs / shards),
            max_tasks=math.ceil(config.max_tasks / shards) if config.max_tasks else None,
        )
    wall_start = time.monotonic()
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    console = Console(stderr=True, quiet=config.quiet)
    # The config is valid; what needs files or the environment is checked before anything
    # slow or stateful happens.
    library = _library_sources(config)
    catalog = load_library(library)
    _check_rest_backend(catalog, config.rest_backend)
    if catalog.skipped:
        skipped = ", ".join(f"{k} {v}" for k, v in sorted(catalog.skipped.items()))
        print(f"--apis: {len(catalog.tools)} tools loaded; skipped: {skipped}", file=sys.stderr)
    endpoint = resolve_endpoint(config.endpoint, os.environ.get(config.api_key_env, ""))
    config = config.by_endpoint(endpoint)
    # Before the run: a push that cannot happen is said before anything is spent.
    token = hub_token(config.push_to_hub) if config.push_to_hub else None
    if endpoint.kind == "local":  # before the store exists: an endpoint may be chosen instead
        require_local_extra(*endpoint.local_models.values(), key_env=config.api_key_env)
    out = prepare_out(config.out)
    # Taken before `--fresh` deletes anything, held until the dataset is written.
    with hold_out_lock(out):
        if config.fresh:
            discard_run(out)
        code = await _generate(
            config,
            _Plan(
                console=console,
                library=library,
                catalog=catalog,
                endpoint=endpoint,
                wall_start=wall_start,
                started=started,
            ),
        )
        if config.push_to_hub and token:
            code = await push_run(
                out, config.push_to_hub, config.export, token, code=code, console=console
            )
        return code


@dataclass(frozen=True)
class _Plan:
    """What `generate` settled before taking the folder: the tools and the endpoint."""

    console: Console
    library: dict[str, Any]
    catalog: Catalog
    endpoint: Endpoint
    wall_start: float
    started: str


async def _generate(config: RunConfig, plan: _Plan) -> int:
    console, catalog, endpoint = plan.console, plan.catalog, plan.endpoint
    wall_start, started, out = plan.wall_start, plan.started, config.out
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
        config.sampler_config(), catalog.tools, pool, prompts, shard=config.shard or (0, 1)
    )
    # Zero of the tasks' times is the session's own (`Session.wall_seconds` counts from it).
    state = RunState(started=wall_start, session=started)
    # Key values as well as token shapes: an endpoint or a REST host may echo our headers.
    scrub = Scrubber.from_env(
        config.api_key_env, config.rapidapi_key_env, *_key_envs(config, endpoint).values()
    )
    identity = msgspec.to_builtins(config.identity(endpoint, catalog.fingerprint()))
    lanes = _lanes(config, endpoint)
    limits = _limits(config, endpoint, lanes)
    gave_up: EndpointGaveUp | None = None
    async with AsyncExitStack() as stack:
        store = await stack.enter_async_context(open_store(out / STORE_NAME, scrub=scrub))
        await _check_config(store, identity, out, {"target": config.pairs, "library": plan.library})
        tg = await stack.enter_async_context(anyio.create_task_group())
        # Unwinding is last-in first-out: the services in `tg` (the local model) stop only
        # after everything entered later (client, executors) has closed cleanly.
        stack.callback(tg.cancel_scope.cancel)
        if endpoint.kind == "local":
            routes = await start_local_models(tg, endpoint, slots=config.slots, say=console.print)
            base_url = routes.pop(endpoint.model)
        else:
            base_url, routes = endpoint.base_url, {}
        request_log = RequestLog(config.log_requests, scrub) if config.log_requests else None
        if request_log is not None:
            stack.callback(request_log.close)
        client = _client(
            config,
            endpoint,
            base_url=base_url,
            routes=routes,
            cache=store,
            scrub=scrub,
            request_log=request_log,
            lanes=lanes,
            limits=limits,
        )
        stack.push_async_callback(client.aclose)
        solver = config.solver(endpoint)
        await client.preflight(sorted({endpoint.model, endpoint.judge_model, solver}))
        executors: dict[str, Executor] = {}
        if config.rest_backend != "none":
            executors["rest"] = await stack.enter_async_context(
                open_rest_backend(
                    config.rest_backend,
                    [t for t in catalog.tools if t.source == "rest"],
                    cache=store,
                    rps=config.rest_rps,
                    key_env=config.rapidapi_key_env,
                    simulate=llm_simulator(client, endpoint.model),
                    simulate_mode=config.simulate,
                )
            )
        python = await stack.enter_async_context(config.python_executor())
        progress = Progress(console, target=config.pairs, client=client, enabled=not config.quiet)

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
                settings=pipeline_settings(config, endpoint, limits.max_concurrency),
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
    written = await write_outputs(
        out,
        tools,
        config.pairs,
        config.export,
        extra=config.extra_columns,
        console=console,
        scrub=scrub,
        dedup=config.dedup_config(),
        card=CardInfo(
            command=scrub(shlex.join(["apigen", *sys.argv[1:]])),
            seed=config.seed,
            model=endpoint.model,
            judge_model=endpoint.judge_model,
            solver_model=solver,
            checks=given(config.checks),
            formats=config.export,
            dedup=(
                f"near, Jaccard >= {config.dedup_threshold}" if config.dedup == "near" else "exact"
            ),
        ),
    )
    if gave_up is not None:
        print(f"apigen: {gave_up} (rerun to resume once it answers)", file=sys.stderr)
        return 3
    if state.generated == 0 and state.rejected.get("generate"):
        print(
            f"apigen: every generation request of this session failed ({written} verified "
            f"pairs of {config.pairs}); see failed requests above and check the endpoint",
            file=sys.stderr,
        )
        return 1
    if written < config.pairs:
        print(
            f"apigen: stopped after {state.tasks_done} tasks with {written} verified pairs "
            f"of {config.pairs} (raise --max-tasks or check the rejection reasons above)",
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
