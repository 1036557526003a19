"""The dataset card: `out/README.md` in the Hugging Face form, written from the report.

The YAML header's `configs` point at the data files, so `datasets.load_dataset(out)` and
a Hub upload of the folder read the rows and nothing else (not the store, not the
report). Every number in the body comes from the `Report` that report.json holds, so
the two never disagree.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import msgspec

from apigen_async.export import EXPORT_FILES
from apigen_async.report import FILTER_STAGES, Report, rejected_at

__all__ = ["CardInfo", "render_card", "size_category"]

#: What each check establishes, for the card's "how each row was verified".
CHECK_TEXT = {
    "format": "the answer is valid JSON naming offered functions with declared, correctly "
    "typed arguments, required ones present, and a call count that fits the style",
    "rules": "every argument value is stated in the query; no value copied from a "
    "description or a placeholder, no repeated call, no query restating a description",
    "execution": "every call ran (Python functions in a sandbox, REST APIs over HTTP) "
    "without an error",
    "resolve": "a second model request given only the query and the functions re-predicted "
    "the same calls (BFCL AST matching)",
    "judge": "an LLM judge found that the calls and their results answer the query",
}
#: Configs the card declares, besides the xlam rows (`default`).
_EXTRA_CONFIGS = ("openai", "sharegpt", "bfcl")


class CardInfo(msgspec.Struct, frozen=True, kw_only=True):
    """What the card says beyond the report: how the run was made."""

    command: str
    seed: int
    model: str
    judge_model: str
    solver_model: str
    checks: tuple[str, ...]
    formats: tuple[str, ...]
    dedup: str
    license: str = "apache-2.0"


def size_category(n: int) -> str:
    """The Hub's `size_categories` value for n rows."""
    for limit, name in (
        (1_000, "n<1K"),
        (10_000, "1K<n<10K"),
        (100_000, "10K<n<100K"),
        (1_000_000, "100K<n<1M"),
        (10_000_000, "1M<n<10M"),
    ):
        if n < limit:
            return name
    return "10M<n<100M"


def _q(text: str) -> str:
    # A JSON string is a valid YAML scalar: no quoting rules of our own.
    return json.dumps(text)


def _header(report: Report, info: CardInfo) -> list[str]:
    lines = [
        "---",
        f"license: {info.license}",
        "task_categories:",
        "- text-generation",
        "- question-answering",
        "language:",
        "- en",
        "size_categories:",
        f"- {size_category(report.exported)}",
        "tags:",
        "- function-calling",
        "- tool-use",
        "- synthetic",
        "- apigen",
        "pretty_name: Verified function-calling pairs (apigen-async)",
        "configs:",
        "- config_name: default",
        "  data_files:",
        "  - split: train",
        f"    path: {_q(EXPORT_FILES['xlam'])}",
    ]
    for fmt in _EXTRA_CONFIGS:
        if fmt in info.formats:
            lines += [
                f"- config_name: {fmt}",
                "  data_files:",
                "  - split: train",
                f"    path: {_q(EXPORT_FILES[fmt])}",
            ]
    return [*lines, "---"]


def _table(head: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    return [
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
        *("| " + " | ".join(str(c) for c in row) + " |" for row in rows),
    ]


def render_card(report: Report, info: CardInfo) -> str:
    d = report.diversity
    lines = _header(report, info)
    lines += [
        "",
        "# Verified function-calling pairs",
        "",
        f"{report.exported} query/answer pairs in the format of "
        "`Salesforce/xlam-function-calling-60k` (`id`, `query`, and `answers` and `tools` "
        "as JSON strings), generated and verified with "
        "apigen-async, following APIGen.",
        "",
        "## How it was made",
        "",
        f"- command: `{info.command}`",
        f"- seed: {info.seed}",
        f"- generator model: {info.model}; judge model: {info.judge_model}; "
        f"re-solve model: {info.solver_model}",
        f"- duplicates removed ({info.dedup}): {report.exact_duplicates} exact, "
        f"{report.near_duplicates} near",
        "",
        "## How each row was verified",
        "",
        "A row is in the dataset only if it passed every one of these checks:",
        "",
        *(f"- **{c}**: {CHECK_TEXT[c]}" for c in info.checks if c in CHECK_TEXT),
        "",
        "## Filter table",
        "",
    ]
    lines += _table(
        ["generator", "generated", *(f"failed {s}" for s in FILTER_STAGES), "verified",
         "pass rate"],
        [
            [r.generator, r.generated, *(rejected_at(r, s) for s in FILTER_STAGES), r.verified,
             f"{r.pass_rate:.1%}"]
            for r in report.filter_table
        ],
    )  # fmt: skip
    lines += ["", "## Pairs by style", ""]
    lines += _table(
        ["style", "generated", "verified"],
        [[s, c.get("generated", 0), c.get("verified", 0)] for s, c in report.by_style.items()],
    )
    lines += ["", "## Calls by category (exported rows)", ""]
    lines += _table(["category", "calls"], sorted(d.calls_by_category.items()))
    q = "/".join(map(str, d.query_words_quantiles)) or "-"
    lines += [
        "",
        "## Diversity",
        "",
        f"- functions called: {d.tools_used} ({d.function_coverage:.1%} of those offered), "
        f"categories: {d.categories_used} ({d.category_coverage:.1%})",
        f"- calls per function: Gini {d.gini_calls_per_function:.2f}, normalized entropy "
        f"{d.normalized_entropy:.2f}",
        f"- distinct-1 {d.distinct_unigrams:.1%}, distinct-2 {d.distinct_bigrams:.1%} of "
        "query words",
        f"- query length in words (min/q1/median/q3/max): {q}",
        "",
    ]
    return "\n".join(lines)
