"""Chemistry: molar masses, stoichiometry, solutions, gases, acidity and radioactive decay."""

from __future__ import annotations

import math
import re
from typing import Any, Literal

CATEGORY = "chemistry"

GAS_CONSTANT = 8.314462618  # J / (mol K)
AVOGADRO = 6.02214076e23

# Fixed reference table: symbol -> (name, atomic number, standard atomic weight in g/mol).
_ELEMENTS: dict[str, tuple[str, int, float]] = {
    "H": ("Hydrogen", 1, 1.008),
    "He": ("Helium", 2, 4.0026),
    "Li": ("Lithium", 3, 6.94),
    "Be": ("Beryllium", 4, 9.0122),
    "B": ("Boron", 5, 10.81),
    "C": ("Carbon", 6, 12.011),
    "N": ("Nitrogen", 7, 14.007),
    "O": ("Oxygen", 8, 15.999),
    "F": ("Fluorine", 9, 18.998),
    "Ne": ("Neon", 10, 20.180),
    "Na": ("Sodium", 11, 22.990),
    "Mg": ("Magnesium", 12, 24.305),
    "Al": ("Aluminium", 13, 26.982),
    "Si": ("Silicon", 14, 28.085),
    "P": ("Phosphorus", 15, 30.974),
    "S": ("Sulfur", 16, 32.06),
    "Cl": ("Chlorine", 17, 35.45),
    "Ar": ("Argon", 18, 39.948),
    "K": ("Potassium", 19, 39.098),
    "Ca": ("Calcium", 20, 40.078),
    "Ti": ("Titanium", 22, 47.867),
    "Cr": ("Chromium", 24, 51.996),
    "Mn": ("Manganese", 25, 54.938),
    "Fe": ("Iron", 26, 55.845),
    "Co": ("Cobalt", 27, 58.933),
    "Ni": ("Nickel", 28, 58.693),
    "Cu": ("Copper", 29, 63.546),
    "Zn": ("Zinc", 30, 65.38),
    "Br": ("Bromine", 35, 79.904),
    "Ag": ("Silver", 47, 107.87),
    "Sn": ("Tin", 50, 118.71),
    "I": ("Iodine", 53, 126.90),
    "Pt": ("Platinum", 78, 195.08),
    "Au": ("Gold", 79, 196.97),
    "Hg": ("Mercury", 80, 200.59),
    "Pb": ("Lead", 82, 207.2),
    "U": ("Uranium", 92, 238.03),
}

_TOKEN = re.compile(r"([A-Z][a-z]?|\(|\)|\d+)")


def _parse_formula(formula: str) -> dict[str, int]:
    """Count atoms in a formula such as 'Ca(OH)2'; nested parentheses are allowed."""
    if not isinstance(formula, str):
        raise TypeError("formula must be a string such as 'H2O'")
    text = formula.strip()
    if not text or "".join(_TOKEN.findall(text)) != text:
        raise ValueError(f"invalid chemical formula {formula!r}")
    stack: list[dict[str, int]] = [{}]
    tokens = _TOKEN.findall(text)
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        i += 1
        if tok == "(":
            stack.append({})
            continue
        count = 1
        if i < len(tokens) and tokens[i].isdigit():
            count = int(tokens[i])
            i += 1
            if count == 0:
                raise ValueError(f"zero subscript in {formula!r}")
        if tok == ")":
            if len(stack) == 1:
                raise ValueError(f"unbalanced parentheses in {formula!r}")
            group = stack.pop()
            for el, n in group.items():
                stack[-1][el] = stack[-1].get(el, 0) + n * count
        elif tok.isdigit():
            raise ValueError(f"unexpected number in {formula!r}")
        elif tok not in _ELEMENTS:
            raise ValueError(f"unknown element symbol {tok!r}")
        else:
            stack[-1][tok] = stack[-1].get(tok, 0) + count
    if len(stack) != 1:
        raise ValueError(f"unbalanced parentheses in {formula!r}")
    return stack[0]


def _mass(atoms: dict[str, int]) -> float:
    return sum(_ELEMENTS[el][2] * n for el, n in atoms.items())


def molar_mass_of_formula(formula: str) -> dict[str, Any]:
    """Compute the molar mass of a chemical formula such as 'H2O' or 'Ca(OH)2'.

    Args:
        formula: The chemical formula, case-sensitive element symbols, parentheses allowed.

    Returns:
        molar_mass in g/mol (rounded to 3 decimals) and the atom counts per element.
    """
    atoms = _parse_formula(formula)
    return {"molar_mass": round(_mass(atoms), 3), "atoms": atoms}


