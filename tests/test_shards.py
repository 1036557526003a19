"""Shards by hand: `--shard k/N` runs and `apigen merge`, finished or partial."""

from __future__ import annotations

import json
from pathlib import Path

from apigen_async.store import query_key
from tests.helpers import apigen, fake_endpoint


def _shard(url: str, out: Path, spec: str, *extra: str) -> list[str]:
    return ["generate", "-n", "40", "--out", str(out), "--shard", spec, "--base-url", url,
            "--model", "fake", "--seed", "11", "--quiet", "--dedup", "exact",
            "--extra-columns", "--epoch-size", "8", *extra]  # fmt: skip


def _rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_two_shards_merge_into_the_union_of_their_pairs(tmp_path: Path) -> None:
    shards = [tmp_path / "shard-0", tmp_path / "shard-1"]
    with fake_endpoint("--bad-share", "0.2") as url:
        for k, out in enumerate(shards):
            done = apigen(*_shard(url, out, f"{k}/2"))
            assert done.returncode == 0, done.stderr
        # Shard 1's folder is shard 1's: the other shard's command refuses it.
        wrong = apigen(*_shard(url, shards[1], "0/2"))
        assert wrong.returncode == 2 and "shard: [1, 2] -> [0, 2]" in wrong.stderr
    merged = tmp_path / "merged"
    # Given in any order, merged in shard order.
    result = apigen("merge", str(merged), str(shards[1]), str(shards[0]), "--extra-columns")
    assert result.returncode == 0, result.stderr
    assert f"shard 0/2 ({shards[0]}): 20/20 pairs" in result.stderr
    assert f"shard 1/2 ({shards[1]}): 20/20 pairs" in result.stderr

    own = [_rows(s / "dataset.jsonl") for s in shards]
    assert all(len(rows) == 20 for rows in own)
    # The shards' tasks do not overlap: their pair ids are disjoint.
    assert not {r["pair_id"] for r in own[0]} & {r["pair_id"] for r in own[1]}
    seen: set[str] = set()
    expected = []
    for row in own[0] + own[1]:
        key = query_key(str(row["query"]))
        if key not in seen:
            seen.add(key)
            expected.append(row["pair_id"])
    rows = _rows(merged / "dataset.jsonl")
    assert [r["pair_id"] for r in rows] == expected
    assert [r["id"] for r in rows] == list(range(len(rows)))
    report = json.loads((merged / "report.json").read_text())
    assert report["exported"] == len(rows)
    assert report["filter_table"][0]["generated"] == sum(
        json.loads((s / "report.json").read_text())["filter_table"][0]["generated"] for s in shards
    )
    # `apigen report` on the merged folder selects the same rows again.
    again = apigen("report", str(merged), "--json")
    assert json.loads(again.stdout)["exported"] == len(rows)
    # Merging again rebuilds the same dataset.
    before = (merged / "dataset.jsonl").read_bytes()
    assert apigen("merge", str(merged), *map(str, shards), "--extra-columns").returncode == 0
    assert (merged / "dataset.jsonl").read_bytes() == before


def test_partial_shards_merge_and_say_how_far_each_got(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    with fake_endpoint() as url:
        assert apigen(*_shard(url, a, "0/3")).returncode == 0
        # Stopped short: --max-tasks is the whole run's, so 2 tasks, not enough for 14 pairs.
        short = apigen(*_shard(url, b, "2/3", "--max-tasks", "6"))
        assert short.returncode == 1
    merged = tmp_path / "m"
    result = apigen("merge", str(merged), str(a), str(b))
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert any(line.startswith(f"shard 0/3 ({a}): 14/14 pairs") and "finished" in line
               for line in lines)  # fmt: skip
    partial = next(line for line in lines if line.startswith(f"shard 2/3 ({b}):"))
    assert "/14 pairs from 2 tasks, partial: rerun its command to go on" in partial
    assert "shards missing from the merge: 1/3" in result.stderr
    got = int(partial.split(": ")[1].split("/")[0])
    assert len(_rows(merged / "dataset.jsonl")) <= 14 + got


def test_merge_refuses_shards_of_different_runs_and_keeps_stores(tmp_path: Path) -> None:
    a, b, plain = tmp_path / "a", tmp_path / "b", tmp_path / "plain"
    with fake_endpoint() as url:
        assert apigen(*_shard(url, a, "0/2", "-n", "4")).returncode == 0
        assert apigen(*_shard(url, b, "1/2", "-n", "4", "--temperature", "0.2")).returncode == 0
        plain_run = apigen("generate", "-n", "2", "--out", str(plain), "--base-url", url,
                           "--model", "fake", "--quiet")  # fmt: skip
        assert plain_run.returncode == 0
    stored = (plain / "apigen.sqlite").read_bytes()

    differ = apigen("merge", str(tmp_path / "m"), str(a), str(b))
    assert differ.returncode == 2
    assert differ.stderr.splitlines() == [
        f"apigen: error: {b} and {a} differ in temperature (0.2 vs 0.7): shards of different "
        "runs cannot be merged"
    ]
    not_shard = apigen("merge", str(tmp_path / "m"), str(a), str(plain))
    assert not_shard.returncode == 2
    assert (
        not_shard.stderr.strip()
        == f"apigen: error: {plain} holds no shard (a run made without --shard)"
    )
    # A folder holding an ordinary run is not overwritten by a merge.
    onto = apigen("merge", str(plain), str(a))
    assert onto.returncode == 2 and "holds a run that is not a merge" in onto.stderr
    assert (plain / "apigen.sqlite").read_bytes() == stored

    bad_spec = apigen("generate", "--shard", "3/2", "--out", str(tmp_path / "x"))
    assert bad_spec.returncode == 2
    assert bad_spec.stderr.splitlines() == [
        "apigen generate: error: argument --shard: expected K/N with 0 <= K < N, got '3/2' "
        "(see `apigen generate --help`)"
    ]


def test_shards_without_ray_is_one_line(tmp_path: Path) -> None:
    result = apigen("generate", "--shards", "4", "--out", str(tmp_path / "x"),
                    "--base-url", "http://127.0.0.1:9/v1", "--model", "m")  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "apigen: error: --shards is for --ray; to run one shard yourself give --shard K/N"
    ]
    assert not (tmp_path / "x").exists()
