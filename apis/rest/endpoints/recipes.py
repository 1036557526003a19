"""Recipes: search by ingredient or cuisine, details, scaling, nutrition per serving."""

from __future__ import annotations

from typing import Any

from apis.rest.endpoints.nutrition import food, scaled
from apis.rest.framework import ApiError, P, api, data, tool

T = tool(
    "recipe-book",
    "Recipe Book",
    "Food",
    "A small cookbook: find recipes, scale them and compute their nutrition.",
)


def recipe(recipe_id: str) -> dict[str, Any]:
    for r in data("recipes.json"):
        if r["id"] == recipe_id.strip().lower():
            return r
    raise ApiError(404, f"Recipe '{recipe_id}' not found")


@api(
    T,
    "Search Recipes",
    "/recipes",
    "Find recipes containing an ingredient and/or of a cuisine, optionally under a time limit.",
    P("ingredient", "STRING", "An ingredient the recipe must use", required=False),
    P("cuisine", "STRING", "Cuisine, e.g. italian, indian, mexican", required=False),
    P(
        "max_minutes",
        "NUMBER",
        "Maximum total time in minutes",
        required=False,
        integer=True,
    ),
)
def search(ingredient: str | None, cuisine: str | None, max_minutes: int | None) -> dict[str, Any]:
    rows = []
    for r in data("recipes.json"):
        if ingredient and not any(ingredient.lower() in i["food"] for i in r["ingredients"]):
            continue
        if cuisine and r["cuisine"] != cuisine.lower():
            continue
        if max_minutes is not None and r["minutes"] > max_minutes:
            continue
        rows.append(
            {
                "id": r["id"],
                "name": r["name"],
                "cuisine": r["cuisine"],
                "minutes": r["minutes"],
            }
        )
    return {"count": len(rows), "recipes": rows}


@api(
    T,
    "Recipe Details",
    "/recipes/{recipe_id}",
    "Ingredients, steps, servings and time of a recipe.",
    P("recipe_id", "STRING", "Recipe id, e.g. chicken-curry", example="chicken-curry"),
)
def details(recipe_id: str) -> dict[str, Any]:
    return recipe(recipe_id)


@api(
    T,
    "Scale Recipe",
    "/scale",
    "Ingredient quantities of a recipe scaled to a number of servings.",
    P("recipe_id", "STRING", "Recipe id", example="pancakes"),
    P("servings", "NUMBER", "Servings wanted (1-100)", example=6, integer=True),
)
def scale(recipe_id: str, servings: int) -> dict[str, Any]:
    if not 1 <= servings <= 100:
        raise ApiError(400, "servings must be between 1 and 100")
    r = recipe(recipe_id)
    k = servings / r["servings"]
    return {
        "id": r["id"],
        "servings": servings,
        "ingredients": [
            {"food": i["food"], "grams": round(i["grams"] * k, 1)} for i in r["ingredients"]
        ],
    }


@api(
    T,
    "Recipe Nutrition",
    "/nutrition",
    "Calories and macronutrients per serving of a recipe.",
    P("recipe_id", "STRING", "Recipe id", example="greek-salad"),
)
def nutrition(recipe_id: str) -> dict[str, Any]:
    r = recipe(recipe_id)
    total: dict[str, float] = {}
    for i in r["ingredients"]:
        for key, value in scaled(food(i["food"]), i["grams"]).items():
            total[key] = total.get(key, 0.0) + value
    return {
        "id": r["id"],
        "servings": r["servings"],
        "per_serving": {k: round(v / r["servings"], 1) for k, v in total.items()},
    }
