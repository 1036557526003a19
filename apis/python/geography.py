"""Geography: great-circle distances, bearings, coordinates, airports and country facts."""

from __future__ import annotations

import math
from typing import Any, Literal

CATEGORY = "geography"

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)

# Fixed reference table: IATA code -> (name, city, country code, latitude, longitude).
_AIRPORTS: dict[str, tuple[str, str, str, float, float]] = {
    "JFK": (
        "John F. Kennedy International Airport",
        "New York",
        "US",
        40.6413,
        -73.7781,
    ),
    "LAX": (
        "Los Angeles International Airport",
        "Los Angeles",
        "US",
        33.9416,
        -118.4085,
    ),
    "ORD": ("O'Hare International Airport", "Chicago", "US", 41.9742, -87.9073),
    "SFO": (
        "San Francisco International Airport",
        "San Francisco",
        "US",
        37.6213,
        -122.3790,
    ),
    "ATL": (
        "Hartsfield-Jackson Atlanta International Airport",
        "Atlanta",
        "US",
        33.6407,
        -84.4277,
    ),
    "YYZ": (
        "Toronto Pearson International Airport",
        "Toronto",
        "CA",
        43.6777,
        -79.6248,
    ),
    "MEX": (
        "Mexico City International Airport",
        "Mexico City",
        "MX",
        19.4361,
        -99.0719,
    ),
    "GRU": (
        "Sao Paulo/Guarulhos International Airport",
        "Sao Paulo",
        "BR",
        -23.4356,
        -46.4731,
    ),
    "LHR": ("London Heathrow Airport", "London", "GB", 51.4700, -0.4543),
    "CDG": ("Paris Charles de Gaulle Airport", "Paris", "FR", 49.0097, 2.5479),
    "FRA": ("Frankfurt Airport", "Frankfurt", "DE", 50.0379, 8.5622),
    "AMS": ("Amsterdam Airport Schiphol", "Amsterdam", "NL", 52.3105, 4.7683),
    "MAD": ("Adolfo Suarez Madrid-Barajas Airport", "Madrid", "ES", 40.4983, -3.5676),
    "FCO": ("Leonardo da Vinci-Fiumicino Airport", "Rome", "IT", 41.8003, 12.2389),
    "IST": ("Istanbul Airport", "Istanbul", "TR", 41.2753, 28.7519),
    "DXB": ("Dubai International Airport", "Dubai", "AE", 25.2532, 55.3657),
    "DEL": ("Indira Gandhi International Airport", "Delhi", "IN", 28.5562, 77.1000),
    "SIN": ("Singapore Changi Airport", "Singapore", "SG", 1.3644, 103.9915),
    "HND": ("Tokyo Haneda Airport", "Tokyo", "JP", 35.5494, 139.7798),
    "NRT": ("Narita International Airport", "Tokyo", "JP", 35.7720, 140.3929),
    "PEK": (
        "Beijing Capital International Airport",
        "Beijing",
        "CN",
        40.0799,
        116.6031,
    ),
    "HKG": ("Hong Kong International Airport", "Hong Kong", "HK", 22.3080, 113.9185),
    "ICN": ("Incheon International Airport", "Seoul", "KR", 37.4602, 126.4407),
    "SYD": ("Sydney Kingsford Smith Airport", "Sydney", "AU", -33.9399, 151.1753),
    "JNB": (
        "O. R. Tambo International Airport",
        "Johannesburg",
        "ZA",
        -26.1337,
        28.2420,
    ),
    "CAI": ("Cairo International Airport", "Cairo", "EG", 30.1219, 31.4056),
}

