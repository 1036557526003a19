"""Benchmark: the sandboxed PythonExecutor over every worked example of the library.

    python bench/executor.py [--runs 3] [--concurrency 1 2 8] [--passes 3] [--no-uvloop]

For each exec concurrency N (N workers, N calls in flight) and each run, a fresh executor
first executes every worked example once (the warm-up: workers start and import the
library modules; its wall time is reported as `warmup_s`), then `--passes` timed passes
over all examples. Reported: the median over runs of calls/s, p50 and p99 latency (ms,
from submitting a call to its result) and warm-up seconds. Every result is compared with
its worked example (floats to 1e-6 relative); a mismatch or failed call is reported and
makes the exit status non-zero, so the figures are never for broken work.
Results also go to bench/results/executor.json.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from apigen_async.catalog.python import import_module_file, load_python_tools
from apigen_async.executors.python import PythonExecutor
from apigen_async.schema import Call, Tool

LIBRARY = Path(__file__).resolve().parents[1] / "apis" / "python"
RESULTS = Path(__file__).resolve().parent / "results" / "executor.json"

Example = tuple[Tool, Call, Any]


def workload() -> list[Example]:
    """(tool, call, expected result) for every worked example of the built-in library."""
    out: list[Example] = []
    for path in sorted(LIBRARY.glob("*.py")):
        if path.name.startswith("_"):
            continue
        examples = import_module_file(path).EXAMPLES
        for tool in load_python_tools(path):
            for args, want in examples.get(tool.name, []):
                out.append((tool, Call(name=tool.name, arguments=args), want))
    return out


def same(got: Any, want: Any) -> bool:
    if isinstance(want, bool) or isinstance(got, bool):
        return got is want
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        return math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-9)
    if isinstance(want, (list, tuple)):
        return (
            isinstance(got, list)
            and len(got) == len(want)
            and all(same(g, w) for g, w in zip(got, want, strict=True))
        )
    if isinstance(want, dict):
        return (
            isinstance(got, dict)
            and got.keys() == want.keys()
            and all(same(got[k], want[k]) for k in want)
        )
    return got == want


async def run_pass(
    ex: PythonExecutor, work: list[Example], concurrency: int
) -> tuple[list[float], list[str]]:
    """Execute every call with `concurrency` in flight; per-call latencies and problems."""
    latencies: list[float] = []
    problems: list[str] = []
    send, receive = anyio.create_memory_object_stream[Example](max_buffer_size=len(work))
    for item in work:
        send.send_nowait(item)
    send.close()

    async def worker(items: Any) -> None:
        async with items:
            async for tool, call, want in items:
                started = time.perf_counter()
                result = await ex.execute(tool, call)
                latencies.append(time.perf_counter() - started)
                if not result.ok:
                    problems.append(f"{call.name}: {result.error}: {result.message}")
                elif not same(result.output, want):
                    problems.append(f"{call.name}: got {result.output!r}, expected {want!r}")

    async with anyio.create_task_group() as tg:
        for _ in range(concurrency):
            tg.start_soon(worker, receive.clone())
        receive.close()
    return latencies, problems


def percentile(sorted_values: list[float], q: float) -> float:
    pos = (len(sorted_values) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


async def one_run(work: list[Example], concurrency: int, passes: int) -> dict[str, Any]:
    async with PythonExecutor(workers=concurrency, timeout=5.0, memory_mb=512) as ex:
        started = time.perf_counter()
        _, problems = await run_pass(ex, work, concurrency)
        warmup = time.perf_counter() - started
        latencies: list[float] = []
        started = time.perf_counter()
        for _ in range(passes):
            lat, more = await run_pass(ex, work, concurrency)
            latencies += lat
            problems += more
        wall = time.perf_counter() - started
        replaced = ex.workers_replaced
    latencies.sort()
    return {
        "calls": len(latencies),
        "calls_per_s": len(latencies) / wall,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "warmup_s": warmup,
        "workers_replaced": replaced,
        "problems": problems,
    }


async def main(args: argparse.Namespace) -> int:
    work = workload()
    print(f"{len(work)} worked examples over {len({t.name for t, _, _ in work})} tools")
    print(
        f"{'conc':>4} {'calls/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'warmup s':>9}  "
        f"(median of {args.runs} runs, {args.passes} passes each)"
    )
    report: dict[str, Any] = {"examples": len(work), "passes": args.passes, "results": {}}
    failed = False
    for concurrency in args.concurrency:
        runs = [await one_run(work, concurrency, args.passes) for _ in range(args.runs)]
        problems = sorted({p for r in runs for p in r["problems"]})
        med = {
            key: statistics.median(r[key] for r in runs)
            for key in ("calls_per_s", "p50_ms", "p99_ms", "warmup_s")
        }
        report["results"][str(concurrency)] = {
            **{k: round(v, 3) for k, v in med.items()},
            "runs": [{k: v for k, v in r.items() if k != "problems"} for r in runs],
            "problems": problems,
        }
        print(
            f"{concurrency:>4} {med['calls_per_s']:>9.1f} {med['p50_ms']:>8.2f} "
            f"{med['p99_ms']:>8.2f} {med['warmup_s']:>9.2f}"
        )
        for p in problems[:10]:
            print(f"     PROBLEM {p}")
        failed = failed or bool(problems) or any(r["workers_replaced"] for r in runs)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    return 1 if failed else 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--passes", type=int, default=3, help="timed passes over the examples")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 2, 8])
    parser.add_argument("--no-uvloop", action="store_true")
    return parser.parse_args(argv)


if __name__ == "__main__":
    args = parse_args()
    options = {} if args.no_uvloop else {"use_uvloop": True}
    sys.exit(anyio.run(main, args, backend="asyncio", backend_options=options))
