"""Statistics: descriptive statistics, correlation, regression and data normalisation."""

from __future__ import annotations

import math
import statistics as st
from typing import Any, Literal

CATEGORY = "statistics"

# Two-sided critical values of the standard normal distribution.
_Z_CRITICAL = {"90": 1.6448536, "95": 1.9599640, "99": 2.5758293}


def _numbers(name: str, values: list[float], minimum: int = 1) -> list[float]:
    if not isinstance(values, list):
        raise TypeError(f"{name} must be a list of numbers")
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise TypeError(f"{name} must contain only finite numbers, got {v!r}")
        out.append(float(v))
    if len(out) < minimum:
        raise ValueError(f"{name} must contain at least {minimum} value(s)")
    return out


def compute_mean(values: list[float]) -> float:
    """Compute the arithmetic mean (average) of a list of numbers.

    Args:
        values: The numbers to average; at least one.

    Returns:
        The mean, rounded to 6 decimals.
    """
    return round(st.fmean(_numbers("values", values)), 6)


def compute_median(values: list[float]) -> float:
    """Compute the median (middle value) of a list of numbers.

    Args:
        values: The numbers; at least one. With an even count the two middle values are averaged.

    Returns:
        The median.
    """
    return float(st.median(_numbers("values", values)))


def compute_mode(values: list[float]) -> list[float]:
    """Find the most frequent value(s) of a list of numbers.

    Args:
        values: The numbers; at least one.

    Returns:
        All values sharing the highest frequency, ascending.
    """
    return sorted(st.multimode(_numbers("values", values)))


def compute_standard_deviation(
    values: list[float], kind: Literal["sample", "population"] = "sample"
) -> float:
    """Compute the standard deviation of a list of numbers.

    Args:
        values: The numbers; at least two for a sample standard deviation.
        kind: 'sample' divides by n-1, 'population' divides by n.

    Returns:
        The standard deviation, rounded to 6 decimals.
    """
    if kind not in ("sample", "population"):
        raise ValueError("kind must be 'sample' or 'population'")
    data = _numbers("values", values, 2 if kind == "sample" else 1)
    return round(st.stdev(data) if kind == "sample" else st.pstdev(data), 6)


def compute_variance(
    values: list[float], kind: Literal["sample", "population"] = "sample"
) -> float:
    """Compute the variance of a list of numbers.

    Args:
        values: The numbers; at least two for a sample variance.
        kind: 'sample' divides by n-1, 'population' divides by n.

    Returns:
        The variance, rounded to 6 decimals.
    """
    if kind not in ("sample", "population"):
        raise ValueError("kind must be 'sample' or 'population'")
    data = _numbers("values", values, 2 if kind == "sample" else 1)
    return round(st.variance(data) if kind == "sample" else st.pvariance(data), 6)


def compute_percentile(values: list[float], percentile: float) -> float:
    """Compute a percentile of a list of numbers with linear interpolation between ranks.

    Args:
        values: The numbers; at least one.
        percentile: The percentile wanted, from 0 to 100 (50 is the median).

    Returns:
        The interpolated percentile value, rounded to 6 decimals.
    """
    data = sorted(_numbers("values", values))
    if not 0 <= percentile <= 100:
        raise ValueError("percentile must be between 0 and 100")
    pos = (len(data) - 1) * percentile / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return round(data[lo] + (data[hi] - data[lo]) * (pos - lo), 6)


def pearson_correlation(x: list[float], y: list[float]) -> float:
    """Compute the Pearson correlation coefficient between two equally long samples.

    Args:
        x: First sample, at least two numbers.
        y: Second sample, same length as x.

    Returns:
        The correlation coefficient between -1 and 1, rounded to 6 decimals.
    """
    xs, ys = _numbers("x", x, 2), _numbers("y", y, 2)
    if len(xs) != len(ys):
        raise ValueError("x and y must have the same length")
    try:
        return round(st.correlation(xs, ys), 6)
    except st.StatisticsError:
        raise ValueError("x and y must not be constant") from None


