"""--avoid-queries: a generation prompt shows verified queries of its functions from the
epochs its task may see, and a pair copying one of them is rejected."""

from __future__ import annotations

import json
import re
from pathlib import Path

import anyio
import msgspec
import pytest

from apigen_async.dedup import DedupConfig
from apigen_async.ledger import RunState
from apigen_async.llm.types import ChatRequest, Completion
from apigen_async.pipeline import PipelineSettings, run_pipeline
from apigen_async.prompts import PromptLibrary
from apigen_async.sampling import ExamplePool, Sampler, SamplerConfig
from apigen_async.schema import Call, ExecResult, Tool
from apigen_async.store import open_store
from tests.test_stages import ADD

pytestmark = pytest.mark.anyio

TASKS = 6
HEADER = "Queries already in the dataset for these functions"


def _call(a: int, b: int) -> dict[str, object]:
    return {"name": "add", "arguments": {"a": a, "b": b}}


class CopyingClient:
    """Task i answers two queries of its own and, when its prompt lists verified queries
    to differ from, one more that copies the first of them."""

    structured_enabled = True

    def __init__(self) -> None:
        #: Per task index (its request's seed is unique, its prompt names its numbers):
        #: the queries its prompt asked to differ from.
        self.avoided: dict[int, list[str]] = {}

    async def complete(self, request: ChatRequest) -> Completion:
        user = request.messages[-1]["content"]
        avoided = []
        if HEADER in user:
            avoided = [json.loads(line) for line in user.split(HEADER)[1].splitlines()[1:]]
        index = len(self.avoided)
        self.avoided[index] = avoided
        pairs = [
            {"query": f"Task {index}: what is {index} plus {k}?", "answers": [_call(index, k)]}
            for k in (10, 20)
        ]
        if avoided:
            a, b = map(int, re.findall(r"\d+", avoided[0])[1:])
            pairs.append({"query": avoided[0], "answers": [_call(a, b)]})
        return Completion(
            content=msgspec.json.encode({"pairs": pairs}).decode(), finish_reason="stop"
        )


class AddExecutor:
    async def execute(self, tool: Tool, call: Call) -> ExecResult:
        return ExecResult(ok=True, output=call.arguments["a"] + call.arguments["b"])


async def test_prompts_carry_earlier_epochs_queries_and_a_copy_is_rejected(
    tmp_path: Path,
) -> None:
    prompts = PromptLibrary()
    client = CopyingClient()
    pool = ExamplePool()
    config = SamplerConfig(style_weights={"simple": 1.0}, examples_range=(0, 0))
    settings = PipelineSettings(target=100, model="fake", judge_model="fake", judge_batch=1,
                                checks=("format", "rules", "execution"), max_tasks=TASKS,
                                concurrency=1, exec_concurrency=1, temperature=0.7,
                                max_tokens=1024, solver_model="fake", structured=True,
                                epoch_size=1, dedup=DedupConfig(), avoid_queries=2)  # fmt: skip
    with anyio.fail_after(10):
        async with open_store(tmp_path / "store.sqlite") as store:
            await run_pipeline(
                settings=settings,
                tools={"add": ADD},
                sampler=Sampler(config, [ADD], pool, prompts),
                pool=pool,
                prompts=prompts,
                store=store,
                client=client,  # type: ignore[arg-type]
                executor=AddExecutor(),
                state=RunState(),
            )
            records = [r async for r in store.iter_tasks()]

    # One task per epoch; task i sees the epochs up to i - 2: the first two see nothing.
    assert client.avoided[0] == client.avoided[1] == []
    for index in range(2, TASKS):
        avoided = client.avoided[index]
        assert len(avoided) == 2
        for query in avoided:
            task = int(re.match(r"Task (\d+)", query).group(1))  # type: ignore[union-attr]
            assert task <= index - 2
    # The copy of a shown query is dropped by the rules; the task's own queries pass.
    for record in records:
        codes = [p.rejection.code if p.rejection else None for p in record.pairs]
        copied = [] if record.task.index < 2 else ["copies_example"]
        assert codes == [None, None, *copied]
