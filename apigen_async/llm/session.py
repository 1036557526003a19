"""An LLM client for a command, with the embedded model started first when it is the endpoint."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial

import anyio
from anyio.abc import TaskGroup

from apigen_async.llm.client import DEFAULT_GIVE_UP_AFTER, LLMClient, ResponseCache
from apigen_async.llm.endpoint import Endpoint
from apigen_async.llm.limits import Limits
from apigen_async.llm.local import resolve_local_model, serve_local_model
from apigen_async.llm.requestlog import RequestLog

__all__ = ["open_client", "start_local_models"]


async def start_local_models(
    services: TaskGroup, endpoint: Endpoint, *, slots: int, say: Callable[[str], None] | None = None
) -> dict[str, str]:
    """Start a server per embedded model of `endpoint` in `services`: base URLs by name."""
    urls: dict[str, str] = {}
    for alias, choice in endpoint.local_models.items():
        path = resolve_local_model(choice)
        if say is not None:
            say(f"starting the embedded model {path.name} ({slots} slots)...")
        urls[alias] = await services.start(
            partial(serve_local_model, path, alias=alias, n_parallel=slots)
        )
    return urls


@asynccontextmanager
async def open_client(
    endpoint: Endpoint,
    *,
    api_key: str,
    slots: int,
    concurrency: int,
    cache: ResponseCache | None = None,
    timeout: float | None = None,
    max_retries: int = 6,
    structured: str = "auto",
    models: list[str] | None = None,
    request_log: RequestLog | None = None,
    give_up_after: int | None = DEFAULT_GIVE_UP_AFTER,
    rpm: float | None = None,
    tpm: float | None = None,
) -> AsyncIterator[LLMClient]:
    """A checked client for `endpoint`; the embedded server stops when the block ends."""
    async with anyio.create_task_group() as services:
        if endpoint.kind == "local":
            routes = await start_local_models(services, endpoint, slots=slots)
            base_url = routes.pop(endpoint.model)
        else:
            assert endpoint.base_url is not None
            base_url, routes = endpoint.base_url, {}
        client = LLMClient(
            base_url=base_url,
            routes=routes,
            api_key=api_key,
            limits=Limits(concurrency=concurrency, rpm=rpm, tpm=tpm),
            cache=cache,
            timeout=timeout or endpoint.request_timeout,
            max_retries=max_retries,
            structured=structured,
            request_log=request_log,
            give_up_after=give_up_after,
            llama_server=endpoint.kind == "local",
        )
        try:
            await client.preflight(sorted(set(models or [endpoint.model, endpoint.judge_model])))
            yield client
        finally:
            # Shielded: on Ctrl-C the scope is already cancelled, and an unshielded close
            # returns at once, leaving aiohttp to warn about an unclosed session.
            with anyio.CancelScope(shield=True):
                await client.aclose()
            services.cancel_scope.cancel()
