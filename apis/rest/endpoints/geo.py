"""Countries: lookup, search, neighbours, distance between capitals (shipped table)."""

from __future__ import annotations

from typing import Any

from apis.rest.framework import ApiError, P, api, data, tool
from apis.rest.geo_math import haversine_km

T = tool(
    "geo-data",
    "Geo Data",
    "Data",
    "Facts about the countries of the world: capitals, regions, population, currencies.",
)

_CODE = P(
    "code",
    "STRING",
    "ISO 3166 alpha-2 or alpha-3 country code, e.g. FR or FRA",
    example="FR",
)


def country(code: str) -> dict[str, Any]:
    key = code.strip().upper()
    for c in data("countries.json"):
        if key in (c["code"], c["code3"]) or key == c["name"].upper():
            return c
    raise ApiError(404, f"Country '{code}' not found")


@api(
    T,
    "Get Country",
    "/countries/{code}",
    "Get the facts about one country by ISO code.",
    _CODE,
)
def get_country(code: str) -> dict[str, Any]:
    return country(code)


@api(
    T,
    "Search Countries",
    "/countries",
    "Search countries by name fragment and/or region; sorted by name.",
    P("name", "STRING", "Part of the country name", required=False),
    P(
        "region",
        "ENUM",
        "World region",
        required=False,
        choices=("Africa", "Americas", "Asia", "Europe", "Oceania"),
    ),
    P(
        "limit",
        "NUMBER",
        "Maximum number of results (1-50)",
        required=False,
        default=10,
        integer=True,
    ),
)
def search_countries(name: str | None, region: str | None, limit: int) -> dict[str, Any]:
    if not 1 <= limit <= 50:
        raise ApiError(400, "limit must be between 1 and 50")
    rows = [
        c
        for c in data("countries.json")
        if (name is None or name.lower() in c["name"].lower())
        and (region is None or c["region"] == region)
    ]
    rows.sort(key=lambda c: c["name"])
    return {
        "count": len(rows),
        "results": [
            {"code": c["code"], "name": c["name"], "capital": c["capital"]} for c in rows[:limit]
        ],
    }


@api(
    T,
    "Country Neighbours",
    "/neighbours",
    "List the countries sharing a land border.",
    _CODE,
)
def neighbours(code: str) -> dict[str, Any]:
    c = country(code)
    by3 = {x["code3"]: x for x in data("countries.json")}
    return {
        "country": c["name"],
        "borders": c["borders"],
        "known": [by3[b]["name"] for b in c["borders"] if b in by3],
    }


@api(
    T,
    "Capital Distance",
    "/distance",
    "Great-circle distance in kilometres between the capitals of two countries.",
    P("from_code", "STRING", "ISO code of the first country", example="FR"),
    P("to_code", "STRING", "ISO code of the second country", example="JP"),
)
def capital_distance(from_code: str, to_code: str) -> dict[str, Any]:
    a, b = country(from_code), country(to_code)
    km = haversine_km(a["capital_lat"], a["capital_lng"], b["capital_lat"], b["capital_lng"])
    return {"from": a["capital"], "to": b["capital"], "distance_km": round(km, 1)}


@api(
    T,
    "Population Density",
    "/density",
    "Population per square kilometre of a country.",
    _CODE,
)
def density(code: str) -> dict[str, Any]:
    c = country(code)
    return {
        "country": c["name"],
        "population": c["population"],
        "area_km2": c["area_km2"],
        "density_per_km2": round(c["population"] / c["area_km2"], 2),
    }
