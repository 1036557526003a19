"""Education: grades, GPA, exam planning, readability, study schedules and quiz scoring."""

from __future__ import annotations

import math
import re
from typing import Any, Literal

CATEGORY = "education"

# US 4.0 scale: letter grade -> grade points.
_GRADE_POINTS = {
    "A+": 4.0, "A": 4.0, "A-": 3.7, "B+": 3.3, "B": 3.0, "B-": 2.7, "C+": 2.3, "C": 2.0,
    "C-": 1.7, "D+": 1.3, "D": 1.0, "D-": 0.7, "F": 0.0,
}  # fmt: skip
# Lower bound of each letter grade on a 100-point scale.
_LETTER_CUTOFFS = [
    (97, "A+"), (93, "A"), (90, "A-"), (87, "B+"), (83, "B"), (80, "B-"), (77, "C+"),
    (73, "C"), (70, "C-"), (67, "D+"), (63, "D"), (60, "D-"), (0, "F"),
]  # fmt: skip


def _score(name: str, value: float, high: float = 100) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise TypeError(f"{name} must be a finite number")
    if not 0 <= value <= high:
        raise ValueError(f"{name} must be between 0 and {high}")
    return float(value)


def _syllables(word: str) -> int:
    w = word.lower()
    groups = re.findall(r"[aeiouy]+", w)
    n = len(groups)
    if w.endswith("e") and not w.endswith(("le", "ee")) and n > 1:
        n -= 1
    return max(1, n)


def percentage_to_letter_grade(score: float, max_score: float = 100.0) -> dict[str, Any]:
    """Convert an exam score into a percentage, a US letter grade and grade points.

    Args:
        score: Points obtained.
        max_score: Points possible (positive).

    Returns:
        percentage (1 decimal), letter grade (A+ to F) and grade_points on the 4.0 scale.
    """
    if max_score <= 0:
        raise ValueError("max_score must be positive")
    pct = _score("score", score, max_score) / max_score * 100
    letter = next(g for cutoff, g in _LETTER_CUTOFFS if round(pct, 6) >= cutoff)
    return {"percentage": round(pct, 1), "letter": letter, "grade_points": _GRADE_POINTS[letter]}


def calculate_gpa(letter_grades: list[str], credit_hours: list[float]) -> dict[str, float]:
    """Compute a credit-weighted grade point average on the 4.0 scale.

    Args:
        letter_grades: Letter grade of each course (A+, A, A-, B+, ... F).
        credit_hours: Credits of each course, same order as letter_grades.

    Returns:
        gpa (rounded to 2 decimals), total_credits and quality_points.
    """
    if len(letter_grades) != len(credit_hours) or not letter_grades:
        raise ValueError("letter_grades and credit_hours must be non-empty and of equal length")
    points = 0.0
    for g, c in zip(letter_grades, credit_hours, strict=True):
        key = g.strip().upper()
        if key not in _GRADE_POINTS:
            raise ValueError(f"unknown letter grade {g!r}")
        points += _GRADE_POINTS[key] * _score("credit_hours[]", c, 30)
    total = sum(credit_hours)
    if total == 0:
        raise ValueError("total credit hours must be positive")
    return {
        "gpa": round(points / total, 2),
        "total_credits": total,
        "quality_points": round(points, 2),
    }


def weighted_course_grade(scores: list[float], weights: list[float]) -> dict[str, Any]:
    """Combine assignment and exam scores (in percent) with their weights into a course grade.

    Args:
        scores: Score of each component in percent (0-100).
        weights: Weight of each component in percent; they must sum to 100.

    Returns:
        final_percentage (2 decimals) and the letter grade.
    """
    if len(scores) != len(weights) or not scores:
        raise ValueError("scores and weights must be non-empty and of equal length")
    if abs(sum(weights) - 100) > 1e-6:
        raise ValueError("weights must sum to 100")
    final = (
        sum(
            _score("scores[]", s) * _score("weights[]", w)
            for s, w in zip(scores, weights, strict=True)
        )
        / 100
    )
    return {
        "final_percentage": round(final, 2),
        "letter": percentage_to_letter_grade(final)["letter"],
    }


