"""The sandbox worker: runs trusted library functions on untrusted arguments.

Started by `executors/python.py` as `python -m apigen_async.executors._worker MEMORY_MB`.
Protocol: one JSON request per line on stdin (`{"path", "function", "arguments",
"cpu_seconds", "max_output"}`), one JSON reply per line on a private copy of stdout.
The function's own prints go to a bounded buffer, and anything written to file
descriptor 1 or 2 directly goes to /dev/null, so nothing a function does can corrupt
the protocol. Failures a function can survive are replies; those it cannot (os._exit,
segfault, CPU or memory limits hit hard) end this process, and the parent reads the
exit status.
"""

from __future__ import annotations

import io
import os
import resource
import signal
import sys
from typing import Any

import msgspec

from apigen_async.catalog.python import import_module_file


class _Request(msgspec.Struct):
    path: str
    function: str
    arguments: dict[str, Any]
    cpu_seconds: float
    max_output: int


class _OutputFlood(Exception):
    pass


class _BoundedText(io.TextIOBase):
    """A stdout stand-in that fails the call once a function prints too much."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, s: str) -> int:
        self.size += len(s)
        if self.size > self.limit:
            raise _OutputFlood(f"printed more than {self.limit} characters")
        return len(s)


def _set_cpu_budget(seconds: float) -> None:
    used = resource.getrusage(resource.RUSAGE_SELF)
    spent = used.ru_utime + used.ru_stime
    soft = int(spent + seconds) + 1
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _run(req: _Request) -> dict[str, Any]:
    from pathlib import Path

    try:
        module = import_module_file(Path(req.path))
        fn = getattr(module, req.function)
    except Exception as exc:
        return {"ok": False, "error": "load_error", "message": f"{type(exc).__name__}: {exc}"}
    _set_cpu_budget(req.cpu_seconds)
    sys.stdout = sys.stderr = _BoundedText(req.max_output)
    try:
        value = fn(**req.arguments)
    except _OutputFlood as exc:
        return {"ok": False, "error": "output_flood", "message": str(exc)}
    except MemoryError:
        return {"ok": False, "error": "memory_limit", "message": "memory limit exceeded"}
    except RecursionError:
        return {"ok": False, "error": "exception", "message": "RecursionError: too deep"}
    except SystemExit as exc:
        return {"ok": False, "error": "exit_called", "message": f"called sys.exit({exc.code!r})"}
    except BaseException as exc:
        return {"ok": False, "error": "exception", "message": f"{type(exc).__name__}: {exc}"}
    finally:
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    try:
        output = msgspec.json.decode(msgspec.json.encode(value))
    except (TypeError, ValueError, OverflowError) as exc:
        return {"ok": False, "error": "not_serializable", "message": f"result: {exc}"}
    return {"ok": True, "output": output}


def main() -> None:
    # A process-group Ctrl-C (apigen started from a script that is then interrupted) must
    # not kill the workers under a run that goes on: the parent decides when they stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    memory_mb = int(sys.argv[1])
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # Keep the protocol on a private descriptor; fds 1 and 2 go nowhere.
    proto = os.fdopen(os.dup(1), "wb", buffering=0)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    decoder = msgspec.json.Decoder(_Request)
    encoder = msgspec.json.Encoder()
    for line in sys.stdin.buffer:
        try:
            reply = _run(decoder.decode(line))
        except msgspec.DecodeError as exc:
            reply = {"ok": False, "error": "bad_request", "message": str(exc)}
        try:
            data = encoder.encode(reply)
        except MemoryError:
            data = encoder.encode({"ok": False, "error": "memory_limit", "message": "reply"})
        proto.write(data + b"\n")


if __name__ == "__main__":
    main()
