"""Summary figures computed as BFCL computes them."""

from __future__ import annotations

import pytest

from apigen_async.eval.score import ItemScore, summarise


def _scores(category: str, correct: int, total: int) -> list[ItemScore]:
    return [
        ItemScore(id=f"{category}_{i}", category=category, valid=i < correct,
                  error_type="" if i < correct else "value_error:string")
        for i in range(total)
    ]  # fmt: skip


def test_bfcl_summary_unweighted_non_live_and_weighted_live() -> None:
    scores = [
        *_scores("simple_python", 40, 400),  # 10%
        *_scores("multiple", 100, 200),  # 50%
        *_scores("parallel", 60, 200),  # 30%
        *_scores("parallel_multiple", 20, 200),  # 10%
        *_scores("irrelevance", 120, 240),  # 50%
        *_scores("live_simple", 10, 100),
        *_scores("live_parallel", 10, 10),
    ]
    result = summarise(scores, ["simple_python", "multiple"])
    assert [c.category for c in result.categories][:2] == ["simple_python", "multiple"]
    assert result.summary["non_live_ast"] == pytest.approx((0.1 + 0.5 + 0.3 + 0.1) / 4)
    # Live AST weights by items: 20 of 110, not the mean of 10% and 100%.
    assert result.summary["live_ast"] == pytest.approx(20 / 110)
    assert result.summary["irrelevance"] == pytest.approx(0.5)
    assert "relevance" not in result.summary
    assert result.overall == pytest.approx((0.1 + 0.5 + 0.3 + 0.1 + 0.5 + 20 / 110) / 6)
    simple = result.categories[0]
    assert (simple.total, simple.correct, simple.errors) == (400, 40, {"value_error:string": 360})


def test_our_data_overall_is_the_mean_of_the_styles() -> None:
    scores = [*_scores("simple", 1, 2), *_scores("parallel", 3, 3), *_scores("irrelevance", 0, 4)]
    result = summarise(scores, bfcl=False)
    assert result.summary == {"ast": pytest.approx(0.75), "irrelevance": 0.0}
    assert result.overall == pytest.approx((0.5 + 1.0 + 0.0) / 3)
    assert result.items == 9
