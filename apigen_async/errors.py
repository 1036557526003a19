"""The one error tree of apigen-async.

    ApigenError                 anything the CLI reports as a clean, one-line error
    ├── ConfigError             bad flag or combination of flags
    ├── ApiLoadError            an --apis file that cannot be read (names file and line)
    ├── StoreError              an --out directory that holds another run, a corrupt store
    ├── EndpointError           the LLM endpoint is unreachable or refuses the model
    │   └── EndpointGaveUp      it failed so many requests in a row that the run stops
    └── LocalModelError         the embedded model cannot be found, verified or started

Expected outcomes of a pair (a failed check) are not errors: they are
`schema.Rejection` values.
"""

from __future__ import annotations

__all__ = [
    "ApiLoadError",
    "ApigenError",
    "ConfigError",
    "EndpointError",
    "EndpointGaveUp",
    "LocalModelError",
    "StoreError",
]


class ApigenError(Exception):
    """Base of every error the CLI turns into a message and a non-zero exit."""


class ConfigError(ApigenError):
    """A bad flag or combination of flags."""


class ApiLoadError(ApigenError):
    """An --apis file that cannot be read; the message names the file and line."""


class StoreError(ApigenError):
    """An --out folder holding another run, or a store that cannot be used."""


class EndpointError(ApigenError):
    """The LLM endpoint is unreachable, refuses the key, or lacks the model."""


class EndpointGaveUp(EndpointError):
    """The endpoint failed `give_up_after` requests in a row (the circuit breaker)."""


class LocalModelError(ApigenError):
    """The embedded model cannot be found, verified or started."""
