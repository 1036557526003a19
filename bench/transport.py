"""Which HTTP transport should the LLM client use?

Sends the same chat requests through `LLMClient` with each of its transports - "aiohttp"
(direct POST, msgspec decoding), "openai" (`openai.AsyncOpenAI` on `DefaultAioHttpClient`)
and "openai-httpx" (the SDK's default httpx2 transport) - at 64, 256 and 1,024 requests
in flight against the fake endpoint (a separate process, so the CPU we measure is the
client's only) and prints requests/s and client CPU ms per request, medians of --repeats.

    python -m bench.transport --requests 4000 --repeats 3 --latency 0
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import anyio

from apigen_async.llm.client import LLMClient
from apigen_async.llm.limits import Limits
from apigen_async.llm.transport import TRANSPORTS
from apigen_async.llm.types import ChatRequest, Completion

LEVELS = (64, 256, 1024)
PROMPT = [
    {"role": "system", "content": "You are a helpful assistant that answers in one line."},
    {"role": "user", "content": "Summarise what a rate limiter does in a sentence, please."},
]


def start_fake(*args: str) -> tuple[subprocess.Popen[str], str]:
    """Start `python -m bench.fake_openai` on a free port; return it and its base URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.fake_openai", "--port", "0", *args],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("READY "):
        proc.kill()
        raise RuntimeError(f"fake endpoint did not start: {line!r}")
    return proc, line.split()[1]


async def one_run(base_url: str, transport: str, concurrency: int, n: int) -> dict[str, Any]:
    client = LLMClient(
        base_url=base_url,
        api_key="none",
        limits=Limits(concurrency=concurrency),
        max_retries=0,
        transport=transport,
    )
    remaining = n
    failures = 0

    async def worker() -> None:
        nonlocal remaining, failures
        while remaining > 0:
            remaining -= 1
            request = ChatRequest(model="fake", messages=PROMPT, max_tokens=64, temperature=0.7)
            if not isinstance(await client.complete(request), Completion):
                failures += 1

    # Warm the connection pool so that connecting is not part of the measurement.
    async with anyio.create_task_group() as tg:
        remaining = concurrency
        for _ in range(concurrency):
            tg.start_soon(worker)
    remaining = n
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    async with anyio.create_task_group() as tg:
        for _ in range(concurrency):
            tg.start_soon(worker)
    wall = time.perf_counter() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    await client.aclose()
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    return {
        "transport": transport,
        "concurrency": concurrency,
        "requests": n,
        "failures": failures,
        "wall_s": wall,
        "rps": n / wall,
        "cpu_ms_per_request": 1000 * cpu / n,
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.transport", description=__doc__)
    p.add_argument("--requests", type=int, default=4000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--latency", default="0", help="fake endpoint latency spec")
    p.add_argument("--levels", default=",".join(map(str, LEVELS)))
    p.add_argument("--transports", default=",".join(TRANSPORTS))
    p.add_argument("--out", type=Path, help="write all runs as JSON here")
    args = p.parse_args(argv)
    levels = [int(x) for x in args.levels.split(",")]
    transports = args.transports.split(",")
    proc, base_url = start_fake("--latency", args.latency)
    runs: list[dict[str, Any]] = []
    try:
        for _ in range(args.repeats):
            # Interleave transports so drift on a shared machine hits both alike.
            for level in levels:
                for transport in transports:
                    n = max(args.requests, 4 * level)
                    runs.append(
                        anyio.run(
                            one_run,
                            base_url,
                            transport,
                            level,
                            n,
                            backend_options={"use_uvloop": True},
                        )
                    )
    finally:
        proc.terminate()
        proc.wait(10)
    print(f"{'transport':<13} {'in flight':>9} {'req/s':>8} {'CPU ms/req':>10} {'failures':>8}")
    summary = []
    for level in levels:
        for transport in transports:
            mine = [r for r in runs if r["transport"] == transport and r["concurrency"] == level]
            row = {
                "transport": transport,
                "concurrency": level,
                "rps": statistics.median(r["rps"] for r in mine),
                "cpu_ms_per_request": statistics.median(r["cpu_ms_per_request"] for r in mine),
                "failures": sum(r["failures"] for r in mine),
            }
            summary.append(row)
            print(
                f"{transport:<13} {level:>9} {row['rps']:>8.0f} "
                f"{row['cpu_ms_per_request']:>10.2f} {row['failures']:>8}"
            )
    if args.out:
        args.out.write_text(json.dumps({"summary": summary, "runs": runs}, indent=1))


if __name__ == "__main__":
    main()
