"""Number theory helpers: primes, factorisation, gcd/lcm, Roman numerals, bases."""

from __future__ import annotations

import math
from typing import Any

from apis.rest.framework import ApiError, P, api, tool

T = tool(
    "math-toolkit",
    "Math Toolkit",
    "Mathematics",
    "Exact integer arithmetic: primality, factors, gcd/lcm, Roman numerals, number bases.",
)
_BIG = 10**15


def factorize(n: int) -> list[int]:
    out, p = [], 2
    while p * p <= n:
        while n % p == 0:
            out.append(p)
            n //= p
        p += 1 if p == 2 else 2
    if n > 1:
        out.append(n)
    return out


@api(
    T,
    "Is Prime",
    "/prime",
    "Whether an integer is prime, with its smallest factor when it is not.",
    P("number", "NUMBER", "Integer 1 to 10^10", example=97, integer=True),
)
def is_prime(number: int) -> dict[str, Any]:
    if not 1 <= number <= 10**10:
        raise ApiError(400, "number must be between 1 and 10^10")
    f = factorize(number) if number > 1 else []
    return {
        "number": number,
        "prime": len(f) == 1,
        "smallest_factor": f[0] if len(f) > 1 else None,
    }


@api(
    T,
    "Prime Factors",
    "/factors",
    "Prime factorisation of an integer (2 to 10^10).",
    P("number", "NUMBER", "Integer to factorise", example=360, integer=True),
)
def prime_factors(number: int) -> dict[str, Any]:
    if not 2 <= number <= 10**10:
        raise ApiError(400, "number must be between 2 and 10^10")
    f = factorize(number)
    powers: dict[str, int] = {}
    for p in f:
        powers[str(p)] = powers.get(str(p), 0) + 1
    return {"number": number, "factors": f, "powers": powers}


@api(
    T,
    "GCD And LCM",
    "/gcd-lcm",
    "Greatest common divisor and least common multiple of comma-separated integers.",
    P(
        "numbers",
        "STRING",
        "Comma-separated positive integers, e.g. 12,18,30",
        example="12,18,30",
    ),
)
def gcd_lcm(numbers: str) -> dict[str, Any]:
    try:
        values = [int(x) for x in numbers.split(",") if x.strip()]
    except ValueError:
        raise ApiError(400, "numbers must be integers separated by commas") from None
    if not 2 <= len(values) <= 50 or any(not 1 <= v <= _BIG for v in values):
        raise ApiError(400, "give 2-50 integers between 1 and 10^15")
    return {"numbers": values, "gcd": math.gcd(*values), "lcm": math.lcm(*values)}


_ROMAN = [
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
]


def to_roman(n: int) -> str:
    out = []
    for value, sym in _ROMAN:
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out)


@api(
    T,
    "Roman Numerals",
    "/roman",
    "Convert an integer (1-3999) to Roman numerals, or Roman numerals to an integer.",
    P(
        "value",
        "STRING",
        "An integer like 1994 or numerals like MCMXCIV",
        example="1994",
    ),
)
def roman(value: str) -> dict[str, Any]:
    v = value.strip().upper()
    if v.isdigit():
        n = int(v)
        if not 1 <= n <= 3999:
            raise ApiError(400, "integer must be between 1 and 3999")
        return {"integer": n, "roman": to_roman(n)}
    vals = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    if not v or any(ch not in vals for ch in v):
        raise ApiError(400, f"'{value}' is neither an integer nor Roman numerals")
    total = 0
    for i, ch in enumerate(v):
        nxt = vals[v[i + 1]] if i + 1 < len(v) else 0
        total += -vals[ch] if vals[ch] < nxt else vals[ch]
    if not 1 <= total <= 3999 or to_roman(total) != v:
        raise ApiError(400, f"'{value}' is not a canonical Roman numeral")
    return {"integer": total, "roman": v}


@api(
    T,
    "Convert Base",
    "/base",
    "Convert an integer written in one base (2-36) to another.",
    P("value", "STRING", "The digits, e.g. ff", example="ff"),
    P("from_base", "NUMBER", "Base of the input (2-36)", example=16, integer=True),
    P("to_base", "NUMBER", "Base of the output (2-36)", example=2, integer=True),
)
def convert_base(value: str, from_base: int, to_base: int) -> dict[str, Any]:
    if not (2 <= from_base <= 36 and 2 <= to_base <= 36):
        raise ApiError(400, "bases must be between 2 and 36")
    try:
        n = int(value.strip(), from_base)
    except ValueError:
        raise ApiError(400, f"'{value}' is not a base-{from_base} number") from None
    if abs(n) > 2**128:
        raise ApiError(400, "value too large")
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    m, out = abs(n), ""
    while True:
        m, r = divmod(m, to_base)
        out = digits[r] + out
        if m == 0:
            break
    return {
        "input": value,
        "decimal": n,
        "result": ("-" if n < 0 else "") + out,
        "to_base": to_base,
    }
