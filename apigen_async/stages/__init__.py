"""The stages a task and its pairs go through, in order: `ORDER` is the one list of them.

sample -> generate -> format -> rules -> execute -> resolve -> judge. Each stage is a
module here exposing an async function from an item to an outcome (a value, or a
`Rejection`) and a `STAGE` describing it (`stages.base`). The pipeline wires `ORDER`
into streams and workers; `--checks`, the report's filter table and the live panel take
their names from it. Adding a stage: one module and one line in `ORDER`.
"""

from __future__ import annotations

from apigen_async.stages import execute, format, generate, judge, resolve, rules, sample
from apigen_async.stages.base import BatchStage, GenerateStage, PairStage, SampleStage

__all__ = ["CHECKS", "OPTIONAL_CHECKS", "ORDER", "STAGES", "parse_checks"]

#: Cheap and certain checks first (no request), the LLM checks last.
ORDER: tuple[SampleStage | GenerateStage | PairStage | BatchStage, ...] = (
    sample.STAGE,
    generate.STAGE,
    format.STAGE,
    rules.STAGE,
    execute.STAGE,
    resolve.STAGE,
    judge.STAGE,
)

#: The checks `--checks` names, in the order a pair meets them.
CHECKS: tuple[str, ...] = tuple(s.name for s in ORDER if isinstance(s, PairStage | BatchStage))
#: Those that may be left out (`format` makes a pair typed at all, so it always runs).
OPTIONAL_CHECKS: tuple[str, ...] = tuple(
    s.name for s in ORDER if isinstance(s, PairStage | BatchStage) and s.optional
)
#: What `Rejection.stage` says, in flow order: a column of the report and of the panel
#: each ("generate" counts whole tasks, the others pairs).
STAGES: tuple[str, ...] = tuple(
    s.rejects_as for s in ORDER if isinstance(s, GenerateStage | PairStage | BatchStage)
)


def parse_checks(spec: str) -> tuple[str, ...]:
    """`--checks format,rules,...` in pipeline order; ValueError names what is wrong."""
    names = [n.strip() for n in spec.split(",") if n.strip()]
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        raise ValueError(f"unknown check {unknown[0]!r}; choose from {', '.join(CHECKS)}")
    required = [c for c in CHECKS if c not in OPTIONAL_CHECKS and c not in names]
    if required:
        raise ValueError(
            f"{required[0]} cannot be left out: a pair must be well-formed to be checked"
        )
    return tuple(c for c in CHECKS if c in names)
