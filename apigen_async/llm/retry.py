"""When to try an HTTP request again, and how long to wait first.

One policy for LLM requests (`RetryPolicy`: jittered exponential backoff, never shorter
than the server's Retry-After, and a cap past which a Retry-After fails the request at
once) and one reader of the Retry-After header (`parse_retry_after`), which the REST
executor uses too.
"""

from __future__ import annotations

import email.utils
import math
import random
import time
from collections.abc import Mapping

import msgspec

from apigen_async.errors import ConfigError

__all__ = [
    "DEFAULT_MAX_RETRY_AFTER",
    "RetryPolicy",
    "parse_retry_after",
    "retry_after_of",
]

#: Longest Retry-After honoured; an endpoint asking for more fails the request at once.
DEFAULT_MAX_RETRY_AFTER = 120.0


class RetryPolicy(msgspec.Struct, frozen=True, kw_only=True):
    #: Attempts after the first (0: one attempt only).
    max_retries: int = 6
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    max_retry_after: float = DEFAULT_MAX_RETRY_AFTER

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ConfigError(f"max_retries must be >= 0, not {self.max_retries}")

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before attempt `attempt + 1`: full-half jitter, Retry-After first."""
        delay = min(self.backoff_cap, self.backoff_base * 2**attempt)
        delay = random.uniform(delay / 2, delay)
        return max(delay, retry_after or 0.0)

    def over_cap(self, retry_after: float | None) -> bool:
        """True when the server asks for a wait that would look like a stalled run."""
        return retry_after is not None and retry_after > self.max_retry_after


def parse_retry_after(value: str | None) -> float | None:
    """Seconds a Retry-After header value asks for: a number of seconds or an HTTP date.

    None when absent or unreadable (the caller falls back to its own backoff); a date in
    the past is 0.
    """
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def retry_after_of(headers: Mapping[str, str]) -> float | None:
    """The wait an LLM endpoint asks for: OpenAI's `retry-after-ms` first, else Retry-After."""
    ms = headers.get("retry-after-ms")
    if ms is not None and (seconds := parse_retry_after(ms)) is not None:
        return seconds / 1000.0
    return parse_retry_after(headers.get("retry-after"))
