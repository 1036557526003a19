"""Scores: one item's verdict by BFCL's rules, and the per-category and summary figures.

Summary figures as BFCL computes them (`eval_runner_helper`): non-live AST is the
unweighted mean of simple, multiple, parallel and parallel_multiple (BFCL's "simple" is
itself the mean of python, java and javascript; we score python only, so ours is
simple_python); live AST is the mean over the live AST items (weighted by count);
irrelevance and relevance are reported apart. `overall` is the unweighted mean of the
non-live categories (simple_python, multiple, parallel, parallel_multiple, irrelevance:
BFCL's non-live overall) and, when live ones were scored, of live AST, live_irrelevance
and live_relevance. For our own data the categories are the styles, and the overall
figure is their unweighted mean.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import msgspec

from apigen_async.eval.ast_checker import check_calls
from apigen_async.eval.decode import DecodeFailure
from apigen_async.eval.items import EvalItem
from apigen_async.llm.types import LLMFailure
from apigen_async.schema import Call

__all__ = ["CategoryScore", "ItemScore", "Scores", "score_item", "summarise"]

_NO_CALL_PASSES = ("irrelevance", "live_irrelevance")
_ANY_CALL_PASSES = ("live_relevance", "relevance")
_NON_LIVE_AST = ("simple_python", "multiple", "parallel", "parallel_multiple")
_LIVE_AST = ("live_simple", "live_multiple", "live_parallel", "live_parallel_multiple")
_OUR_STYLES = ("simple", "multiple", "parallel", "parallel_multiple")


class ItemScore(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    id: str
    category: str
    valid: bool
    error_type: str = ""
    errors: list[str] = []


class CategoryScore(msgspec.Struct, frozen=True, kw_only=True):
    category: str
    total: int
    correct: int
    accuracy: float
    #: Failures by BFCL error type, most frequent first.
    errors: dict[str, int]


class Scores(msgspec.Struct, frozen=True, kw_only=True):
    categories: list[CategoryScore]
    #: BFCL: non_live_ast, live_ast, irrelevance, relevance; our data: ast, irrelevance
    #: (whichever have items).
    summary: dict[str, float]
    #: BFCL: the unweighted mean of the non-live categories (and of live AST,
    #: live_irrelevance, live_relevance if scored); our data: of the styles.
    overall: float
    items: int


def score_item(item: EvalItem, answer: list[Call] | DecodeFailure | LLMFailure) -> ItemScore:
    """BFCL's verdict on one answer. An LLM failure scores wrong in every category."""

    def verdict(valid: bool, error_type: str = "", *errors: str) -> ItemScore:
        return ItemScore(
            id=item.id, category=item.category, valid=valid, error_type=error_type,
            errors=list(errors),
        )  # fmt: skip

    if isinstance(answer, LLMFailure):
        return verdict(False, f"llm_error:{answer.code}", answer.message)
    kind = item.category
    if kind in _NO_CALL_PASSES:
        # BFCL: correct when the answer does not decode to calls, or decodes to none.
        if isinstance(answer, DecodeFailure) or not answer:
            return verdict(True)
        return verdict(False, "irrelevance_error:decoder_success", "The model called a function.")
    if kind in _ANY_CALL_PASSES:
        if isinstance(answer, list) and answer:
            return verdict(True)
        return verdict(False, "relevance_error:decoder_failed", "The model called no function.")
    if isinstance(answer, DecodeFailure):
        return verdict(False, answer.error_type, answer.message)
    result = check_calls(answer, list(item.expected), item.tools_by_name(), kind)
    return verdict(result.valid, result.error_type, *result.errors)


def _category(name: str, scores: Sequence[ItemScore]) -> CategoryScore:
    correct = sum(s.valid for s in scores)
    errors = Counter(s.error_type for s in scores if not s.valid)
    return CategoryScore(
        category=name,
        total=len(scores),
        correct=correct,
        accuracy=correct / len(scores) if scores else 0.0,
        errors=dict(errors.most_common()),
    )


def summarise(
    scores: Iterable[ItemScore], order: Sequence[str] = (), *, bfcl: bool = True
) -> Scores:
    """Per-category figures (in `order`, then the rest) and the summary figures: BFCL's for
    BFCL's categories; for our data (whose style names overlap BFCL's), `ast` (the mean of
    the call styles) and `irrelevance`."""
    by_category: dict[str, list[ItemScore]] = {}
    for score in scores:
        by_category.setdefault(score.category, []).append(score)
    names = [c for c in order if c in by_category] + sorted(set(by_category) - set(order))
    categories = [_category(n, by_category[n]) for n in names]
    accuracy = {c.category: c.accuracy for c in categories}

    def mean(values: list[float]) -> float | None:
        return sum(values) / len(values) if values else None

    def weighted(group: Sequence[str]) -> float | None:
        present = [c for c in categories if c.category in group]
        total = sum(c.total for c in present)
        return sum(c.correct for c in present) / total if total else None

    if bfcl:
        summary = {
            "non_live_ast": mean([accuracy[c] for c in _NON_LIVE_AST if c in accuracy]),
            "live_ast": weighted(_LIVE_AST),
            "irrelevance": mean([accuracy[c] for c in _NO_CALL_PASSES if c in accuracy]),
            "relevance": mean([accuracy[c] for c in _ANY_CALL_PASSES if c in accuracy]),
        }
    else:
        summary = {
            "ast": mean([accuracy[c] for c in _OUR_STYLES if c in accuracy]),
            "irrelevance": accuracy.get("irrelevance"),
        }
    present = {k: v for k, v in summary.items() if v is not None}
    if bfcl:
        parts = [accuracy.get(c) for c in (*_NON_LIVE_AST, "irrelevance")]
        parts += [summary["live_ast"], accuracy.get("live_irrelevance")]
        parts += [accuracy.get("live_relevance")]
        overall = mean([p for p in parts if p is not None])
    else:
        overall = mean(list(accuracy.values()))
    return Scores(
        categories=categories,
        summary=present,
        overall=overall or 0.0,
        items=sum(c.total for c in categories),
    )
