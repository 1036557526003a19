"""Health and fitness: body metrics, energy needs, heart-rate zones, training and hydration."""

from __future__ import annotations

import math
from typing import Any, Literal

CATEGORY = "health"

_ACTIVITY_FACTORS = {
    "sedentary": 1.2,
    "light": 1.375,
    "moderate": 1.55,
    "active": 1.725,
    "very_active": 1.9,
}

# Fixed reference table of metabolic equivalents (MET), from the Compendium of Physical
# Activities (typical intensities).
_METS = {
    "walking": 3.5, "brisk_walking": 4.3, "running": 9.8, "cycling": 7.5, "swimming": 8.0,
    "yoga": 2.5, "weight_training": 5.0, "hiking": 6.0, "rowing": 7.0, "dancing": 5.0,
    "jump_rope": 12.3, "tennis": 7.3,
}  # fmt: skip

Sex = Literal["male", "female"]


def _pos(name: str, value: float, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise TypeError(f"{name} must be a finite number")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}")
    return float(value)


def _bmr(weight_kg: float, height_cm: float, age: int, sex: str) -> float:
    if sex not in ("male", "female"):
        raise ValueError("sex must be 'male' or 'female'")
    w = _pos("weight_kg", weight_kg, 2, 500)
    h = _pos("height_cm", height_cm, 40, 260)
    a = _pos("age", age, 1, 120)
    return 10 * w + 6.25 * h - 5 * a + (5 if sex == "male" else -161)


def calculate_bmi(weight_kg: float, height_m: float) -> dict[str, Any]:
    """Compute the body mass index and its WHO adult category.

    Args:
        weight_kg: Body weight in kilograms.
        height_m: Height in metres.

    Returns:
        bmi rounded to 1 decimal and category (underweight, normal, overweight, obese).
    """
    w = _pos("weight_kg", weight_kg, 2, 500)
    h = _pos("height_m", height_m, 0.4, 2.6)
    bmi = round(w / (h * h), 1)
    if bmi < 18.5:
        cat = "underweight"
    elif bmi < 25:
        cat = "normal"
    elif bmi < 30:
        cat = "overweight"
    else:
        cat = "obese"
    return {"bmi": bmi, "category": cat}


def basal_metabolic_rate(weight_kg: float, height_cm: float, age: int, sex: Sex) -> float:
    """Estimate the basal metabolic rate with the Mifflin-St Jeor equation.

    Args:
        weight_kg: Body weight in kilograms.
        height_cm: Height in centimetres.
        age: Age in years.
        sex: Biological sex used by the equation.

    Returns:
        BMR in kcal per day, rounded to 1 decimal.
    """
    return round(_bmr(weight_kg, height_cm, age, sex), 1)


def daily_calorie_needs(
    weight_kg: float,
    height_cm: float,
    age: int,
    sex: Sex,
    activity_level: Literal["sedentary", "light", "moderate", "active", "very_active"] = "moderate",
    goal: Literal["lose", "maintain", "gain"] = "maintain",
) -> dict[str, float]:
    """Estimate daily calorie needs (TDEE) from BMR and activity, with a target for a weight goal.

    Args:
        weight_kg: Body weight in kilograms.
        height_cm: Height in centimetres.
        age: Age in years.
        sex: Biological sex used by the Mifflin-St Jeor equation.
        activity_level: Typical weekly activity.
        goal: 'lose' subtracts 500 kcal/day, 'gain' adds 300 kcal/day.

    Returns:
        bmr, maintenance_kcal and target_kcal, each rounded to whole kcal.
    """
    if activity_level not in _ACTIVITY_FACTORS:
        raise ValueError(f"activity_level must be one of {list(_ACTIVITY_FACTORS)}")
    adjust = {"lose": -500, "maintain": 0, "gain": 300}
    if goal not in adjust:
        raise ValueError("goal must be lose, maintain or gain")
    bmr = _bmr(weight_kg, height_cm, age, sex)
    tdee = bmr * _ACTIVITY_FACTORS[activity_level]
    return {
        "bmr": round(bmr),
        "maintenance_kcal": round(tdee),
        "target_kcal": round(tdee + adjust[goal]),
    }


