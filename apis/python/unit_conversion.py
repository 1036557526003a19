"""Unit conversion: length, mass, temperature, volume, speed, area, energy, pressure, data, time."""

from __future__ import annotations

import math
from typing import Any, Literal

CATEGORY = "unit_conversion"

# Each table maps a unit to its size in the table's base unit (exact definitions where
# they exist, e.g. 1 in = 0.0254 m, 1 lb = 0.45359237 kg).
_LENGTH_M = {
    "mm": 0.001, "cm": 0.01, "m": 1.0, "km": 1000.0,
    "in": 0.0254, "ft": 0.3048, "yd": 0.9144, "mi": 1609.344, "nmi": 1852.0,
}  # fmt: skip
_MASS_KG = {
    "mg": 1e-6, "g": 0.001, "kg": 1.0, "t": 1000.0,
    "oz": 0.028349523125, "lb": 0.45359237, "st": 6.35029318,
}  # fmt: skip
_VOLUME_L = {
    "ml": 0.001, "l": 1.0, "m3": 1000.0, "tsp": 0.00492892159375, "tbsp": 0.01478676478125,
    "cup": 0.2365882365, "pt": 0.473176473, "qt": 0.946352946, "gal": 3.785411784,
    "fl_oz": 0.0295735295625,
}  # fmt: skip
_SPEED_MS = {
    "m_s": 1.0,
    "km_h": 1 / 3.6,
    "mph": 0.44704,
    "knot": 1852 / 3600,
    "ft_s": 0.3048,
}
_AREA_M2 = {
    "mm2": 1e-6, "cm2": 1e-4, "m2": 1.0, "km2": 1e6, "ha": 1e4,
    "acre": 4046.8564224, "ft2": 0.09290304, "in2": 0.00064516, "mi2": 2589988.110336,
}  # fmt: skip
_ENERGY_J = {
    "j": 1.0, "kj": 1000.0, "cal": 4.184, "kcal": 4184.0, "wh": 3600.0, "kwh": 3.6e6,
    "btu": 1055.05585262, "ev": 1.602176634e-19,
}  # fmt: skip
_PRESSURE_PA = {
    "pa": 1.0, "kpa": 1000.0, "bar": 1e5, "atm": 101325.0, "psi": 6894.757293168,
    "mmhg": 133.322387415,
}  # fmt: skip
_DATA_B = {
    "bit": 0.125, "b": 1.0, "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
    "kib": 1024.0, "mib": 1024.0**2, "gib": 1024.0**3, "tib": 1024.0**4,
}  # fmt: skip
_TIME_S = {
    "ms": 0.001, "s": 1.0, "min": 60.0, "h": 3600.0, "day": 86400.0, "week": 604800.0,
    "year": 31557600.0,
}  # fmt: skip


def _convert(
    table: dict[str, float], kind: str, value: float, from_unit: str, to_unit: str
) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise TypeError("value must be a finite number")
    for unit in (from_unit, to_unit):
        if unit not in table:
            raise ValueError(f"unknown {kind} unit {unit!r}; expected one of {list(table)}")
    return float(f"{value * table[from_unit] / table[to_unit]:.10g}")


LengthUnit = Literal["mm", "cm", "m", "km", "in", "ft", "yd", "mi", "nmi"]
MassUnit = Literal["mg", "g", "kg", "t", "oz", "lb", "st"]
VolumeUnit = Literal["ml", "l", "m3", "tsp", "tbsp", "cup", "pt", "qt", "gal", "fl_oz"]
SpeedUnit = Literal["m_s", "km_h", "mph", "knot", "ft_s"]
AreaUnit = Literal["mm2", "cm2", "m2", "km2", "ha", "acre", "ft2", "in2", "mi2"]
EnergyUnit = Literal["j", "kj", "cal", "kcal", "wh", "kwh", "btu", "ev"]
PressureUnit = Literal["pa", "kpa", "bar", "atm", "psi", "mmhg"]
DataUnit = Literal["bit", "b", "kb", "mb", "gb", "tb", "kib", "mib", "gib", "tib"]
TimeUnit = Literal["ms", "s", "min", "h", "day", "week", "year"]