# Fixed reference table: ISO code -> (name, capital, continent, population in millions
# (approx. 2023), area in km^2, currency, calling code).
_COUNTRIES: dict[str, tuple[str, str, str, float, int, str, str]] = {
    "US": (
        "United States",
        "Washington, D.C.",
        "North America",
        334.9,
        9833520,
        "USD",
        "+1",
    ),
    "CA": ("Canada", "Ottawa", "North America", 40.1, 9984670, "CAD", "+1"),
    "MX": ("Mexico", "Mexico City", "North America", 128.5, 1964375, "MXN", "+52"),
    "BR": ("Brazil", "Brasilia", "South America", 216.4, 8515767, "BRL", "+55"),
    "AR": ("Argentina", "Buenos Aires", "South America", 46.7, 2780400, "ARS", "+54"),
    "GB": ("United Kingdom", "London", "Europe", 68.3, 242495, "GBP", "+44"),
    "FR": ("France", "Paris", "Europe", 68.2, 551695, "EUR", "+33"),
    "DE": ("Germany", "Berlin", "Europe", 84.5, 357592, "EUR", "+49"),
    "NL": ("Netherlands", "Amsterdam", "Europe", 17.9, 41850, "EUR", "+31"),
    "ES": ("Spain", "Madrid", "Europe", 48.4, 505990, "EUR", "+34"),
    "IT": ("Italy", "Rome", "Europe", 58.9, 301340, "EUR", "+39"),
    "TR": ("Turkey", "Ankara", "Asia", 85.3, 783562, "TRY", "+90"),
    "AE": ("United Arab Emirates", "Abu Dhabi", "Asia", 9.5, 83600, "AED", "+971"),
    "IN": ("India", "New Delhi", "Asia", 1428.6, 3287263, "INR", "+91"),
    "SG": ("Singapore", "Singapore", "Asia", 5.9, 734, "SGD", "+65"),
    "JP": ("Japan", "Tokyo", "Asia", 124.5, 377975, "JPY", "+81"),
    "CN": ("China", "Beijing", "Asia", 1410.7, 9596961, "CNY", "+86"),
    "HK": ("Hong Kong", "Hong Kong", "Asia", 7.5, 1110, "HKD", "+852"),
    "KR": ("South Korea", "Seoul", "Asia", 51.7, 100410, "KRW", "+82"),
    "AU": ("Australia", "Canberra", "Oceania", 26.6, 7692024, "AUD", "+61"),
    "NZ": ("New Zealand", "Wellington", "Oceania", 5.2, 268021, "NZD", "+64"),
    "ZA": ("South Africa", "Pretoria", "Africa", 60.4, 1221037, "ZAR", "+27"),
    "EG": ("Egypt", "Cairo", "Africa", 112.7, 1002450, "EGP", "+20"),
    "NG": ("Nigeria", "Abuja", "Africa", 223.8, 923768, "NGN", "+234"),
    "KE": ("Kenya", "Nairobi", "Africa", 55.1, 580367, "KES", "+254"),
}

_KM_PER = {"km": 1.0, "mi": 1.609344, "nmi": 1.852}


