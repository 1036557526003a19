"""The paper's filter table and run statistics, computed from the store alone.

Computed in one streaming pass (`ReportBuilder`): tasks and exported pairs are fed one
at a time and only counters are kept, so the report's memory does not grow with the
store (except for the distinct-bigram hashes of `DiversityCounter`, ~16 bytes each).
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import msgspec
from rich.console import Console
from rich.table import Table

from apigen_async.compact import HashSet64
from apigen_async.dedup import Deduplicator, MergedPair
from apigen_async.llm.router import EndpointUsage
from apigen_async.schema import Tool
from apigen_async.stages import STAGES
from apigen_async.store import PairRecord, Session, TaskRecord

__all__ = [
    "FILTER_STAGES",
    "DiversityCounter",
    "FilterRow",
    "Report",
    "ReportBuilder",
    "filter_row_type",
    "print_report",
    "rejected_at",
]


#: The filter table's checks, in flow order: a pair is rejected by at most one of them.
FILTER_STAGES: tuple[str, ...] = STAGES[1:]


def filter_row_type(stages: Sequence[str]) -> type[msgspec.Struct]:
    """The filter table's row: a `failed_<stage>` column per stage (0 when it did not run)."""
    return msgspec.defstruct(
        "FilterRow",
        [
            ("generator", str),
            ("generated", int),
            *((f"failed_{stage}", int, 0) for stage in stages),
            ("verified", int),
            ("pass_rate", float),
        ],
        kw_only=True,
        frozen=True,
        module=__name__,
    )


#: One row of the paper's filter table per generator model.
FilterRow = filter_row_type(FILTER_STAGES)


def rejected_at(row: Any, stage: str) -> int:
    """A `FilterRow`'s count of pairs `stage` rejected."""
    return int(getattr(row, f"failed_{stage}"))


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
    #: Share of the catalog's functions (categories) called by at least one exported pair.
    function_coverage: float = 0.0
    category_coverage: float = 0.0
    #: Inequality of calls per catalog function: 0 = every function equally, 1 = one only.
    gini_calls_per_function: float = 0.0
    #: Entropy of calls per called function over its maximum, log(functions called).
    normalized_entropy: float = 0.0
    #: Distinct words over all words of the queries.
    distinct_unigrams: float = 0.0
    #: Query length in words: min, 25th, 50th, 75th percentile, max.
    query_words_quantiles: list[int] = msgspec.field(default_factory=list)
    #: Calls of the exported pairs by their function's category.
    calls_by_category: dict[str, int] = msgspec.field(default_factory=dict)