def convert_length(value: float, from_unit: LengthUnit, to_unit: LengthUnit) -> float:
    """Convert a length between metric and imperial units.

    Args:
        value: The length to convert.
        from_unit: Unit of value (mm, cm, m, km, in, ft, yd, mi, nmi for nautical miles).
        to_unit: Unit to convert into.

    Returns:
        The converted length (10 significant digits).
    """
    return _convert(_LENGTH_M, "length", value, from_unit, to_unit)


def convert_mass(value: float, from_unit: MassUnit, to_unit: MassUnit) -> float:
    """Convert a mass or weight between metric and imperial units.

    Args:
        value: The mass to convert.
        from_unit: Unit of value (mg, g, kg, t for metric tonnes, oz, lb, st for stones).
        to_unit: Unit to convert into.

    Returns:
        The converted mass (10 significant digits).
    """
    return _convert(_MASS_KG, "mass", value, from_unit, to_unit)


def convert_temperature(
    value: float,
    from_unit: Literal["celsius", "fahrenheit", "kelvin"],
    to_unit: Literal["celsius", "fahrenheit", "kelvin"],
) -> float:
    """Convert a temperature between Celsius, Fahrenheit and Kelvin.

    Args:
        value: The temperature to convert.
        from_unit: Scale of value.
        to_unit: Scale to convert into.

    Returns:
        The converted temperature, rounded to 4 decimals.
    """
    to_k = {
        "celsius": lambda v: v + 273.15,
        "fahrenheit": lambda v: (v - 32) * 5 / 9 + 273.15,
        "kelvin": lambda v: v,
    }
    from_k = {
        "celsius": lambda k: k - 273.15,
        "fahrenheit": lambda k: (k - 273.15) * 9 / 5 + 32,
        "kelvin": lambda k: k,
    }
    if from_unit not in to_k or to_unit not in to_k:
        raise ValueError("units must be 'celsius', 'fahrenheit' or 'kelvin'")
    kelvin = to_k[from_unit](value)
    if kelvin < -1e-9:
        raise ValueError("temperature is below absolute zero")
    return round(from_k[to_unit](kelvin), 4)


def convert_volume(value: float, from_unit: VolumeUnit, to_unit: VolumeUnit) -> float:
    """Convert a volume between metric and US customary units.

    Args:
        value: The volume to convert.
        from_unit: Unit of value (ml, l, m3, tsp, tbsp, cup, pt, qt, gal, fl_oz; US measures).
        to_unit: Unit to convert into.

    Returns:
        The converted volume (10 significant digits).
    """
    return _convert(_VOLUME_L, "volume", value, from_unit, to_unit)


def convert_speed(value: float, from_unit: SpeedUnit, to_unit: SpeedUnit) -> float:
    """Convert a speed between m/s, km/h, mph, knots and ft/s.

    Args:
        value: The speed to convert.
        from_unit: Unit of value (m_s, km_h, mph, knot, ft_s).
        to_unit: Unit to convert into.

    Returns:
        The converted speed (10 significant digits).
    """
    return _convert(_SPEED_MS, "speed", value, from_unit, to_unit)


def convert_area(value: float, from_unit: AreaUnit, to_unit: AreaUnit) -> float:
    """Convert an area between metric and imperial units, hectares and acres.

    Args:
        value: The area to convert.
        from_unit: Unit of value (mm2, cm2, m2, km2, ha, acre, ft2, in2, mi2).
        to_unit: Unit to convert into.

    Returns:
        The converted area (10 significant digits).
    """
    return _convert(_AREA_M2, "area", value, from_unit, to_unit)


def convert_energy(value: float, from_unit: EnergyUnit, to_unit: EnergyUnit) -> float:
    """Convert energy between joules, calories, watt-hours, BTU and electronvolts.

    Args:
        value: The energy to convert.
        from_unit: Unit of value (j, kj, cal, kcal, wh, kwh, btu, ev).
        to_unit: Unit to convert into.

    Returns:
        The converted energy (10 significant digits).
    """
    return _convert(_ENERGY_J, "energy", value, from_unit, to_unit)


def convert_pressure(value: float, from_unit: PressureUnit, to_unit: PressureUnit) -> float:
    """Convert a pressure between pascals, bar, atmospheres, psi and mmHg.

    Args:
        value: The pressure to convert.
        from_unit: Unit of value (pa, kpa, bar, atm, psi, mmhg).
        to_unit: Unit to convert into.

    Returns:
        The converted pressure (10 significant digits).
    """
    return _convert(_PRESSURE_PA, "pressure", value, from_unit, to_unit)


