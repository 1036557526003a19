"""The one error tree of apigen-async.

    ApigenError                 anything the CLI reports as a clean, one-line error
    ├── ConfigError             bad flag or combination of flags
    ├── ApiLoadError            an --apis file that cannot be read (names file and line)
    ├── StoreError              an --out directory that holds another run, a corrupt store
    ├── EndpointError           the LLM endpoint is unreachable or refuses the model
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
    "LocalModelError",
    "StoreError",
]


class ApigenError(Exception):
    """Base of every error the CLI turns into a message and a non-zero exit."""


class ConfigError(ApigenError):
    pass


class ApiLoadError(ApigenError):
    pass


class StoreError(ApigenError):
    pass


class EndpointError(ApigenError):
    pass


class LocalModelError(ApigenError):
    pass
