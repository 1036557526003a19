"""Shared test helpers: run the real CLI as a subprocess, serve the fake endpoint."""

from __future__ import annotations

import importlib.util
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from aiohttp import web

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@asynccontextmanager
async def chat_endpoint(
    chat: Callable[[web.Request], Awaitable[web.Response]],
) -> AsyncIterator[str]:
    """A one-route OpenAI-style server on 127.0.0.1 whose `/v1/chat/completions` is
    `chat`: the base URL, for tests that need to see or shape the HTTP exchange."""
    app = web.Application()
    app.router.add_post("/v1/chat/completions", chat)
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/v1"
    finally:
        await runner.cleanup()


def cli_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("OPENAI_API_KEY", None)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def apigen(*args: str, timeout: float = 300, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "apigen_async", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=cli_env(**env),
        cwd=REPO,
    )


@contextmanager
def fake_endpoint(*flags: str) -> Iterator[str]:
    """`python -m bench.fake_openai` on a free port; yields its base URL."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.fake_openai", "--port", str(port), *flags],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("fake endpoint did not start") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        # SIGTERM first: that is when the fake writes its `--log`.
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def stored_tasks(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return int(conn.execute("SELECT count(*) FROM tasks").fetchone()[0])
    except sqlite3.Error:
        return 0


def require_bfcl_data() -> None:
    """scripts/setup installs bfcl-eval for its data files: without it these tests fail."""
    if importlib.util.find_spec("bfcl_eval") is None:
        raise RuntimeError("BFCL data missing: pip install --no-deps -r requirements-nodeps.txt")
