"""Streaming store reads, export and report, and the compact run-long structures."""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

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


def _pair(
    task: int,
    index: int,
    generator: str,
    query: str,
    *calls: tuple[str, str],
    rejected: Rejection | None = None,
) -> PairRecord:
    """A pair of `task` calling `(tool, origin of its result)` for each of `calls`."""
    return PairRecord(
        id=f"t-{task}:{index}",
        task_index=task,
        pair_index=index,
        style=STYLES[task % len(STYLES)],
        generator=generator,
        tool_names=tuple(name for name, _ in calls) or ("tool_0",),
        query=query,
        answers=[Call(name=name, arguments={"x": k}) for k, (name, _) in enumerate(calls)],
        results=[ExecResult(ok=rejected is None, output=0, origin=o) for _, o in calls],
        thought="fine",
        rejection=rejected,
    )


def _task(index: int, pairs: list[PairRecord], tokens: tuple[int, int], **kw: Any) -> TaskRecord:
    task = Task(
        id=f"t-{index}",
        index=index,
        style=STYLES[index % len(STYLES)],
        tool_names=("tool_0",),
        example_ids=(),
        template="default",
        n_pairs=3,
    )
    return TaskRecord(
        task=task, pairs=pairs, prompt_tokens=tokens[0], completion_tokens=tokens[1], **kw
    )


FORMAT, EXECUTION, SEMANTIC = REJECTIONS
#: Four tasks (styles simple, multiple, parallel, parallel_multiple) with the figures below
#: counted by hand: 9 pairs, 3 verified (one a repeat of another's query), 1 failed task.
KNOWN_RECORDS = [
    _task(0, [
        _pair(0, 0, "gen-a", "Add one and two", ("tool_0", "python")),
        _pair(0, 1, "gen-a", "q", rejected=FORMAT),
    ], (10, 1)),
    _task(1, [
        _pair(1, 0, "gen-b", "add one  and two", ("tool_1", "local")),  # a repeated query
        _pair(1, 1, "gen-b", "q", ("tool_1", "python"), rejected=EXECUTION),
        _pair(1, 2, "gen-a", "q", rejected=SEMANTIC),
    ], (20, 2)),
    _task(2, [], (0, 0), failure=Rejection(stage="generate", code="timeout", message="t")),
    _task(3, [
        _pair(3, 0, "gen-b", "add one and three numbers", ("tool_3", "python"),
              ("tool_4", "python")),
        _pair(3, 1, "gen-a", "q", rejected=FORMAT),
    ], (30, 3)),
]  # fmt: skip


async def _streamed_report(path: Path, target: int | None) -> tuple[Report, list[PairRecord]]:
    """As run.py does it: one pass over the stream feeding the selection and the report."""
    async with open_reader(path) as store:
        selection = Selection(target)
        builder = ReportBuilder()
        exported = []
        async for record in store.iter_tasks(chunk=2):
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
    return report, exported


async def test_the_report_counts_a_known_store(tmp_path: Path) -> None:
    await fill_store(tmp_path / "s.sqlite", KNOWN_RECORDS)
    report, exported = await _streamed_report(tmp_path / "s.sqlite", None)
    assert [p.id for p in exported] == ["t-0:0", "t-3:0"]
    assert report.filter_table == [
        FilterRow(generator="gen-a", generated=4, failed_format=2, failed_execution=0,
                  failed_semantic=1, verified=1, pass_rate=0.25),
        FilterRow(generator="gen-b", generated=3, failed_format=0, failed_execution=1,
                  failed_semantic=0, verified=2, pass_rate=0.6667),
    ]  # fmt: skip
    assert report.top_reasons == [
        Reason(stage="format", code="unknown_function", count=2, example="calls unknown 'f'"),
        Reason(stage="execution", code="exception", count=1, example=("ValueError: x" * 40)[:160]),
        Reason(stage="semantic", code="judge_no", count=1, example="does not fit"),
    ]
    assert report.by_style == {
        "multiple": {"generated": 3, "verified": 1},
        "parallel_multiple": {"generated": 2, "verified": 1},
        "simple": {"generated": 2, "verified": 1},
    }
    assert (report.tasks, report.exported, report.target) == (4, 2, None)
    assert report.failed_requests == {"timeout": 1}
    assert report.execution_origins == {"python": 4, "local": 1}
    assert report.duplicates_removed == report.exact_duplicates == 1
    assert (report.tokens_in, report.tokens_out) == (60, 6)
    # One session of 12.5 s: 3 verified and 66 tokens in it (5.28, to one decimal).
    assert (report.wall_seconds, report.verified_per_second, report.tokens_per_second) == (
        12.5, 0.24, 5.3,
    )  # fmt: skip
    # The two exported queries: 4 and 5 words; tool_0 (cat_0), tool_3 (cat_0), tool_4 (cat_1).
    assert report.diversity == Diversity(
        tools_used=3,
        categories_used=2,
        distinct_bigrams=0.7143,  # add-one, one-and, and-two, and-three, three-numbers of 7
        mean_query_words=4.5,
        mean_calls=1.5,
        function_coverage=0.5,  # 3 of 6 tools
        category_coverage=0.6667,  # 2 of 3 categories
        gini_calls_per_function=0.5,  # calls per tool 0, 0, 0, 1, 1, 1
        normalized_entropy=1.0,  # one call each for the three tools called
        distinct_unigrams=0.6667,  # 6 distinct words of 9
        query_words_quantiles=[4, 4, 5, 5, 5],
        calls_by_category={"cat_0": 2, "cat_1": 1},
    )
    assert json.loads(report_json(report))["duplicates_removed"] == 1


async def test_the_report_of_a_known_store_with_a_target(tmp_path: Path) -> None:
    await fill_store(tmp_path / "s.sqlite", KNOWN_RECORDS)
    report, exported = await _streamed_report(tmp_path / "s.sqlite", 1)
    assert [p.id for p in exported] == ["t-0:0"]
    # The table counts every stored pair; the export stops at the target; the repeat past
    # the end of the dataset is still counted.
    assert (report.exported, report.target, report.duplicates_removed) == (1, 1, 1)
    assert [row.verified for row in report.filter_table] == [1, 2]
    assert (report.diversity.tools_used, report.diversity.mean_query_words) == (1, 4.0)


def test_diversity_counts_distinct_bigrams_exactly_across_flushes() -> None:
    pairs = [p for r in make_records(800, seed=4) for p in r.pairs if p.verified]
    whole, small = DiversityCounter(), DiversityCounter()
    small.FRONT = 8  # flush into the compact table every few pairs
    for pair in pairs:
        whole.add(pair)
        small.add(pair)
    assert small.result(TOOLS) == whole.result(TOOLS)
    bigrams = {b for p in pairs for b in itertools.pairwise((p.query or "").lower().split())}
    assert small.distinct_bigrams == whole.distinct_bigrams == len(bigrams) > small.FRONT
