"""The stage list: the pipeline's batches for the judge, and the columns that follow it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import anyio
import msgspec
import pytest
from rich.console import Console

from apigen_async import progress, report
from apigen_async.dedup import DedupConfig
from apigen_async.ledger import Ledger, RunState
from apigen_async.llm.stats import ClientSnapshot
from apigen_async.llm.types import ChatRequest, Completion
from apigen_async.pipeline import PipelineSettings, run_pipeline
from apigen_async.prompts import PromptLibrary
from apigen_async.sampling import ExamplePool, Sampler, SamplerConfig
from apigen_async.schema import Call, ExecResult, Pair, Param, Rejection, Task, Tool
from apigen_async.stages import ORDER, STAGES
from apigen_async.stages.base import BatchStage, GenerateStage, PairStage, PairWork
from apigen_async.store import PairRecord, TaskRecord, open_store

pytestmark = pytest.mark.anyio

ADD = Tool(
    name="add",
    description="Sum of two whole numbers.",
    parameters=(Param(name="a", type="integer"), Param(name="b", type="integer")),
)
PAIRS = [
    {"query": f"What is {a} plus {b}?", "answers": [{"name": "add", "arguments": {"a": a, "b": b}}]}
    for a, b in ((1, 2), (3, 4), (5, 6))
]


class FakeClient:
    """Answers the generator with `PAIRS` and the judge with a "yes" per pair."""

    structured_enabled = True

    def __init__(self, prompts: PromptLibrary) -> None:
        self.prompts = prompts
        #: The queries of each judge request, in the order they came.
        self.judged: list[list[str]] = []
        self.first_judged = anyio.Event()

    async def complete(self, request: ChatRequest) -> Completion:
        system = request.messages[0]["content"]
        if system == self.prompts.system:
            return Completion(content=msgspec.json.encode({"pairs": PAIRS}).decode(),
                              finish_reason="stop", model="fake")  # fmt: skip
        assert system == self.prompts.judge_system
        user = request.messages[1]["content"]
        queries = [p["query"] for p in PAIRS if f"<query>{p['query']}</query>" in user]
        self.judged.append(queries)
        self.first_judged.set()
        verdicts = [{"thought": "fits", "passes": "yes"} for _ in queries]
        return Completion(content=msgspec.json.encode({"verdicts": verdicts}).decode(),
                          finish_reason="stop")  # fmt: skip


class BlockingExecutor:
    """Runs `add`, but holds the task's second pair until the judge has seen a pair."""

    def __init__(self, client: FakeClient) -> None:
        self.client = client
        self.executed: list[int] = []

    async def execute(self, tool: Tool, call: Call) -> ExecResult:
        if call.arguments["a"] == 3:
            await self.client.first_judged.wait()
        self.executed.append(call.arguments["a"])
        return ExecResult(ok=True, output=call.arguments["a"] + call.arguments["b"])


async def test_with_judge_batch_1_a_pair_reaches_the_judge_before_its_task_is_executed(
    tmp_path: Path,
) -> None:
    prompts = PromptLibrary()
    client = FakeClient(prompts)
    executor = BlockingExecutor(client)
    pool = ExamplePool()
    config = SamplerConfig(style_weights={"simple": 1.0}, pairs_per_task=3, examples_range=(0, 0))
    settings = PipelineSettings(target=3, model="fake", judge_model="fake", judge_batch=1,
                                checks=("format", "execution", "judge"), max_tasks=1,
                                concurrency=2, exec_concurrency=2, temperature=0.7,
                                max_tokens=1024, solver_model="fake", structured=True,
                                epoch_size=4096, dedup=DedupConfig(), avoid_queries=0)  # fmt: skip
    state = RunState()
    with anyio.fail_after(10):  # held until the task's last pair executed: it never ends
        async with open_store(tmp_path / "store.sqlite") as store:
            await run_pipeline(
                settings=settings,
                tools={"add": ADD},
                sampler=Sampler(config, [ADD], pool, prompts),
                pool=pool,
                prompts=prompts,
                store=store,
                client=client,  # type: ignore[arg-type]
                executor=executor,
                state=state,
            )
    assert client.judged[0] in (["What is 1 plus 2?"], ["What is 5 plus 6?"])
    assert all(len(batch) == 1 for batch in client.judged)
    assert sorted(executor.executed) == [1, 3, 5]
    assert state.verified == 3 and state.prefix_verified == 3


def _work(index: int) -> PairWork:
    task = Task(id="0-0", index=0, style="simple", tool_names=("add",), example_ids=(),
                template="simple_1", n_pairs=4)  # fmt: skip
    pair = Pair(query=f"q{index}", answers=[Call(name="add", arguments={"a": index, "b": 0})])
    return PairWork(task=task, index=index, generator="m", offered={"add": ADD}, pair=pair)