def final_exam_score_needed(
    current_grade: float, final_exam_weight: float, target_grade: float
) -> dict[str, Any]:
    """Compute the final exam score needed to reach a target course grade.

    Args:
        current_grade: Current grade in percent over the work done so far.
        final_exam_weight: Weight of the final exam in percent of the course grade (1-100).
        target_grade: Course grade wanted, in percent.

    Returns:
        needed_score in percent (2 decimals) and whether it is achievable (at most 100).
    """
    cur, tgt = _score("current_grade", current_grade), _score("target_grade", target_grade)
    w = _score("final_exam_weight", final_exam_weight) / 100
    if w == 0:
        raise ValueError("final_exam_weight must be positive")
    needed = (tgt - cur * (1 - w)) / w
    return {"needed_score": round(needed, 2), "achievable": needed <= 100}


def flesch_reading_ease(text: str) -> dict[str, Any]:
    """Score the readability of an English text with the Flesch reading-ease and Flesch-Kincaid
    grade formulas.

    Args:
        text: The English text (at least one sentence).

    Returns:
        reading_ease, grade_level (1 decimal), words, sentences, syllables and a difficulty label.
    """
    if not isinstance(text, str) or len(text) > 100_000:
        raise ValueError("text must be a string of at most 100000 characters")
    words = re.findall(r"[A-Za-z]+(?:'[A-Za-z]+)?", text)
    sentences = max(1, len([s for s in re.split(r"[.!?]+", text) if s.strip()]))
    if not words:
        raise ValueError("text must contain words")
    syl = sum(_syllables(w) for w in words)
    wps, spw = len(words) / sentences, syl / len(words)
    ease = 206.835 - 1.015 * wps - 84.6 * spw
    grade = 0.39 * wps + 11.8 * spw - 15.59
    bands = [
        (90, "very easy"),
        (70, "easy"),
        (60, "standard"),
        (50, "fairly difficult"),
        (30, "difficult"),
    ]
    label = next((name for cutoff, name in bands if ease >= cutoff), "very difficult")
    return {
        "reading_ease": round(ease, 1),
        "grade_level": round(grade, 1),
        "words": len(words),
        "sentences": sentences,
        "syllables": syl,
        "difficulty": label,
    }


def reading_time_estimate(
    word_count: int, words_per_minute: int = 238, include_images: int = 0
) -> dict[str, Any]:
    """Estimate how long a text takes to read.

    Args:
        word_count: Number of words.
        words_per_minute: Reading speed (238 is the adult average for non-fiction).
        include_images: Number of images or figures, 12 seconds each.

    Returns:
        minutes (rounded up, at least 1) and seconds.
    """
    if word_count < 0 or include_images < 0:
        raise ValueError("word_count and include_images must be non-negative")
    if not 50 <= words_per_minute <= 1500:
        raise ValueError("words_per_minute must be between 50 and 1500")
    secs = word_count / words_per_minute * 60 + include_images * 12
    return {"minutes": max(1, math.ceil(round(secs, 6) / 60)), "seconds": round(secs)}


def study_schedule(
    topics: list[str], total_hours: float, days: int, priority_topics: list[str] | None = None
) -> dict[str, Any]:
    """Split study hours across topics and days, giving priority topics double weight.

    Args:
        topics: Topics to study, unique.
        total_hours: Total hours available.
        days: Number of study days.
        priority_topics: Topics (from topics) that get twice the time.

    Returns:
        hours per topic (2 decimals) and hours_per_day.
    """
    if not topics or len(set(topics)) != len(topics):
        raise ValueError("topics must be non-empty and unique")
    prio = set(priority_topics or [])
    if prio - set(topics):
        raise ValueError("priority_topics must be listed in topics")
    hours = _score("total_hours", total_hours, 10000)
    if not 1 <= days <= 365:
        raise ValueError("days must be between 1 and 365")
    weights = {t: 2 if t in prio else 1 for t in topics}
    total_w = sum(weights.values())
    return {
        "hours": {t: round(hours * w / total_w, 2) for t, w in weights.items()},
        "hours_per_day": round(hours / days, 2),
    }


