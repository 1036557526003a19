"""What flows between the stages, what a stage is, and what every stage may use.

Four kinds of stage, in this order in `apigen_async.stages.ORDER`:
- `SampleStage`: a task index to a sampled task (the pipeline's one producer runs it);
- `GenerateStage`: a task to its generated items (one LLM request);
- `PairStage`: one pair to the pair (maybe with more on it) or a `Rejection`; cheap ones
  run in the worker of the stage before them, slow ones (`workers`) get their own pool;
- `BatchStage`: a batch of one task's pairs (up to `--judge-batch`) to a verdict per
  pair, in one LLM request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

import msgspec

from apigen_async.checks.execution import Executor
from apigen_async.llm.client import LLMClient
from apigen_async.llm.types import Completion
from apigen_async.prompts import PromptLibrary
from apigen_async.sampling import Example, ExamplePool, Sampler
from apigen_async.schema import ExecResult, Judgement, Pair, Rejection, Stage, Task, Tool
from apigen_async.store import PairRecord

__all__ = [
    "BatchStage",
    "Context",
    "GenerateStage",
    "Generated",
    "PairStage",
    "PairWork",
    "SampleStage",
    "Sampled",
    "StageSettings",
    "Verdict",
]


class Sampled(NamedTuple):
    task: Task
    examples: list[Example]
    #: Verified queries of the task's functions its prompt asks to differ from.
    avoid: tuple[str, ...] = ()


class PairWork(msgspec.Struct, frozen=True, kw_only=True):
    """One generated item on its way through the checks."""

    task: Task
    index: int
    #: The model that wrote the pair (endpoints of one run may serve different ones).
    generator: str
    #: The task's offered tools by name (one mapping shared by the task's pairs).
    offered: Mapping[str, Tool]
    #: The queries of the examples the generation prompt showed (shared likewise).
    shown: Sequence[str] = ()
    #: The item as generated, until the format stage types it as `pair`.
    raw: Any = None
    pair: Pair | None = None
    results: list[ExecResult] | None = None

    def record(
        self, *, rejection: Rejection | None = None, thought: str | None = None
    ) -> PairRecord:
        """The stored record: the raw item if it never became a pair, else the pair."""
        pair = self.pair
        return PairRecord(
            id=f"{self.task.id}:{self.index}",
            task_index=self.task.index,
            pair_index=self.index,
            style=self.task.style,
            generator=self.generator,
            tool_names=self.task.tool_names,
            query=pair.query if pair is not None else None,
            answers=pair.answers if pair is not None else None,
            raw=self.raw if pair is None else None,
            results=self.results,
            thought=thought,
            rejection=rejection,
        )


class Generated(NamedTuple):
    """A task's answer: its items, or (`rejection`) the whole answer as one rejected item."""

    completion: Completion
    items: list[PairWork]
    rejection: Rejection | None = None


#: What a batch stage says of each pair: a rejection, a verdict, or a pass.
Verdict = Rejection | Judgement | None


class StageSettings(Protocol):
    """The run settings the stages read (`pipeline.PipelineSettings` has them all)."""

    @property
    def model(self) -> str: ...
    @property
    def temperature(self) -> float: ...
    @property
    def max_tokens(self) -> int: ...
    @property
    def structured(self) -> bool: ...
    @property
    def judge_model(self) -> str: ...
    @property
    def judge_max_tokens(self) -> int: ...
    @property
    def solver_model(self) -> str: ...
    @property
    def resolve_max_tokens(self) -> int: ...
    @property
    def checks(self) -> tuple[str, ...]: ...
    @property
    def exec_concurrency(self) -> int: ...
    @property
    def avoid_queries(self) -> int: ...


@dataclass(frozen=True, kw_only=True)
class Context:
    """Everything a stage may use; built once per run."""

    settings: StageSettings
    tools: Mapping[str, Tool]
    sampler: Sampler
    pool: ExamplePool
    prompts: PromptLibrary
    client: LLMClient
    judge_client: LLMClient
    executor: Executor

    def on(self, check: str) -> bool:
        return check in self.settings.checks


@dataclass(frozen=True, kw_only=True)
class SampleStage:
    name: str
    #: (context, task index, the last pool epoch the task may see) -> the task.
    run: Callable[[Context, int, int], Awaitable[Sampled]]


@dataclass(frozen=True, kw_only=True)
class GenerateStage:
    name: str
    #: What a failed request is recorded as (a rejection of the whole task).
    rejects_as: Stage
    run: Callable[[Context, Sampled], Awaitable[Generated | Rejection]]


@dataclass(frozen=True, kw_only=True)
class PairStage:
    #: The name `--checks` knows it by.
    name: str
    #: What its rejections say in `Rejection.stage` (the report's `failed_<rejects_as>`).
    rejects_as: Stage
    run: Callable[[Context, PairWork], Awaitable[PairWork | Rejection]]
    #: False: it runs whatever `--checks` says.
    optional: bool = True
    #: Its own pool of this many workers (it waits on something); None: it runs in the
    #: worker of the stage before it, with no stream between them.
    workers: Callable[[StageSettings], int] | None = None
    #: What a pair gets from the stage when its check is off (None: nothing).
    when_off: Callable[[PairWork], PairWork] | None = None


@dataclass(frozen=True, kw_only=True)
class BatchStage:
    name: str
    rejects_as: Stage
    #: A batch of one task's pairs -> a verdict each, and the request's answer (for its
    #: tokens; None when no request was sent).
    run: Callable[[Context, list[PairWork]], Awaitable[tuple[list[Verdict], Completion | None]]]
    optional: bool = True
