"""Mathematics: arithmetic, number theory, combinatorics and elementary algebra."""

from __future__ import annotations

import math
from typing import Any

CATEGORY = "math"

# Files in apis/python avoid stdlib module names (this one is not `math.py`) so that no
# import path setup can ever shadow the standard library.


def _check_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    return value


def _check_number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite")
    return float(value)


def greatest_common_divisor(a: int, b: int) -> int:
    """Compute the greatest common divisor of two integers.

    Args:
        a: The first integer.
        b: The second integer.

    Returns:
        The largest positive integer dividing both numbers.
    """
    _check_int("a", a)
    _check_int("b", b)
    if a == 0 and b == 0:
        raise ValueError("a and b cannot both be zero")
    return math.gcd(a, b)


def least_common_multiple(numbers: list[int]) -> int:
    """Compute the least common multiple of a list of non-zero integers.

    Args:
        numbers: Two or more non-zero integers.

    Returns:
        The smallest positive integer that every number divides.
    """
    if len(numbers) < 2:
        raise ValueError("numbers must hold at least two integers")
    for n in numbers:
        if _check_int("numbers[]", n) == 0:
            raise ValueError("numbers must be non-zero")
    return abs(math.lcm(*numbers))


def is_prime_number(n: int) -> bool:
    """Tell whether an integer is a prime number.

    Args:
        n: The integer to test, at most 10**12.

    Returns:
        True when n is prime, False otherwise.
    """
    _check_int("n", n)
    if n < 2:
        return False
    if n < 4:
        return True
    if n % 2 == 0:
        return False
    if n > 10**12:
        raise ValueError("n must be at most 10**12")
    return all(n % d for d in range(3, math.isqrt(n) + 1, 2))


def prime_factorization(n: int) -> dict[str, Any]:
    """Decompose an integer greater than 1 into prime factors.

    Args:
        n: The integer to factor, between 2 and 10**12.

    Returns:
        The factors with repetition (ascending) and the exponent of each distinct prime.
    """
    _check_int("n", n)
    if not 2 <= n <= 10**12:
        raise ValueError("n must be between 2 and 10**12")
    factors: list[int] = []
    rest, d = n, 2
    while d * d <= rest:
        while rest % d == 0:
            factors.append(d)
            rest //= d
        d += 1 if d == 2 else 2
    if rest > 1:
        factors.append(rest)
    exponents: dict[str, int] = {}
    for f in factors:
        exponents[str(f)] = exponents.get(str(f), 0) + 1
    return {"factors": factors, "exponents": exponents}


def fibonacci_number(n: int) -> int:
    """Return the n-th Fibonacci number, with F(0) = 0 and F(1) = 1.

    Args:
        n: Index in the sequence, from 0 to 1000.

    Returns:
        The Fibonacci number at index n.
    """
    _check_int("n", n)
    if not 0 <= n <= 1000:
        raise ValueError("n must be between 0 and 1000")
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def factorial_value(n: int) -> int:
    """Compute n factorial (n!).

    Args:
        n: A non-negative integer, at most 170.

    Returns:
        The product 1 * 2 * ... * n.
    """
    _check_int("n", n)
    if not 0 <= n <= 170:
        raise ValueError("n must be between 0 and 170")
    return math.factorial(n)


def binomial_coefficient(n: int, k: int) -> int:
    """Count the ways to choose k items from n without regard to order (n choose k).

    Args:
        n: Size of the set, a non-negative integer up to 1000.
        k: Number of items chosen, between 0 and n.

    Returns:
        The binomial coefficient C(n, k).
    """
    _check_int("n", n)
    _check_int("k", k)
    if not 0 <= n <= 1000:
        raise ValueError("n must be between 0 and 1000")
    if not 0 <= k <= n:
        raise ValueError("k must be between 0 and n")
    return math.comb(n, k)


def count_permutations(n: int, k: int, allow_repetition: bool = False) -> int:
    """Count ordered arrangements of k items drawn from n distinct items.

    Args:
        n: Number of distinct items available (0 to 1000).
        k: Length of each arrangement (0 to 1000).
        allow_repetition: Whether an item may be used more than once.

    Returns:
        The number of arrangements: n**k with repetition, else n!/(n-k)!.
    """
    _check_int("n", n)
    _check_int("k", k)
    if not 0 <= n <= 1000 or not 0 <= k <= 1000:
        raise ValueError("n and k must be between 0 and 1000")
    if allow_repetition:
        return n**k
    if k > n:
        raise ValueError("k cannot exceed n without repetition")
    return math.perm(n, k)


def solve_quadratic_equation(a: float, b: float, c: float) -> dict[str, Any]:
    """Solve a*x^2 + b*x + c = 0 for real or complex roots.

    Args:
        a: Coefficient of x squared (non-zero).
        b: Coefficient of x.
        c: Constant term.

    Returns:
        The discriminant, the root type ('real' or 'complex') and the roots; complex roots
        are given as [real part, imaginary part] pairs.
    """
    a, b, c = _check_number("a", a), _check_number("b", b), _check_number("c", c)
    if a == 0:
        raise ValueError("a must be non-zero for a quadratic equation")
    disc = b * b - 4 * a * c
    if disc >= 0:
        r = math.sqrt(disc)
        roots = sorted({round((-b - r) / (2 * a), 10), round((-b + r) / (2 * a), 10)})
        return {"discriminant": disc, "type": "real", "roots": roots}
    re = round(-b / (2 * a), 10)
    im = round(math.sqrt(-disc) / (2 * abs(a)), 10)
    return {"discriminant": disc, "type": "complex", "roots": [[re, -im], [re, im]]}