def score_multiple_choice_quiz(
    answers: list[str],
    answer_key: list[str],
    penalty_for_wrong: float = 0.0,
    points_per_question: float = 1.0,
) -> dict[str, Any]:
    """Score a multiple-choice quiz against its key; blank answers ('') score zero.

    Args:
        answers: The student's answers in question order ('' for unanswered), case-insensitive.
        answer_key: Correct answers, same length.
        penalty_for_wrong: Points subtracted for each wrong (non-blank) answer.
        points_per_question: Points for each correct answer.

    Returns:
        correct, wrong, blank, score and percentage (of the maximum, 1 decimal).
    """
    if len(answers) != len(answer_key) or not answer_key:
        raise ValueError("answers and answer_key must be non-empty and of equal length")
    if penalty_for_wrong < 0 or points_per_question <= 0:
        raise ValueError("penalty_for_wrong must be non-negative, points_per_question positive")
    correct = wrong = blank = 0
    for a, k in zip(answers, answer_key, strict=True):
        if not a.strip():
            blank += 1
        elif a.strip().lower() == k.strip().lower():
            correct += 1
        else:
            wrong += 1
    score = correct * points_per_question - wrong * penalty_for_wrong
    pct = score / (len(answer_key) * points_per_question) * 100
    return {
        "correct": correct,
        "wrong": wrong,
        "blank": blank,
        "score": round(score, 2),
        "percentage": round(pct, 1),
    }


def grade_curve(
    scores: list[float],
    target_mean: float = 75.0,
    method: Literal["shift", "scale"] = "shift",
    cap: float = 100.0,
) -> list[float]:
    """Curve a class's exam scores so their mean reaches a target.

    Args:
        scores: Raw scores of the class.
        target_mean: Mean wanted after curving.
        method: 'shift' adds the same points to everyone; 'scale' multiplies every score by the same
            factor.
        cap: Maximum score after curving.

    Returns:
        The curved scores in the same order, rounded to 1 decimal.
    """
    if not scores:
        raise ValueError("scores must not be empty")
    vals = [_score("scores[]", s, 1000) for s in scores]
    mean = sum(vals) / len(vals)
    if method == "shift":
        out = [v + (target_mean - mean) for v in vals]
    elif method == "scale":
        if mean == 0:
            raise ValueError("cannot scale scores whose mean is zero")
        out = [v * target_mean / mean for v in vals]
    else:
        raise ValueError("method must be 'shift' or 'scale'")
    return [round(min(cap, max(0.0, v)), 1) for v in out]


EXAMPLES: dict[str, list[tuple[dict[str, Any], Any]]] = {
    "percentage_to_letter_grade": [
        ({"score": 88}, {"percentage": 88.0, "letter": "B+", "grade_points": 3.3}),
        ({"score": 45, "max_score": 50}, {"percentage": 90.0, "letter": "A-", "grade_points": 3.7}),
    ],
    "calculate_gpa": [
        (
            {"letter_grades": ["A", "B+", "C"], "credit_hours": [3, 4, 2]},
            {"gpa": 3.24, "total_credits": 9, "quality_points": 29.2},
        ),
    ],
    "weighted_course_grade": [
        (
            {"scores": [90, 80, 70], "weights": [50, 30, 20]},
            {"final_percentage": 83.0, "letter": "B"},
        ),
    ],
    "final_exam_score_needed": [
        (
            {"current_grade": 85, "final_exam_weight": 30, "target_grade": 90},
            {"needed_score": 101.67, "achievable": False},
        ),
        (
            {"current_grade": 78, "final_exam_weight": 40, "target_grade": 80},
            {"needed_score": 83.0, "achievable": True},
        ),
    ],
    "flesch_reading_ease": [
        (
            {"text": "The cat sat on the mat. It was happy."},
            {
                "reading_ease": 108.3,
                "grade_level": -0.7,
                "words": 9,
                "sentences": 2,
                "syllables": 10,
                "difficulty": "very easy",
            },
        ),
    ],
    "reading_time_estimate": [
        ({"word_count": 1200}, {"minutes": 6, "seconds": 303}),
        (
            {"word_count": 500, "words_per_minute": 250, "include_images": 5},
            {"minutes": 3, "seconds": 180},
        ),
    ],
    "study_schedule": [
        (
            {
                "topics": ["algebra", "geometry", "calculus"],
                "total_hours": 20,
                "days": 5,
                "priority_topics": ["calculus"],
            },
            {"hours": {"algebra": 5.0, "geometry": 5.0, "calculus": 10.0}, "hours_per_day": 4.0},
        ),
    ],
    "score_multiple_choice_quiz": [
        (
            {
                "answers": ["a", "C", "", "d"],
                "answer_key": ["A", "B", "C", "D"],
                "penalty_for_wrong": 0.25,
            },
            {"correct": 2, "wrong": 1, "blank": 1, "score": 1.75, "percentage": 43.8},
        ),
    ],
    "grade_curve": [
        ({"scores": [60, 70, 80], "target_mean": 75}, [65.0, 75.0, 85.0]),
        ({"scores": [50, 100], "target_mean": 90, "method": "scale"}, [60.0, 100.0]),
    ],
}
