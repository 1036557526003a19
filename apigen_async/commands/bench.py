"""`apigen bench`: raw LLM throughput of the configured endpoint at rising concurrency.

Sends one fixed, realistic generation prompt (the generator's own template with three
built-in tools) through the same client the pipeline uses, at each concurrency level,
and reports requests/s, output tokens/s and latency percentiles. With `--replay FILE` (a
`generate --log-requests` log) it sends the pipeline's own requests instead, each once per
level: the raw server on exactly the pipeline's workload, so the pipeline's tokens/s can
be compared with the server's at the same number of slots.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
import msgspec
from rich.console import Console
from rich.table import Table

from apigen_async.commands.flags import Parser, number, positive
from apigen_async.llm.endpoint import endpoint_config, resolve_endpoint

if TYPE_CHECKING:
    from apigen_async.llm.client import LLMClient
    from apigen_async.llm.types import ChatRequest

# The client (aiohttp, openai) is imported when a benchmark runs, so that building the
# CLI's parser stays cheap.

__all__ = ["BenchLevel", "BenchResult", "add_bench_parser", "bench_command", "bench_request"]

BENCH_TOOLS = ("calculate_tip", "convert_temperature", "binomial_coefficient")


class BenchLevel(msgspec.Struct, frozen=True, kw_only=True):
    concurrency: int
    requests: int
    failures: int
    wall_s: float
    requests_per_s: float
    output_tokens_per_s: float
    input_tokens_per_s: float
    mean_output_tokens: float
    latency_p50_s: float
    latency_p99_s: float


class BenchResult(msgspec.Struct, frozen=True, kw_only=True):
    base_url: str
    model: str
    local_model: str | None
    slots: int | None
    max_tokens: int
    levels: list[BenchLevel]


def _levels(text: str) -> list[int]:
    try:
        levels = [int(x) for x in text.split(",") if x.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a list of integers: {text!r}") from exc
    if not levels or min(levels) < 1:
        raise argparse.ArgumentTypeError(f"levels must be >= 1: {text!r}")
    return levels


def add_bench_parser(subparsers: Any) -> argparse.ArgumentParser:
    from apigen_async.llm.local import DEFAULT_LOCAL_MODEL, LOCAL_MODELS

    b = subparsers.add_parser(
        "bench",
        help="measure raw LLM throughput of the endpoint",
        description="Send one fixed generation prompt at each concurrency level and report "
        "requests/s, output tokens/s and p50/p99 latency. With no --base-url and no API "
        "key, benchmarks the embedded local model.",
    )
    b.add_argument("--base-url", help="OpenAI-compatible endpoint (default as for generate)")
    b.add_argument("--model", help="model name (default as for generate)")
    b.add_argument(
        "--api-key-env",
        default="OPENAI_API_KEY",
        metavar="NAME",
        help="environment variable holding the API key (default OPENAI_API_KEY)",
    )
    b.add_argument(
        "--local-model",
        default=DEFAULT_LOCAL_MODEL,
        metavar="NAME|PATH",
        help=f"embedded model: {' or '.join(LOCAL_MODELS)} or a GGUF file",
    )
    b.add_argument(
        "--slots",
        type=positive(int),
        help="parallel sequences of the embedded model (default: the highest level)",
    )
    b.add_argument(
        "--levels",
        type=_levels,
        default=[1, 2, 4, 8],
        help="comma-separated concurrency levels (default 1,2,4,8)",
    )
    b.add_argument(
        "--requests",
        type=number(int, minimum=0),
        default=0,
        help="requests per level (default: 4 x the level, at least 8)",
    )
    b.add_argument(
        "--replay",
        type=Path,
        metavar="FILE",
        help="send the requests of a `generate --log-requests` log (each once per level, "
        "their own max tokens, temperature and seed) instead of the fixed prompt",
    )
    b.add_argument("--max-tokens", type=positive(int), default=256, help="max answer tokens (256)")
    b.add_argument("--temperature", type=number(float, minimum=0, maximum=2), default=0.7,
                   help="temperature, 0 to 2 (0.7)")  # fmt: skip
    b.add_argument("--timeout", type=positive(float), default=300.0,
                   help="seconds per request (300)")  # fmt: skip
    b.add_argument(
        "--out",
        type=Path,
        default=Path("apigen-bench.json"),
        help="JSON results file (default apigen-bench.json)",
    )
    return b


def bench_request(model: str, *, max_tokens: int, temperature: float, seed: int) -> ChatRequest:
    """The generator's prompt for three built-in tools (the same text for every seed)."""
    from apigen_async.catalog.library import load_catalog
    from apigen_async.generate import generation_request
    from apigen_async.prompts import PromptLibrary
    from apigen_async.schema import Task

    tools = load_catalog().by_name()
    offered = [tools[name] for name in BENCH_TOOLS if name in tools] or list(tools.values())[:3]
    task = Task(
        id="bench",
        index=0,
        style="parallel_multiple",
        tool_names=tuple(t.name for t in offered),
        example_ids=(),
        template="parallel_multiple_1",
        n_pairs=3,
    )
    request = generation_request(
        PromptLibrary(),
        task,
        offered,
        [],
        model=model,
        temperature=temperature,
        max_tokens=max_tokens,
        structured=False,
    )
    return msgspec.structs.replace(request, seed=seed)


def _percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return math.nan
    k = min(len(sorted_values) - 1, max(0, math.ceil(q * len(sorted_values)) - 1))
    return sorted_values[k]


