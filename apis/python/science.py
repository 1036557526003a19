"""Science: astronomy, molecular biology, genetics, earth science and acoustics."""

from __future__ import annotations

import math
from typing import Any, Literal

CATEGORY = "science"

SPEED_OF_LIGHT_KM_S = 299_792.458
AU_KM = 149_597_870.7
LIGHT_YEAR_KM = 9_460_730_472_580.8

# Fixed reference table: planet -> (surface gravity m/s^2, mean distance from the Sun in AU,
# orbital period in Earth days, number of known moons, mean radius in km).
_PLANETS: dict[str, tuple[float, float, float, int, float]] = {
    "mercury": (3.70, 0.387, 87.97, 0, 2439.7),
    "venus": (8.87, 0.723, 224.70, 0, 6051.8),
    "earth": (9.81, 1.000, 365.26, 1, 6371.0),
    "mars": (3.72, 1.524, 686.98, 2, 3389.5),
    "jupiter": (24.79, 5.203, 4332.59, 95, 69911.0),
    "saturn": (10.44, 9.537, 10759.22, 146, 58232.0),
    "uranus": (8.69, 19.191, 30688.5, 28, 25362.0),
    "neptune": (11.15, 30.069, 60182.0, 16, 24622.0),
}
Planet = Literal["mercury", "venus", "earth", "mars", "jupiter", "saturn", "uranus", "neptune"]

_CODONS = {
    "UUU": "F", "UUC": "F", "UUA": "L", "UUG": "L", "CUU": "L", "CUC": "L", "CUA": "L", "CUG": "L",
    "AUU": "I", "AUC": "I", "AUA": "I", "AUG": "M", "GUU": "V", "GUC": "V", "GUA": "V", "GUG": "V",
    "UCU": "S", "UCC": "S", "UCA": "S", "UCG": "S", "CCU": "P", "CCC": "P", "CCA": "P", "CCG": "P",
    "ACU": "T", "ACC": "T", "ACA": "T", "ACG": "T", "GCU": "A", "GCC": "A", "GCA": "A", "GCG": "A",
    "UAU": "Y", "UAC": "Y", "UAA": "*", "UAG": "*", "CAU": "H", "CAC": "H", "CAA": "Q", "CAG": "Q",
    "AAU": "N", "AAC": "N", "AAA": "K", "AAG": "K", "GAU": "D", "GAC": "D", "GAA": "E", "GAG": "E",
    "UGU": "C", "UGC": "C", "UGA": "*", "UGG": "W", "CGU": "R", "CGC": "R", "CGA": "R", "CGG": "R",
    "AGU": "S", "AGC": "S", "AGA": "R", "AGG": "R", "GGU": "G", "GGC": "G", "GGA": "G", "GGG": "G",
}  # fmt: skip


def _dna(sequence: str) -> str:
    if not isinstance(sequence, str):
        raise TypeError("sequence must be a string")
    seq = "".join(sequence.split()).upper()
    if not seq or len(seq) > 100_000 or set(seq) - set("ACGT"):
        raise ValueError("sequence must be 1-100000 DNA bases (A, C, G, T)")
    return seq


def _planet(name: str) -> tuple[float, float, float, int, float]:
    key = name.strip().lower()
    if key not in _PLANETS:
        raise ValueError(f"planet must be one of {list(_PLANETS)}")
    return _PLANETS[key]


def planet_facts(planet: Planet) -> dict[str, Any]:
    """Look up physical and orbital facts about a planet of the Solar System.

    Args:
        planet: The planet's name in lowercase.

    Returns:
        surface_gravity_m_s2, distance_from_sun_au, orbital_period_days, moons and radius_km.
    """
    g, au, period, moons, radius = _planet(planet)
    return {
        "planet": planet.strip().lower(),
        "surface_gravity_m_s2": g,
        "distance_from_sun_au": au,
        "orbital_period_days": period,
        "moons": moons,
        "radius_km": radius,
    }


def weight_on_planet(earth_weight_kg: float, planet: Planet) -> dict[str, float]:
    """Compute what a body weighing a given amount on Earth would weigh on another planet.

    Args:
        earth_weight_kg: Bathroom-scale weight on Earth in kilograms.
        planet: The planet.

    Returns:
        equivalent_kg on the planet's scale and the force in newtons, rounded to 1 decimal.
    """
    if not 0 < earth_weight_kg <= 10000:
        raise ValueError("earth_weight_kg must be between 0 and 10000")
    g = _planet(planet)[0]
    return {
        "equivalent_kg": round(earth_weight_kg * g / 9.81, 1),
        "newtons": round(earth_weight_kg * g, 1),
    }


