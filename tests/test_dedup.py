"""Near-duplicate removal: paraphrases merged, different requests kept, same everywhere."""

from __future__ import annotations

import subprocess
import sys

from apigen_async.dedup import DedupConfig, Deduplicator
from apigen_async.report import gini, normalized_entropy, quantiles
from apigen_async.schema import Task
from apigen_async.store import PairRecord, TaskRecord
from bench.dedup import DISTINCT, PARAPHRASES, is_duplicate
from tests.helpers import REPO

NEAR = DedupConfig(mode="near", threshold=0.7)


def _record(index: int, queries: list[str]) -> TaskRecord:
    task = Task(
        index=index, id=f"t{index}", style="simple", tool_names=(), example_ids=(),
        template="", n_pairs=len(queries),
    )  # fmt: skip
    pairs = [
        PairRecord(
            id=f"t{index}-{k}", task_index=index, pair_index=k, style="simple",
            generator="g", tool_names=(), query=q, answers=[],
        )
        for k, q in enumerate(queries)
    ]  # fmt: skip
    return TaskRecord(task=task, pairs=pairs)


def test_paraphrases_are_merged_and_different_requests_kept() -> None:
    merged = sum(is_duplicate(a, b, NEAR.threshold) for a, b in PARAPHRASES)
    wrongly = sum(is_duplicate(a, b, NEAR.threshold) for a, b in DISTINCT)
    assert merged >= 0.85 * len(PARAPHRASES)
    assert wrongly == 0


def test_exact_and_near_counted_apart_in_task_order() -> None:
    dedup = Deduplicator(NEAR)
    first = dedup.take(_record(0, ["Convert 100 USD to EUR.", "Is 97 a prime number?"]))
    second = dedup.take(
        _record(
            1,
            [
                "convert  100 usd to eur.",  # exact, once case and spacing are ignored
                "Please convert 100 USD into EUR.",  # near
                "Convert 50 EUR to CAD.",  # another request
            ],
        )
    )
    assert [p.query for p in first] == ["Convert 100 USD to EUR.", "Is 97 a prime number?"]
    assert [p.query for p in second] == ["Convert 50 EUR to CAD."]
    assert (dedup.exact, dedup.near, dedup.duplicates) == (1, 1, 2)
    assert dedup.merged[0].kept == "Convert 100 USD to EUR."
    assert dedup.merged[0].dropped == "Please convert 100 USD into EUR."


def test_exact_mode_keeps_paraphrases() -> None:
    dedup = Deduplicator(DedupConfig(mode="exact"))
    kept = dedup.take(_record(0, ["Convert 100 USD to EUR.", "Please convert 100 USD into EUR."]))
    assert len(kept) == 2 and dedup.near == 0


def test_decisions_are_the_same_in_another_process() -> None:
    # Resume runs in a new process with another str-hash salt: nothing may depend on it.
    script = (
        "from bench.dedup import PARAPHRASES, DISTINCT, is_duplicate;"
        "print([is_duplicate(a, b, 0.5) for a, b in PARAPHRASES + DISTINCT])"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(runs) == 1


def test_diversity_statistics() -> None:
    assert gini([5, 5, 5, 5]) == 0.0
    assert round(gini([0, 0, 0, 12]), 2) == 0.75
    assert round(normalized_entropy([3, 3, 3]), 9) == 1.0
    assert normalized_entropy([7]) == 0.0
    assert quantiles({5: 1, 10: 2, 20: 1}) == [5, 10, 10, 20, 20]
    assert quantiles({}) == []
