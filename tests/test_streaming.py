"""Streaming store reads, export and report, and the compact run-long structures."""

from __future__ import annotations

import itertools
import json
import random
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

import msgspec
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from apigen_async.compact import HashSet64, PresenceFilter
from apigen_async.errors import StoreError
from apigen_async.export import (
    EXPORT_FILES,
    DatasetWriter,
    Selection,
    dataset_rows,
    select_verified,
    write_dataset,
)
from apigen_async.llm.types import Completion
from apigen_async.report import (
    Diversity,
    DiversityCounter,
    FilterRow,
    Reason,
    Report,
    ReportBuilder,
    report_json,
)
from apigen_async.schema import Call, ExecResult, Param, Rejection, Task, Tool
from apigen_async.store import (
    PairRecord,
    Session,
    TaskRecord,
    UniqueVerified,
    open_reader,
    open_store,
    query_key,
)

pytestmark = pytest.mark.anyio

TOOLS = {
    f"tool_{k}": Tool(
        name=f"tool_{k}",
        description=f"tool number {k}",
        category=f"cat_{k % 3}",
        parameters=(
            Param(name="x", type="integer"),
            Param(name="unit", type="string", enum=("a", "b"), required=False),
        ),
    )
    for k in range(6)
}
STYLES = ("simple", "multiple", "parallel", "parallel_multiple", "irrelevance")
REJECTIONS = (
    Rejection(stage="format", code="unknown_function", message="calls unknown 'f'"),
    Rejection(stage="execution", code="exception", message="ValueError: x" * 40),
    Rejection(stage="semantic", code="judge_no", message="does not fit"),
)


def make_records(n_tasks: int, seed: int = 0) -> list[TaskRecord]:
    """Tasks in index order with 0-4 pairs each: verified, rejected, repeated queries."""
    rnd = random.Random(seed)
    records = []
    for index in range(n_tasks):
        style = STYLES[index % len(STYLES)]
        names = tuple(rnd.sample(sorted(TOOLS), 2))
        task = Task(
            id=f"t-{index}",
            index=index,
            style=style,
            tool_names=names,
            example_ids=(),
            template="default",
            n_pairs=3,
        )
        if rnd.random() < 0.05:
            records.append(
                TaskRecord(
                    task=task,
                    pairs=[],
                    failure=Rejection(stage="generate", code="timeout", message="timed out"),
                    seconds=1.0,
                )
            )
            continue
        pairs = []
        for p in range(rnd.randint(0, 4)):
            # A small query space, so that some verified queries repeat.
            words = rnd.sample(["find", "the", "sum", "of", "x", "in", "Paris", "now"], 5)
            calls = [
                Call(name=rnd.choice(names), arguments={"x": rnd.randint(0, 3)})
                for _ in range(rnd.randint(0, 2))
            ]
            pairs.append(
                PairRecord(
                    id=f"t-{index}:{p}",
                    task_index=index,
                    pair_index=p,
                    style=style,
                    generator=rnd.choice(["gen-a", "gen-b"]),
                    tool_names=names,
                    query=" ".join(words) + rnd.choice(["", " ", "  please"]),
                    answers=calls,
                    results=[
                        ExecResult(ok=True, output=c.arguments["x"], origin=rnd.choice(["a", "b"]))
                        for c in calls
                    ],
                    thought="fine",
                    rejection=rnd.choice(REJECTIONS) if rnd.random() < 0.4 else None,
                )
            )
        records.append(
            TaskRecord(
                task=task,
                pairs=pairs,
                prompt_tokens=rnd.randint(10, 99),
                completion_tokens=rnd.randint(1, 9),
            )
        )
    return records


async def fill_store(path: Path, records: Sequence[TaskRecord]) -> None:
    async with open_store(path) as store:
        await store.set_run_config({"target": None})
        # Out of order, as a concurrent run finishes them.
        for record in sorted(records, key=lambda r: (r.task.index * 7919) % 1009):
            await store.put_task(record)
        await store.add_session(Session(started="2026-01-01T00:00:00Z", wall_seconds=12.5))


# -- the old, list-based implementations, as references ---------------------------


def old_select_verified(records: Sequence[TaskRecord], limit: int | None) -> list[PairRecord]:
    seen: set[str] = set()
    pairs: list[PairRecord] = []
    for expected, record in enumerate(sorted(records, key=lambda r: r.task.index)):
        if record.task.index != expected:
            break
        for pair in record.pairs:
            if pair.verified and query_key(pair.query) not in seen:
                seen.add(query_key(pair.query))
                pairs.append(pair)
        if limit is not None and len(pairs) >= limit:
            break
    return pairs if limit is None else pairs[:limit]