def ideal_body_weight(height_cm: float, sex: Sex) -> dict[str, float]:
    """Estimate ideal body weight with the Devine formula and a healthy BMI weight range.

    Args:
        height_cm: Height in centimetres (at least 152.4 cm for the Devine formula).
        sex: Biological sex used by the formula.

    Returns:
        devine_kg, and healthy_min_kg / healthy_max_kg for BMI 18.5-24.9, rounded to 1 decimal.
    """
    h = _pos("height_cm", height_cm, 152.4, 260)
    if sex not in ("male", "female"):
        raise ValueError("sex must be 'male' or 'female'")
    inches_over_5ft = (h / 2.54) - 60
    devine = (50 if sex == "male" else 45.5) + 2.3 * inches_over_5ft
    m = h / 100
    return {
        "devine_kg": round(devine, 1),
        "healthy_min_kg": round(18.5 * m * m, 1),
        "healthy_max_kg": round(24.9 * m * m, 1),
    }


def heart_rate_zones(age: int, resting_heart_rate: int | None = None) -> dict[str, Any]:
    """Compute maximum heart rate (220 - age) and five training zones.

    Args:
        age: Age in years.
        resting_heart_rate: Resting pulse in bpm; when given, zones use the Karvonen (heart-rate
            reserve) method.

    Returns:
        max_heart_rate and zones 1-5 as [low, high] bpm ranges (50-60%, 60-70%, 70-80%, 80-90%,
        90-100%).
    """
    a = int(_pos("age", age, 5, 110))
    hr_max = 220 - a
    rest = (
        0
        if resting_heart_rate is None
        else int(_pos("resting_heart_rate", resting_heart_rate, 25, 120))
    )
    reserve = hr_max - rest
    zones = {}
    for i, (lo, hi) in enumerate([(0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.0)], 1):
        zones[f"zone_{i}"] = [round(rest + lo * reserve), round(rest + hi * reserve)]
    return {"max_heart_rate": hr_max, "zones": zones}


def body_fat_percentage(
    sex: Sex,
    height_cm: float,
    waist_cm: float,
    neck_cm: float,
    hip_cm: float | None = None,
) -> float:
    """Estimate body fat percentage with the U.S. Navy circumference method.

    Args:
        sex: Biological sex used by the formula.
        height_cm: Height in centimetres.
        waist_cm: Waist circumference in centimetres (at the navel for men, narrowest point for
            women).
        neck_cm: Neck circumference in centimetres.
        hip_cm: Hip circumference in centimetres (required for women).

    Returns:
        Estimated body fat in percent, rounded to 1 decimal.
    """
    h = _pos("height_cm", height_cm, 100, 260)
    waist = _pos("waist_cm", waist_cm, 30, 250)
    neck = _pos("neck_cm", neck_cm, 15, 80)
    if sex == "male":
        if waist <= neck:
            raise ValueError("waist_cm must exceed neck_cm")
        bf = 495 / (1.0324 - 0.19077 * math.log10(waist - neck) + 0.15456 * math.log10(h)) - 450
    elif sex == "female":
        if hip_cm is None:
            raise ValueError("hip_cm is required for women")
        hip = _pos("hip_cm", hip_cm, 40, 250)
        if waist + hip <= neck:
            raise ValueError("waist_cm + hip_cm must exceed neck_cm")
        bf = (
            495 / (1.29579 - 0.35004 * math.log10(waist + hip - neck) + 0.22100 * math.log10(h))
            - 450
        )
    else:
        raise ValueError("sex must be 'male' or 'female'")
    return round(bf, 1)


