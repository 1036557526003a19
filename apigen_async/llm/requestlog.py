"""`--log-requests`: every request sent to the endpoint, with its timing and usage.

One JSON line per answered request (cache hits are not sent, so not logged). It is for
looking at what the model was asked and for `apigen bench --replay`, which sends the same
requests again to measure the raw server on exactly the pipeline's workload. Request
bodies hold prompts only; the API key is never part of them.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import IO

import msgspec

from apigen_async.errors import ConfigError
from apigen_async.llm.types import ChatRequest, Completion
from apigen_async.scrub import Scrubber

__all__ = ["LoggedRequest", "RequestLog", "read_request_log"]


class LoggedRequest(msgspec.Struct, frozen=True, kw_only=True):
    #: Seconds from the log's opening to the request's admission, and its duration
    #: (retries and their waits included).
    start: float
    seconds: float
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str
    request: ChatRequest


class RequestLog:
    def __init__(self, path: Path, scrub: Scrubber | None = None) -> None:
        self.path = path
        # Prompts hold no key, but a line may carry text an endpoint or a tool echoed.
        self._scrub = scrub or Scrubber()
        try:
            self._file: IO[bytes] = path.open("ab")
        except OSError as exc:
            raise ConfigError(f"--log-requests {path}: {exc.strerror}") from exc
        self._opened = time.monotonic()
        self._encoder = msgspec.json.Encoder()

    def write(self, request: ChatRequest, completion: Completion, started: float) -> None:
        now = time.monotonic()
        entry = LoggedRequest(
            start=round(started - self._opened, 4),
            seconds=round(now - started, 4),
            prompt_tokens=completion.prompt_tokens,
            completion_tokens=completion.completion_tokens,
            finish_reason=completion.finish_reason,
            request=request,
        )
        self._file.write(self._scrub.data(self._encoder.encode(entry)) + b"\n")

    def close(self) -> None:
        self._file.close()


def read_request_log(path: Path) -> list[LoggedRequest]:
    try:
        lines = path.read_bytes().splitlines()
    except OSError as exc:
        raise ConfigError(f"{path}: {exc.strerror}") from exc
    decoder = msgspec.json.Decoder(LoggedRequest)
    entries = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            entries.append(decoder.decode(line))
        except msgspec.DecodeError as exc:
            raise ConfigError(f"{path}:{number}: not a request log line: {exc}") from exc
    if not entries:
        raise ConfigError(f"{path}: no requests in the log")
    return entries