async def run_level(
    client: LLMClient, requests: Sequence[ChatRequest], concurrency: int
) -> BenchLevel:
    """Send `requests` in order with `concurrency` in flight."""
    from apigen_async.llm.types import Completion

    latencies: list[float] = []
    prompt_tokens = completion_tokens = failures = 0
    next_index = 0

    async def worker() -> None:
        nonlocal next_index, prompt_tokens, completion_tokens, failures
        while next_index < len(requests):
            request = requests[next_index]
            next_index += 1
            t0 = time.perf_counter()
            result = await client.complete(request)
            if isinstance(result, Completion):
                latencies.append(time.perf_counter() - t0)
                prompt_tokens += result.prompt_tokens
                completion_tokens += result.completion_tokens
            else:
                failures += 1

    t0 = time.perf_counter()
    async with anyio.create_task_group() as tg:
        for _ in range(concurrency):
            tg.start_soon(worker)
    wall = time.perf_counter() - t0
    latencies.sort()
    done = len(latencies)
    return BenchLevel(
        concurrency=concurrency,
        requests=done,
        failures=failures,
        wall_s=round(wall, 3),
        requests_per_s=round(done / wall, 3),
        output_tokens_per_s=round(completion_tokens / wall, 1),
        input_tokens_per_s=round(prompt_tokens / wall, 1),
        mean_output_tokens=round(completion_tokens / done, 1) if done else 0.0,
        latency_p50_s=round(statistics.median(latencies), 3) if latencies else math.nan,
        latency_p99_s=round(_percentile(latencies, 0.99), 3),
    )


def _replayed(path: Path, model: str) -> list[ChatRequest]:
    from apigen_async.llm.requestlog import read_request_log

    # The logged model name may be another alias of the same weights.
    return [msgspec.structs.replace(entry.request, model=model) for entry in read_request_log(path)]


def _table(result: BenchResult) -> Table:
    where = result.local_model or result.base_url
    table = Table(title=f"LLM throughput: {result.model} at {where}")
    for name in ("in flight", "requests", "fail", "req/s", "out tok/s", "in tok/s", "p50 s"):
        table.add_column(name, justify="right")
    table.add_column("p99 s", justify="right")
    for lv in result.levels:
        table.add_row(
            str(lv.concurrency),
            str(lv.requests),
            str(lv.failures),
            f"{lv.requests_per_s:.2f}",
            f"{lv.output_tokens_per_s:.1f}",
            f"{lv.input_tokens_per_s:.1f}",
            f"{lv.latency_p50_s:.2f}",
            f"{lv.latency_p99_s:.2f}",
        )
    return table


async def bench_command(args: argparse.Namespace) -> int:
    from apigen_async.llm.client import LLMClient
    from apigen_async.llm.limits import Limits

    console = Console(stderr=True)
    levels: list[int] = args.levels
    api_key = os.environ.get(args.api_key_env, "")
    endpoint = resolve_endpoint(endpoint_config(vars(args)), api_key)
    if endpoint.kind == "local":
        from apigen_async.llm.local import require_local_extra

        require_local_extra(args.local_model, key_env=args.api_key_env)
    model, local_model = endpoint.model, endpoint.local_model
    base_url = endpoint.base_url or ""
    slots = args.slots or max(levels)
    replayed = _replayed(args.replay, model) if args.replay else []
    async with anyio.create_task_group() as tg:
        if local_model is not None:
            from apigen_async.llm.local import resolve_local_model, serve_local_model

            path = resolve_local_model(local_model)
            console.print(f"starting the embedded model {path.name} ({slots} slots)...")
            base_url = await tg.start(
                lambda task_status: serve_local_model(
                    path, alias=model, n_parallel=slots, task_status=task_status
                )
            )
        client = LLMClient(
            base_url=base_url,
            api_key=api_key,
            limits=Limits(concurrency=max(levels)),
            timeout=args.timeout,
            max_retries=2,
        )
        try:
            await client.preflight([model])
            template = bench_request(
                model, max_tokens=args.max_tokens, temperature=args.temperature, seed=0
            )
            # One request first, so that loading and warm-up are not in the figures.
            await client.complete(replayed[0] if replayed else template)
            results = []
            for i, level in enumerate(levels):
                n = len(replayed) or args.requests or max(8, 4 * level)
                requests = replayed or [
                    msgspec.structs.replace(template, seed=1000 * (i + 1) + k) for k in range(n)
                ]
                console.print(f"concurrency {level}: {n} requests...")
                results.append(await run_level(client, requests, level))
        finally:
            await client.aclose()
        tg.cancel_scope.cancel()
    result = BenchResult(
        base_url=base_url,
        model=model,
        local_model=local_model,
        slots=slots,
        max_tokens=args.max_tokens,
        levels=results,
    )
    Console(file=sys.stdout).print(_table(result))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(msgspec.json.format(msgspec.json.encode(result)) + b"\n")
        console.print(f"wrote {args.out}")
    return 0 if all(lv.requests for lv in results) else 1


def main(argv: list[str] | None = None) -> int:
    """`python -m apigen_async.commands.bench [flags]`: the same as `apigen bench [flags]`."""
    parser = Parser(prog="apigen")
    add_bench_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["bench", *(sys.argv[1:] if argv is None else argv)])
    return anyio.run(bench_command, args, backend_options={"use_uvloop": True})


if __name__ == "__main__":
    sys.exit(main())
