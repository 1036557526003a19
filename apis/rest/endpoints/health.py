"""Health and fitness formulas: BMI, BMR, heart-rate zones, water intake."""

from __future__ import annotations

from typing import Any

from apis.rest.framework import ApiError, P, api, tool

T = tool(
    "fitness-calculator",
    "Fitness Calculator",
    "Health_and_Fitness",
    "Standard fitness formulas (BMI, Mifflin-St Jeor BMR, Karvonen heart-rate zones).",
)


def _range(name: str, v: float, lo: float, hi: float) -> None:
    if not lo <= v <= hi:
        raise ApiError(400, f"{name} must be between {lo} and {hi}")


@api(
    T,
    "BMI",
    "/bmi",
    "Body-mass index and WHO category from weight (kg) and height (cm).",
    P("weight_kg", "NUMBER", "Weight in kilograms", example=70),
    P("height_cm", "NUMBER", "Height in centimetres", example=175),
)
def bmi(weight_kg: float, height_cm: float) -> dict[str, Any]:
    _range("weight_kg", weight_kg, 2, 500)
    _range("height_cm", height_cm, 40, 260)
    v = weight_kg / (height_cm / 100) ** 2
    cat = "underweight" if v < 18.5 else "normal" if v < 25 else "overweight" if v < 30 else "obese"
    return {"bmi": round(v, 1), "category": cat}


@api(
    T,
    "Daily Calories",
    "/calories",
    "Basal metabolic rate (Mifflin-St Jeor) and daily calories for an activity level.",
    P("weight_kg", "NUMBER", "Weight in kilograms", example=70),
    P("height_cm", "NUMBER", "Height in centimetres", example=175),
    P("age", "NUMBER", "Age in years", example=30, integer=True),
    P("sex", "ENUM", "Sex", example="female", choices=("female", "male")),
    P(
        "activity",
        "ENUM",
        "Activity level",
        required=False,
        default="moderate",
        choices=("sedentary", "light", "moderate", "active", "very_active"),
    ),
)
def calories(
    weight_kg: float, height_cm: float, age: int, sex: str, activity: str
) -> dict[str, Any]:
    _range("weight_kg", weight_kg, 2, 500)
    _range("height_cm", height_cm, 40, 260)
    _range("age", age, 1, 120)
    bmr = 10 * weight_kg + 6.25 * height_cm - 5 * age + (5 if sex == "male" else -161)
    factor = {
        "sedentary": 1.2,
        "light": 1.375,
        "moderate": 1.55,
        "active": 1.725,
        "very_active": 1.9,
    }[activity]
    return {
        "bmr": round(bmr),
        "activity": activity,
        "daily_calories": round(bmr * factor),
    }


@api(
    T,
    "Heart Rate Zones",
    "/heart-zones",
    "Training heart-rate zones (Karvonen) from age and resting heart rate.",
    P("age", "NUMBER", "Age in years", example=40, integer=True),
    P(
        "resting_hr",
        "NUMBER",
        "Resting heart rate (bpm)",
        required=False,
        default=60,
        integer=True,
    ),
)
def heart_zones(age: int, resting_hr: int) -> dict[str, Any]:
    _range("age", age, 5, 110)
    _range("resting_hr", resting_hr, 30, 120)
    hr_max = 220 - age
    reserve = hr_max - resting_hr
    zones = [(1, 0.5, 0.6), (2, 0.6, 0.7), (3, 0.7, 0.8), (4, 0.8, 0.9), (5, 0.9, 1.0)]
    return {
        "max_hr": hr_max,
        "zones": [
            {
                "zone": z,
                "low_bpm": round(resting_hr + lo * reserve),
                "high_bpm": round(resting_hr + hi * reserve),
            }
            for z, lo, hi in zones
        ],
    }
