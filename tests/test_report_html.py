"""report.html in a real browser: headless Chromium (Debian's) driven by Playwright.

The page must load without console errors, draw every chart, filter its row browser, keep
untrusted strings (LLM-written queries) as text, and sample its rows beyond a limit.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page, sync_playwright

from apigen_async.report import ReportBuilder
from apigen_async.report_html import render_html
from apigen_async.report_rows import PageCollector
from apigen_async.schema import Call, ExecResult, Rejection, Task
from apigen_async.store import PairRecord, Session, TaskRecord
from tests.helpers import apigen, fake_endpoint

CHROMIUM = "/usr/bin/chromium"
EVIL = "</script><script>alert(1)</script><img src=x onerror=alert(2)>"
#: True once every .chart holds a canvas: bokeh draws inside shadow roots, so search them.
CHARTS_DRAWN = """() => {
  const has = (n) => n.querySelector('canvas') !== null ||
    Array.from(n.querySelectorAll('*')).some((e) => e.shadowRoot && has(e.shadowRoot));
  const charts = Array.from(document.querySelectorAll('.chart'));
  return charts.length > 0 && charts.every(has);
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if shutil.which(CHROMIUM) is None:
        pytest.fail(f"no {CHROMIUM}: apt-get install chromium (as .ci/run does)")
    with sync_playwright() as p:
        # --no-sandbox: CI and this machine run as root, where Chromium's sandbox refuses.
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


class Opened:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("dialog", self._dialog)
        # Nothing may be fetched: the file must be self-contained.
        page.route(
            "http*://**", lambda route: (self.errors.append(route.request.url), route.abort())
        )

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def shown(self) -> list[str]:
        return self.page.locator("#rows .row .head").all_text_contents()


def open_page(browser: Browser, path: Path) -> Opened:
    opened = Opened(browser.new_page(viewport={"width": 1280, "height": 900}))
    opened.page.goto(path.resolve().as_uri(), wait_until="load")
    opened.page.wait_for_function(CHARTS_DRAWN, timeout=30_000)
    return opened


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html") / "out"
    with fake_endpoint() as url:
        done = apigen(
            "generate", "-n", "40", "--out", str(out), "--base-url", url, "--model", "fake",
            "--seed", "3", "--quiet",
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return out


def test_generate_writes_a_page_that_loads_with_its_charts(browser: Browser, run: Path) -> None:
    opened = open_page(browser, run / "report.html")
    page = opened.page
    assert opened.errors == []
    charts = page.locator(".chart")
    names = {charts.nth(i).get_attribute("data-chart") for i in range(charts.count())}
    assert {"funnel", "pass-stage", "pass-style", "pass-category", "reasons", "progress",
            "latency", "in-flight", "diversity", "categories", "functions",
            "lengths"} <= names  # fmt: skip
    assert "All " in page.locator("#sample-note").text_content()
    assert page.locator("#rows .row").count() > 0


@pytest.mark.parametrize("key", ["status", "code", "style", "function"])
def test_each_filter_changes_the_rows_shown(browser: Browser, run: Path, key: str) -> None:
    opened = open_page(browser, run / "report.html")
    page = opened.page
    before = page.locator("#row-count").text_content()
    total = int(before.split(" of ")[1].split()[0])
    options = page.locator(f"#f-{key} option").all_text_contents()[1:]
    assert options, f"no {key} values to filter by"
    # The least common value, so the filter must drop rows.
    counts = {}
    for value in options:
        page.select_option(f"#f-{key}", value)
        counts[value] = int(page.locator("#row-count").text_content().split()[0])
    value = min(counts, key=counts.__getitem__)
    page.select_option(f"#f-{key}", value)
    matched = counts[value]
    assert 0 < matched < total
    heads = opened.shown()
    assert len(heads) == min(matched, 100)
    if key != "function":  # the head names status, code and style; functions are in calls
        assert all(value in h for h in heads)
    page.select_option(f"#f-{key}", "")
    assert page.locator("#row-count").text_content() == before
    assert opened.errors == []


def _evil_records(n_tasks: int, *, evil: bool = True) -> list[TaskRecord]:
    records = []
    for t in range(n_tasks):
        task = Task(
            id=f"t{t}", index=t, style="simple", tool_names=("get_weather",),
            example_ids=(), template="default", n_pairs=2,
        )  # fmt: skip
        pairs = [
            PairRecord(
                id=f"t{t}-p0",
                task_index=t,
                pair_index=0,
                style="simple",
                generator="fake",
                tool_names=("get_weather",),
                query=(EVIL if evil and t == 0 else f"weather in city {t}"),
                answers=[Call(name="get_weather", arguments={"city": EVIL if evil else "x"})],
                results=[ExecResult(ok=True, output={"text": EVIL if evil else "sunny"})],
                thought=EVIL if evil else "fine",
            ),
            PairRecord(
                id=f"t{t}-p1",
                task_index=t,
                pair_index=1,
                style="parallel",
                generator=EVIL if evil else "fake",
                tool_names=("get_weather",),
                query=f"rejected query {t}",
                rejection=Rejection(
                    stage="rules",
                    code=(EVIL if evil and t % 7 == 0 else f"code{t % 3}"),
                    message=EVIL if evil else "no",
                ),
            ),
        ]
        records.append(TaskRecord(task=task, pairs=pairs, seconds=0.5 + t % 5))
    return records


def _page(records: list[TaskRecord], limit: int = 2000) -> str:
    builder, collector = ReportBuilder(), PageCollector({}, limit=limit)
    for record in records:
        builder.add_task(record)
        kept = [p for p in record.pairs if p.rejection is None]
        for pair in kept:
            builder.add_exported(pair)
        collector.add_task(record, kept)
    report = builder.finish(
        tools={}, target=None, sessions=[Session(started="now", wall_seconds=10.0)]
    )
    return render_html(report, collector.result())


def test_untrusted_strings_stay_text(browser: Browser, tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    path.write_text(_page(_evil_records(30)))
    opened = open_page(browser, path)
    page = opened.page
    assert opened.dialogs == [] and opened.errors == []
    # The one script element per purpose we wrote, none from the data.
    assert page.locator("img[src=x]").count() == 0
    page.fill("#f-text", "</script>")
    queries = page.locator("#rows .row .query").all_text_contents()
    assert EVIL in queries
    assert opened.dialogs == []


def test_rows_beyond_the_limit_are_sampled_deterministically(tmp_path: Path) -> None:
    records = _evil_records(400, evil=False)
    limit = 50
    collectors = []
    for order in (records, list(reversed(records))):
        c = PageCollector({}, limit=limit, per_reason=2)
        for record in order:
            c.add_task(record, [p for p in record.pairs if p.rejection is None])
        collectors.append(c.result())
    first, reversed_order = collectors
    assert first.sampled and first.total_rows == 800
    # The uniform sample plus at most 2 rows of each of the 3 reason codes.
    assert limit <= len(first.rows) <= limit + 6
    assert {r.code for r in first.rows if r.code} == {"code0", "code1", "code2"}
    assert [r.id for r in first.rows] == [r.id for r in reversed_order.rows]
    html = _page(records, limit=limit)
    assert "Sampled:" in html and "800 pairs" in html


def test_page_size_stays_bounded_for_a_large_store() -> None:
    """20k stored pairs (a 10k-row run's order) make a page under 4 MB: rows are sampled."""
    html = _page(_evil_records(10_000, evil=False))
    assert len(html.encode()) < 4_000_000
    assert "Sampled:" in html


def test_a_run_with_no_pairs_still_gets_a_working_page(browser: Browser, tmp_path: Path) -> None:
    """A run that gave up before any pair (every request failed) still writes a page."""
    failed = TaskRecord(
        task=Task(
            id="t0", index=0, style="simple", tool_names=("f",), example_ids=(),
            template="default", n_pairs=1,
        ),
        pairs=[],
        failure=Rejection(stage="generate", code="http_500", message="server error"),
    )  # fmt: skip
    path = tmp_path / "report.html"
    path.write_text(_page([failed]))
    opened = open_page(browser, path)
    assert opened.errors == []
    assert opened.page.locator("#row-count").text_content().startswith("0 of 0 rows")


def test_tasks_in_flight_over_time_from_each_tasks_times() -> None:
    """Sessions on one clock, an idle gap between them cut out; the line's area is the
    tasks' total time (Little's law), and tasks stored without times are left out."""

    def timed(index: int, session: str | None, began: float, ended: float) -> TaskRecord:
        task = Task(id=f"t{index}", index=index, style="simple", tool_names=("f",),
                    example_ids=(), template="default", n_pairs=1)  # fmt: skip
        return TaskRecord(task=task, pairs=[], seconds=ended - began, session=session,
                          began=began, ended=ended)  # fmt: skip

    first, resumed = "2026-12-08T00:00:00.000000Z", "2026-12-08T01:00:00.000000Z"
    records = [
        timed(0, first, 0.0, 2.0),
        timed(1, first, 1.0, 3.0),
        timed(2, resumed, 0.0, 1.0),  # an hour later: the gap is cut out
        TaskRecord(task=timed(3, None, 0, 0).task, pairs=[], seconds=4.0),  # no times
    ]
    collector = PageCollector({})
    for record in records:
        collector.add_task(record, [])
    flight = collector.result().in_flight
    assert (flight.timed, flight.peak, flight.gaps_cut) == (3, 2, 1)
    width = flight.seconds[1] - flight.seconds[0]
    assert abs(flight.seconds[-1] + width / 2 - 4.0) < 1e-6  # 3 s, then 1 s after the gap
    assert abs(sum(flight.tasks) * width - 5.0) < 1e-6  # 2 + 2 + 1 task-seconds
    n = len(flight.tasks)
    quarters = [flight.tasks[k * n // 4 : (k + 1) * n // 4] for k in range(4)]
    assert [round(sum(q) / len(q), 2) for q in quarters] == [1.0, 2.0, 1.0, 1.0]
