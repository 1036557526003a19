"""Benchmark: RestExecutor against the local API service (run in its own process).

    python bench/rest.py [--requests 1500] [--runs 3] [--concurrency 1 16 128] [--no-uvloop]

For each concurrency and for cache off / cache warm (every request a cache hit, i.e. a
rerun), it reports the median over runs of: requests/s, p50 and p99 latency (ms), client
CPU seconds per 1,000 requests and server CPU seconds per 1,000 requests. Requests cycle
through every endpoint of the service with its example arguments (16 hosts), so the
per-host limiter and connection pool are exercised as in a real run; limits are set high
enough that they do not throttle (this measures the executor, not the quota).
Results also go to bench/results/rest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from apigen_async.catalog.library import local_rest_tools
from apigen_async.executors.rest import MemoryRestCache, RestExecutor
from apigen_async.schema import Call, Tool
from apis.rest.framework import registry
from apis.rest.service import local_base_urls

TICKS = os.sysconf("SC_CLK_TCK")


def proc_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def workload(n: int) -> list[tuple[Tool, Call]]:
    tools = {(t.rest.tool_name, t.rest.api_name): t for t in local_rest_tools() if t.rest}
    base = []
    for ep in registry():
        t = tools[(ep.tool.name, ep.name)]
        base.append((t, Call(name=t.name, arguments=ep.example_args())))
    return [base[i % len(base)] for i in range(n)]


async def one_run(
    port: int, server_pid: int, calls: list[tuple[Tool, Call]], concurrency: int, cached: bool
) -> dict[str, float]:
    cache = MemoryRestCache() if cached else None
    ex = RestExecutor(
        backend="local",
        rps=1e6,
        burst=10_000,
        per_host_concurrency=concurrency,
        base_url_override=local_base_urls(port),
        cache=cache,
    )
    async with ex:
        if cached:  # warm: the measured pass is a rerun served from the cache
            for tool, call in calls[: len(registry())]:
                await ex.execute(tool, call)
        latencies: list[float] = []
        failures = 0
        # A shared iterator, not a stream: a stream's per-send checkpoint would make the
        # feeder, not the executor, the bottleneck at high concurrency.
        pending = iter(calls)

        async def worker() -> None:
            nonlocal failures
            for tool, call in pending:
                t0 = time.perf_counter()
                r = await ex.execute(tool, call)
                latencies.append(time.perf_counter() - t0)
                failures += not r.ok

        cpu0, scpu0, wall0 = time.process_time(), proc_cpu(server_pid), time.perf_counter()
        async with anyio.create_task_group() as tg:
            for _ in range(concurrency):
                tg.start_soon(worker)
        wall = time.perf_counter() - wall0
        cpu, scpu = time.process_time() - cpu0, proc_cpu(server_pid) - scpu0
    latencies.sort()
    n = len(latencies)
    return {
        "rps": n / wall,
        "mean_ms": 1000 * statistics.fmean(latencies),
        "p50_ms": 1000 * latencies[n // 2],
        "p99_ms": 1000 * latencies[min(n - 1, int(n * 0.99))],
        "client_cpu_s_per_1k": 1000 * cpu / n,
        "server_cpu_s_per_1k": 1000 * scpu / n,
        "failures": failures,
    }


async def main(args: argparse.Namespace) -> None:
    cmd = [sys.executable, "-m", "apis.rest.service", "--port", "0", "--rps-per-key", "1e9"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    async with await anyio.open_process(cmd, env=env) as proc:
        assert proc.stdout is not None
        line = b""
        while b"\n" not in line:
            line += await proc.stdout.receive()
        port = int(line.split(b"127.0.0.1:")[1].split(b" ")[0])
        calls = workload(args.requests)
        results: list[dict[str, Any]] = []
        try:
            for cached in (False, True):
                for c in args.concurrency:
                    runs = [
                        await one_run(port, proc.pid, calls, c, cached) for _ in range(args.runs)
                    ]
                    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
                    row = {"cache": "warm" if cached else "off", "concurrency": c, **med}
                    results.append(row)
                    print(
                        f"cache={row['cache']:4} c={c:<4} {med['rps']:8.0f} req/s  "
                        f"mean {med['mean_ms']:6.2f} ms  p50 {med['p50_ms']:6.2f} ms  "
                        f"p99 {med['p99_ms']:6.2f} ms  "
                        f"client CPU {med['client_cpu_s_per_1k']:.3f} s/1k  "
                        f"server CPU {med['server_cpu_s_per_1k']:.3f} s/1k  "
                        f"failures {med['failures']:.0f}",
                        flush=True,
                    )
        finally:
            proc.terminate()
    out = Path(__file__).resolve().parent / "results" / "rest.json"
    out.parent.mkdir(exist_ok=True)
    meta = {"requests": args.requests, "runs": args.runs, "uvloop": not args.no_uvloop}
    out.write_text(json.dumps({"meta": meta, "results": results}, indent=2))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16, 128])
    parser.add_argument("--no-uvloop", action="store_true")
    ns = parser.parse_args()
    anyio.run(main, ns, backend="asyncio", backend_options={"use_uvloop": not ns.no_uvloop})