def element_properties(symbol: str) -> dict[str, Any]:
    """Look up an element's name, atomic number and atomic weight by its symbol.

    Args:
        symbol: The element symbol, e.g. 'Fe' (case-insensitive).

    Returns:
        symbol, name, atomic_number and atomic_weight (g/mol).
    """
    if not isinstance(symbol, str):
        raise TypeError("symbol must be a string such as 'Fe'")
    key = symbol.strip().capitalize()
    if key not in _ELEMENTS:
        raise ValueError(f"unknown element symbol {symbol!r}")
    name, number, weight = _ELEMENTS[key]
    return {
        "symbol": key,
        "name": name,
        "atomic_number": number,
        "atomic_weight": weight,
    }


def grams_to_moles(formula: str, mass_g: float) -> dict[str, float]:
    """Convert a mass of a substance into moles and number of molecules.

    Args:
        formula: The substance's chemical formula, e.g. 'NaCl'.
        mass_g: Mass in grams (positive).

    Returns:
        moles (rounded to 6 decimals) and molecules (6 significant digits).
    """
    if mass_g <= 0:
        raise ValueError("mass_g must be positive")
    moles = mass_g / _mass(_parse_formula(formula))
    return {"moles": round(moles, 6), "molecules": float(f"{moles * AVOGADRO:.6g}")}


def moles_to_grams(formula: str, moles: float) -> float:
    """Convert an amount of substance in moles to its mass in grams.

    Args:
        formula: The substance's chemical formula, e.g. 'CO2'.
        moles: Amount in moles (positive).

    Returns:
        The mass in grams, rounded to 4 decimals.
    """
    if moles <= 0:
        raise ValueError("moles must be positive")
    return round(moles * _mass(_parse_formula(formula)), 4)


def solution_molarity(solute_formula: str, solute_mass_g: float, solution_volume_l: float) -> float:
    """Compute the molar concentration of a solution made by dissolving a solute.

    Args:
        solute_formula: Formula of the dissolved substance, e.g. 'NaCl'.
        solute_mass_g: Mass of solute in grams.
        solution_volume_l: Final volume of the solution in litres.

    Returns:
        Concentration in mol/L, rounded to 6 decimals.
    """
    if solute_mass_g <= 0 or solution_volume_l <= 0:
        raise ValueError("solute_mass_g and solution_volume_l must be positive")
    return round(solute_mass_g / _mass(_parse_formula(solute_formula)) / solution_volume_l, 6)


def dilution_calculator(
    initial_concentration: float, initial_volume: float, final_concentration: float
) -> dict[str, float]:
    """Apply C1 V1 = C2 V2 to find the final volume when diluting a stock solution.

    Args:
        initial_concentration: Concentration of the stock solution (any unit).
        initial_volume: Volume of stock used (any unit).
        final_concentration: Wanted concentration, same unit and below the initial one.

    Returns:
        final_volume and solvent_to_add, in the volume unit given, rounded to 6 decimals.
    """
    if min(initial_concentration, initial_volume, final_concentration) <= 0:
        raise ValueError("all inputs must be positive")
    if final_concentration > initial_concentration:
        raise ValueError("final_concentration cannot exceed initial_concentration")
    v2 = initial_concentration * initial_volume / final_concentration
    return {
        "final_volume": round(v2, 6),
        "solvent_to_add": round(v2 - initial_volume, 6),
    }


def ideal_gas_law(
    solve_for: Literal["pressure", "volume", "moles", "temperature"],
    pressure_kpa: float | None = None,
    volume_l: float | None = None,
    moles: float | None = None,
    temperature_k: float | None = None,
) -> float:
    """Solve PV = nRT for one quantity given the other three.

    Args:
        solve_for: The unknown quantity.
        pressure_kpa: Pressure in kilopascals (omit when solving for it).
        volume_l: Volume in litres (omit when solving for it).
        moles: Amount of gas in moles (omit when solving for it).
        temperature_k: Absolute temperature in kelvin (omit when solving for it).

    Returns:
        The unknown in kPa, L, mol or K, rounded to 4 decimals.
    """
    known = {
        "pressure": pressure_kpa,
        "volume": volume_l,
        "moles": moles,
        "temperature": temperature_k,
    }
    if solve_for not in known:
        raise ValueError("solve_for must be pressure, volume, moles or temperature")
    for name, value in known.items():
        if name != solve_for and (value is None or value <= 0):
            raise ValueError(f"{name} must be given and positive when solving for {solve_for}")
    r = GAS_CONSTANT  # kPa L / (mol K) equals J / (mol K)
    p, v, n, t = pressure_kpa, volume_l, moles, temperature_k
    result = {
        "pressure": lambda: n * r * t / v,
        "volume": lambda: n * r * t / p,
        "moles": lambda: p * v / (r * t),
        "temperature": lambda: p * v / (n * r),
    }[solve_for]()
    return round(result, 4)