def daily_water_intake(
    weight_kg: float, exercise_minutes: int = 0, hot_climate: bool = False
) -> dict[str, float]:
    """Estimate recommended daily water intake (35 ml per kg plus 12 ml per minute of exercise).

    Args:
        weight_kg: Body weight in kilograms.
        exercise_minutes: Minutes of exercise that day.
        hot_climate: Add 500 ml for hot or humid weather.

    Returns:
        litres (rounded to 2 decimals) and 250 ml glasses (rounded up).
    """
    w = _pos("weight_kg", weight_kg, 2, 500)
    ex = _pos("exercise_minutes", exercise_minutes, 0, 1440)
    ml = 35 * w + 12 * ex + (500 if hot_climate else 0)
    return {"litres": round(ml / 1000, 2), "glasses": math.ceil(ml / 250)}


def calories_burned(
    activity: Literal[
        "walking",
        "brisk_walking",
        "running",
        "cycling",
        "swimming",
        "yoga",
        "weight_training",
        "hiking",
        "rowing",
        "dancing",
        "jump_rope",
        "tennis",
    ],
    weight_kg: float,
    duration_minutes: float,
) -> float:
    """Estimate the calories burned by an activity from its MET value (kcal = MET x kg x hours).

    Args:
        activity: The activity performed.
        weight_kg: Body weight in kilograms.
        duration_minutes: Duration in minutes.

    Returns:
        Calories burned in kcal, rounded to 1 decimal.
    """
    if activity not in _METS:
        raise ValueError(f"activity must be one of {list(_METS)}")
    w = _pos("weight_kg", weight_kg, 2, 500)
    d = _pos("duration_minutes", duration_minutes, 0, 1440)
    return round(_METS[activity] * w * d / 60, 1)


def running_pace(distance_km: float, time_minutes: float) -> dict[str, Any]:
    """Compute running pace and speed from a distance and finishing time.

    Args:
        distance_km: Distance run in kilometres.
        time_minutes: Finishing time in minutes (e.g. 52.5 for 52:30).

    Returns:
        pace_per_km and pace_per_mile as 'M:SS' strings, and speed_kmh rounded to 2 decimals.
    """
    d = _pos("distance_km", distance_km, 0.01, 1000)
    t = _pos("time_minutes", time_minutes, 0.1, 100000)

    def mmss(minutes: float) -> str:
        secs = round(minutes * 60)
        return f"{secs // 60}:{secs % 60:02d}"

    return {
        "pace_per_km": mmss(t / d),
        "pace_per_mile": mmss(t / d * 1.609344),
        "speed_kmh": round(d / (t / 60), 2),
    }


def one_rep_max(
    weight_lifted: float,
    repetitions: int,
    formula: Literal["epley", "brzycki"] = "epley",
) -> float:
    """Estimate the one-repetition maximum from a set of several repetitions.

    Args:
        weight_lifted: Weight lifted in the set (any unit; the result uses the same unit).
        repetitions: Repetitions completed (1-12 for a reliable estimate).
        formula: Epley (w * (1 + r/30)) or Brzycki (w * 36 / (37 - r)).

    Returns:
        Estimated 1RM, rounded to 1 decimal.
    """
    w = _pos("weight_lifted", weight_lifted, 0.1, 2000)
    r = int(_pos("repetitions", repetitions, 1, 12))
    if r == 1:
        return round(w, 1)
    if formula == "epley":
        return round(w * (1 + r / 30), 1)
    if formula == "brzycki":
        return round(w * 36 / (37 - r), 1)
    raise ValueError("formula must be 'epley' or 'brzycki'")


def waist_to_height_ratio(waist_cm: float, height_cm: float) -> dict[str, Any]:
    """Compute the waist-to-height ratio and its health-risk band (0.5 is the usual threshold).

    Args:
        waist_cm: Waist circumference in centimetres.
        height_cm: Height in centimetres.

    Returns:
        ratio rounded to 3 decimals and risk ('low', 'increased' from 0.5, 'high' from 0.6).
    """
    ratio = round(_pos("waist_cm", waist_cm, 30, 250) / _pos("height_cm", height_cm, 50, 260), 3)
    risk = "low" if ratio < 0.5 else ("increased" if ratio < 0.6 else "high")
    return {"ratio": ratio, "risk": risk}