def light_travel_time(
    distance: float, unit: Literal["km", "au", "light_year"] = "km"
) -> dict[str, Any]:
    """Compute how long light takes to cover a distance.

    Args:
        distance: The distance (positive).
        unit: Unit of the distance: kilometres, astronomical units or light years.

    Returns:
        seconds (6 significant digits) and a readable duration.
    """
    km_per = {"km": 1.0, "au": AU_KM, "light_year": LIGHT_YEAR_KM}
    if unit not in km_per:
        raise ValueError("unit must be km, au or light_year")
    if not distance > 0:
        raise ValueError("distance must be positive")
    secs = distance * km_per[unit] / SPEED_OF_LIGHT_KM_S
    if secs < 60:
        text = f"{secs:.3f} seconds"
    elif secs < 86400:
        text = f"{secs / 60:.2f} minutes"
    elif secs < 86400 * 365.25:
        text = f"{secs / 86400:.2f} days"
    else:
        text = f"{secs / (86400 * 365.25):.2f} years"
    return {"seconds": float(f"{secs:.6g}"), "readable": text}


def dna_reverse_complement(sequence: str) -> str:
    """Compute the reverse complement of a DNA sequence (the opposite strand read 5' to 3').

    Args:
        sequence: DNA bases A, C, G, T (case-insensitive, whitespace ignored).

    Returns:
        The reverse complement in uppercase.
    """
    return _dna(sequence).translate(str.maketrans("ACGT", "TGCA"))[::-1]


def gc_content(sequence: str) -> dict[str, Any]:
    """Compute the GC content and base counts of a DNA sequence.

    Args:
        sequence: DNA bases A, C, G, T (case-insensitive, whitespace ignored).

    Returns:
        length, per-base counts and gc_percent rounded to 2 decimals.
    """
    seq = _dna(sequence)
    counts = {b: seq.count(b) for b in "ACGT"}
    return {
        "length": len(seq),
        "counts": counts,
        "gc_percent": round((counts["G"] + counts["C"]) / len(seq) * 100, 2),
    }


def translate_dna_to_protein(sequence: str, stop_at_stop_codon: bool = True) -> dict[str, Any]:
    """Transcribe a DNA coding sequence to mRNA and translate it into a protein (one-letter codes).

    Args:
        sequence: DNA coding strand, read from the first base in triplets.
        stop_at_stop_codon: End translation at the first stop codon; otherwise stops appear as '*'.

    Returns:
        mrna and protein strings and the number of codons read.
    """
    mrna = _dna(sequence).replace("T", "U")
    protein = []
    codons = 0
    for i in range(0, len(mrna) - 2, 3):
        aa = _CODONS[mrna[i : i + 3]]
        codons += 1
        if aa == "*" and stop_at_stop_codon:
            break
        protein.append(aa)
    return {"mrna": mrna, "protein": "".join(protein), "codons": codons}


def hardy_weinberg_frequencies(homozygous_recessive_frequency: float) -> dict[str, float]:
    """Derive allele and genotype frequencies under Hardy-Weinberg equilibrium from the share of
    recessive phenotypes.

    Args:
        homozygous_recessive_frequency: Fraction of the population showing the recessive trait
            (q^2), between 0 and 1.

    Returns:
        p, q, and the genotype frequencies homozygous_dominant (p^2), heterozygous (2pq) and
        homozygous_recessive (q^2), rounded to 4 decimals.
    """
    q2 = homozygous_recessive_frequency
    if not 0 <= q2 <= 1:
        raise ValueError("homozygous_recessive_frequency must be between 0 and 1")
    q = math.sqrt(q2)
    p = 1 - q
    return {
        "p": round(p, 4),
        "q": round(q, 4),
        "homozygous_dominant": round(p * p, 4),
        "heterozygous": round(2 * p * q, 4),
        "homozygous_recessive": round(q2, 4),
    }