def test_batches_are_those_of_pair_order_whatever_order_pairs_are_executed_in() -> None:
    def ledger(batch: int) -> Ledger:
        ledger = Ledger(target=1, epoch_size=8, judge_batch=batch, dedup=DedupConfig(),
                        store=None, pool=ExamplePool(), state=RunState(), max_tasks=1)  # type: ignore[arg-type]  # fmt: skip
        ledger.begin(_work(0).task)
        ledger.expect(_work(0).task, 4, Completion(content="", finish_reason="stop"))
        return ledger

    def indices(batches: list[list[PairWork]]) -> list[list[int]]:
        return [[w.index for w in b] for b in batches]

    # Pairs 0, 2, 3 pass and 1 is rejected, in the order 2, 0, 1, 3: as if all had been
    # waited for, [0, 2] then [3].
    two = ledger(2)
    assert indices(two.settle(_work(2), passed=True)) == []
    assert indices(two.settle(_work(0), passed=True)) == []
    assert indices(two.settle(_work(1), passed=False)) == [[0, 2]]
    assert indices(two.settle(_work(3), passed=True)) == [[3]]
    # One per batch: each pair goes on as soon as it is through.
    one = ledger(1)
    assert indices(one.settle(_work(2), passed=True)) == [[2]]
    assert indices(one.settle(_work(1), passed=False)) == []
    assert indices(one.settle(_work(0), passed=True)) == [[0]]
    # At least a task's pairs per batch: the task's passed pairs go together at the end.
    eight = ledger(8)
    for i in (3, 0, 2):
        assert eight.settle(_work(i), passed=True) == []
    assert indices(eight.settle(_work(1), passed=True)) == [[0, 1, 2, 3]]


def test_the_stage_list_gives_the_rejection_stages_and_the_checks() -> None:
    assert isinstance(ORDER[1], GenerateStage)
    checks = [s for s in ORDER if isinstance(s, PairStage | BatchStage)]
    assert ("generate", *(s.rejects_as for s in checks)) == STAGES
    assert STAGES == ("generate", "format", "rules", "execution", "resolve", "semantic")


def test_report_columns_follow_the_stage_list(monkeypatch: pytest.MonkeyPatch) -> None:
    fields = report.FilterRow.__struct_fields__
    assert fields == ("generator", "generated", *(f"failed_{s}" for s in STAGES[1:]),
                      "verified", "pass_rate")  # fmt: skip
    # A stage added to the list is a column of the filter table, with nothing else edited.
    stages = (*report.FILTER_STAGES[:2], "novel", *report.FILTER_STAGES[2:])
    monkeypatch.setattr(report, "FILTER_STAGES", stages)
    monkeypatch.setattr(report, "FilterRow", report.filter_row_type(stages))
    builder = report.ReportBuilder()
    task = _work(0).task
    rejected = Rejection(stage="novel", code="new", message="caught by the new stage")
    builder.add_task(TaskRecord(task=task, pairs=[
        PairRecord(id="0-0:0", task_index=0, pair_index=0, style="simple", generator="m",
                   tool_names=("add",), rejection=rejected),
        PairRecord(id="0-0:1", task_index=0, pair_index=1, style="simple", generator="m",
                   tool_names=("add",), query="q"),
    ]))  # fmt: skip
    built = builder.finish(tools={"add": ADD}, target=1, sessions=[])
    row: Any = built.filter_table[0]
    assert (row.generated, row.failed_novel, row.verified) == (2, 1, 1)
    out = io.StringIO()
    report.print_report(built, Console(file=out, width=300))
    header = next(line for line in out.getvalue().splitlines() if "generator" in line)
    assert (
        header.index("failed rules")
        < header.index("failed novel")
        < header.index("failed execution")
    )


def test_panel_columns_follow_the_stage_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "STAGES", (*STAGES[:3], "novel", *STAGES[3:]))
    state = RunState(started=0.0)
    state.tasks_done, state.generated, state.verified = 10, 30, 12
    state.rejected = {"format": 10, "novel": 4, "semantic": 4}
    snap = progress.RunSnapshot(at=1.0, started=0.0, target=10, tasks_done=10, generated=30,
                                verified=12, prefix_verified=12, rejected=state.rejected,
                                client=_client_snapshot())  # fmt: skip
    view = progress.status_view(snap, None)
    assert list(view.pass_rates) == list(progress.STAGES)
    assert view.pass_rates["novel"] == pytest.approx(16 / 20)
    line = progress.plain_line(view)
    assert "format 67% rules 100% novel 80% execution 100%" in line
    out = io.StringIO()
    Console(file=out, width=200).print(progress.render(view))
    assert "novel" in out.getvalue()


def _client_snapshot() -> ClientSnapshot:
    counters = {f: 0 for f in ClientSnapshot.__struct_fields__ if f != "endpoints"}
    return msgspec.convert(counters | {"cost": None}, ClientSnapshot)