def convert_data_size(value: float, from_unit: DataUnit, to_unit: DataUnit) -> float:
    """Convert a digital storage size between bits, decimal (kB, MB) and binary (KiB, MiB) units.

    Args:
        value: The size to convert.
        from_unit: Unit of value (bit, b for bytes, kb, mb, gb, tb, kib, mib, gib, tib).
        to_unit: Unit to convert into.

    Returns:
        The converted size (10 significant digits).
    """
    return _convert(_DATA_B, "data size", value, from_unit, to_unit)


def convert_time_duration(value: float, from_unit: TimeUnit, to_unit: TimeUnit) -> float:
    """Convert a duration between milliseconds, seconds, minutes, hours, days, weeks and years.

    Args:
        value: The duration to convert.
        from_unit: Unit of value (ms, s, min, h, day, week, year of 365.25 days).
        to_unit: Unit to convert into.

    Returns:
        The converted duration (10 significant digits).
    """
    return _convert(_TIME_S, "time", value, from_unit, to_unit)


def convert_fuel_economy(
    value: float,
    from_unit: Literal["mpg_us", "mpg_uk", "l_per_100km", "km_per_l"],
    to_unit: Literal["mpg_us", "mpg_uk", "l_per_100km", "km_per_l"],
) -> float:
    """Convert fuel economy between miles per gallon (US or UK), litres per 100 km and km per litre.

    Args:
        value: The fuel economy figure (positive).
        from_unit: Unit of value.
        to_unit: Unit to convert into.

    Returns:
        The converted figure, rounded to 4 decimals.
    """
    if value <= 0:
        raise ValueError("value must be positive")
    km_per_l = {
        "mpg_us": lambda v: v * 1.609344 / 3.785411784,
        "mpg_uk": lambda v: v * 1.609344 / 4.54609,
        "l_per_100km": lambda v: 100 / v,
        "km_per_l": lambda v: v,
    }
    if from_unit not in km_per_l or to_unit not in km_per_l:
        raise ValueError(f"units must be one of {list(km_per_l)}")
    k = km_per_l[from_unit](value)
    back = {
        "mpg_us": k * 3.785411784 / 1.609344,
        "mpg_uk": k * 4.54609 / 1.609344,
        "l_per_100km": 100 / k,
        "km_per_l": k,
    }
    return round(back[to_unit], 4)


EXAMPLES: dict[str, list[tuple[dict[str, Any], Any]]] = {
    "convert_length": [
        ({"value": 5, "from_unit": "km", "to_unit": "mi"}, 3.106855961),
        ({"value": 12, "from_unit": "in", "to_unit": "cm"}, 30.48),
    ],
    "convert_mass": [({"value": 10, "from_unit": "lb", "to_unit": "kg"}, 4.5359237)],
    "convert_temperature": [
        ({"value": 100, "from_unit": "celsius", "to_unit": "fahrenheit"}, 212.0),
        ({"value": 98.6, "from_unit": "fahrenheit", "to_unit": "celsius"}, 37.0),
        ({"value": 0, "from_unit": "kelvin", "to_unit": "celsius"}, -273.15),
    ],
    "convert_volume": [({"value": 2, "from_unit": "gal", "to_unit": "l"}, 7.570823568)],
    "convert_speed": [({"value": 100, "from_unit": "km_h", "to_unit": "mph"}, 62.13711922)],
    "convert_area": [({"value": 1, "from_unit": "ha", "to_unit": "acre"}, 2.471053815)],
    "convert_energy": [({"value": 1, "from_unit": "kwh", "to_unit": "kcal"}, 860.4206501)],
    "convert_pressure": [({"value": 1, "from_unit": "atm", "to_unit": "psi"}, 14.69594878)],
    "convert_data_size": [({"value": 1, "from_unit": "gib", "to_unit": "mb"}, 1073.741824)],
    "convert_time_duration": [({"value": 3, "from_unit": "day", "to_unit": "h"}, 72.0)],
    "convert_fuel_economy": [
        ({"value": 30, "from_unit": "mpg_us", "to_unit": "l_per_100km"}, 7.8405),
    ],
}
