"""Periodic table: elements, molar masses of formulas, groups."""

from __future__ import annotations

import re
from typing import Any

from apis.rest.framework import ApiError, P, api, data, tool

T = tool(
    "periodic-table",
    "Periodic Table",
    "Science",
    "Chemical elements and molar mass calculations.",
)


def element(key: str) -> dict[str, Any]:
    k = key.strip()
    for e in data("elements.json"):
        if k == e["symbol"] or k.lower() == e["name"].lower() or k == str(e["number"]):
            return e
    raise ApiError(404, f"Element '{key}' not found")


@api(
    T,
    "Element",
    "/elements/{element}",
    "An element by symbol, name or atomic number.",
    P(
        "element",
        "STRING",
        "Symbol (Fe), name (iron) or atomic number (26)",
        example="Fe",
    ),
)
def get_element(**kw: str) -> dict[str, Any]:
    return element(kw["element"])


_TOKEN = re.compile(r"([A-Z][a-z]?)(\d*)|(\()|(\))(\d*)")


def parse_formula(formula: str) -> dict[str, int]:
    """Element counts of a formula with nested parentheses, e.g. Ca(OH)2."""
    if not formula or len(formula) > 100:
        raise ApiError(400, "formula must be 1-100 characters")
    stack: list[dict[str, int]] = [{}]
    pos = 0
    while pos < len(formula):
        m = _TOKEN.match(formula, pos)
        if not m or m.end() == pos:
            raise ApiError(400, f"Cannot parse formula at position {pos}: '{formula[pos:]}'")
        pos = m.end()
        if m.group(1):
            element(m.group(1))
            counts = stack[-1]
            counts[m.group(1)] = counts.get(m.group(1), 0) + int(m.group(2) or 1)
        elif m.group(3):
            stack.append({})
        else:
            if len(stack) == 1:
                raise ApiError(400, "Unbalanced ')' in formula")
            inner = stack.pop()
            k = int(m.group(5) or 1)
            for sym, n in inner.items():
                stack[-1][sym] = stack[-1].get(sym, 0) + n * k
    if len(stack) != 1:
        raise ApiError(400, "Unbalanced '(' in formula")
    return stack[0]


@api(
    T,
    "Molar Mass",
    "/molar-mass",
    "Molar mass (g/mol) of a chemical formula and the mass share of each element.",
    P(
        "formula",
        "STRING",
        "Chemical formula, e.g. H2O, C6H12O6, Ca(OH)2",
        example="C6H12O6",
    ),
)
def molar_mass(formula: str) -> dict[str, Any]:
    counts = parse_formula(formula.strip())
    masses = {s: element(s)["atomic_mass"] * n for s, n in counts.items()}
    total = sum(masses.values())
    return {
        "formula": formula.strip(),
        "molar_mass": round(total, 3),
        "composition": [
            {
                "element": s,
                "count": counts[s],
                "mass_percent": round(100 * m / total, 2),
            }
            for s, m in masses.items()
        ],
    }


@api(
    T,
    "Elements By Group",
    "/groups/{group}",
    "Elements of a periodic-table group (1-18).",
    P("group", "NUMBER", "Group number 1-18", example=18, integer=True),
)
def by_group(group: int) -> dict[str, Any]:
    if not 1 <= group <= 18:
        raise ApiError(400, "group must be between 1 and 18")
    rows = [e for e in data("elements.json") if e["group"] == group]
    return {
        "group": group,
        "elements": [
            {"symbol": e["symbol"], "name": e["name"], "number": e["number"]} for e in rows
        ],
    }


@api(
    T,
    "Grams To Moles",
    "/moles",
    "Convert a mass in grams of a substance to moles (and number of molecules).",
    P("formula", "STRING", "Chemical formula", example="NaCl"),
    P("grams", "NUMBER", "Mass in grams", example=58.44),
)
def moles(formula: str, grams: float) -> dict[str, Any]:
    mm = molar_mass(formula)["molar_mass"]
    n = grams / mm
    return {
        "formula": formula,
        "grams": grams,
        "molar_mass": mm,
        "moles": round(n, 6),
        "molecules": float(f"{n * 6.02214076e23:.6e}"),
    }
