"""Physics: mechanics, energy, electricity, waves and gravitation in SI units."""

from __future__ import annotations

import math
from typing import Any, Literal

CATEGORY = "physics"

G_EARTH = 9.80665  # standard gravity, m/s^2
GRAVITATIONAL_CONSTANT = 6.67430e-11  # m^3 kg^-1 s^-2
SPEED_OF_LIGHT = 299_792_458.0  # m/s
PLANCK = 6.62607015e-34  # J s
ELECTRON_VOLT = 1.602176634e-19  # J


def _num(name: str, value: float, *, positive: bool = False, non_negative: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise TypeError(f"{name} must be a finite number")
    if positive and value <= 0:
        raise ValueError(f"{name} must be positive")
    if non_negative and value < 0:
        raise ValueError(f"{name} must be non-negative")
    return float(value)


def kinetic_energy(mass_kg: float, velocity_m_s: float) -> float:
    """Compute the kinetic energy of a moving body, 1/2 m v^2.

    Args:
        mass_kg: Mass in kilograms.
        velocity_m_s: Speed in metres per second.

    Returns:
        Kinetic energy in joules, rounded to 6 decimals.
    """
    m = _num("mass_kg", mass_kg, positive=True)
    v = _num("velocity_m_s", velocity_m_s)
    return round(0.5 * m * v * v, 6)


def gravitational_potential_energy(
    mass_kg: float, height_m: float, gravity_m_s2: float = 9.80665
) -> float:
    """Compute the gravitational potential energy m g h of a raised mass.

    Args:
        mass_kg: Mass in kilograms.
        height_m: Height above the reference level in metres.
        gravity_m_s2: Gravitational acceleration in m/s^2 (Earth standard by default).

    Returns:
        Potential energy in joules, rounded to 6 decimals.
    """
    m = _num("mass_kg", mass_kg, positive=True)
    g = _num("gravity_m_s2", gravity_m_s2, positive=True)
    return round(m * g * _num("height_m", height_m), 6)


def projectile_motion(
    initial_speed_m_s: float, launch_angle_deg: float, gravity_m_s2: float = 9.80665
) -> dict[str, float]:
    """Compute range, peak height and flight time of a projectile launched from ground level.

    Args:
        initial_speed_m_s: Launch speed in m/s.
        launch_angle_deg: Launch angle above the horizontal in degrees (0 to 90).
        gravity_m_s2: Gravitational acceleration in m/s^2.

    Returns:
        range_m, max_height_m and flight_time_s, rounded to 4 decimals (air resistance ignored).
    """
    v = _num("initial_speed_m_s", initial_speed_m_s, positive=True)
    g = _num("gravity_m_s2", gravity_m_s2, positive=True)
    angle = _num("launch_angle_deg", launch_angle_deg)
    if not 0 <= angle <= 90:
        raise ValueError("launch_angle_deg must be between 0 and 90")
    th = math.radians(angle)
    return {
        "range_m": round(v * v * math.sin(2 * th) / g, 4),
        "max_height_m": round((v * math.sin(th)) ** 2 / (2 * g), 4),
        "flight_time_s": round(2 * v * math.sin(th) / g, 4),
    }


def free_fall(height_m: float, gravity_m_s2: float = 9.80665) -> dict[str, float]:
    """Compute how long an object dropped from rest takes to fall a height, and its impact speed.

    Args:
        height_m: Drop height in metres.
        gravity_m_s2: Gravitational acceleration in m/s^2.

    Returns:
        time_s and impact_speed_m_s, rounded to 4 decimals (no air resistance).
    """
    h = _num("height_m", height_m, positive=True)
    g = _num("gravity_m_s2", gravity_m_s2, positive=True)
    return {
        "time_s": round(math.sqrt(2 * h / g), 4),
        "impact_speed_m_s": round(math.sqrt(2 * g * h), 4),
    }


def ohms_law(
    voltage_v: float | None = None,
    current_a: float | None = None,
    resistance_ohm: float | None = None,
) -> dict[str, float]:
    """Solve Ohm's law V = I R for the missing quantity and the power dissipated.

    Args:
        voltage_v: Voltage in volts, if known.
        current_a: Current in amperes, if known.
        resistance_ohm: Resistance in ohms, if known.

    Returns:
        voltage_v, current_a, resistance_ohm and power_w, rounded to 6 decimals. Exactly two inputs
        must be given.
    """
    given = [v is not None for v in (voltage_v, current_a, resistance_ohm)]
    if sum(given) != 2:
        raise ValueError("give exactly two of voltage_v, current_a, resistance_ohm")
    if voltage_v is None:
        i, r = (
            _num("current_a", current_a),
            _num("resistance_ohm", resistance_ohm, positive=True),
        )
        v = i * r
    elif current_a is None:
        v, r = (
            _num("voltage_v", voltage_v),
            _num("resistance_ohm", resistance_ohm, positive=True),
        )
        i = v / r
    else:
        v, i = _num("voltage_v", voltage_v), _num("current_a", current_a)
        if i == 0:
            raise ValueError("current_a must be non-zero to compute resistance")
        r = v / i
    return {
        "voltage_v": round(v, 6),
        "current_a": round(i, 6),
        "resistance_ohm": round(r, 6),
        "power_w": round(v * i, 6),
    }


def combine_resistors(
    resistances_ohm: list[float], arrangement: Literal["series", "parallel"] = "series"
) -> float:
    """Compute the equivalent resistance of resistors wired in series or in parallel.

    Args:
        resistances_ohm: The resistances in ohms, all positive.
        arrangement: 'series' adds them; 'parallel' adds their reciprocals.

    Returns:
        The equivalent resistance in ohms, rounded to 6 decimals.
    """
    if not resistances_ohm:
        raise ValueError("resistances_ohm must not be empty")
    rs = [_num("resistances_ohm[]", r, positive=True) for r in resistances_ohm]
    if arrangement == "series":
        return round(sum(rs), 6)
    if arrangement == "parallel":
        return round(1 / sum(1 / r for r in rs), 6)
    raise ValueError("arrangement must be 'series' or 'parallel'")


def wave_properties(frequency_hz: float, wave_speed_m_s: float = 299792458.0) -> dict[str, float]:
    """Compute wavelength and period of a wave from its frequency and propagation speed.

    Args:
        frequency_hz: Frequency in hertz.
        wave_speed_m_s: Propagation speed in m/s (speed of light by default; about 343 for sound in
            air).

    Returns:
        wavelength_m and period_s (6 significant digits).
    """
    f = _num("frequency_hz", frequency_hz, positive=True)
    c = _num("wave_speed_m_s", wave_speed_m_s, positive=True)
    return {"wavelength_m": float(f"{c / f:.6g}"), "period_s": float(f"{1 / f:.6g}")}


def pendulum_period(length_m: float, gravity_m_s2: float = 9.80665) -> float:
    """Compute the small-angle period of a simple pendulum, 2 pi sqrt(L/g).

    Args:
        length_m: Length of the pendulum in metres.
        gravity_m_s2: Gravitational acceleration in m/s^2.

    Returns:
        The period in seconds, rounded to 4 decimals.
    """
    length = _num("length_m", length_m, positive=True)
    g = _num("gravity_m_s2", gravity_m_s2, positive=True)
    return round(2 * math.pi * math.sqrt(length / g), 4)


def photon_energy(wavelength_nm: float) -> dict[str, float]:
    """Compute the energy of a photon from its wavelength (E = h c / lambda).

    Args:
        wavelength_nm: Wavelength in nanometres.

    Returns:
        energy_j (6 significant digits) and energy_ev (rounded to 4 decimals).
    """
    lam = _num("wavelength_nm", wavelength_nm, positive=True) * 1e-9
    e = PLANCK * SPEED_OF_LIGHT / lam
    return {"energy_j": float(f"{e:.6g}"), "energy_ev": round(e / ELECTRON_VOLT, 4)}


def escape_velocity(mass_kg: float, radius_m: float) -> float:
    """Compute the escape velocity from the surface of a spherical body, sqrt(2 G M / r).

    Args:
        mass_kg: Mass of the body in kilograms (e.g. 5.972e24 for Earth).
        radius_m: Radius of the body in metres (e.g. 6.371e6 for Earth).

    Returns:
        Escape velocity in m/s, rounded to 2 decimals.
    """
    m = _num("mass_kg", mass_kg, positive=True)
    r = _num("radius_m", radius_m, positive=True)
    return round(math.sqrt(2 * GRAVITATIONAL_CONSTANT * m / r), 2)


def newtons_second_law(
    mass_kg: float | None = None,
    acceleration_m_s2: float | None = None,
    force_n: float | None = None,
) -> dict[str, float]:
    """Solve F = m a for whichever of force, mass or acceleration is missing.

    Args:
        mass_kg: Mass in kilograms, if known.
        acceleration_m_s2: Acceleration in m/s^2, if known.
        force_n: Net force in newtons, if known.

    Returns:
        mass_kg, acceleration_m_s2 and force_n, rounded to 6 decimals. Exactly two inputs must be
        given.
    """
    if sum(v is not None for v in (mass_kg, acceleration_m_s2, force_n)) != 2:
        raise ValueError("give exactly two of mass_kg, acceleration_m_s2, force_n")
    if force_n is None:
        m, a = (
            _num("mass_kg", mass_kg, positive=True),
            _num("acceleration_m_s2", acceleration_m_s2),
        )
        f = m * a
    elif mass_kg is None:
        f, a = _num("force_n", force_n), _num("acceleration_m_s2", acceleration_m_s2)
        if a == 0:
            raise ValueError("acceleration_m_s2 must be non-zero to compute mass")
        m = f / a
        if m <= 0:
            raise ValueError("force and acceleration must have the same sign")
    else:
        f, m = _num("force_n", force_n), _num("mass_kg", mass_kg, positive=True)
        a = f / m
    return {
        "mass_kg": round(m, 6),
        "acceleration_m_s2": round(a, 6),
        "force_n": round(f, 6),
    }


def average_speed(distance_m: float, time_s: float) -> dict[str, float]:
    """Compute the average speed from distance travelled and elapsed time.

    Args:
        distance_m: Distance in metres.
        time_s: Elapsed time in seconds.

    Returns:
        Speed in m/s and km/h, rounded to 4 decimals.
    """
    d = _num("distance_m", distance_m, non_negative=True)
    t = _num("time_s", time_s, positive=True)
    return {"m_per_s": round(d / t, 4), "km_per_h": round(d / t * 3.6, 4)}


EXAMPLES: dict[str, list[tuple[dict[str, Any], Any]]] = {
    "kinetic_energy": [({"mass_kg": 2, "velocity_m_s": 3}, 9.0)],
    "gravitational_potential_energy": [
        ({"mass_kg": 10, "height_m": 5}, 490.3325),
        ({"mass_kg": 1, "height_m": 2, "gravity_m_s2": 1.62}, 3.24),
    ],
    "projectile_motion": [
        (
            {"initial_speed_m_s": 20, "launch_angle_deg": 45, "gravity_m_s2": 10},
            {"range_m": 40.0, "max_height_m": 10.0, "flight_time_s": 2.8284},
        ),
    ],
    "free_fall": [
        (
            {"height_m": 20, "gravity_m_s2": 10},
            {"time_s": 2.0, "impact_speed_m_s": 20.0},
        )
    ],
    "ohms_law": [
        (
            {"voltage_v": 12, "resistance_ohm": 4},
            {
                "voltage_v": 12.0,
                "current_a": 3.0,
                "resistance_ohm": 4.0,
                "power_w": 36.0,
            },
        ),
        (
            {"current_a": 0.5, "resistance_ohm": 220},
            {
                "voltage_v": 110.0,
                "current_a": 0.5,
                "resistance_ohm": 220.0,
                "power_w": 55.0,
            },
        ),
    ],
    "combine_resistors": [
        ({"resistances_ohm": [100, 220, 330]}, 650.0),
        ({"resistances_ohm": [100, 100], "arrangement": "parallel"}, 50.0),
    ],
    "wave_properties": [
        (
            {"frequency_hz": 440, "wave_speed_m_s": 343},
            {"wavelength_m": 0.779545, "period_s": 0.00227273},
        ),
    ],
    "pendulum_period": [({"length_m": 1}, 2.0064)],
    "photon_energy": [({"wavelength_nm": 500}, {"energy_j": 3.97289e-19, "energy_ev": 2.4797})],
    "escape_velocity": [({"mass_kg": 5.972e24, "radius_m": 6.371e6}, 11185.98)],
    "newtons_second_law": [
        (
            {"mass_kg": 1200, "acceleration_m_s2": 2.5},
            {"mass_kg": 1200.0, "acceleration_m_s2": 2.5, "force_n": 3000.0},
        ),
        (
            {"force_n": 50, "acceleration_m_s2": 10},
            {"mass_kg": 5.0, "acceleration_m_s2": 10.0, "force_n": 50.0},
        ),
    ],
    "average_speed": [({"distance_m": 1000, "time_s": 100}, {"m_per_s": 10.0, "km_per_h": 36.0})],
}