class DiversityCounter:
    """`Diversity` of the exported pairs, fed one pair at a time.

    Keeps counters, the names of the tools called (at most the catalog's) and, to count
    distinct query bigrams exactly, one 64-bit hash per distinct bigram: a `HashSet64`
    (11-23 bytes an entry, no strings) behind a small `set` that absorbs the repeats at C
    speed (at most `FRONT` entries, ~3 MB). Two bigrams whose hashes collide count as
    one: about one chance in 10^7 with a million distinct bigrams.
    """

    FRONT = 1 << 16

    def __init__(self) -> None:
        self.pairs = 0
        self.words = 0
        self.calls = 0
        self.bigrams = 0
        self.tools_used: set[str] = set()
        self.calls_per_tool: Counter[str] = Counter()
        #: Queries by length in words (a few hundred keys at most).
        self.lengths: Counter[int] = Counter()
        self._unigrams = HashSet64()
        self._distinct = HashSet64()
        self._front: set[int] = set()

    def add(self, pair: PairRecord) -> None:
        tokens = (pair.query or "").lower().split()
        self.pairs += 1
        self.words += len(tokens)
        self.lengths[len(tokens)] += 1
        self._unigrams.update(map(hash, tokens))
        if len(tokens) > 1:
            self.bigrams += len(tokens) - 1
            self._front.update(map(hash, itertools.pairwise(tokens)))
            if len(self._front) >= self.FRONT:
                self._flush()
        answers = pair.answers or ()
        self.calls += len(answers)
        self.tools_used.update(c.name for c in answers)
        self.calls_per_tool.update(c.name for c in answers)

    def _flush(self) -> None:
        self._distinct.update(self._front)
        self._front.clear()

    @property
    def distinct_bigrams(self) -> int:
        self._flush()
        return len(self._distinct)

    def result(self, tools: Mapping[str, Tool]) -> Diversity:
        n = max(1, self.pairs)
        used = self.tools_used
        categories = {t.category for t in tools.values()}
        used_categories = {tools[t].category for t in used if t in tools}
        offered = [self.calls_per_tool.get(name, 0) for name in tools] or list(
            self.calls_per_tool.values()
        )
        return Diversity(
            tools_used=len(used),
            categories_used=len(used_categories),
            function_coverage=round(len(used & tools.keys()) / len(tools), 4) if tools else 0.0,
            category_coverage=round(len(used_categories) / len(categories), 4)
            if categories
            else 0.0,
            gini_calls_per_function=round(gini(offered), 4),
            normalized_entropy=round(normalized_entropy(self.calls_per_tool.values()), 4),
            distinct_unigrams=round(len(self._unigrams) / self.words, 4) if self.words else 0.0,
            query_words_quantiles=quantiles(self.lengths),
            calls_by_category=dict(
                sorted(
                    Counter(
                        {
                            cat: sum(
                                n
                                for t, n in self.calls_per_tool.items()
                                if t in tools and tools[t].category == cat
                            )
                            for cat in used_categories
                        }
                    ).items()
                )
            ),
            distinct_bigrams=(
                round(self.distinct_bigrams / self.bigrams, 4) if self.bigrams else 0.0
            ),
            mean_query_words=round(self.words / n, 2),
            mean_calls=round(self.calls / n, 3),
        )


def gini(counts: Sequence[int]) -> float:
    """Gini coefficient of `counts` (0: all equal; near 1: one holds everything)."""
    values = sorted(counts)
    total = sum(values)
    if not values or total == 0:
        return 0.0
    weighted = sum((i + 1) * v for i, v in enumerate(values))
    return (2 * weighted) / (len(values) * total) - (len(values) + 1) / len(values)


def normalized_entropy(counts: Iterable[int]) -> float:
    values = [c for c in counts if c > 0]
    total = sum(values)
    if len(values) < 2:
        return 0.0
    h = -sum(c / total * math.log(c / total) for c in values)
    return h / math.log(len(values))


