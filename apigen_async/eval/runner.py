"""Ask the endpoint every item, read and score each answer as it arrives.

Items flow through one stream to `concurrency` workers (each owns a clone of the
receiving end); the client's limits, retries and cache apply to every request, so an
eval killed at any point resumes from the cache without asking answered items again.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from typing import Any

import anyio
import msgspec

from apigen_async.errors import ConfigError
from apigen_async.eval.decode import DecodeFailure, calls_from_text, calls_from_tool_calls
from apigen_async.eval.items import EvalItem
from apigen_async.eval.requests import Mode, build_request
from apigen_async.eval.score import ItemScore, score_item
from apigen_async.llm.client import LLMClient
from apigen_async.llm.types import TOOLS_UNSUPPORTED, Completion, LLMFailure
from apigen_async.schema import Call

__all__ = ["Outcome", "evaluate_items"]


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    item: EvalItem
    score: ItemScore
    #: What the model answered, in BFCL's result-file form: fc, a list of
    #: `{name: arguments JSON}` (the text when it made no call); prompt, the text.
    raw: Any
    calls: list[Call] | None = None


def _raw(completion: Completion, names: dict[str, str]) -> Any:
    if completion.tool_calls:
        return [{names.get(c.name, c.name): c.arguments} for c in completion.tool_calls]
    return completion.content


def _answer(
    completion: Completion | LLMFailure, mode: Mode, names: dict[str, str]
) -> list[Call] | DecodeFailure | LLMFailure:
    if isinstance(completion, LLMFailure):
        return completion
    if mode == "fc":
        return calls_from_tool_calls(completion.tool_calls, names)
    return calls_from_text(completion.content)


async def evaluate_items(
    items: Sequence[EvalItem],
    client: LLMClient,
    *,
    mode: Mode,
    model: str,
    temperature: float,
    max_tokens: int,
    seed: int | None,
    concurrency: int,
    on_outcome: Callable[[Outcome], None],
) -> None:
    """Score `items`, calling `on_outcome` for each as its answer comes in."""
    send, receive = anyio.create_memory_object_stream[EvalItem](0)

    async def worker(inbox: anyio.abc.ObjectReceiveStream[EvalItem]) -> None:
        async with inbox:
            async for item in inbox:
                built = build_request(
                    item,
                    mode=mode,
                    model=model,
                    temperature=temperature,
                    max_tokens=max_tokens,
                    seed=seed,
                )
                completion = await client.complete(built.request)
                if isinstance(completion, LLMFailure) and completion.code == TOOLS_UNSUPPORTED:
                    raise ConfigError(
                        f"--mode fc: the endpoint at {client.url_of(model)} does not accept "
                        f"function calling (`tools`): {completion.message}; use --mode prompt"
                    )
                answer = _answer(completion, mode, built.names)
                raw = (
                    _raw(completion, built.names)
                    if isinstance(completion, Completion)
                    else f"[request failed: {completion.code}]"
                )
                on_outcome(
                    Outcome(
                        item=item,
                        score=score_item(item, answer),
                        raw=raw,
                        calls=answer if isinstance(answer, list) else None,
                    )
                )

    async with anyio.create_task_group() as tg:
        async with receive:
            for _ in range(max(1, min(concurrency, len(items)))):
                tg.start_soon(worker, receive.clone())
        async with send:
            # Every worker gone (one raised, e.g. EndpointGaveUp, and the others closed):
            # stop sending; the task group raises the worker's error, not this one.
            with contextlib.suppress(anyio.BrokenResourceError):
                for item in items:
                    await send.send(item)
