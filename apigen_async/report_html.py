"""`report.html`: the report and a row browser in one self-contained page.

Charts are bokeh figures; BokehJS's core is embedded once, so the file opens with no
network (plotly.js, tried first, is 4.8 MB and took ~10x longer to start: bench/README.md).
Every string from the data reaches the page either through `html.escape` (tables) or as
JSON with `<`, `>` and `&` escaped (the row data and bokeh's figure JSON), and the
page script writes rows with `textContent` only: a query holding `</script>` stays text.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from importlib import resources

import msgspec
from bokeh.embed import components
from bokeh.models import HoverTool, NumeralTickFormatter, Range1d
from bokeh.plotting import figure
from bokeh.resources import Resources

from apigen_async.report import FILTER_STAGES, Report, rejected_at
from apigen_async.report_rows import IDLE_GAP, PageData

__all__ = ["render_html"]

#: Bars of the calls-per-function chart; the rest are summed in its title.
TOP_FUNCTIONS = 40


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _json_for_script(value: object) -> str:
    """JSON safe inside <script>: no `</script>`, `<!--` or entity can end or alter it."""
    text = msgspec.json.encode(value).decode()
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class _Charts:
    """Figures collected while the sections are written, embedded together at the end.

    Each section gets a placeholder `<div class=chart>` for its figure; bokeh's
    `components` then yields one script (the figures' JSON, escaped by bokeh) and the
    divs that fill the placeholders.
    """

    def __init__(self) -> None:
        self.figures: list[figure] = []

    def bars(
        self,
        name: str,
        title: str,
        labels: Sequence[str],
        values: Sequence[float],
        *,
        share: bool = False,
        notes: Sequence[str] | None = None,
        horizontal: bool = False,
    ) -> str:
        labels = [str(x) for x in labels]
        data = {"label": labels, "value": list(values), "note": list(notes or labels)}
        if horizontal:
            fig = figure(
                y_range=list(reversed(labels)) or ["-"],
                height=max(200, 28 * len(labels) + 80),
                title=title,
                tools="",
                sizing_mode="stretch_width",
            )
            fig.hbar(y="label", right="value", height=0.7, source=data)
        else:
            fig = figure(
                x_range=labels or ["-"], height=320, title=title, tools="",
                sizing_mode="stretch_width",
            )  # fmt: skip
            fig.vbar(x="label", top="value", width=0.7, source=data)
            fig.xaxis.major_label_orientation = 0.8 if len(labels) > 6 else 0
        axis = fig.xaxis if horizontal else fig.yaxis
        if share:
            axis.formatter = NumeralTickFormatter(format="0%")
            if horizontal:
                fig.x_range = Range1d(0, 1)
            else:
                fig.y_range = Range1d(0, 1)
        fig.add_tools(HoverTool(tooltips=[("", "@note")]))
        return self._add(fig, name)

    def lines(
        self,
        name: str,
        title: str,
        x: Sequence[float],
        series: dict[str, Sequence[float]],
        xlabel: str = "task index",
    ) -> str:
        fig = figure(height=320, title=title, tools="", sizing_mode="stretch_width")
        colors = ("#1f77b4", "#2ca02c", "#d62728")
        for (label, ys), color in zip(series.items(), colors, strict=False):
            fig.line(list(x), list(ys), legend_label=label, line_width=2, color=color)
        fig.legend.location = "top_left"
        fig.xaxis.axis_label = xlabel
        return self._add(fig, name)

    def histogram(
        self, name: str, title: str, edges: Sequence[float], counts: Sequence[int], xlabel: str
    ) -> str:
        fig = figure(height=320, title=title, tools="", sizing_mode="stretch_width")
        fig.quad(left=list(edges[:-1]), right=list(edges[1:]), bottom=0, top=list(counts))
        fig.xaxis.axis_label = xlabel
        return self._add(fig, name)

    def _add(self, fig: figure, name: str) -> str:
        fig.toolbar_location = None
        self.figures.append(fig)
        return (
            f'<div class=chart data-chart="{_esc(name)}"><!--chart:{len(self.figures) - 1}--></div>'
        )

    def embed(self, page: str) -> tuple[str, str]:
        """`page` with the placeholders filled, and the script that draws into them."""
        if not self.figures:
            return page, ""
        script, divs = components(self.figures)
        for i, div in enumerate(divs):
            page = page.replace(f"<!--chart:{i}-->", div, 1)
        return page, script


def _table(headers: list[str], rows: list[list[object]]) -> str:
    head = "".join(f"<th>{_esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_esc(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _funnel(report: Report, charts: _Charts) -> str:
    out = []
    for row in report.filter_table:
        left, labels, values = row.generated, ["generated"], [row.generated]
        for stage in FILTER_STAGES:
            left -= rejected_at(row, stage)
            labels.append(f"passed {stage}")
            values.append(left)
        notes = [f"{v} pairs ({v / max(1, row.generated):.1%})" for v in values]
        out.append(
            charts.bars(
                "funnel",
                f"Filter funnel: {row.generator}",
                labels,
                values,
                notes=notes,
                horizontal=True,
            )
        )
    return "".join(out)


def _rates(counts: dict[str, dict[str, int]]) -> tuple[list[str], list[float], list[str]]:
    keys = list(counts)
    ok = [counts[k].get("verified", 0) for k in keys]
    total = [max(1, counts[k].get("generated", 0)) for k in keys]
    notes = [f"{k}: {a} of {b} verified" for k, a, b in zip(keys, ok, total, strict=True)]
    return keys, [a / b for a, b in zip(ok, total, strict=True)], notes


def _pass_rates(report: Report, page: PageData, charts: _Charts) -> str:
    reached: dict[str, int] = {}
    passed: dict[str, int] = {}
    for row in report.filter_table:
        left = row.generated
        for stage in FILTER_STAGES:
            reached[stage] = reached.get(stage, 0) + left
            left -= rejected_at(row, stage)
            passed[stage] = passed.get(stage, 0) + left
    stages = [s for s in FILTER_STAGES if reached.get(s)]
    return (
        charts.bars(
            "pass-stage",
            "Pass rate per check (of the pairs that reach it)",
            stages,
            [passed[s] / reached[s] for s in stages],
            share=True,
            notes=[f"{s}: {passed[s]} of {reached[s]} passed" for s in stages],
        )
        + charts.bars("pass-style", "Verified share per style", *_rates(report.by_style)[:2],
                      share=True, notes=_rates(report.by_style)[2])
        + charts.bars(
            "pass-category",
            "Verified share per category of the offered functions",
            *_rates(page.by_category)[:2],
            share=True,
            notes=_rates(page.by_category)[2],
        )
    )  # fmt: skip


def _reasons(report: Report, charts: _Charts) -> str:
    reasons = report.top_reasons
    table = _table(
        ["stage", "reason", "count", "example"],
        [[r.stage, r.code, r.count, r.example] for r in reasons],
    )
    return (
        charts.bars(
            "reasons",
            "Top rejection reasons",
            [f"{r.stage}: {r.code}" for r in reasons],
            [r.count for r in reasons],
            horizontal=True,
        )
        + table
    )


def _throughput(report: Report, page: PageData, charts: _Charts) -> str:
    p = page.progress
    lat = page.latency
    wall = report.wall_seconds
    in_flight = lat.total_seconds / wall if wall else 0.0
    sessions = _table(
        ["started", "wall s", "requests", "requests/s", "cache hits", "retries", "429s",
         "timeouts", "reached target", "gave up"],
        [
            [s.started, s.wall_seconds, s.requests,
             round(s.requests / s.wall_seconds, 2) if s.wall_seconds else "",
             s.cache_hits, s.retries, s.rate_limited, s.timeouts, s.reached_target,
             s.gave_up or ""]
            for s in report.sessions
        ],
    )  # fmt: skip
    flight = page.in_flight
    if flight.timed:
        cut = (
            f" ({flight.gaps_cut} idle gap(s) over {IDLE_GAP:.0f} s, between sessions, cut out)"
            if flight.gaps_cut
            else ""
        )
        timing = (
            f"Each task records when it began (its generation request) and ended (its last "
            f"check), in seconds of its session; the line below puts {flight.timed} timed "
            f"tasks of every session on one clock{cut} and shows the mean number in flight "
            f"over each of {len(flight.seconds)} equal spans (peak {flight.peak} at once). A "
            "task in flight is mostly waiting on a request (generation, re-solve, judge) or "
            "on its calls' execution, so this follows the requests in flight; it is not a "
            "count of them (with --judge-batch 1 a task may wait on several at once)."
        )
        if flight.timed < lat.tasks:
            timing += f" {lat.tasks - flight.timed} tasks stored before times were are not on it."
    else:
        timing = (
            "This store's tasks carry no begin and end times (it was made before they were "
            "recorded), so there is no line of tasks in flight over time."
        )
    note = (
        f"<p class=note>{timing} Progress is drawn against the task index (about the order "
        "tasks started in), with the distribution of task durations and the mean number "
        "of tasks in flight over the run by Little's law: the sum of task durations over "
        f"wall time = {lat.total_seconds:.1f} s / {wall:.1f} s = <b>{in_flight:.1f}</b> "
        f"tasks in flight on average. Overall {report.verified_per_second:.3f} verified "
        f"pairs/s and {report.tokens_per_second:.1f} tokens/s.</p>"
    )
    timeline = (
        charts.lines(
            "in-flight",
            "Tasks in flight over time",
            flight.seconds,
            {"tasks in flight": flight.tasks},
            xlabel="seconds since the first task began (idle gaps cut out)",
        )
        if flight.timed
        else ""
    )
    return (
        note
        + sessions
        + timeline
        + charts.lines(
            "progress",
            "Cumulative pairs by task index",
            p.task_index,
            {"generated pairs": p.generated, "verified pairs": p.verified},
        )
        + charts.histogram(
            "latency",
            f"Task durations ({lat.tasks} tasks)",
            lat.edges,
            lat.counts,
            "seconds from a task's first request to its last check",
        )
    )


def _diversity(report: Report, page: PageData, charts: _Charts) -> str:
    d = report.diversity
    metrics = {
        "function coverage": d.function_coverage,
        "category coverage": d.category_coverage,
        "distinct-1": d.distinct_unigrams,
        "distinct-2": d.distinct_bigrams,
        "Gini (calls/function)": d.gini_calls_per_function,
        "normalized entropy": d.normalized_entropy,
        "near-duplicate rate": report.near_duplicate_rate,
    }
    top = list(page.calls_per_function.items())[:TOP_FUNCTIONS]
    rest = sum(page.calls_per_function.values()) - sum(v for _, v in top)
    merged = _table(
        ["similarity", "kept", "dropped"],
        [[m.similarity, m.kept, m.dropped] for m in report.merged_examples],
    )
    return (
        f"<p>{d.tools_used} functions in {d.categories_used} categories called; "
        f"{d.mean_query_words:.1f} words and {d.mean_calls:.2f} calls per pair; "
        f"duplicates removed ({_esc(report.dedup)}): {report.exact_duplicates} exact, "
        f"{report.near_duplicates} near.</p>"
        + charts.bars(
            "diversity",
            "Diversity of the exported pairs (shares)",
            list(metrics),
            list(metrics.values()),
            share=True,
            notes=[f"{k}: {v:.3f}" for k, v in metrics.items()],
        )
        + charts.bars(
            "categories",
            "Calls by category",
            list(d.calls_by_category),
            list(d.calls_by_category.values()),
        )
        + charts.bars(
            "functions",
            f"Calls per function (top {len(top)}; {rest} calls to the others)",
            [k for k, _ in top],
            [v for _, v in top],
        )
        + _lengths(page, charts)
        + "<h3>Near duplicates merged (first few)</h3>"
        + merged
    )


def _lengths(page: PageData, charts: _Charts) -> str:
    """Query lengths on a numeric axis (one bin a word count): a hundred labels won't fit."""
    words = page.query_words
    lo, hi = (min(words), max(words)) if words else (0, 0)
    return charts.histogram(
        "lengths",
        "Query length (exported pairs)",
        [k - 0.5 for k in range(lo, hi + 2)],
        [words.get(k, 0) for k in range(lo, hi + 1)],
        "words in the query",
    )


def _browser(page: PageData) -> str:
    if page.sampled:
        sample = (
            f"<p class=sample id=sample-note><b>Sampled:</b> the store holds {page.total_rows:,} "
            f"pairs; the browser shows {len(page.rows):,} of them: the {page.limit:,} whose id "
            f"hashes lowest (a deterministic uniform sample) plus up to {page.per_reason} of "
            "every rejection reason. The charts and tables above count every pair.</p>"
        )
    else:
        sample = f"<p id=sample-note>All {page.total_rows:,} pairs of the store.</p>"
    selects = "".join(
        f'<label>{label} <select id="f-{key}"><option value="">all</option></select></label>'
        for key, label in (
            ("status", "stage"),
            ("code", "reason"),
            ("style", "style"),
            ("function", "function"),
        )
    )
    return (
        sample
        + f'<div class=filters>{selects}<input id="f-text" placeholder="query contains"></div>'
        + '<p id="row-count"></p><div id="rows"></div>'
        + '<button id="more" type="button">show more</button>'
        + f'<script type="application/json" id="row-data">{_json_for_script(page.rows)}</script>'
    )


_CSS = """
body{font:14px system-ui,sans-serif;margin:1.5em auto;max-width:1200px;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 6px;
text-align:left;vertical-align:top;max-width:600px;overflow-wrap:anywhere}
.note,.sample{background:#f6f6f0;padding:.5em}.filters{display:flex;gap:1em;flex-wrap:wrap}
.row{border:1px solid #ddd;margin:.5em 0;padding:.4em .6em}.row .head{color:#555;font-size:12px}
.row pre{white-space:pre-wrap;margin:.2em 0;background:#f8f8f8}.exported{border-left:4px solid #2a2}
.unexported{border-left:4px solid #aa2}.rejected{border-left:4px solid #c33}
"""


def render_html(report: Report, page: PageData) -> str:
    """The whole page as one string (1.3 MB of it is BokehJS)."""
    script = resources.files("apigen_async").joinpath("report_page.js").read_text()
    summary = _table(
        ["exported", "target", "tasks", "pairs stored", "tokens in", "tokens out", "wall s"],
        [
            [
                report.exported,
                report.target if report.target is not None else "",
                report.tasks,
                page.total_rows,
                report.tokens_in,
                report.tokens_out,
                report.wall_seconds,
            ]
        ],
    )
    charts = _Charts()
    sections = [
        ("Summary", summary),
        ("Filter funnel per generator model", _funnel(report, charts)),
        ("Pass rates", _pass_rates(report, page, charts)),
        ("Rejection reasons", _reasons(report, charts)),
        ("Throughput and requests in flight", _throughput(report, page, charts)),
        ("Diversity", _diversity(report, page, charts)),
        ("Rows", _browser(page)),
    ]
    body = "".join(f"<section><h2>{_esc(t)}</h2>{content}</section>" for t, content in sections)
    body, chart_script = charts.embed(body)
    # Only BokehJS's core: the page uses no widgets, tables or WebGL.
    bokeh_js = Resources(mode="inline", components=["bokeh"]).render_js()
    return (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
        "<title>apigen report</title>"
        f"<style>{_CSS}</style>{bokeh_js}"
        f"</head><body><h1>apigen-async run report</h1>{body}"
        f"{chart_script}<script>{script}</script></body></html>"
    )