def linear_regression_fit(x: list[float], y: list[float]) -> dict[str, float]:
    """Fit a least-squares line y = slope * x + intercept.

    Args:
        x: Independent variable values, at least two, not all equal.
        y: Dependent variable values, same length as x.

    Returns:
        The slope, the intercept and the coefficient of determination r_squared.
    """
    xs, ys = _numbers("x", x, 2), _numbers("y", y, 2)
    if len(xs) != len(ys):
        raise ValueError("x and y must have the same length")
    if len(set(xs)) == 1:
        raise ValueError("x values must not all be equal")
    slope, intercept = st.linear_regression(xs, ys)
    # A constant y is fitted exactly by a flat line; correlation is undefined there.
    r2 = 1.0 if len(set(ys)) == 1 else st.correlation(xs, ys) ** 2
    return {
        "slope": round(slope, 6),
        "intercept": round(intercept, 6),
        "r_squared": round(r2, 6),
    }


def compute_z_score(value: float, mean: float, std_dev: float) -> float:
    """Compute how many standard deviations a value lies from the mean.

    Args:
        value: The observed value.
        mean: The mean of the distribution.
        std_dev: The standard deviation of the distribution (positive).

    Returns:
        The z-score, rounded to 6 decimals.
    """
    if std_dev <= 0:
        raise ValueError("std_dev must be positive")
    return round((value - mean) / std_dev, 6)


def five_number_summary(values: list[float]) -> dict[str, float]:
    """Summarise a sample by minimum, first quartile, median, third quartile and maximum.

    Args:
        values: The numbers; at least one. Quartiles use linear interpolation.

    Returns:
        min, q1, median, q3, max and the interquartile range iqr.
    """
    data = _numbers("values", values)
    q1 = compute_percentile(data, 25)
    q3 = compute_percentile(data, 75)
    return {
        "min": min(data),
        "q1": q1,
        "median": compute_percentile(data, 50),
        "q3": q3,
        "max": max(data),
        "iqr": round(q3 - q1, 6),
    }


def weighted_average(values: list[float], weights: list[float]) -> float:
    """Compute the weighted mean of values with non-negative weights.

    Args:
        values: The numbers to average.
        weights: One non-negative weight per value; they need not sum to 1.

    Returns:
        sum(value * weight) / sum(weight), rounded to 6 decimals.
    """
    vs, ws = _numbers("values", values), _numbers("weights", weights)
    if len(vs) != len(ws):
        raise ValueError("values and weights must have the same length")
    if any(w < 0 for w in ws) or sum(ws) == 0:
        raise ValueError("weights must be non-negative and not all zero")
    return round(sum(v * w for v, w in zip(vs, ws, strict=True)) / sum(ws), 6)


def moving_average(values: list[float], window: int = 3) -> list[float]:
    """Compute the simple moving average of a series over a sliding window.

    Args:
        values: The series, at least as long as the window.
        window: Number of consecutive values averaged at each step.

    Returns:
        One average per full window position, rounded to 6 decimals.
    """
    data = _numbers("values", values)
    if window < 1 or window > len(data):
        raise ValueError("window must be between 1 and the number of values")
    return [round(st.fmean(data[i : i + window]), 6) for i in range(len(data) - window + 1)]


def normalize_values(
    values: list[float], method: Literal["min_max", "z_score"] = "min_max"
) -> list[float]:
    """Rescale a list of numbers by min-max scaling to [0, 1] or by z-score standardisation.

    Args:
        values: The numbers to rescale; at least two, not all equal.
        method: 'min_max' maps to [0, 1]; 'z_score' subtracts the mean and divides by the population
            standard deviation.

    Returns:
        The rescaled values in the same order, rounded to 6 decimals.
    """
    data = _numbers("values", values, 2)
    lo, hi = min(data), max(data)
    if lo == hi:
        raise ValueError("values must not all be equal")
    if method == "min_max":
        return [round((v - lo) / (hi - lo), 6) for v in data]
    if method == "z_score":
        mu, sd = st.fmean(data), st.pstdev(data)
        return [round((v - mu) / sd, 6) for v in data]
    raise ValueError("method must be 'min_max' or 'z_score'")