def old_report(
    records: Sequence[TaskRecord], exported: Sequence[PairRecord], target: int | None
) -> Report:
    per_model: dict[str, Counter[str]] = {}
    reasons: Counter[tuple[str, str]] = Counter()
    examples: dict[tuple[str, str], str] = {}
    by_style: dict[str, Counter[str]] = {}
    failed: Counter[str] = Counter()
    origins: Counter[str] = Counter()
    for record in records:
        if record.failure is not None:
            failed[record.failure.code] += 1
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
    verified_queries = [query_key(p.query) for r in records for p in r.pairs if p.rejection is None]
    bigrams = [b for p in exported for b in itertools.pairwise((p.query or "").lower().split())]
    used = {c.name for p in exported for c in p.answers or []}
    n = max(1, len(exported))
    tokens_in = sum(r.prompt_tokens for r in records)
    tokens_out = sum(r.completion_tokens for r in records)
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
    wall = 12.5
    return Report(
        filter_table=table,
        top_reasons=[
            Reason(stage=s, code=c, count=k, example=examples[(s, c)])
            for (s, c), k in reasons.most_common(10)
        ],
        by_style={k: dict(v) for k, v in sorted(by_style.items())},
        tasks=len(records),
        failed_requests=dict(failed),
        execution_origins=dict(origins),
        exported=len(exported),
        diversity=Diversity(
            tools_used=len(used),
            categories_used=len({TOOLS[t].category for t in used}),
            distinct_bigrams=round(len(set(bigrams)) / len(bigrams), 4) if bigrams else 0.0,
            mean_query_words=round(sum(len((p.query or "").split()) for p in exported) / n, 2),
            mean_calls=round(sum(len(p.answers or []) for p in exported) / n, 3),
        ),
        duplicates_removed=len(verified_queries) - len(set(verified_queries)),
        target=target,
        tokens_in=tokens_in,
        tokens_out=tokens_out,
        wall_seconds=wall,
        verified_per_second=round(sum(r.verified for r in table) / wall, 3),
        tokens_per_second=round((tokens_in + tokens_out) / wall, 1),
        sessions=[Session(started="2026-01-01T00:00:00Z", wall_seconds=12.5)],
    )


# -- store ------------------------------------------------------------------------


async def test_iter_tasks_streams_tasks_in_order_with_their_pairs(tmp_path: Path) -> None:
    records = make_records(300)
    await fill_store(tmp_path / "s.sqlite", records)
    async with open_reader(tmp_path / "s.sqlite") as store:
        # A small chunk, so that both cursors cross many fetch boundaries.
        streamed = [r async for r in store.iter_tasks(chunk=3)]
        assert streamed == records
        assert (await store.run_config()) == {"target": None}


async def test_iter_tasks_skips_pairs_without_a_task_row(tmp_path: Path) -> None:
    records = make_records(40)
    await fill_store(tmp_path / "s.sqlite", records)
    # Orphan pairs (a task row deleted by hand) are not attached to a neighbour.
    import sqlite3

    with sqlite3.connect(tmp_path / "s.sqlite") as conn:
        gone = next(r.task.index for r in records if len(r.pairs) > 1)
        conn.execute("DELETE FROM tasks WHERE idx=?", (gone,))
    async with open_reader(tmp_path / "s.sqlite") as store:
        streamed = [r async for r in store.iter_tasks(chunk=2)]
    assert streamed == [r for r in records if r.task.index != gone]


async def test_open_reader_refuses_a_missing_or_broken_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store"):
        async with open_reader(tmp_path / "nothing.sqlite"):
            pass
    (tmp_path / "junk.sqlite").write_bytes(b"not a database" * 100)
    with pytest.raises(StoreError, match="not a usable"):
        async with open_reader(tmp_path / "junk.sqlite") as store:
            [r async for r in store.iter_tasks()]


