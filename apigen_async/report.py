"""The paper's filter table and run statistics, computed from the store alone."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec
from rich.console import Console
from rich.table import Table

from apigen_async.schema import Tool
from apigen_async.store import PairRecord, Session, TaskRecord, UniqueVerified

__all__ = ["Report", "build_report", "print_report"]


class FilterRow(msgspec.Struct, frozen=True, kw_only=True):
    generator: str
    generated: int
    failed_format: int
    failed_execution: int
    failed_semantic: int
    verified: int
    pass_rate: float


class Reason(msgspec.Struct, frozen=True, kw_only=True):
    stage: str
    code: str
    count: int
    example: str


class Diversity(msgspec.Struct, frozen=True, kw_only=True):
    """How varied the exported pairs are."""

    tools_used: int
    categories_used: int
    #: Distinct word bigrams over all bigrams of the queries (1.0 = no phrase repeats).
    distinct_bigrams: float
    mean_query_words: float
    mean_calls: float


def diversity(pairs: Sequence[PairRecord], tools: Mapping[str, Tool]) -> Diversity:
    bigrams: list[tuple[str, str]] = []
    words = calls = 0
    used: set[str] = set()
    for pair in pairs:
        tokens = (pair.query or "").lower().split()
        words += len(tokens)
        bigrams.extend(itertools.pairwise(tokens))
        calls += len(pair.answers or [])
        used.update(c.name for c in pair.answers or [])
    n = max(1, len(pairs))
    return Diversity(
        tools_used=len(used),
        categories_used=len({tools[t].category for t in used if t in tools}),
        distinct_bigrams=round(len(set(bigrams)) / len(bigrams), 4) if bigrams else 0.0,
        mean_query_words=round(words / n, 2),
        mean_calls=round(calls / n, 3),
    )


class Report(msgspec.Struct, kw_only=True):
    filter_table: list[FilterRow]
    top_reasons: list[Reason]
    by_style: dict[str, dict[str, int]]
    tasks: int
    failed_requests: dict[str, int]
    #: Executed calls of pairs that passed execution, by where the result came from
    #: (python, local, real, cached, simulated).
    execution_origins: dict[str, int]
    exported: int
    diversity: Diversity
    #: Verified pairs whose query repeats an earlier one; left out of the dataset.
    duplicates_removed: int
    target: int | None
    tokens_in: int
    tokens_out: int
    wall_seconds: float
    verified_per_second: float
    tokens_per_second: float
    sessions: list[Session]


def build_report(
    records: Sequence[TaskRecord],
    *,
    exported: Sequence[PairRecord],
    tools: Mapping[str, Tool],
    target: int | None,
    sessions: Sequence[Session],
) -> Report:
    per_model: dict[str, Counter[str]] = {}
    reasons: Counter[tuple[str, str]] = Counter()
    examples: dict[tuple[str, str], str] = {}
    by_style: dict[str, Counter[str]] = {}
    failed_requests: Counter[str] = Counter()
    origins: Counter[str] = Counter()
    tokens_in = tokens_out = 0
    for record in records:
        tokens_in += record.prompt_tokens
        tokens_out += record.completion_tokens
        if record.failure is not None:
            failed_requests[record.failure.code] += 1
        for pair in record.pairs:
            origins.update(r.origin for r in pair.results or ())
            counts = per_model.setdefault(pair.generator, Counter())
            style = by_style.setdefault(pair.style, Counter())
            counts["generated"] += 1
            style["generated"] += 1
            if pair.rejection is None:
                counts["verified"] += 1
                style["verified"] += 1
                continue
            counts[pair.rejection.stage] += 1
            key = (pair.rejection.stage, pair.rejection.code)
            reasons[key] += 1
            examples.setdefault(key, pair.rejection.message[:160])
    table = [
        FilterRow(
            generator=model,
            generated=c["generated"],
            failed_format=c["format"],
            failed_execution=c["execution"],
            failed_semantic=c["semantic"],
            verified=c["verified"],
            pass_rate=round(c["verified"] / c["generated"], 4) if c["generated"] else 0.0,
        )
        for model, c in sorted(per_model.items())
    ]
    unique = UniqueVerified()
    for record in sorted(records, key=lambda r: r.task.index):
        unique.take(record)
    wall = sum(s.wall_seconds for s in sessions)
    verified = sum(row.verified for row in table)
    return Report(
        filter_table=table,
        top_reasons=[
            Reason(stage=s, code=c, count=n, example=examples[(s, c)])
            for (s, c), n in reasons.most_common(10)
        ],
        by_style={k: dict(v) for k, v in sorted(by_style.items())},
        tasks=len(records),
        failed_requests=dict(failed_requests),
        execution_origins=dict(origins),
        exported=len(exported),
        diversity=diversity(exported, tools),
        duplicates_removed=unique.duplicates,
        target=target,
        tokens_in=tokens_in,
        tokens_out=tokens_out,
        wall_seconds=round(wall, 2),
        verified_per_second=round(verified / wall, 3) if wall else 0.0,
        tokens_per_second=round((tokens_in + tokens_out) / wall, 1) if wall else 0.0,
        sessions=list(sessions),
    )


def print_report(report: Report, console: Console | None = None) -> None:
    console = console or Console()
    table = Table(title="Filter table (as in APIGen, Table 1)")
    for col in (
        "generator",
        "generated",
        "failed format",
        "failed execution",
        "failed semantic",
        "verified",
        "pass rate",
    ):
        table.add_column(col, justify="left" if col == "generator" else "right")
    for row in report.filter_table:
        table.add_row(
            row.generator,
            str(row.generated),
            str(row.failed_format),
            str(row.failed_execution),
            str(row.failed_semantic),
            str(row.verified),
            f"{row.pass_rate:.1%}",
        )
    console.print(table)
    if report.top_reasons:
        reasons = Table(title="Top rejection reasons")
        for col in ("stage", "reason", "count", "example"):
            reasons.add_column(col)
        for r in report.top_reasons:
            reasons.add_row(r.stage, r.code, str(r.count), r.example)
        console.print(reasons)
    styles = Table(title="Pairs by style")
    for col in ("style", "generated", "verified"):
        styles.add_column(col)
    for style, counts in report.by_style.items():
        styles.add_row(style, str(counts.get("generated", 0)), str(counts.get("verified", 0)))
    console.print(styles)
    failed = ", ".join(f"{k}={v}" for k, v in report.failed_requests.items()) or "none"
    origins = ", ".join(f"{k} {v}" for k, v in sorted(report.execution_origins.items()))
    console.print(f"executed calls by origin: {origins or 'none'}")
    d = report.diversity
    console.print(
        f"diversity of the dataset: {d.tools_used} tools in {d.categories_used} categories, "
        f"distinct query bigrams {d.distinct_bigrams:.1%}, {d.mean_query_words:.1f} words "
        f"and {d.mean_calls:.2f} calls per pair"
    )
    console.print(
        f"tasks {report.tasks} (failed requests: {failed}) | exported {report.exported}"
        f" ({report.duplicates_removed} duplicate queries removed)"
        f" of target {report.target} | tokens in {report.tokens_in:,} out {report.tokens_out:,}"
        f" | wall {report.wall_seconds:.1f} s | {report.verified_per_second:.3f} verified/s"
        f" | {report.tokens_per_second:.1f} tokens/s"
    )


def report_json(report: Report) -> bytes:
    return msgspec.json.format(msgspec.json.encode(report), indent=2)


def as_dict(report: Report) -> dict[str, Any]:
    return msgspec.to_builtins(report)