def confidence_interval_mean(
    values: list[float], confidence: Literal["90", "95", "99"] = "95"
) -> dict[str, float]:
    """Estimate a normal-approximation confidence interval for the mean of a sample.

    Args:
        values: The sample, at least two numbers.
        confidence: Confidence level in percent.

    Returns:
        The sample mean, the margin of error and the lower and upper bounds.
    """
    if confidence not in _Z_CRITICAL:
        raise ValueError("confidence must be one of '90', '95', '99'")
    data = _numbers("values", values, 2)
    mean = st.fmean(data)
    margin = _Z_CRITICAL[confidence] * st.stdev(data) / math.sqrt(len(data))
    return {
        "mean": round(mean, 6),
        "margin": round(margin, 6),
        "lower": round(mean - margin, 6),
        "upper": round(mean + margin, 6),
    }


EXAMPLES: dict[str, list[tuple[dict[str, Any], Any]]] = {
    "compute_mean": [({"values": [2, 4, 4, 4, 5, 5, 7, 9]}, 5.0)],
    "compute_median": [
        ({"values": [3, 1, 4, 1, 5]}, 3.0),
        ({"values": [1, 2, 3, 4]}, 2.5),
    ],
    "compute_mode": [({"values": [1, 2, 2, 3, 3, 4]}, [2.0, 3.0])],
    "compute_standard_deviation": [
        ({"values": [2, 4, 4, 4, 5, 5, 7, 9], "kind": "population"}, 2.0),
        ({"values": [2, 4, 4, 4, 5, 5, 7, 9]}, 2.13809),
    ],
    "compute_variance": [
        ({"values": [2, 4, 4, 4, 5, 5, 7, 9], "kind": "population"}, 4.0),
        ({"values": [1, 2, 3, 4]}, 1.666667),
    ],
    "compute_percentile": [
        ({"values": [15, 20, 35, 40, 50], "percentile": 40}, 29.0),
        ({"values": [1, 2, 3, 4, 5], "percentile": 90}, 4.6),
    ],
    "pearson_correlation": [({"x": [1, 2, 3, 4, 5], "y": [2, 4, 5, 4, 5]}, 0.774597)],
    "linear_regression_fit": [
        (
            {"x": [1, 2, 3, 4, 5], "y": [2, 4, 5, 4, 5]},
            {"slope": 0.6, "intercept": 2.2, "r_squared": 0.6},
        ),
    ],
    "compute_z_score": [({"value": 85, "mean": 70, "std_dev": 10}, 1.5)],
    "five_number_summary": [
        (
            {"values": [1, 3, 5, 7, 9, 11, 13]},
            {"min": 1.0, "q1": 4.0, "median": 7.0, "q3": 10.0, "max": 13.0, "iqr": 6.0},
        ),
    ],
    "weighted_average": [({"values": [90, 80, 70], "weights": [0.5, 0.3, 0.2]}, 83.0)],
    "moving_average": [
        ({"values": [1, 2, 3, 4, 5, 6], "window": 3}, [2.0, 3.0, 4.0, 5.0]),
    ],
    "normalize_values": [
        ({"values": [10, 20, 30]}, [0.0, 0.5, 1.0]),
        ({"values": [1, 3], "method": "z_score"}, [-1.0, 1.0]),
    ],
    "confidence_interval_mean": [
        (
            {"values": [10, 12, 14, 16, 18], "confidence": "95"},
            {"mean": 14.0, "margin": 2.771808, "lower": 11.228192, "upper": 16.771808},
        ),
    ],
}