def macronutrient_calories(grams: dict[str, float]) -> dict[str, Any]:
    """Compute the calories of a meal from its macronutrient grams and the share of each.

    Args:
        grams: Grams per macronutrient; keys among protein, carbohydrate, fat, alcohol, fiber
            (4, 4, 9, 7 and 2 kcal per gram).

    Returns:
        total_kcal, kcal per macronutrient and percent of calories per macronutrient (1 decimal).
    """
    per_gram = {"protein": 4, "carbohydrate": 4, "fat": 9, "alcohol": 7, "fiber": 2}
    if not grams:
        raise ValueError("grams must not be empty")
    unknown = set(grams) - set(per_gram)
    if unknown:
        raise ValueError(f"unknown macronutrients {sorted(unknown)}; use {list(per_gram)}")
    kcal = {k: _pos(f"grams[{k}]", v, 0, 10000) * per_gram[k] for k, v in grams.items()}
    total = sum(kcal.values())
    if total == 0:
        raise ValueError("the meal has no calories")
    return {
        "total_kcal": round(total, 1),
        "kcal": {k: round(v, 1) for k, v in kcal.items()},
        "percent": {k: round(v / total * 100, 1) for k, v in kcal.items()},
    }


EXAMPLES: dict[str, list[tuple[dict[str, Any], Any]]] = {
    "calculate_bmi": [
        ({"weight_kg": 75, "height_m": 1.8}, {"bmi": 23.1, "category": "normal"}),
        ({"weight_kg": 95, "height_m": 1.75}, {"bmi": 31.0, "category": "obese"}),
    ],
    "basal_metabolic_rate": [
        ({"weight_kg": 70, "height_cm": 175, "age": 30, "sex": "male"}, 1648.8),
        ({"weight_kg": 60, "height_cm": 165, "age": 25, "sex": "female"}, 1345.2),
    ],
    "daily_calorie_needs": [
        (
            {
                "weight_kg": 70,
                "height_cm": 175,
                "age": 30,
                "sex": "male",
                "activity_level": "moderate",
                "goal": "lose",
            },
            {"bmr": 1649, "maintenance_kcal": 2556, "target_kcal": 2056},
        ),
    ],
    "ideal_body_weight": [
        (
            {"height_cm": 180, "sex": "male"},
            {"devine_kg": 75.0, "healthy_min_kg": 59.9, "healthy_max_kg": 80.7},
        ),
    ],
    "heart_rate_zones": [
        (
            {"age": 40},
            {
                "max_heart_rate": 180,
                "zones": {
                    "zone_1": [90, 108],
                    "zone_2": [108, 126],
                    "zone_3": [126, 144],
                    "zone_4": [144, 162],
                    "zone_5": [162, 180],
                },
            },
        ),
    ],
    "body_fat_percentage": [
        ({"sex": "male", "height_cm": 180, "waist_cm": 85, "neck_cm": 38}, 16.1),
    ],
    "daily_water_intake": [
        ({"weight_kg": 70, "exercise_minutes": 30}, {"litres": 2.81, "glasses": 12}),
    ],
    "calories_burned": [
        ({"activity": "running", "weight_kg": 70, "duration_minutes": 30}, 343.0),
    ],
    "running_pace": [
        (
            {"distance_km": 10, "time_minutes": 50},
            {"pace_per_km": "5:00", "pace_per_mile": "8:03", "speed_kmh": 12.0},
        ),
    ],
    "one_rep_max": [
        ({"weight_lifted": 100, "repetitions": 5}, 116.7),
        ({"weight_lifted": 100, "repetitions": 5, "formula": "brzycki"}, 112.5),
    ],
    "waist_to_height_ratio": [
        ({"waist_cm": 80, "height_cm": 175}, {"ratio": 0.457, "risk": "low"})
    ],
    "macronutrient_calories": [
        (
            {"grams": {"protein": 30, "carbohydrate": 50, "fat": 20}},
            {
                "total_kcal": 500.0,
                "kcal": {"protein": 120.0, "carbohydrate": 200.0, "fat": 180.0},
                "percent": {"protein": 24.0, "carbohydrate": 40.0, "fat": 36.0},
            },
        ),
    ],
}