def quantiles(histogram: Mapping[int, int]) -> list[int]:
    """Min, quartiles and max of the values a histogram counts."""
    total = sum(histogram.values())
    if not total:
        return []
    marks = [0, total // 4, total // 2, (3 * total) // 4, total - 1]
    out, seen, it = [], 0, iter(sorted(histogram.items()))
    value, count = next(it)
    for mark in marks:
        while seen + count <= mark:
            seen += count
            value, count = next(it)
        out.append(value)
    return out


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
    #: LLM requests that got no answer within --timeout, retried ones included.
    timeouts: int = 0
    #: LLM requests refused with 429, retried ones included.
    rate_limited: int = 0
    #: How repeats were found (`--dedup`), and how many of each kind were dropped.
    dedup: str = "exact"
    dedup_threshold: float | None = None
    exact_duplicates: int = 0
    near_duplicates: int = 0
    #: Near duplicates over the verified pairs deduplicated.
    near_duplicate_rate: float = 0.0
    #: The first few near-duplicate pairs merged (kept query, dropped query).
    merged_examples: list[MergedPair] = msgspec.field(default_factory=list)
    #: LLM attempts sent over all sessions, those that failed, tokens of the answered.
    requests: int = 0
    request_errors: int = 0
    sent_tokens_in: int = 0
    sent_tokens_out: int = 0
    #: The same per endpoint (they add up to the figures above).
    endpoints: list[EndpointUsage] = msgspec.field(default_factory=list)


class ReportBuilder:
    """A `Report` in one streaming pass: counters only.

    Feed every stored task to `add_task` and every exported pair to `add_exported`, in
    any interleaving; `finish` then needs the number of duplicate verified queries (from
    the `Selection`/`UniqueVerified` the tasks went through), which is not counted here
    so that the tasks are deduplicated only once.
    """

    def __init__(self) -> None:
        self.per_model: dict[str, Counter[str]] = {}
        self.reasons: Counter[tuple[str, str]] = Counter()
        self.examples: dict[tuple[str, str], str] = {}
        self.by_style: dict[str, Counter[str]] = {}
        self.failed_requests: Counter[str] = Counter()
        self.origins: Counter[str] = Counter()
        self.tokens_in = 0
        self.tokens_out = 0
        self.tasks = 0
        self.exported = 0
        self.diversity = DiversityCounter()

    def add_task(self, record: TaskRecord) -> None:
        self.tasks += 1
        self.tokens_in += record.prompt_tokens
        self.tokens_out += record.completion_tokens
        if record.failure is not None:
            self.failed_requests[record.failure.code] += 1
        for pair in record.pairs:
            self.origins.update(r.origin for r in pair.results or ())
            counts = self.per_model.setdefault(pair.generator, Counter())
            style = self.by_style.setdefault(pair.style, Counter())
            counts["generated"] += 1
            style["generated"] += 1
            if pair.rejection is None:
                counts["verified"] += 1
                style["verified"] += 1
                continue
            counts[pair.rejection.stage] += 1
            key = (pair.rejection.stage, pair.rejection.code)
            self.reasons[key] += 1
            self.examples.setdefault(key, pair.rejection.message[:160])

    def add_exported(self, pair: PairRecord) -> None:
        self.exported += 1
        self.diversity.add(pair)

    def finish(
        self,
        *,
        tools: Mapping[str, Tool],
        target: int | None,
        sessions: Sequence[Session],
        duplicates: int = 0,
        dedup: Deduplicator | None = None,
    ) -> Report:
        table = [
            FilterRow(
                generator=model,
                generated=c["generated"],
                **{f"failed_{stage}": c[stage] for stage in FILTER_STAGES},
                verified=c["verified"],
                pass_rate=round(c["verified"] / c["generated"], 4) if c["generated"] else 0.0,
            )
            for model, c in sorted(self.per_model.items())
        ]
        if dedup is not None:
            duplicates = dedup.duplicates
        seen = sum(row.verified for row in table)
        wall = sum(s.wall_seconds for s in sessions)
        verified = sum(row.verified for row in table)
        tokens = self.tokens_in + self.tokens_out
        return Report(
            filter_table=table,
            top_reasons=[
                Reason(stage=s, code=c, count=n, example=self.examples[(s, c)])
                for (s, c), n in self.reasons.most_common(10)
            ],
            by_style={k: dict(v) for k, v in sorted(self.by_style.items())},
            tasks=self.tasks,
            failed_requests=dict(self.failed_requests),
            execution_origins=dict(self.origins),
            exported=self.exported,
            diversity=self.diversity.result(tools),
            duplicates_removed=duplicates,
            target=target,
            tokens_in=self.tokens_in,
            tokens_out=self.tokens_out,
            wall_seconds=round(wall, 2),
            verified_per_second=round(verified / wall, 3) if wall else 0.0,
            tokens_per_second=round(tokens / wall, 1) if wall else 0.0,
            sessions=list(sessions),
            timeouts=sum(s.timeouts for s in sessions),
            rate_limited=sum(s.rate_limited for s in sessions),
            dedup=dedup.config.mode if dedup is not None else "exact",
            dedup_threshold=(
                dedup.config.threshold
                if dedup is not None and dedup.config.mode == "near"
                else None
            ),
            exact_duplicates=dedup.exact if dedup is not None else duplicates,
            near_duplicates=dedup.near if dedup is not None else 0,
            near_duplicate_rate=round(dedup.near / seen, 4) if dedup is not None and seen else 0.0,
            merged_examples=list(dedup.merged) if dedup is not None else [],
            requests=sum(s.requests for s in sessions),
            request_errors=sum(s.errors for s in sessions),
            sent_tokens_in=sum(s.prompt_tokens for s in sessions),
            sent_tokens_out=sum(s.completion_tokens for s in sessions),
            endpoints=endpoint_totals(sessions),
        )


def endpoint_totals(sessions: Sequence[Session]) -> list[EndpointUsage]:
    """Each endpoint's figures added up over the sessions, in the order first seen."""
    total: dict[str, EndpointUsage] = {}
    for session in sessions:
        for e in session.endpoints:
            t = total.setdefault(e.url, EndpointUsage(url=e.url))
            t.models = sorted(set(t.models) | set(e.models))
            t.requests += e.requests
            t.errors += e.errors
            t.prompt_tokens += e.prompt_tokens
            t.completion_tokens += e.completion_tokens
            t.latency_sum = round(t.latency_sum + e.latency_sum, 3)
            t.answered += e.answered
            t.trips += e.trips
    return [t.finish() for t in total.values()]


def print_report(report: Report, console: Console | None = None) -> None:
    console = console or Console()
    table = Table(title="Filter table (as in APIGen, Table 1)")
    for col in (
        "generator",
        "generated",
        *(f"failed {stage}" for stage in FILTER_STAGES),
        "verified",
        "pass rate",
    ):
        table.add_column(col, justify="left" if col == "generator" else "right")
    for row in report.filter_table:
        table.add_row(
            row.generator,
            str(row.generated),
            *(str(rejected_at(row, stage)) for stage in FILTER_STAGES),
            str(row.verified),
            f"{row.pass_rate:.1%}",
        )
    console.print(table)
    if len(report.endpoints) > 1:
        lanes = Table(title="Endpoints")
        for col in ("endpoint", "models", "requests", "errors", "tokens in", "tokens out",
                    "mean latency s", "taken out"):  # fmt: skip
            lanes.add_column(col, justify="left" if col in ("endpoint", "models") else "right")
        for e in report.endpoints:
            lanes.add_row(e.url, ", ".join(e.models), str(e.requests), str(e.errors),
                          f"{e.prompt_tokens:,}", f"{e.completion_tokens:,}",
                          f"{e.mean_latency_s:.2f}", str(e.trips))  # fmt: skip
        console.print(lanes)
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
    q = d.query_words_quantiles
    console.print(
        f"coverage: {d.function_coverage:.1%} of functions, {d.category_coverage:.1%} of "
        f"categories | calls per function: Gini {d.gini_calls_per_function:.2f}, entropy "
        f"{d.normalized_entropy:.2f} | distinct-1 {d.distinct_unigrams:.1%} | query words "
        f"min/q1/median/q3/max {'/'.join(map(str, q)) or '-'}"
    )
    threshold = f", Jaccard >= {report.dedup_threshold}" if report.dedup_threshold else ""
    console.print(
        f"duplicates removed ({report.dedup}{threshold}): {report.exact_duplicates} exact, "
        f"{report.near_duplicates} near ({report.near_duplicate_rate:.1%} of verified pairs)"
    )
    for m in report.merged_examples[:3]:
        console.print(f"  merged ({m.similarity:.2f}): {m.kept!r} <- {m.dropped!r}")
    console.print(
        f"tasks {report.tasks} (failed requests: {failed}; timeouts {report.timeouts}, "
        f"429s {report.rate_limited}) | exported {report.exported}"
        f" ({report.duplicates_removed} duplicate queries removed)"
        f" of target {report.target} | tokens in {report.tokens_in:,} out {report.tokens_out:,}"
        f" | wall {report.wall_seconds:.1f} s | {report.verified_per_second:.3f} verified/s"
        f" | {report.tokens_per_second:.1f} tokens/s"
    )


def report_json(report: Report) -> bytes:
    return msgspec.json.format(msgspec.json.encode(report), indent=2)


def as_dict(report: Report) -> dict[str, Any]:
    return msgspec.to_builtins(report)