def ph_from_concentration(
    concentration_mol_l: float, ion: Literal["hydrogen", "hydroxide"] = "hydrogen"
) -> dict[str, Any]:
    """Compute pH and pOH (at 25 C) from a hydrogen or hydroxide ion concentration.

    Args:
        concentration_mol_l: Ion concentration in mol/L (positive).
        ion: Which ion the concentration refers to.

    Returns:
        ph and poh rounded to 4 decimals, and the classification acidic, neutral or basic.
    """
    if concentration_mol_l <= 0:
        raise ValueError("concentration_mol_l must be positive")
    p = -math.log10(concentration_mol_l)
    if ion == "hydrogen":
        ph = p
    elif ion == "hydroxide":
        ph = 14 - p
    else:
        raise ValueError("ion must be 'hydrogen' or 'hydroxide'")
    ph = round(ph, 4)
    kind = "neutral" if abs(ph - 7) < 1e-9 else ("acidic" if ph < 7 else "basic")
    return {"ph": ph, "poh": round(14 - ph, 4), "classification": kind}


def percent_composition(formula: str) -> dict[str, float]:
    """Compute the mass percentage of each element in a compound.

    Args:
        formula: The chemical formula, e.g. 'H2O'.

    Returns:
        Element symbol -> mass percent, rounded to 3 decimals.
    """
    atoms = _parse_formula(formula)
    total = _mass(atoms)
    return {el: round(_ELEMENTS[el][2] * n / total * 100, 3) for el, n in atoms.items()}


def radioactive_decay(
    initial_amount: float, half_life: float, elapsed_time: float
) -> dict[str, float]:
    """Compute how much of a radioactive sample remains after some time.

    Args:
        initial_amount: Starting amount (grams, atoms, becquerels...).
        half_life: Half-life, in the same time unit as elapsed_time.
        elapsed_time: Time elapsed.

    Returns:
        remaining amount and fraction_remaining, rounded to 6 decimals.
    """
    if initial_amount <= 0 or half_life <= 0 or elapsed_time < 0:
        raise ValueError("initial_amount and half_life must be positive, elapsed_time non-negative")
    frac = 0.5 ** (elapsed_time / half_life)
    return {
        "remaining": round(initial_amount * frac, 6),
        "fraction_remaining": round(frac, 6),
    }


EXAMPLES: dict[str, list[tuple[dict[str, Any], Any]]] = {
    "molar_mass_of_formula": [
        ({"formula": "H2O"}, {"molar_mass": 18.015, "atoms": {"H": 2, "O": 1}}),
        (
            {"formula": "Ca(OH)2"},
            {"molar_mass": 74.092, "atoms": {"Ca": 1, "O": 2, "H": 2}},
        ),
    ],
    "element_properties": [
        (
            {"symbol": "fe"},
            {
                "symbol": "Fe",
                "name": "Iron",
                "atomic_number": 26,
                "atomic_weight": 55.845,
            },
        ),
    ],
    "grams_to_moles": [
        ({"formula": "H2O", "mass_g": 36.03}, {"moles": 2.0, "molecules": 1.20443e24})
    ],
    "moles_to_grams": [({"formula": "CO2", "moles": 2}, 88.018)],
    "solution_molarity": [
        (
            {
                "solute_formula": "NaCl",
                "solute_mass_g": 58.44,
                "solution_volume_l": 0.5,
            },
            2.0,
        ),
    ],
    "dilution_calculator": [
        (
            {
                "initial_concentration": 2,
                "initial_volume": 50,
                "final_concentration": 0.5,
            },
            {"final_volume": 200.0, "solvent_to_add": 150.0},
        ),
    ],
    "ideal_gas_law": [
        (
            {
                "solve_for": "pressure",
                "volume_l": 22.4,
                "moles": 1,
                "temperature_k": 273.15,
            },
            101.3882,
        ),
        (
            {
                "solve_for": "moles",
                "pressure_kpa": 100,
                "volume_l": 10,
                "temperature_k": 300,
            },
            0.4009,
        ),
    ],
    "ph_from_concentration": [
        (
            {"concentration_mol_l": 0.001},
            {"ph": 3.0, "poh": 11.0, "classification": "acidic"},
        ),
        (
            {"concentration_mol_l": 0.01, "ion": "hydroxide"},
            {"ph": 12.0, "poh": 2.0, "classification": "basic"},
        ),
    ],
    "percent_composition": [({"formula": "H2O"}, {"H": 11.191, "O": 88.809})],
    "radioactive_decay": [
        (
            {"initial_amount": 100, "half_life": 5730, "elapsed_time": 11460},
            {"remaining": 25.0, "fraction_remaining": 0.25},
        ),
    ],
}
