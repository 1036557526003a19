"""Functions that misbehave in every way the sandbox must survive."""

from __future__ import annotations

import os
import sys

CATEGORY = "hostile"


def spin_forever(n: int) -> int:
    """Loop without end.

    Args:
        n: Starting value.
    """
    while True:
        n += 1


def allocate_ten_gigabytes(n: int) -> int:
    """Allocate 10 GB at once.

    Args:
        n: Ignored.
    """
    return len(bytearray(10 * 1024**3)) + n


def hard_exit(n: int) -> int:
    """Kill the interpreter with os._exit.

    Args:
        n: Exit status.
    """
    os._exit(1)


def polite_exit(n: int) -> int:
    """Call sys.exit.

    Args:
        n: Exit status.
    """
    sys.exit(n)


def segfault(n: int) -> int:
    """Dereference a null pointer through ctypes.

    Args:
        n: Ignored.
    """
    import ctypes

    return len(ctypes.string_at(0)) + n


def shout(n: int) -> int:
    """Print megabytes.

    Args:
        n: Ignored.
    """
    print("x" * 5_000_000)
    return n


def opaque_result(n: int) -> object:
    """Return something that is not JSON.

    Args:
        n: Ignored.
    """
    return {n: object()}


def double_number(n: int) -> int:
    """Double an integer.

    Args:
        n: The integer to double.
    """
    return 2 * n
