"""Generate: one LLM request asks for a task's pairs (see `apigen_async.generate`)."""

from __future__ import annotations

from apigen_async.generate import generation_request, read_pairs
from apigen_async.llm.types import Completion
from apigen_async.schema import Rejection
from apigen_async.stages.base import Context, Generated, GenerateStage, PairWork, Sampled

__all__ = ["STAGE", "generate"]


async def generate(ctx: Context, sampled: Sampled) -> Generated | Rejection:
    """The task's items, unchecked; a `Rejection` when the request itself failed."""
    task, examples, avoid = sampled
    settings = ctx.settings
    offered = [ctx.tools[name] for name in task.tool_names]
    request = generation_request(
        ctx.prompts,
        task,
        offered,
        examples,
        model=settings.model,
        temperature=settings.temperature,
        max_tokens=settings.max_tokens,
        structured=settings.structured and ctx.client.structured_enabled,
        avoid=avoid,
    )
    completion = await ctx.client.complete(request)
    if not isinstance(completion, Completion):
        return Rejection(stage="generate", code=completion.code, message=completion.message)
    generator = completion.model or settings.model
    by_name = {t.name: t for t in offered}
    # The rules reject a query copied from any of them (`copies_example`).
    shown = [ex.query for ex in examples] + list(avoid)
    items = read_pairs(completion)
    if isinstance(items, Rejection):
        # The format stage's verdict on the whole answer: one rejected item holding it.
        whole = PairWork(
            task=task, index=0, generator=generator, offered=by_name, raw=completion.content
        )
        return Generated(completion, [whole], items)
    return Generated(
        completion,
        [
            PairWork(
                task=task, index=i, generator=generator, offered=by_name, shown=shown, raw=item
            )
            for i, item in enumerate(items)
        ],
    )


STAGE = GenerateStage(name="generate", rejects_as="generate", run=generate)