async def test_cache_lookups_go_through_the_presence_filter(tmp_path: Path) -> None:
    import hashlib

    keys = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(300)]
    completion = Completion(content="hello", finish_reason="stop")
    async with open_store(tmp_path / "s.sqlite") as store:
        for key in keys[:200]:
            await store.put_completion(key, completion)
    async with open_store(tmp_path / "s.sqlite") as store:  # the index is rebuilt on open
        for key in keys[:200]:
            got = await store.get_completion(key)
            assert got is not None and got.content == "hello"
        assert all([await store.get_completion(k) is None for k in keys[200:]])
        await store.put_completion(keys[250], completion)  # added while running
        assert store._llm_keys is not None and int(keys[250][:16], 16) in store._llm_keys


# -- compact structures -----------------------------------------------------------


def test_presence_filter_never_gives_a_false_negative() -> None:
    rnd = random.Random(5)
    f = PresenceFilter(bits_log2=20)  # small, so that it fills up: 128 KiB
    added = [rnd.getrandbits(64) for _ in range(100_000)]
    for key in added:
        f.add(key)
    assert all(key in f for key in added)
    others = [rnd.getrandbits(64) for _ in range(50_000)]
    false_positive = sum(key in f for key in others) / len(others)
    # 100k keys in 2^20 bits with 7 probes: about 1%.
    assert false_positive < 0.03
    assert f.nbytes == 1 << 17


def test_default_presence_filter_is_fixed_and_sparse() -> None:
    f = PresenceFilter()
    assert f.nbytes == 4 << 20
    rnd = random.Random(1)
    for _ in range(20_000):
        f.add(rnd.getrandbits(64))
    assert f.nbytes == 4 << 20
    assert not any(rnd.getrandbits(64) in f for _ in range(20_000))


def test_hashset64_behaves_like_a_set() -> None:
    rnd = random.Random(3)
    values = [rnd.getrandbits(64) - (1 << 63) for _ in range(20_000)]
    values += [0, 1, -1, 2**64 - 1, hash(""), hash("a"), 5, 5 + 2**20]
    values += values[:5000]  # repeats
    rnd.shuffle(values)
    s, ref = HashSet64(), set()
    for v in values:
        h = v & (2**64 - 1) or 1
        assert s.add(v) == (h not in ref)
        ref.add(h)
    assert len(s) == len(ref)
    assert all(v in s for v in values)
    bulk = HashSet64(capacity=4)
    assert bulk.update(values) == len(ref) and len(bulk) == len(ref)
    assert all(v in bulk for v in values)
    assert bulk.update(values[:100]) == 0
    assert not any(rnd.getrandbits(64) in s for _ in range(5000))
    assert "not an int" not in s
    assert s.nbytes < 24 * len(s)


def test_unique_verified_keeps_order_and_counts_duplicates() -> None:
    records = make_records(500)
    unique = UniqueVerified()
    kept = [p for r in records for p in unique.take(r)]
    seen: set[str] = set()
    expected = []
    verified = 0
    for r in records:
        for p in r.pairs:
            if p.verified:
                verified += 1
                if query_key(p.query) not in seen:
                    seen.add(query_key(p.query))
                    expected.append(p)
    assert kept == expected
    assert unique.duplicates == verified - len(expected) > 0


# -- selection and export ---------------------------------------------------------


@pytest.mark.parametrize("limit", [None, 0, 1, 17, 60, 10_000])
def test_selection_matches_the_list_based_one(limit: int | None) -> None:
    records = make_records(120)
    assert list(select_verified(records, limit)) == old_select_verified(records, limit)
    gappy = [r for r in records if r.task.index != 50]
    assert list(select_verified(gappy, limit)) == old_select_verified(gappy, limit)


def test_select_verified_reads_only_what_it_needs() -> None:
    records = make_records(200)

    def stream() -> Iterator[TaskRecord]:
        for r in records:
            if r.task.index > 60:
                raise AssertionError("read past the end of the dataset")
            yield r

    assert list(select_verified(stream(), 20)) == old_select_verified(records, 20)


def test_selection_counts_duplicates_past_the_end_of_the_dataset() -> None:
    records = make_records(200)
    selection = Selection(10)
    chosen = [p for r in records for p in selection.take(r)]
    assert chosen == old_select_verified(records, 10)
    assert not selection.open
    queries = [query_key(p.query) for r in records for p in r.pairs if p.verified]
    assert selection.duplicates == len(queries) - len(set(queries))


