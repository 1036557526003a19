"""Unit conversion over exact factor tables (length, mass, volume, speed, ...)."""

from __future__ import annotations

from typing import Any

from apis.rest.framework import ApiError, P, api, tool

T = tool(
    "unit-converter",
    "Unit Converter",
    "Tools",
    "Convert between units of length, mass, volume, area, speed, time, data and temperature.",
)

# Factors to the SI base of each dimension (exact where the definition is exact).
FACTORS: dict[str, dict[str, float]] = {
    "length": {
        "mm": 1e-3,
        "cm": 1e-2,
        "m": 1.0,
        "km": 1e3,
        "in": 0.0254,
        "ft": 0.3048,
        "yd": 0.9144,
        "mi": 1609.344,
        "nmi": 1852.0,
    },
    "mass": {
        "mg": 1e-6,
        "g": 1e-3,
        "kg": 1.0,
        "t": 1e3,
        "oz": 0.028349523125,
        "lb": 0.45359237,
        "st": 6.35029318,
    },
    "volume": {
        "ml": 1e-3,
        "cl": 1e-2,
        "l": 1.0,
        "m3": 1e3,
        "tsp": 0.00492892159375,
        "tbsp": 0.01478676478125,
        "cup": 0.2365882365,
        "floz": 0.0295735295625,
        "pt": 0.473176473,
        "gal": 3.785411784,
    },
    "area": {
        "cm2": 1e-4,
        "m2": 1.0,
        "ha": 1e4,
        "km2": 1e6,
        "ft2": 0.09290304,
        "acre": 4046.8564224,
        "mi2": 2589988.110336,
    },
    "speed": {"m/s": 1.0, "km/h": 1 / 3.6, "mph": 0.44704, "knot": 1852 / 3600},
    "time": {"s": 1.0, "min": 60.0, "h": 3600.0, "day": 86400.0, "week": 604800.0},
    "data": {
        "b": 1.0,
        "kb": 1e3,
        "mb": 1e6,
        "gb": 1e9,
        "tb": 1e12,
        "kib": 1024.0,
        "mib": 1024.0**2,
        "gib": 1024.0**3,
        "tib": 1024.0**4,
    },
}
TEMPS = ("c", "f", "k")


def dimension(unit: str) -> str:
    for dim, table in FACTORS.items():
        if unit in table:
            return dim
    if unit in TEMPS:
        return "temperature"
    raise ApiError(400, f"Unknown unit '{unit}'")


def _temp(value: float, src: str, dst: str) -> float:
    kelvin = {"c": value + 273.15, "f": (value - 32) * 5 / 9 + 273.15, "k": value}[src]
    if kelvin < 0:
        raise ApiError(400, "temperature below absolute zero")
    return {"c": kelvin - 273.15, "f": (kelvin - 273.15) * 9 / 5 + 32, "k": kelvin}[dst]


@api(
    T,
    "Convert Units",
    "/convert",
    "Convert a value between two units of the same dimension (e.g. km to mi, lb to kg, c to f).",
    P("value", "NUMBER", "The value to convert", example=10),
    P("from_unit", "STRING", "Source unit symbol, e.g. km, lb, cup, c", example="km"),
    P("to_unit", "STRING", "Target unit symbol, e.g. mi, kg, ml, f", example="mi"),
)
def convert(value: float, from_unit: str, to_unit: str) -> dict[str, Any]:
    src, dst = from_unit.lower(), to_unit.lower()
    dim_a, dim_b = dimension(src), dimension(dst)
    if dim_a != dim_b:
        raise ApiError(400, f"Cannot convert {dim_a} ({src}) to {dim_b} ({dst})")
    if dim_a == "temperature":
        out = _temp(value, src, dst)
    else:
        out = value * FACTORS[dim_a][src] / FACTORS[dim_a][dst]
    return {
        "value": value,
        "from": src,
        "to": dst,
        "dimension": dim_a,
        "result": float(f"{out:.10g}"),
    }


@api(
    T,
    "List Units",
    "/units",
    "The unit symbols supported for a dimension.",
    P(
        "dimension",
        "ENUM",
        "Physical dimension",
        example="length",
        choices=(*FACTORS, "temperature"),
    ),
)
def list_units(dimension: str) -> dict[str, Any]:
    units = list(TEMPS) if dimension == "temperature" else list(FACTORS[dimension])
    return {"dimension": dimension, "units": units}


@api(
    T,
    "Unit Dimension",
    "/dimension",
    "Which dimension a unit symbol measures, and its factor to the SI base unit.",
    P("unit", "STRING", "Unit symbol", example="gal"),
)
def unit_dimension(unit: str) -> dict[str, Any]:
    u = unit.lower()
    dim = dimension(u)
    factor = None if dim == "temperature" else FACTORS[dim][u]
    return {"unit": u, "dimension": dim, "factor_to_base": factor}
