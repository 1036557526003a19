"""Throughput of `apigen eval` against the fake endpoint: items/s and client CPU per item.

Scores BFCL's five non-live categories (1,240 items; repeated with fresh ids up to
--items) through the command's own path (request building, `LLMClient` with its limits
and a real SQLite answer cache, decoding, BFCL scoring) at 64 and 256 items in flight.
The fake endpoint runs in a separate process, so the CPU measured is the eval's only.
Medians of --repeats runs, each with a fresh cache.

    python -m bench.eval --items 4000 --repeats 3 --mode fc
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
import msgspec

from apigen_async.eval.bfcl_data import CATEGORY_GROUPS, find_bfcl_dir, load_category
from apigen_async.eval.items import EvalItem
from apigen_async.eval.runner import Outcome, evaluate_items
from apigen_async.llm.client import LLMClient
from apigen_async.llm.limits import Limits
from apigen_async.store import open_store
from bench.transport import start_fake

LEVELS = (64, 256)


def _items(n: int) -> list[EvalItem]:
    folder = find_bfcl_dir(None)
    base = [i for c in CATEGORY_GROUPS["non_live"] for i in load_category(folder, c)]
    items = []
    round_ = 0
    while len(items) < n:
        for item in base[: n - len(items)]:
            # A fresh id and question text per round: every request is a new one.
            messages = tuple(
                {**m, "content": m["content"] + (f" (#{round_})" if round_ else "")}
                for m in item.messages
            )
            items.append(msgspec.structs.replace(item, id=f"{item.id}#{round_}", messages=messages))
        round_ += 1
    return items


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def one_run(base_url: str, items: list[EvalItem], concurrency: int, mode: str) -> dict:
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory() as tmp:
        async with open_store(Path(tmp) / "apigen.sqlite") as store:
            client = LLMClient(
                base_url=base_url,
                api_key="none",
                limits=Limits(concurrency=concurrency),
                cache=store,
                max_retries=0,
            )
            try:
                cpu, started = _cpu(), time.perf_counter()
                await evaluate_items(
                    items,
                    client,
                    mode=mode,  # type: ignore[arg-type]
                    model="fake",
                    temperature=0.0,
                    max_tokens=512,
                    seed=0,
                    concurrency=concurrency,
                    on_outcome=outcomes.append,
                )
                wall, cpu = time.perf_counter() - started, _cpu() - cpu
            finally:
                await client.aclose()
    assert len(outcomes) == len(items)
    return {
        "items_per_s": len(items) / wall,
        "cpu_ms_per_item": 1000 * cpu / len(items),
        "wall_s": wall,
        "failed_requests": sum(o.score.error_type.startswith("llm_error") for o in outcomes),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=4000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--mode", choices=("fc", "prompt"), default="fc")
    parser.add_argument("--latency", default="0", help="fake endpoint latency (its syntax)")
    args = parser.parse_args()
    items = _items(args.items)
    proc, url = start_fake("--latency", args.latency)
    results: dict[str, Any] = {}
    try:
        for level in LEVELS:
            runs = [
                anyio.run(
                    one_run, url, items, level, args.mode, backend_options={"use_uvloop": True}
                )
                for _ in range(args.repeats)
            ]
            results[str(level)] = {
                key: statistics.median(r[key] for r in runs)
                for key in ("items_per_s", "cpu_ms_per_item", "wall_s", "failed_requests")
            }
            print(f"{level} in flight: {json.dumps(results[str(level)])}", flush=True)
    finally:
        proc.terminate()
        proc.wait()
    print(json.dumps({"items": len(items), "mode": args.mode, "levels": results}, indent=2))


if __name__ == "__main__":
    main()
