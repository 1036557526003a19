"""Airports: lookup by code, search by city/country, distances, nearest to a point."""

from __future__ import annotations

from typing import Any

from apis.rest.framework import ApiError, P, api, data, tool
from apis.rest.geo_math import haversine_km

T = tool(
    "airport-info",
    "Airport Info",
    "Travel",
    "Major international airports: codes, locations, distances and flight-time estimates.",
)


def airport(code: str) -> dict[str, Any]:
    key = code.strip().upper()
    for a in data("airports.json"):
        if key in (a["iata"], a["icao"]):
            return a
    raise ApiError(404, f"Airport '{code}' not found")


@api(
    T,
    "Airport By Code",
    "/airports/{code}",
    "Details of an airport by IATA (3 letters) or ICAO (4 letters) code.",
    P("code", "STRING", "IATA or ICAO code", example="CDG"),
)
def by_code(code: str) -> dict[str, Any]:
    return airport(code)


@api(
    T,
    "Search Airports",
    "/search",
    "Airports in a city or a country (at least one of the two).",
    P("city", "STRING", "City name", required=False, example="London"),
    P("country", "STRING", "ISO country code", required=False, example="GB"),
)
def search(city: str | None, country: str | None) -> dict[str, Any]:
    if not city and not country:
        raise ApiError(400, "Give city or country")
    rows = [
        {
            "iata": a["iata"],
            "name": a["name"],
            "city": a["city"],
            "country": a["country"],
        }
        for a in data("airports.json")
        if (not city or a["city"].lower() == city.lower())
        and (not country or a["country"] == country.upper())
    ]
    return {"count": len(rows), "airports": rows}


@api(
    T,
    "Flight Distance",
    "/distance",
    "Great-circle distance between two airports and a rough flight time at 800 km/h + 30 min.",
    P("from_code", "STRING", "Departure airport code", example="JFK"),
    P("to_code", "STRING", "Arrival airport code", example="LHR"),
    P(
        "unit",
        "ENUM",
        "Distance unit",
        required=False,
        default="km",
        choices=("km", "mi", "nmi"),
    ),
)
def distance(from_code: str, to_code: str, unit: str) -> dict[str, Any]:
    a, b = airport(from_code), airport(to_code)
    km = haversine_km(a["lat"], a["lng"], b["lat"], b["lng"])
    factor = {"km": 1.0, "mi": 1 / 1.609344, "nmi": 1 / 1.852}[unit]
    return {
        "from": a["iata"],
        "to": b["iata"],
        "distance": round(km * factor, 1),
        "unit": unit,
        "estimated_minutes": round(km / 800 * 60 + 30),
    }


@api(
    T,
    "Nearest Airports",
    "/nearest",
    "The airports nearest to a latitude/longitude.",
    P("lat", "NUMBER", "Latitude (-90 to 90)", example=48.86),
    P("lng", "NUMBER", "Longitude (-180 to 180)", example=2.35),
    P("count", "NUMBER", "How many (1-10)", required=False, default=3, integer=True),
)
def nearest(lat: float, lng: float, count: int) -> dict[str, Any]:
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ApiError(400, "lat/lng out of range")
    if not 1 <= count <= 10:
        raise ApiError(400, "count must be between 1 and 10")
    rows = sorted(
        ((haversine_km(lat, lng, a["lat"], a["lng"]), a) for a in data("airports.json")),
        key=lambda x: (x[0], x[1]["iata"]),
    )[:count]
    return {
        "airports": [
            {"iata": a["iata"], "name": a["name"], "distance_km": round(d, 1)} for d, a in rows
        ]
    }
