"""Generation runs whose calls execute over HTTP: the local API service and the virtual server."""

from __future__ import annotations

import json
from pathlib import Path

from apigen_async.catalog.library import local_rest_tools
from apis.rest.service import TOOLS_DIR
from tests.helpers import apigen, fake_endpoint
from tests.test_generate import assert_report_adds_up, assert_valid_xlam_rows

COMMON = ("--model", "fake", "--no-builtin", "--quiet", "--styles", "simple,multiple,parallel",
          "--epoch-size", "8", "--extra-columns")  # fmt: skip


def _rest_rows(out: Path) -> tuple[list[dict], dict]:  # type: ignore[type-arg]
    rows = assert_valid_xlam_rows(out / "dataset.jsonl")
    report = json.loads((out / "report.json").read_text())
    assert_report_adds_up(report)
    return rows, report


def test_local_backend_runs_calls_on_the_local_api_service(tmp_path: Path) -> None:
    with fake_endpoint() as url:
        result = apigen("generate", "-n", "6", "--out", str(tmp_path), "--base-url", url,
                        "--rest-backend", "local", "--apis", str(TOOLS_DIR), *COMMON)  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows, report = _rest_rows(tmp_path)
    local = {t.name for t in local_rest_tools()}
    for row in rows:
        calls = json.loads(row["answers"])
        assert calls and all(c["name"] in local for c in calls)
        assert json.loads(row["execution_results"])  # real HTTP answers were recorded
    # Calls went over HTTP to the service; a call repeated within the run is answered by
    # the store's REST cache instead.
    assert report["execution_origins"].get("local", 0) > 0
    assert set(report["execution_origins"]) <= {"local", "cached"}


def test_virtual_backend_simulates_toolbench_apis(tmp_path: Path, shared_dir: Path) -> None:
    api_list = shared_dir / "toolbench" / "api_list.json"
    with fake_endpoint() as url:
        result = apigen("generate", "-n", "6", "--out", str(tmp_path), "--base-url", url,
                        "--rest-backend", "virtual", "--apis", str(api_list), *COMMON)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "skipped: " in result.stderr and "no_parameters" in result.stderr
    rows, report = _rest_rows(tmp_path)
    assert len(rows) == 6
    assert set(report["execution_origins"]) <= {"simulated", "cached", "real"}
    assert report["execution_origins"].get("simulated", 0) > 0