@pytest.mark.parametrize("extra", [False, True])
def test_export_over_several_row_groups_gives_the_same_rows(tmp_path: Path, extra: bool) -> None:
    # 4096-row groups by default: 9k pairs make three, the last one partial.
    records = make_records(9000, seed=11)
    pairs = [p for r in records for p in r.pairs if p.verified][:9000]
    assert len(pairs) == 9000
    formats = ["xlam", "openai", "sharegpt", "bfcl", "parquet"]
    assert write_dataset(iter(pairs), TOOLS, formats, tmp_path, extra=extra) == 9000

    for fmt in ("xlam", "openai", "sharegpt", "bfcl"):
        # Byte for byte what the list-based writer wrote: one msgspec line per row.
        expected = b"".join(
            msgspec.json.encode(row) + b"\n"
            for row in dataset_rows(pairs, TOOLS, fmt, extra=extra)  # type: ignore[arg-type]
        )
        assert (tmp_path / EXPORT_FILES[fmt]).read_bytes() == expected
    before = pa.Table.from_pylist(list(dataset_rows(pairs, TOOLS, "xlam", extra=extra)))
    after = pq.read_table(tmp_path / "dataset.parquet")
    assert after.schema == before.schema
    assert after.equals(before)
    assert pq.ParquetFile(tmp_path / "dataset.parquet").num_row_groups == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(EXPORT_FILES.values())


def test_an_empty_export_still_writes_every_file(tmp_path: Path) -> None:
    assert write_dataset([], TOOLS, ["xlam", "parquet"], tmp_path) == 0
    assert (tmp_path / "dataset.jsonl").read_bytes() == b""
    assert pq.read_table(tmp_path / "dataset.parquet").num_rows == 0


def test_a_failed_export_leaves_no_files(tmp_path: Path) -> None:
    pairs = old_select_verified(make_records(50), None)
    (tmp_path / "dataset.jsonl").write_text("previous\n")
    with pytest.raises(RuntimeError), DatasetWriter(tmp_path, ["xlam", "parquet"], TOOLS) as w:
        for pair in pairs:
            w.write(pair)
        raise RuntimeError("interrupted")
    # The previous file is untouched; nothing half-written is left behind.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dataset.jsonl"]
    assert (tmp_path / "dataset.jsonl").read_text() == "previous\n"


# -- report -----------------------------------------------------------------------


@pytest.mark.parametrize("target", [None, 25])
async def test_streamed_report_equals_the_list_based_one(
    tmp_path: Path, target: int | None
) -> None:
    records = make_records(400, seed=2)
    await fill_store(tmp_path / "s.sqlite", records)
    expected_pairs = old_select_verified(records, target)
    expected = old_report(records, expected_pairs, target)
    assert expected.duplicates_removed > 0 and expected.failed_requests

    # As run.py does it: one pass over the stream feeding the selection and the report.
    async with open_reader(tmp_path / "s.sqlite") as store:
        selection = Selection(target)
        builder = ReportBuilder()
        exported = []
        async for record in store.iter_tasks(chunk=5):
            builder.add_task(record)
            for pair in selection.take(record):
                builder.add_exported(pair)
                exported.append(pair)
        report = builder.finish(
            tools=TOOLS,
            target=target,
            sessions=await store.sessions(),
            duplicates=selection.duplicates,
        )
    assert exported == expected_pairs
    assert report.exact_duplicates == expected.duplicates_removed
    # The list-based reference predates the diversity and dedup breakdown (tests/test_dedup.py).
    report = _without_new_figures(report)
    assert report == expected
    assert report_json(report) == report_json(expected)
    assert json.loads(report_json(report))["duplicates_removed"] == expected.duplicates_removed


def test_diversity_counts_distinct_bigrams_exactly_across_flushes() -> None:
    pairs = [p for r in make_records(800, seed=4) for p in r.pairs if p.verified]
    expected = old_report([], pairs, None).diversity
    small = DiversityCounter()
    small.FRONT = 8  # flush into the compact table every few pairs
    for pair in pairs:
        small.add(pair)
    assert _without_new_diversity(small.result(TOOLS)) == expected


def _without_new_diversity(d: Diversity) -> Diversity:
    return msgspec.structs.replace(
        d,
        function_coverage=0.0,
        category_coverage=0.0,
        gini_calls_per_function=0.0,
        normalized_entropy=0.0,
        distinct_unigrams=0.0,
        query_words_quantiles=[],
        calls_by_category={},
    )


def _without_new_figures(report: Report) -> Report:
    return msgspec.structs.replace(
        report, diversity=_without_new_diversity(report.diversity), exact_duplicates=0
    )