def earthquake_energy(
    magnitude: float, compare_to_magnitude: float | None = None
) -> dict[str, Any]:
    """Estimate the seismic energy released by an earthquake of a given moment magnitude.

    Args:
        magnitude: Moment magnitude (Mw), from -2 to 10.
        compare_to_magnitude: Optional second magnitude to compare against.

    Returns:
        energy_joules (log10 E = 1.5 M + 4.8; 4 significant digits), tnt_tonnes, and when comparing
        energy_ratio.
    """
    if not -2 <= magnitude <= 10:
        raise ValueError("magnitude must be between -2 and 10")
    e = 10 ** (1.5 * magnitude + 4.8)
    out: dict[str, Any] = {
        "energy_joules": float(f"{e:.4g}"),
        "tnt_tonnes": float(f"{e / 4.184e9:.4g}"),
    }
    if compare_to_magnitude is not None:
        if not -2 <= compare_to_magnitude <= 10:
            raise ValueError("compare_to_magnitude must be between -2 and 10")
        out["energy_ratio"] = float(f"{10 ** (1.5 * (magnitude - compare_to_magnitude)):.4g}")
    return out


def sound_level_combination(levels_db: list[float]) -> float:
    """Combine several incoherent sound sources given in decibels into one total level.

    Args:
        levels_db: Sound pressure levels of the sources in dB.

    Returns:
        The combined level, 10 log10(sum 10^(L/10)), rounded to 2 decimals.
    """
    if not levels_db:
        raise ValueError("levels_db must not be empty")
    if any(not -50 <= v <= 250 for v in levels_db):
        raise ValueError("levels must be between -50 and 250 dB")
    return round(10 * math.log10(sum(10 ** (v / 10) for v in levels_db)), 2)


def dew_point(temperature_c: float, relative_humidity: float) -> dict[str, float]:
    """Compute the dew point from air temperature and relative humidity (Magnus formula).

    Args:
        temperature_c: Air temperature in degrees Celsius (-40 to 60).
        relative_humidity: Relative humidity in percent (1-100).

    Returns:
        dew_point_c and the heat-index-free comfort gap (temperature minus dew point), rounded to 2
        decimals.
    """
    if not -40 <= temperature_c <= 60 or not 1 <= relative_humidity <= 100:
        raise ValueError("temperature_c must be -40..60 and relative_humidity 1..100")
    a, b = 17.62, 243.12
    gamma = math.log(relative_humidity / 100) + a * temperature_c / (b + temperature_c)
    dp = b * gamma / (a - gamma)
    return {"dew_point_c": round(dp, 2), "spread_c": round(temperature_c - dp, 2)}


EXAMPLES: dict[str, list[tuple[dict[str, Any], Any]]] = {
    "planet_facts": [
        (
            {"planet": "mars"},
            {
                "planet": "mars",
                "surface_gravity_m_s2": 3.72,
                "distance_from_sun_au": 1.524,
                "orbital_period_days": 686.98,
                "moons": 2,
                "radius_km": 3389.5,
            },
        ),
    ],
    "weight_on_planet": [
        ({"earth_weight_kg": 70, "planet": "mars"}, {"equivalent_kg": 26.5, "newtons": 260.4})
    ],
    "light_travel_time": [
        ({"distance": 1, "unit": "au"}, {"seconds": 499.005, "readable": "8.32 minutes"}),
        ({"distance": 384400}, {"seconds": 1.28222, "readable": "1.282 seconds"}),
    ],
    "dna_reverse_complement": [({"sequence": "ATGCGT"}, "ACGCAT")],
    "gc_content": [
        (
            {"sequence": "ATGCGC"},
            {"length": 6, "counts": {"A": 1, "C": 2, "G": 2, "T": 1}, "gc_percent": 66.67},
        ),
    ],
    "translate_dna_to_protein": [
        (
            {"sequence": "ATGTTTGGCTAAGCC"},
            {"mrna": "AUGUUUGGCUAAGCC", "protein": "MFG", "codons": 4},
        ),
    ],
    "hardy_weinberg_frequencies": [
        (
            {"homozygous_recessive_frequency": 0.16},
            {
                "p": 0.6,
                "q": 0.4,
                "homozygous_dominant": 0.36,
                "heterozygous": 0.48,
                "homozygous_recessive": 0.16,
            },
        ),
    ],
    "earthquake_energy": [
        (
            {"magnitude": 6, "compare_to_magnitude": 5},
            {"energy_joules": 6.31e13, "tnt_tonnes": 1.508e4, "energy_ratio": 31.62},
        ),
    ],
    "sound_level_combination": [({"levels_db": [80, 80]}, 83.01), ({"levels_db": [90, 80]}, 90.41)],
    "dew_point": [
        ({"temperature_c": 25, "relative_humidity": 60}, {"dew_point_c": 16.69, "spread_c": 8.31})
    ],
}
