"""`apigen generate` end to end against an OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

from apigen_async.schema import STAGES
from tests.helpers import apigen, fake_endpoint

HOSTILE = Path(__file__).parent / "data" / "hostile_apis.py"


def assert_valid_xlam_rows(path: Path) -> list[dict[str, object]]:
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    for row in rows:
        assert set(row) >= {"id", "query", "answers", "tools"}
        assert isinstance(row["query"], str) and row["query"]
        assert isinstance(row["answers"], str) and isinstance(row["tools"], str)
        answers, tools = json.loads(row["answers"]), json.loads(row["tools"])
        by_name = {t["name"]: t for t in tools}
        for tool in tools:
            assert tool["description"]
            for spec in tool["parameters"].values():
                assert isinstance(spec["type"], str) and "description" in spec
        for call in answers:
            params = by_name[call["name"]]["parameters"]
            assert set(call["arguments"]) <= set(params)
            required = {n for n, s in params.items() if not s["type"].endswith(", optional")}
            assert required <= set(call["arguments"])
    queries = [" ".join(str(r["query"]).lower().split()) for r in rows]
    assert len(set(queries)) == len(queries), "duplicate queries in the dataset"
    return rows


def assert_report_adds_up(report: dict) -> None:  # type: ignore[type-arg]
    assert report["filter_table"]
    for row in report["filter_table"]:
        failed = sum(row[f"failed_{stage}"] for stage in STAGES[1:])
        assert row["generated"] == failed + row["verified"]
        assert row["verified"] >= report["exported"] or len(report["filter_table"]) > 1


def test_generate_against_an_openai_compatible_server(tmp_path: Path) -> None:
    flags = ("--bad-share", "0.3", "--judge-pass-rate", "0.8", "--fence-share", "0.5")
    with fake_endpoint(*flags) as url:
        result = apigen("generate", "-n", "40", "--out", str(tmp_path), "--base-url", url,
                        "--model", "fake", "--structured", "off", "--quiet",
                        "--export", "xlam,openai,sharegpt")  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = assert_valid_xlam_rows(tmp_path / "dataset.jsonl")
    assert len(rows) == 40
    styles_seen = {len(json.loads(r["answers"])) for r in rows}
    assert 0 in styles_seen and max(styles_seen) >= 2  # irrelevance and parallel rows
    report = json.loads((tmp_path / "report.json").read_text())
    assert_report_adds_up(report)
    assert report["duplicates_removed"] > 0  # the fake repeats itself; the dataset does not
    codes = {r["code"] for r in report["top_reasons"]}
    assert codes & {"unknown_function", "undeclared_argument", "wrong_type", "missing_required"}
    assert "judge_no" in codes
    assert "Filter table" in result.stdout
    openai_rows = (tmp_path / "dataset.openai.jsonl").read_text().splitlines()
    assert len(openai_rows) == 40 and "messages" in json.loads(openai_rows[0])

    again = apigen("report", str(tmp_path), "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["filter_table"] == report["filter_table"]


def test_hostile_functions_are_rejected_at_execution_and_the_rest_kept(tmp_path: Path) -> None:
    # A fixed number of tasks (the target is out of reach), so what is sampled, and so
    # which reasons appear, does not depend on timing.
    with fake_endpoint() as url:
        result = apigen("generate", "-n", "1000", "--max-tasks", "24", "--out", str(tmp_path),
                        "--base-url", url, "--model", "fake", "--no-builtin",
                        "--apis", str(HOSTILE), "--styles", "simple", "--exec-timeout", "1",
                        "--quiet", "--exec-concurrency", "2")  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "stopped after 24 tasks" in result.stderr
    rows = assert_valid_xlam_rows(tmp_path / "dataset.jsonl")
    assert len(rows) >= 2
    assert {json.loads(r["answers"])[0]["name"] for r in rows} == {"double_number"}
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["tasks"] == 24
    execution = {r["code"] for r in report["top_reasons"] if r["stage"] == "execution"}
    # One distinct reason per hostile function; the endless loop hits the wall clock or
    # the CPU budget first, whichever the scheduler lets win.
    assert execution - {"timeout", "cpu_limit"} == {
        "memory_limit", "worker_exited", "exit_called", "crashed", "output_flood",
        "not_serializable",
    }, execution  # fmt: skip
    assert execution & {"timeout", "cpu_limit"}


def test_a_tasks_pairs_are_judged_in_one_request(tmp_path: Path) -> None:
    pairs_per_request: dict[str, list[int]] = {}
    for batch in ("8", "1"):
        out, log = tmp_path / batch, tmp_path / f"requests-{batch}.jsonl"
        with fake_endpoint("--judge-pass-rate", "0.8", "--bad-share", "0.2") as url:
            # A fixed number of tasks that all finish, so the request counts are exact.
            result = apigen("generate", "-n", "1000", "--max-tasks", "20", "--out", str(out),
                            "--base-url", url, "--model", "fake", "--quiet",
                            "--pairs-per-task", "3", "--judge-batch", batch,
                            "--log-requests", str(log))  # fmt: skip
        assert result.returncode == 1 and "stopped after 20 tasks" in result.stderr
        (row,) = json.loads((out / "report.json").read_text())["filter_table"]
        judged = row["generated"] - sum(
            row[f"failed_{s}"] for s in ("format", "rules", "execution", "resolve")
        )
        assert row["verified"] > 0
        contents = [
            json.loads(line)["request"]["messages"][-1]["content"]
            for line in log.read_text().splitlines()
        ]
        sizes = [c.count('<pair id="') for c in contents if '<pair id="' in c]
        pairs_per_request[batch] = sizes
        # Identical requests (the fake repeats itself) are answered from the cache once
        # sent, so requests may judge fewer pairs than were judged, never more.
        assert 0 < sum(sizes) <= judged
    # One request per task (20 tasks), several pairs in one; or one request per pair.
    assert len(pairs_per_request["8"]) <= 20 and max(pairs_per_request["8"]) >= 2
    assert set(pairs_per_request["1"]) == {1}
    assert len(pairs_per_request["1"]) > len(pairs_per_request["8"])
    # The fake draws each verdict from the pair, so batching changes the requests only.
    assert (tmp_path / "8" / "dataset.jsonl").read_text() == (
        tmp_path / "1" / "dataset.jsonl"
    ).read_text()


def test_irrelevance_pairs_are_left_to_the_re_solve_check(tmp_path: Path) -> None:
    # A judge that says no to everything: with re-solve, irrelevance pairs reach the
    # dataset without a judge request; without it, the judge decides (and drops them).
    logs: dict[str, str] = {}
    for checks in ("format,rules,execution,resolve,judge", "format,rules,execution,judge"):
        out, log = tmp_path / checks, tmp_path / f"{checks}.jsonl"
        with fake_endpoint("--judge-pass-rate", "0") as url:
            result = apigen("generate", "-n", "3", "--max-tasks", "12", "--out", str(out),
                            "--base-url", url, "--model", "fake", "--quiet",
                            "--styles", "irrelevance", "--checks", checks,
                            "--log-requests", str(log))  # fmt: skip
        (row,) = json.loads((out / "report.json").read_text())["filter_table"]
        logs[checks] = log.read_text()
        if "resolve" in checks:
            assert result.returncode == 0, result.stderr
            assert row["verified"] >= 3 and row["failed_semantic"] == 0
        else:
            assert row["verified"] == 0 and row["failed_semantic"] > 0
    assert "none of the available functions" not in logs["format,rules,execution,resolve,judge"]
    assert "none of the available functions" in logs["format,rules,execution,judge"]


def test_the_first_tasks_of_a_run_are_shown_the_seed_examples(tmp_path: Path) -> None:
    # Tasks of epochs 0 and 1 see no verified examples yet; they must still see the seeds
    # (they once saw none: the pool's view stopped at epoch -2).
    out, log = tmp_path / "out", tmp_path / "requests.jsonl"
    with fake_endpoint() as url:
        apigen("generate", "-n", "1000", "--max-tasks", "4", "--out", str(out),
               "--base-url", url, "--model", "fake", "--quiet", "--examples-per-task", "1-2",
               "--log-requests", str(log))  # fmt: skip
    prompts = [
        json.loads(line)["request"]["messages"][-1]["content"]
        for line in log.read_text().splitlines()
    ]
    generation = [p for p in prompts if "<style>" in p]
    assert len(generation) == 4
    assert all("Examples of the format" in p for p in generation)
