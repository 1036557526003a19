"""Run Python library functions in sandboxed worker processes.

Each worker is a separate interpreter (`_worker.py`) with an address-space limit and a
per-call CPU budget; the parent enforces a wall-clock timeout. A call that hangs,
crashes or exhausts memory costs its pair and its worker: the worker is killed and a
fresh one starts on the next call. Arguments travel as JSON and are passed by keyword;
they are never evaluated.
"""

from __future__ import annotations

import signal
import sys
import time
from types import TracebackType
from typing import Any, Self

import anyio
import msgspec
from anyio.abc import Process

from apigen_async.schema import Call, ExecResult, Tool

__all__ = [
    "DEFAULT_EXEC_MEMORY_MB",
    "DEFAULT_EXEC_TIMEOUT",
    "DEFAULT_EXEC_WORKERS",
    "MIN_EXEC_MEMORY_MB",
    "PythonExecutor",
]

# The sandbox's one set of defaults: the CLI's flags, the pipeline and `catalog check`.
DEFAULT_EXEC_WORKERS = 2
DEFAULT_EXEC_TIMEOUT = 5.0
DEFAULT_EXEC_MEMORY_MB = 1024
#: Below this a worker's interpreter cannot start.
MIN_EXEC_MEMORY_MB = 64

_reply_decoder = msgspec.json.Decoder(dict[str, Any])


class _Worker:
    def __init__(self, process: Process) -> None:
        self.process = process
        self.buffer = b""

    @classmethod
    async def start(cls, memory_mb: int) -> _Worker:
        process = await anyio.open_process(
            [sys.executable, "-m", "apigen_async.executors._worker", str(memory_mb)],
            stderr=None,
            # Out of the parent's process group: a group Ctrl-C that arrives while the
            # worker is still importing (before it ignores SIGINT) must not kill it; the
            # parent stops its workers, and a worker whose parent died reads EOF and exits.
            start_new_session=True,
        )
        return cls(process)

    async def request(self, payload: bytes) -> bytes:
        assert self.process.stdin is not None and self.process.stdout is not None
        await self.process.stdin.send(payload + b"\n")
        while b"\n" not in self.buffer:
            chunk = await self.process.stdout.receive()
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line

    async def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
        with anyio.CancelScope(shield=True):
            await self.process.wait()
            await self.process.aclose()

    def death_reason(self) -> tuple[str, str]:
        code = self.process.returncode
        if code is not None and code < 0:
            sig = signal.Signals(-code)
            if sig == signal.SIGXCPU:
                return "cpu_limit", "CPU time limit exceeded"
            return "crashed", f"worker killed by {sig.name}"
        return "worker_exited", f"worker exited with status {code} (os._exit or fatal error)"


class PythonExecutor:
    """`async execute(tool, call) -> ExecResult` over a pool of sandboxed workers."""

    def __init__(
        self,
        *,
        workers: int = DEFAULT_EXEC_WORKERS,
        timeout: float = DEFAULT_EXEC_TIMEOUT,
        memory_mb: int = DEFAULT_EXEC_MEMORY_MB,
        cpu_seconds: float = DEFAULT_EXEC_TIMEOUT,
        max_output: int = 4096,
        max_print: int = 65536,
    ) -> None:
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.cpu_seconds = cpu_seconds
        self.max_output = max_output
        self.max_print = max_print
        self._slots = anyio.CapacityLimiter(workers)
        self._idle: list[_Worker] = []
        self._encoder = msgspec.json.Encoder()
        self.workers_replaced = 0

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        idle, self._idle = self._idle, []
        for worker in idle:
            await worker.kill()

    async def execute(self, tool: Tool, call: Call) -> ExecResult:
        if tool.module_path is None or tool.function is None:
            return ExecResult(ok=False, error="not_python", message=f"{tool.name} is not Python")
        payload = self._encoder.encode(
            {
                "path": tool.module_path,
                "function": tool.function,
                "arguments": call.arguments,
                "cpu_seconds": self.cpu_seconds,
                "max_output": self.max_print,
            }
        )
        async with self._slots:
            worker = self._idle.pop() if self._idle else await _Worker.start(self.memory_mb)
            started = time.perf_counter()
            healthy = False
            try:
                with anyio.move_on_after(self.timeout) as scope:
                    line = await worker.request(payload)
                if scope.cancelled_caught:
                    return ExecResult(
                        ok=False,
                        error="timeout",
                        message=f"no result within {self.timeout:g} s",
                        seconds=time.perf_counter() - started,
                    )
                healthy = True
            except (anyio.EndOfStream, anyio.BrokenResourceError, anyio.ClosedResourceError):
                with anyio.move_on_after(2):
                    await worker.process.wait()
                error, message = worker.death_reason()
                return ExecResult(
                    ok=False, error=error, message=message, seconds=time.perf_counter() - started
                )
            finally:
                if healthy:
                    self._idle.append(worker)
                else:
                    self.workers_replaced += 1
                    await worker.kill()
            return self._result(line, time.perf_counter() - started)

    def _result(self, line: bytes, seconds: float) -> ExecResult:
        reply = _reply_decoder.decode(line)
        if not reply.get("ok"):
            return ExecResult(
                ok=False, error=reply.get("error"), message=reply.get("message"), seconds=seconds
            )
        output = reply.get("output")
        encoded = self._encoder.encode(output)
        if len(encoded) > self.max_output:
            output = encoded[: self.max_output].decode("utf-8", "ignore") + "...[truncated]"
        return ExecResult(ok=True, output=output, seconds=seconds)
