"""What the commands' parsers share: bounded number types and one-line errors.

A value out of range is refused while parsing, so argparse names the flag:
`apigen generate: error: argument --max-retries: must be >= 0, got '-1'` (exit 2).
"""

from __future__ import annotations

import argparse
import math
from typing import NoReturn

__all__ = ["Parser", "number", "positive"]


class Parser(argparse.ArgumentParser):
    """An ArgumentParser (and its subparsers) whose errors are one line, not the usage."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def number(
    kind: type[int] | type[float],
    *,
    minimum: float | None = None,
    above: float | None = None,
    maximum: float | None = None,
):
    """An argparse type: a finite `kind` with `minimum <= value`, `above < value`, `<= maximum`."""

    def convert(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"not {_a(kind)}: {text!r}") from exc
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
        if above is not None and value <= above:
            raise argparse.ArgumentTypeError(f"must be > {above:g}, got {text!r}")
        if minimum is not None and value < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum:g}, got {text!r}")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"must be <= {maximum:g}, got {text!r}")
        return value

    return convert


def positive(kind: type[int] | type[float]):
    """An argparse type: a finite `kind` > 0."""
    return number(kind, above=0)


def _a(kind: type[int] | type[float]) -> str:
    return "an integer" if kind is int else "a number"
