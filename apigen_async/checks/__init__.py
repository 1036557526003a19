"""The checks a generated pair must pass, in the order a pair meets them."""

from __future__ import annotations

__all__ = ["CHECKS", "OPTIONAL_CHECKS", "parse_checks"]

#: Cheap and certain checks first (no request), the LLM checks last.
CHECKS: tuple[str, ...] = ("format", "rules", "execution", "resolve", "judge")
#: `format` makes a pair typed at all, so it always runs.
OPTIONAL_CHECKS: tuple[str, ...] = CHECKS[1:]


def parse_checks(spec: str) -> tuple[str, ...]:
    """`--checks format,rules,...` in pipeline order; ValueError names what is wrong."""
    names = [n.strip() for n in spec.split(",") if n.strip()]
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        raise ValueError(f"unknown check {unknown[0]!r}; choose from {', '.join(CHECKS)}")
    if "format" not in names:
        raise ValueError("format cannot be left out: a pair must be well-formed to be checked")
    return tuple(c for c in CHECKS if c in names)
