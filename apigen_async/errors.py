"""The one error tree of apigen-async.

    ApigenError                 anything the CLI reports as a clean, one-line error
    ├── ConfigError             bad flag or combination of flags
    ├── ApiLoadError            an --apis file that cannot be read (names file and line)
    ├── StoreError              an --out directory that holds another run, a corrupt store
    ├── EndpointError           the LLM endpoint is unreachable or refuses the model
    │   └── EndpointGaveUp      it failed so many requests in a row that the run stops
    ├── LocalModelError         the embedded model cannot be found, verified or started
    ├── HubError                --push-to-hub: no token, or the Hub refused or was not
    │                           reached (the run's files stay in --out)
    └── AttemptError            one attempt at an LLM request failed (a transport says
        │                       how; `LLMClient` decides what to do and never lets it out)
        ├── Retryable           another attempt may work (429, 5xx, timeout, connection)
        │   └── AllOut          every endpoint serving the model is out (breaker open)
        ├── StructuredOutputRefused  the endpoint refused `response_format`
        └── RequestFailed       this request cannot work (a 400, tools refused): an
                                `LLMFailure` value once it leaves the client

An endpoint that can never work (bad key, unknown model) is an `EndpointError`, also
when a transport raises it. Expected outcomes of a pair (a failed check) are not
errors: they are `schema.Rejection` values.
"""

from __future__ import annotations

__all__ = [
    "AllOut",
    "ApiLoadError",
    "ApigenError",
    "AttemptError",
    "ConfigError",
    "EndpointError",
    "EndpointGaveUp",
    "HubError",
    "LocalModelError",
    "RequestFailed",
    "Retryable",
    "StoreError",
    "StructuredOutputRefused",
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


class HubError(ApigenError):
    """--push-to-hub could not upload: no token, the Hub refused it, or was not reached."""


class AttemptError(ApigenError):
    """One attempt at an LLM request failed; `code` becomes `LLMFailure.code` if it ends it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Retryable(AttemptError):
    """Another attempt may work; `retry_after` is what the endpoint asked us to wait (s)."""

    def __init__(self, code: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(code, message)
        self.retry_after = retry_after


class AllOut(Retryable):
    """Every endpoint that serves the model is out (its breaker open)."""

    def __init__(self, message: str) -> None:
        super().__init__("all_out", message)


class StructuredOutputRefused(AttemptError):
    """The endpoint answered a request with `response_format` by a 400 or 422."""

    def __init__(self, message: str) -> None:
        super().__init__("bad_request", message)


class RequestFailed(AttemptError):
    """This request cannot work as sent (no retry will change the answer)."""
