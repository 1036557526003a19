"""`apigen verify`: the run's checks on an existing xlam file, one verdict per input line."""

from __future__ import annotations

import json
from pathlib import Path

from apigen_async.catalog.dialects import tool_to_xlam
from apigen_async.catalog.library import load_catalog
from tests.helpers import apigen, fake_endpoint

TOOLS = load_catalog([], builtin=True, local_rest=False).by_name()


def _row(id_: str, query: str, calls: list[dict], tools: list[str], **extra: object) -> str:  # type: ignore[type-arg]
    row = {
        "id": id_,
        "query": query,
        "answers": json.dumps(calls),
        "tools": json.dumps([tool_to_xlam(TOOLS[n]) for n in tools]),
        **extra,
    }
    return json.dumps(row)


def _verdicts(out: Path) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in (out / "verdicts.jsonl").read_text().splitlines()]


def test_good_bad_and_malformed_lines_each_get_a_verdict(tmp_path: Path) -> None:
    bmi = {"name": "calculate_bmi", "arguments": {"weight_kg": 75, "height_m": 1.8}}
    asked = "What's the BMI of someone 1.8 m tall weighing 75 kg?"
    lines = [
        _row("good", asked, [bmi], ["calculate_bmi"]),
        _row("invented", "What's my BMI?", [bmi], ["calculate_bmi"]),
        "{this is not json",
        json.dumps({"id": "no-tools", "query": "hi", "answers": "[]"}),
        _row("crash", "What's the BMI of someone 0 m tall weighing 75 kg?",
             [{"name": "calculate_bmi", "arguments": {"weight_kg": 75, "height_m": 0}}],
             ["calculate_bmi"]),
        _row("wrong-style", asked, [bmi], ["calculate_bmi"], style="parallel"),
        "",
        _row("unknown", "Ping the host example.org.",
             [{"name": "ping_host", "arguments": {"host": "example.org"}}], []),
    ]  # fmt: skip
    source = tmp_path / "rows.jsonl"
    source.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    result = apigen("verify", str(source), "--out", str(out), "--checks", "format,rules,execution")
    assert result.returncode == 0, result.stderr
    verdicts = {v.get("id") or f"line {v['line']}": v for v in _verdicts(out)}
    assert len(verdicts) == 7  # one per non-blank input line
    assert verdicts["good"]["kept"] is True
    assert (verdicts["invented"]["stage"], verdicts["invented"]["code"]) == (
        "rules",
        "ungrounded_value",
    )
    assert verdicts["line 3"]["stage"] == "input" and "line 3" in verdicts["line 3"]["message"]
    assert verdicts["line 4"]["code"] == "malformed" and "tools" in verdicts["line 4"]["message"]
    assert verdicts["crash"]["stage"] == "execution"
    assert (verdicts["wrong-style"]["stage"], verdicts["wrong-style"]["code"]) == (
        "format",
        "call_count",
    )
    assert verdicts["unknown"]["code"] == "unknown_function"
    # The kept rows are written exactly as they came in.
    assert (out / "dataset.jsonl").read_text() == lines[0] + "\n"
    report = json.loads((out / "report.json").read_text())
    (row,) = report["filter_table"]
    # Malformed lines are not pairs: five well-formed rows were checked.
    assert (row["generated"], row["verified"], row["failed_rules"]) == (5, 1, 1)
    # The page of the same report, with every checked row in its browser.
    page = (out / "report.html").read_text()
    assert "All 5 pairs of the store." in page and '"id":"crash"' in page


def test_a_generated_dataset_passes_verify_and_a_tampered_row_does_not(tmp_path: Path) -> None:
    with fake_endpoint() as url:
        common = ("--base-url", url, "--model", "fake", "--quiet")
        made = apigen("generate", "-n", "8", "--out", str(tmp_path / "gen"), "--pairs-per-task",
                      "2", *common)  # fmt: skip
        assert made.returncode == 0, made.stderr
        rows = (tmp_path / "gen" / "dataset.jsonl").read_text().splitlines()

        def numeric(v: object) -> bool:
            return isinstance(v, int | float) and not isinstance(v, bool)

        # Tamper with a row that has a number to change: 987654 is in no query.
        tampered = next(
            r for r in map(json.loads, rows)
            if any(numeric(v) for v in json.loads(r["answers"])[0]["arguments"].values())
        )  # fmt: skip
        calls = json.loads(tampered["answers"])
        calls[0]["arguments"] = {k: 987654 if numeric(v) else v
                                 for k, v in calls[0]["arguments"].items()}  # fmt: skip
        tampered["answers"], tampered["id"] = json.dumps(calls), "tampered"
        source = tmp_path / "rows.jsonl"
        source.write_text("\n".join([*rows, json.dumps(tampered)]) + "\n")
        out = tmp_path / "verified"
        result = apigen("verify", str(source), "--out", str(out), *common)
        assert result.returncode == 0, result.stderr
    verdicts = _verdicts(out)
    assert [v["kept"] for v in verdicts[:-1]] == [True] * len(rows)
    assert verdicts[-1]["kept"] is False
    assert verdicts[-1]["stage"] in ("rules", "execution", "resolve")
    assert (out / "dataset.jsonl").read_text().splitlines() == rows