def _coord(lat: float, lon: float) -> tuple[float, float]:
    for name, v, lim in (("latitude", lat, 90), ("longitude", lon, 180)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise TypeError(f"{name} must be a finite number")
        if not -lim <= v <= lim:
            raise ValueError(f"{name} must be between -{lim} and {lim}")
    return float(lat), float(lon)


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _airport(code: str) -> tuple[str, str, str, float, float]:
    if not isinstance(code, str):
        raise TypeError("airport codes must be strings such as 'LHR'")
    key = code.strip().upper()
    if key not in _AIRPORTS:
        raise ValueError(f"unknown airport code {code!r}; known: {', '.join(sorted(_AIRPORTS))}")
    return _AIRPORTS[key]


def great_circle_distance(
    lat1: float,
    lon1: float,
    lat2: float,
    lon2: float,
    unit: Literal["km", "mi", "nmi"] = "km",
) -> float:
    """Compute the great-circle (haversine) distance between two coordinates.

    Args:
        lat1: Latitude of the first point in decimal degrees.
        lon1: Longitude of the first point in decimal degrees.
        lat2: Latitude of the second point in decimal degrees.
        lon2: Longitude of the second point in decimal degrees.
        unit: Distance unit: kilometres, statute miles or nautical miles.

    Returns:
        The distance, rounded to 2 decimals.
    """
    if unit not in _KM_PER:
        raise ValueError("unit must be km, mi or nmi")
    a, b = _coord(lat1, lon1), _coord(lat2, lon2)
    return round(_haversine_km(*a, *b) / _KM_PER[unit], 2)


def initial_bearing(lat1: float, lon1: float, lat2: float, lon2: float) -> dict[str, Any]:
    """Compute the initial compass bearing to follow from one coordinate to another.

    Args:
        lat1: Latitude of the start point in decimal degrees.
        lon1: Longitude of the start point in decimal degrees.
        lat2: Latitude of the destination in decimal degrees.
        lon2: Longitude of the destination in decimal degrees.

    Returns:
        bearing_deg (0-360, clockwise from north, rounded to 2 decimals) and the 16-point compass
        direction.
    """
    (la1, lo1), (la2, lo2) = _coord(lat1, lon1), _coord(lat2, lon2)
    p1, p2, dl = math.radians(la1), math.radians(la2), math.radians(lo2 - lo1)
    x = math.sin(dl) * math.cos(p2)
    y = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    bearing = (math.degrees(math.atan2(x, y)) + 360) % 360
    points = [
        "N",
        "NNE",
        "NE",
        "ENE",
        "E",
        "ESE",
        "SE",
        "SSE",
        "S",
        "SSW",
        "SW",
        "WSW",
        "W",
        "WNW",
        "NW",
        "NNW",
    ]
    return {
        "bearing_deg": round(bearing, 2),
        "compass": points[round(bearing / 22.5) % 16],
    }


def geographic_midpoint(lat1: float, lon1: float, lat2: float, lon2: float) -> dict[str, float]:
    """Find the midpoint of the great-circle path between two coordinates.

    Args:
        lat1: Latitude of the first point in decimal degrees.
        lon1: Longitude of the first point in decimal degrees.
        lat2: Latitude of the second point in decimal degrees.
        lon2: Longitude of the second point in decimal degrees.

    Returns:
        latitude and longitude of the midpoint, rounded to 4 decimals.
    """
    (la1, lo1), (la2, lo2) = _coord(lat1, lon1), _coord(lat2, lon2)
    p1, p2 = math.radians(la1), math.radians(la2)
    l1, dl = math.radians(lo1), math.radians(lo2 - lo1)
    bx, by = math.cos(p2) * math.cos(dl), math.cos(p2) * math.sin(dl)
    lat = math.atan2(math.sin(p1) + math.sin(p2), math.hypot(math.cos(p1) + bx, by))
    lon = l1 + math.atan2(by, math.cos(p1) + bx)
    lon_deg = (math.degrees(lon) + 540) % 360 - 180
    return {"latitude": round(math.degrees(lat), 4), "longitude": round(lon_deg, 4)}


def decimal_to_dms(latitude: float, longitude: float) -> dict[str, str]:
    """Write decimal-degree coordinates as degrees, minutes and seconds with hemisphere letters.

    Args:
        latitude: Latitude in decimal degrees.
        longitude: Longitude in decimal degrees.

    Returns:
        latitude and longitude strings such as 40°41'21.4"N.
    """
    lat, lon = _coord(latitude, longitude)

    def fmt(value: float, pos: str, neg: str) -> str:
        total = round(abs(value) * 3600, 1)
        d, rest = divmod(total, 3600)
        m, s = divmod(rest, 60)
        return f"{int(d)}°{int(m)}'{s:.1f}\"{pos if value >= 0 else neg}"

    return {"latitude": fmt(lat, "N", "S"), "longitude": fmt(lon, "E", "W")}


def dms_to_decimal(
    degrees: int, minutes: int, seconds: float, hemisphere: Literal["N", "S", "E", "W"]
) -> float:
    """Convert a coordinate in degrees, minutes and seconds to decimal degrees.

    Args:
        degrees: Whole degrees (0-180).
        minutes: Minutes of arc (0-59).
        seconds: Seconds of arc (0 to below 60).
        hemisphere: N or S for latitude, E or W for longitude; S and W give negative values.

    Returns:
        The coordinate in decimal degrees, rounded to 6 decimals.
    """
    if hemisphere not in ("N", "S", "E", "W"):
        raise ValueError("hemisphere must be N, S, E or W")
    limit = 90 if hemisphere in ("N", "S") else 180
    if not 0 <= degrees <= limit or not 0 <= minutes < 60 or not 0 <= seconds < 60:
        raise ValueError("degrees, minutes or seconds out of range")
    value = degrees + minutes / 60 + seconds / 3600
    if value > limit:
        raise ValueError(f"coordinate exceeds {limit} degrees")
    return round(-value if hemisphere in ("S", "W") else value, 6)


def airport_details(iata_code: str) -> dict[str, Any]:
    """Look up a major international airport by its IATA code.

    Args:
        iata_code: Three-letter IATA airport code, e.g. 'LHR' (case-insensitive).

    Returns:
        code, name, city, country, latitude and longitude.
    """
    name, city, country, lat, lon = _airport(iata_code)
    return {
        "code": iata_code.strip().upper(),
        "name": name,
        "city": city,
        "country": country,
        "latitude": lat,
        "longitude": lon,
    }


def airport_distance(
    origin: str, destination: str, unit: Literal["km", "mi", "nmi"] = "km"
) -> dict[str, Any]:
    """Compute the great-circle distance between two airports.

    Args:
        origin: IATA code of the departure airport, e.g. 'JFK'.
        destination: IATA code of the arrival airport, e.g. 'LHR'.
        unit: Distance unit: kilometres, statute miles or nautical miles.

    Returns:
        origin, destination, distance (rounded to 1 decimal) and unit.
    """
    if unit not in _KM_PER:
        raise ValueError("unit must be km, mi or nmi")
    a, b = _airport(origin), _airport(destination)
    km = _haversine_km(a[3], a[4], b[3], b[4])
    return {
        "origin": origin.strip().upper(),
        "destination": destination.strip().upper(),
        "distance": round(km / _KM_PER[unit], 1),
        "unit": unit,
    }


def country_facts(country_code: str) -> dict[str, Any]:
    """Look up basic facts about a country by its ISO 3166 alpha-2 code.

    Args:
        country_code: Two-letter country code, e.g. 'JP' (case-insensitive).

    Returns:
        name, capital, continent, population_millions, area_km2, currency, calling_code and
        population density per km^2.
    """
    if not isinstance(country_code, str):
        raise TypeError("country_code must be a string such as 'JP'")
    key = country_code.strip().upper()
    if key not in _COUNTRIES:
        raise ValueError(
            f"unknown country code {country_code!r}; known: {', '.join(sorted(_COUNTRIES))}"
        )
    name, capital, continent, pop, area, currency, calling = _COUNTRIES[key]
    return {
        "code": key,
        "name": name,
        "capital": capital,
        "continent": continent,
        "population_millions": pop,
        "area_km2": area,
        "currency": currency,
        "calling_code": calling,
        "density_per_km2": round(pop * 1e6 / area, 1),
    }


def countries_by_continent(
    continent: Literal["Africa", "Asia", "Europe", "North America", "South America", "Oceania"],
    sort_by: Literal["name", "population", "area"] = "name",
) -> list[str]:
    """List the countries of the reference table on a continent.

    Args:
        continent: The continent.
        sort_by: Order by name (A-Z), population or area (largest first).

    Returns:
        Country names in the requested order.
    """
    rows = [v for v in _COUNTRIES.values() if v[2] == continent]
    if not rows:
        raise ValueError(
            "continent must be Africa, Asia, Europe, North America, South America or Oceania"
        )
    keys = {
        "name": lambda r: r[0],
        "population": lambda r: -r[3],
        "area": lambda r: -r[4],
    }
    if sort_by not in keys:
        raise ValueError("sort_by must be name, population or area")
    return [r[0] for r in sorted(rows, key=keys[sort_by])]


def nearest_airport(latitude: float, longitude: float) -> dict[str, Any]:
    """Find the airport of the reference table closest to a coordinate.

    Args:
        latitude: Latitude in decimal degrees.
        longitude: Longitude in decimal degrees.

    Returns:
        code, name, city and distance_km of the nearest airport.
    """
    lat, lon = _coord(latitude, longitude)
    code = min(
        _AIRPORTS,
        key=lambda c: _haversine_km(lat, lon, _AIRPORTS[c][3], _AIRPORTS[c][4]),
    )
    name, city, _, alat, alon = _AIRPORTS[code]
    return {
        "code": code,
        "name": name,
        "city": city,
        "distance_km": round(_haversine_km(lat, lon, alat, alon), 1),
    }


EXAMPLES: dict[str, list[tuple[dict[str, Any], Any]]] = {
    "great_circle_distance": [
        ({"lat1": 48.8566, "lon1": 2.3522, "lat2": 51.5074, "lon2": -0.1278}, 343.56),
        ({"lat1": 0, "lon1": 0, "lat2": 0, "lon2": 1, "unit": "nmi"}, 60.04),
    ],
    "initial_bearing": [
        (
            {"lat1": 0, "lon1": 0, "lat2": 0, "lon2": 10},
            {"bearing_deg": 90.0, "compass": "E"},
        ),
        (
            {"lat1": 51.5074, "lon1": -0.1278, "lat2": 48.8566, "lon2": 2.3522},
            {"bearing_deg": 148.12, "compass": "SSE"},
        ),
    ],
    "geographic_midpoint": [
        (
            {"lat1": 0, "lon1": 0, "lat2": 0, "lon2": 90},
            {"latitude": 0.0, "longitude": 45.0},
        ),
    ],
    "decimal_to_dms": [
        (
            {"latitude": 40.6892, "longitude": -74.0445},
            {"latitude": "40°41'21.1\"N", "longitude": "74°2'40.2\"W"},
        ),
    ],
    "dms_to_decimal": [
        ({"degrees": 40, "minutes": 41, "seconds": 21.1, "hemisphere": "N"}, 40.689194)
    ],
    "airport_details": [
        (
            {"iata_code": "lhr"},
            {
                "code": "LHR",
                "name": "London Heathrow Airport",
                "city": "London",
                "country": "GB",
                "latitude": 51.47,
                "longitude": -0.4543,
            },
        ),
    ],
    "airport_distance": [
        (
            {"origin": "JFK", "destination": "LHR"},
            {"origin": "JFK", "destination": "LHR", "distance": 5540.0, "unit": "km"},
        ),
        (
            {"origin": "SFO", "destination": "LAX", "unit": "mi"},
            {"origin": "SFO", "destination": "LAX", "distance": 337.8, "unit": "mi"},
        ),
    ],
    "country_facts": [
        (
            {"country_code": "jp"},
            {
                "code": "JP",
                "name": "Japan",
                "capital": "Tokyo",
                "continent": "Asia",
                "population_millions": 124.5,
                "area_km2": 377975,
                "currency": "JPY",
                "calling_code": "+81",
                "density_per_km2": 329.4,
            },
        ),
    ],
    "countries_by_continent": [
        ({"continent": "Oceania"}, ["Australia", "New Zealand"]),
        (
            {"continent": "Africa", "sort_by": "population"},
            ["Nigeria", "Egypt", "South Africa", "Kenya"],
        ),
    ],
    "nearest_airport": [
        (
            {"latitude": 48.8566, "longitude": 2.3522},
            {
                "code": "CDG",
                "name": "Paris Charles de Gaulle Airport",
                "city": "Paris",
                "distance_km": 22.2,
            },
        ),
    ],
}
