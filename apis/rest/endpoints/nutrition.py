"""Nutrition facts per food (per 100 g table) and meal totals."""

from __future__ import annotations

from typing import Any

from apis.rest.framework import ApiError, P, api, data, tool

T = tool(
    "food-nutrition",
    "Food Nutrition",
    "Food",
    "Calories and macronutrients of common foods, per portion or for a whole meal.",
)


def food(name: str) -> dict[str, Any]:
    key = name.strip().lower()
    for f in data("foods.json"):
        if f["name"] == key or f["name"] + "s" == key or f["name"] == key.rstrip("s"):
            return f
    raise ApiError(404, f"Food '{name}' not found")


def scaled(f: dict[str, Any], grams: float) -> dict[str, float]:
    return {k: round(v * grams / 100, 1) for k, v in f["per_100g"].items()}


@api(
    T,
    "Food Nutrition",
    "/food",
    "Calories, protein, fat, carbohydrate, fibre and sugar of a portion of a food.",
    P("name", "STRING", "Food name, e.g. banana, salmon, white rice", example="banana"),
    P("grams", "NUMBER", "Portion in grams (default 100)", required=False, default=100),
)
def food_nutrition(name: str, grams: float) -> dict[str, Any]:
    if not 0 < grams <= 10000:
        raise ApiError(400, "grams must be between 0 and 10000")
    f = food(name)
    return {"food": f["name"], "group": f["group"], "grams": grams, **scaled(f, grams)}


@api(
    T,
    "Meal Nutrition",
    "/meal",
    "Total nutrition of a meal given as 'food:grams' items separated by commas.",
    P(
        "items",
        "STRING",
        "Items like 'egg:100,bread:60,butter:10'",
        example="egg:100,bread:60,butter:10",
    ),
)
def meal(items: str) -> dict[str, Any]:
    total: dict[str, float] = {}
    parts = []
    for raw in items.split(","):
        name, sep, grams = raw.strip().rpartition(":")
        if not sep:
            raise ApiError(400, f"Item '{raw.strip()}' must look like food:grams")
        try:
            g = float(grams)
        except ValueError:
            raise ApiError(400, f"Grams of '{name}' must be a number") from None
        f = food(name)
        values = scaled(f, g)
        parts.append({"food": f["name"], "grams": g, "calories": values["calories"]})
        for k, v in values.items():
            total[k] = round(total.get(k, 0.0) + v, 1)
    return {"items": parts, "total": total}


@api(
    T,
    "Foods By Group",
    "/foods",
    "Foods of a group, sorted by a nutrient per 100 g (highest first).",
    P(
        "group",
        "ENUM",
        "Food group",
        example="fruit",
        choices=(
            "fruit",
            "vegetable",
            "grain",
            "meat",
            "fish",
            "dairy",
            "legume",
            "nut",
            "sweet",
            "fat",
            "herb",
        ),
    ),
    P(
        "sort_by",
        "ENUM",
        "Nutrient to sort by",
        required=False,
        default="calories",
        choices=("calories", "protein_g", "fat_g", "carbs_g", "fiber_g", "sugar_g"),
    ),
)
def foods_by_group(group: str, sort_by: str) -> dict[str, Any]:
    rows = [f for f in data("foods.json") if f["group"] == group]
    rows.sort(key=lambda f: (-f["per_100g"][sort_by], f["name"]))
    return {
        "group": group,
        "sort_by": sort_by,
        "foods": [{"name": f["name"], sort_by: f["per_100g"][sort_by]} for f in rows],
    }


@api(
    T,
    "Compare Foods",
    "/compare",
    "Compare two foods per 100 g: each nutrient side by side with the difference.",
    P("food_a", "STRING", "First food", example="brown rice"),
    P("food_b", "STRING", "Second food", example="quinoa"),
)
def compare(food_a: str, food_b: str) -> dict[str, Any]:
    a, b = food(food_a), food(food_b)
    return {
        "food_a": a["name"],
        "food_b": b["name"],
        "per_100g": {
            k: {
                "a": a["per_100g"][k],
                "b": b["per_100g"][k],
                "difference": round(a["per_100g"][k] - b["per_100g"][k], 1),
            }
            for k in a["per_100g"]
        },
    }
