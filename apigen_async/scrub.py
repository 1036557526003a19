"""Keeps secrets out of everything we write: the store, the request log, reports, errors.

An endpoint may echo our `Authorization` header in an error body (some proxies do), and
that text would otherwise travel into stored failure messages. So every string bound
for disk or the screen passes a `Scrubber`, which replaces the run's key values and
anything shaped like a bearer token or an API key with `***`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

import msgspec

__all__ = ["MASK", "Scrubber"]

MASK = "***"
#: Shorter values are not treated as secrets: masking them would mangle ordinary text.
MIN_SECRET_LENGTH = 8

_SHAPES = re.compile(
    # An Authorization header's value: long and with a digit, so "bearer bonds" stay.
    r"(?i)\b(bearer)\s+(?=[A-Za-z0-9._~+/=-]*\d)[A-Za-z0-9._~+/=-]{16,}"
    r"|\bsk-[A-Za-z0-9_-]{16,}"  # OpenAI-style keys, whoever issued them
)


def _mask_shape(match: re.Match[str]) -> str:
    return f"{match.group(1)} {MASK}" if match.group(1) else MASK


class Scrubber:
    """`scrub(text)` without the secret values it was given or bearer-token shapes."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        values = {s for s in secrets if len(s) >= MIN_SECRET_LENGTH}
        # Also their JSON-escaped forms: encoded records are scrubbed as bytes.
        values |= {msgspec.json.encode(s).decode()[1:-1] for s in values}
        # Longest first, so a key that contains another is masked whole.
        self._values = sorted(values, key=len, reverse=True)
        self._bytes = [(v.encode(), MASK.encode()) for v in self._values]

    @classmethod
    def from_env(cls, *names: str | None) -> Scrubber:
        """A scrubber for the values of the environment variables `names` (the keys)."""
        return cls(os.environ.get(n, "") for n in names if n)

    def __repr__(self) -> str:
        return f"Scrubber({len(self._values)} values)"

    def __call__(self, text: str) -> str:
        for value in self._values:
            text = text.replace(value, MASK)
        return _SHAPES.sub(_mask_shape, text)

    def data(self, blob: bytes) -> bytes:
        """`blob` (UTF-8, e.g. encoded JSON) scrubbed; the common case costs no decode."""
        for value, mask in self._bytes:
            blob = blob.replace(value, mask)
        if not _might_hold_shape(blob):
            return blob
        return self(blob.decode("utf-8", errors="surrogateescape")).encode(
            "utf-8", errors="surrogateescape"
        )


def _might_hold_shape(blob: bytes) -> bool:
    return b"sk-" in blob or b"bearer" in blob.lower()