def convert_number_base(number: str, from_base: int, to_base: int) -> str:
    """Convert an integer written in one base (2-36) into another base.

    Args:
        number: The integer's digits in the source base, e.g. 'ff' or '-101'.
        from_base: Base the number is written in, from 2 to 36.
        to_base: Base to write the result in, from 2 to 36.

    Returns:
        The number's digits in the target base, lowercase.
    """
    for name, base in (("from_base", from_base), ("to_base", to_base)):
        if not 2 <= _check_int(name, base) <= 36:
            raise ValueError(f"{name} must be between 2 and 36")
    if not isinstance(number, str):
        raise TypeError("number must be a string of digits, e.g. 'ff'")
    text = number.strip().lower()
    if not text:
        raise ValueError("number must not be empty")
    try:
        value = int(text, from_base)
    except ValueError:
        raise ValueError(f"{number!r} is not a valid base-{from_base} number") from None
    if value == 0:
        return "0"
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    sign, value = ("-", -value) if value < 0 else ("", value)
    out = []
    while value:
        value, r = divmod(value, to_base)
        out.append(digits[r])
    return sign + "".join(reversed(out))


def sum_of_digits(n: int) -> int:
    """Add up the decimal digits of an integer (the sign is ignored).

    Args:
        n: The integer whose digits are summed.

    Returns:
        The sum of the digits.
    """
    _check_int("n", n)
    return sum(int(d) for d in str(abs(n)))


def is_perfect_number(n: int) -> bool:
    """Tell whether a positive integer equals the sum of its proper divisors.

    Args:
        n: A positive integer up to 10**12.

    Returns:
        True for perfect numbers such as 6, 28 and 496.
    """
    _check_int("n", n)
    if not 1 <= n <= 10**12:
        raise ValueError("n must be between 1 and 10**12")
    if n == 1:
        return False
    total = 1
    for d in range(2, math.isqrt(n) + 1):
        if n % d == 0:
            total += d
            if d != n // d:
                total += n // d
    return total == n


def modular_exponentiation(base: int, exponent: int, modulus: int) -> int:
    """Compute (base ** exponent) mod modulus efficiently.

    Args:
        base: The base integer.
        exponent: A non-negative exponent.
        modulus: A positive modulus.

    Returns:
        The remainder of base**exponent divided by modulus.
    """
    _check_int("base", base)
    _check_int("exponent", exponent)
    _check_int("modulus", modulus)
    if exponent < 0:
        raise ValueError("exponent must be non-negative")
    if modulus <= 0:
        raise ValueError("modulus must be positive")
    return pow(base, exponent, modulus)


def list_primes_up_to(limit: int) -> list[int]:
    """List every prime number up to and including a limit (sieve of Eratosthenes).

    Args:
        limit: Upper bound, from 0 to 1,000,000.

    Returns:
        The primes in ascending order.
    """
    _check_int("limit", limit)
    if not 0 <= limit <= 1_000_000:
        raise ValueError("limit must be between 0 and 1000000")
    if limit < 2:
        return []
    sieve = bytearray([1]) * (limit + 1)
    sieve[0] = sieve[1] = 0
    for i in range(2, math.isqrt(limit) + 1):
        if sieve[i]:
            sieve[i * i :: i] = bytearray(len(range(i * i, limit + 1, i)))
    return [i for i, flag in enumerate(sieve) if flag]


EXAMPLES: dict[str, list[tuple[dict[str, Any], Any]]] = {
    "greatest_common_divisor": [({"a": 12, "b": 18}, 6), ({"a": -48, "b": 180}, 12)],
    "least_common_multiple": [({"numbers": [4, 6]}, 12), ({"numbers": [3, 5, 7]}, 105)],
    "is_prime_number": [({"n": 97}, True), ({"n": 91}, False)],
    "prime_factorization": [
        (
            {"n": 360},
            {"factors": [2, 2, 2, 3, 3, 5], "exponents": {"2": 3, "3": 2, "5": 1}},
        ),
    ],
    "fibonacci_number": [({"n": 10}, 55), ({"n": 0}, 0)],
    "factorial_value": [({"n": 5}, 120), ({"n": 0}, 1)],
    "binomial_coefficient": [({"n": 5, "k": 2}, 10), ({"n": 52, "k": 5}, 2598960)],
    "count_permutations": [
        ({"n": 5, "k": 3}, 60),
        ({"n": 10, "k": 4, "allow_repetition": True}, 10000),
    ],
    "solve_quadratic_equation": [
        (
            {"a": 1, "b": -3, "c": 2},
            {"discriminant": 1.0, "type": "real", "roots": [1.0, 2.0]},
        ),
        (
            {"a": 1, "b": 2, "c": 5},
            {
                "discriminant": -16.0,
                "type": "complex",
                "roots": [[-1.0, -2.0], [-1.0, 2.0]],
            },
        ),
    ],
    "convert_number_base": [
        ({"number": "ff", "from_base": 16, "to_base": 2}, "11111111"),
        ({"number": "255", "from_base": 10, "to_base": 16}, "ff"),
    ],
    "sum_of_digits": [({"n": 12345}, 15)],
    "is_perfect_number": [({"n": 28}, True), ({"n": 12}, False)],
    "modular_exponentiation": [({"base": 3, "exponent": 200, "modulus": 13}, 9)],
    "list_primes_up_to": [({"limit": 20}, [2, 3, 5, 7, 11, 13, 17, 19])],
}
