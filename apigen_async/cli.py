"""The `apigen` command: generate, verify, split, eval, report, catalog, bench."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Awaitable, Callable, Iterator, Sequence
from pathlib import Path

import anyio

from apigen_async import __version__
from apigen_async.commands.bench import add_bench_parser
from apigen_async.commands.flags import Parser, number, positive
from apigen_async.dedup import DEFAULT_THRESHOLD
from apigen_async.errors import ApigenError, ConfigError
from apigen_async.executors.python import (
    DEFAULT_EXEC_MEMORY_MB,
    DEFAULT_EXEC_TIMEOUT,
    DEFAULT_EXEC_WORKERS,
    MIN_EXEC_MEMORY_MB,
)
from apigen_async.executors.rest import DEFAULT_REST_RPS
from apigen_async.llm.client import DEFAULT_GIVE_UP_AFTER
from apigen_async.llm.endpoint import DEFAULT_OPENAI_MODEL
from apigen_async.llm.limits import DEFAULT_CONCURRENCY
from apigen_async.llm.local import DEFAULT_LOCAL_CHECKER, DEFAULT_LOCAL_MODEL, LOCAL_MODELS
from apigen_async.llm.retry import DEFAULT_MAX_RETRY_AFTER
from apigen_async.llm.transport import TRANSPORTS
from apigen_async.scrub import Scrubber
from apigen_async.stages import CHECKS
from apigen_async.styles import STYLES

__all__ = ["main", "parse_range", "parse_shard", "parse_styles"]


def parse_styles(spec: str) -> dict[str, float]:
    """`simple,parallel:2` -> {"simple": 1.0, "parallel": 2.0}; unknown names are errors."""
    weights: dict[str, float] = {}
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        name, _, weight = part.partition(":")
        name = name.strip()
        if name not in STYLES:
            raise ConfigError(f"--styles: unknown style {name!r}; choose from {', '.join(STYLES)}")
        try:
            value = float(weight) if weight else 1.0
        except ValueError as exc:
            raise ConfigError(f"--styles: weight of {name!r} is not a number: {weight!r}") from exc
        if value < 0:
            raise ConfigError(f"--styles: weight of {name!r} is negative")
        weights[name] = value
    if not any(weights.values()):
        raise ConfigError("--styles: no style with a positive weight")
    return weights


def parse_shard(text: str) -> tuple[int, int]:
    """`1/4` -> (1, 4): shard 1 of 4; argparse names the flag on an error."""
    k, slash, n = text.partition("/")
    try:
        shard, shards = int(k), int(n)
    except ValueError:
        shard, shards = -1, 0
    if not slash or shards < 1 or not 0 <= shard < shards:
        raise argparse.ArgumentTypeError(f"expected K/N with 0 <= K < N, got {text!r}")
    return shard, shards


def parse_range(flag: str, text: str) -> tuple[int, int]:
    """`2-4` -> (2, 4); `3` -> (3, 3)."""
    lo, _, hi = text.partition("-")
    try:
        low, high = int(lo), int(hi or lo)
    except ValueError as exc:
        raise ConfigError(f"{flag}: expected LO-HI, got {text!r}") from exc
    if low < 0 or high < low:
        raise ConfigError(f"{flag}: expected 0 <= LO <= HI, got {text!r}")
    return low, high


def _add_endpoint_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--base-url", help="OpenAI-compatible endpoint (default: OpenAI if a key "
                   "is set, else the embedded local model)")  # fmt: skip
    p.add_argument("--model", help="model name the endpoint serves")
    p.add_argument("--judge-model", help="judge model (default: --model)")
    p.add_argument("--solver-model", help="re-solve model (default: --judge-model)")
    p.add_argument("--api-key-env", default="OPENAI_API_KEY", metavar="NAME",
                   help="variable holding the API key (default OPENAI_API_KEY)")  # fmt: skip
    p.add_argument("--local-model", default=DEFAULT_LOCAL_MODEL,
                   help=f"embedded model: {', '.join(LOCAL_MODELS)} or a GGUF path")  # fmt: skip
    p.add_argument("--local-checker", default=DEFAULT_LOCAL_CHECKER, metavar="NAME|PATH|same",
                   help="embedded model that re-solves and judges (default "
                   f"{DEFAULT_LOCAL_CHECKER}; 'same': --local-model)")  # fmt: skip
    p.add_argument("--slots", type=positive(int), default=4,
                   help="embedded model: parallel sequences (default 4)")  # fmt: skip


def _add_api_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--apis",
        nargs="+",
        type=Path,
        default=[],
        metavar="PATH",
        help="extra API files or folders besides the built-in library: Python modules "
        "(functions with type hints and docstrings) or ToolBench JSON (tool files, "
        "query api_list files)",
    )
    p.add_argument(
        "--no-builtin",
        action="store_true",
        help="use only the --apis files, not the built-in library in apis/ (Python "
        "functions and the local REST service's tools)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="apigen",
        description="Generate verified function-calling datasets (APIGen, async).",
    )
    parser.add_argument("--version", action="version", version=f"apigen-async {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    g = sub.add_parser(
        "generate",
        help="generate a verified dataset",
        description="Sample APIs, generate query/answer pairs with an LLM, keep those that "
        "pass the format, execution and semantic checks. With no --base-url and no API key, "
        "runs the embedded local model (llama.cpp) offline.",
    )
    g.add_argument(
        "-n",
        "--pairs",
        type=positive(int),
        default=20,
        help="stop after this many verified pairs (default 20)",
    )
    g.add_argument(
        "--out",
        type=Path,
        default=Path("out"),
        help="output folder: dataset.jsonl, report.json, apigen.sqlite (default out/)",
    )
    g.add_argument("--seed", type=int, default=0, help="run seed; tasks derive from it (default 0)")
    g.add_argument(
        "--base-url",
        action="append",
        help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1; repeat it for "
        "several servers of the same model (each with its own --concurrency, --rpm, --tpm); "
        "default: OpenAI if a key is set, else the embedded local model",
    )
    g.add_argument(
        "--endpoints",
        type=Path,
        metavar="FILE",
        help="several endpoints from a TOML file: [[endpoint]] tables with base_url, model "
        "and optional judge_model, api_key_env, weight, concurrency, rpm, tpm",
    )
    g.add_argument(
        "--shard",
        type=parse_shard,
        metavar="K/N",
        help="run shard K of N (0 <= K < N): the tasks whose index is K modulo N, as an "
        "ordinary run in --out; `apigen merge` combines the shards",
    )
    g.add_argument(
        "--ray",
        nargs="?",
        const="",
        metavar="ADDRESS",
        help="run --shards shards as Ray tasks (a local Ray instance without ADDRESS), "
        "limits split across them, and merge them into --out (needs apigen-async[ray])",
    )
    g.add_argument("--shards", type=positive(int), help="shards of a --ray run (default 2)")
    # Set by a --ray driver for its shards: every endpoint limit is divided by it.
    g.add_argument("--limit-share", type=positive(int), default=1, help=argparse.SUPPRESS)
    g.add_argument(
        "--model",
        help=f"generator model (default: {DEFAULT_OPENAI_MODEL} on OpenAI, "
        "the local model's name when embedded)",
    )
    g.add_argument("--judge-model", help="semantic-checker model (default: --model)")
    g.add_argument(
        "--judge-batch",
        type=positive(int),
        default=8,
        metavar="N",
        help="pairs of one task judged (and re-solved) in one request "
        "(default 8; 1: a request per pair)",
    )
    g.add_argument(
        "--checks",
        default=",".join(CHECKS),
        metavar="LIST",
        help=f"checks a pair must pass, from {','.join(CHECKS)} (default: all; format always "
        "runs). rules: values must come from the query, no placeholders or repeated calls; "
        "resolve: a second request given only the query must re-predict the same calls",
    )
    g.add_argument(
        "--sampling",
        choices=("uniform", "balanced"),
        default="balanced",
        help="API sampler: uniform (the paper's) or balanced (functions and categories with "
        "fewer verified calls in the epochs a task may see are drawn more often; default); "
        "part of the run's identity",
    )
    g.add_argument(
        "--dedup",
        choices=("exact", "near"),
        default="near",
        help="drop verified pairs whose query repeats an earlier one exactly, or nearly "
        "(MinHash-LSH over word shingles; default near); part of the run's identity",
    )
    g.add_argument(
        "--dedup-threshold",
        type=number(float, above=0, maximum=1),
        default=DEFAULT_THRESHOLD,
        metavar="J",
        help=f"estimated Jaccard similarity at which --dedup near merges two queries "
        f"(default {DEFAULT_THRESHOLD})",
    )
    g.add_argument(
        "--solver-model",
        help="model that re-solves queries for the resolve check (default: --judge-model)",
    )
    g.add_argument(
        "--api-key-env",
        default="OPENAI_API_KEY",
        metavar="NAME",
        help="environment variable holding the API key (default OPENAI_API_KEY); "
        "the key is never written anywhere",
    )
    g.add_argument(
        "--concurrency",
        type=positive(int),
        help=f"LLM requests in flight (default {DEFAULT_CONCURRENCY}; embedded model: its --slots)",
    )
    g.add_argument(
        "--exec-concurrency",
        type=positive(int),
        default=DEFAULT_EXEC_WORKERS,
        help="sandboxed Python workers executing calls (default %(default)s)",
    )
    g.add_argument(
        "--exec-timeout",
        type=positive(float),
        default=DEFAULT_EXEC_TIMEOUT,
        help="wall-clock seconds per Python call before it fails (default %(default)s)",
    )
    g.add_argument(
        "--exec-memory-mb",
        type=number(int, minimum=MIN_EXEC_MEMORY_MB),
        default=DEFAULT_EXEC_MEMORY_MB,
        help="address-space limit of each sandbox worker in MB (default %(default)s)",
    )
    g.add_argument(
        "--rest-backend",
        choices=("local", "virtual", "rapidapi", "none"),
        default="local",
        help="how REST tools run: local = our API service on 127.0.0.1 (its tools "
        "join the library; default); virtual = StableToolBench-style server "
        "(cache, then the real API if a key is set, else simulated); rapidapi = the "
        "real hosts; none = Python tools only",
    )
    g.add_argument(
        "--rest-rps",
        type=positive(float),
        help="requests per second per REST host, on every backend (default: "
        f"{DEFAULT_REST_RPS:g} to real hosts; our servers on 127.0.0.1 unthrottled)",
    )
    g.add_argument(
        "--rapidapi-key-env",
        default="RAPIDAPI_KEY",
        metavar="NAME",
        help="environment variable holding the RapidAPI key (default RAPIDAPI_KEY)",
    )
    g.add_argument(
        "--simulate",
        choices=("schema", "llm"),
        default="schema",
        help="virtual backend: simulate unanswered calls from the response "
        "template (schema, default) or with the LLM (llm)",
    )
    g.add_argument("--rpm", type=positive(float), help="cap on LLM requests per minute")
    g.add_argument("--tpm", type=positive(float), help="cap on LLM tokens per minute")
    g.add_argument(
        "--styles",
        default=",".join(STYLES),
        help="query styles with optional weights, e.g. 'simple:2,parallel,irrelevance:0.5'"
        f" (default all: {','.join(STYLES)})",
    )
    _add_api_flags(g)
    g.add_argument("--temperature", type=number(float, minimum=0, maximum=2), default=0.7,
                   help="generator temperature, 0 to 2 (default 0.7)")  # fmt: skip
    g.add_argument(
        "--pairs-per-task",
        type=positive(int),
        default=3,
        help="pairs asked for in each generation request (default 3)",
    )
    g.add_argument(
        "--examples-per-task",
        default="1-2",
        metavar="LO-HI",
        help="verified examples shown in each generation prompt (default 1-2)",
    )
    g.add_argument(
        "--tools-per-task",
        default="2-4",
        metavar="LO-HI",
        help="APIs offered to multiple and parallel_multiple tasks (default 2-4; simple and "
        "parallel offer 1, irrelevance 1 to HI-1)",
    )
    g.add_argument(
        "--max-tokens",
        type=positive(int),
        default=1024,
        help="max answer tokens of a generation request (default 1024)",
    )
    g.add_argument(
        "--max-tasks",
        type=positive(int),
        help="give up after this many generation tasks (default: enough for a 4%% pass rate)",
    )
    g.add_argument(
        "--structured",
        choices=("auto", "on", "off"),
        default="auto",
        help="JSON-schema structured output: auto tries it and falls back (default)",
    )
    g.add_argument(
        "--timeout",
        type=positive(float),
        help="seconds per LLM request (default 300; embedded model 900, as a CPU shared "
        "by several slots can be slow)",
    )
    g.add_argument(
        "--max-retries",
        type=number(int, minimum=0),
        default=6,
        help="retries of a failed LLM request (429/5xx/timeout) (default 6)",
    )
    g.add_argument(
        "--max-retry-after",
        type=positive(float),
        default=DEFAULT_MAX_RETRY_AFTER,
        metavar="SECONDS",
        help="longest Retry-After wait honoured; an endpoint asking for more fails the "
        "request at once (default %(default)g)",
    )
    g.add_argument(
        "--give-up-after",
        type=number(int, minimum=0),
        default=DEFAULT_GIVE_UP_AFTER,
        metavar="N",
        help="end the run once N LLM requests in a row have failed, each after its retries "
        "(default %(default)s; 0: never); what was verified before is kept and exported",
    )
    g.add_argument(
        "--local-model",
        default=DEFAULT_LOCAL_MODEL,
        metavar="NAME|PATH",
        help=f"embedded model: {' or '.join(LOCAL_MODELS)} or a GGUF file "
        f"(default {DEFAULT_LOCAL_MODEL})",
    )
    g.add_argument(
        "--local-checker",
        default=DEFAULT_LOCAL_CHECKER,
        metavar="NAME|PATH|same",
        help="embedded model that re-solves and judges, in a server of its own: checking "
        f"needs a stronger model than generating (default {DEFAULT_LOCAL_CHECKER}; "
        "'same': --local-model)",
    )
    g.add_argument(
        "--slots",
        type=positive(int),
        default=4,
        help="parallel sequences of the embedded model (default 4)",
    )
    g.add_argument(
        "--epoch-size",
        type=positive(int),
        default=4096,
        help="tasks per example-pool epoch: verified pairs feed prompts two epochs later, "
        "and at most about two epochs of tasks are in flight (default 4096; keep it at "
        "least 4 x --concurrency, or the slowest task of an epoch holds the run back)",
    )
    resume = g.add_mutually_exclusive_group()
    resume.add_argument(
        "--resume",
        dest="fresh",
        action="store_false",
        default=False,
        help="continue the run stored in --out (default)",
    )
    resume.add_argument(
        "--fresh",
        dest="fresh",
        action="store_true",
        help="discard the run stored in --out and start over",
    )
    g.add_argument(
        "--extra-columns",
        action="store_true",
        help="add style, categories, generator, execution results and judge thought "
        "columns to dataset.jsonl",
    )
    g.add_argument(
        "--export",
        default="xlam",
        metavar="FORMATS",
        help="comma-separated dataset formats besides xlam (dataset.jsonl, always written): "
        "openai (dataset.openai.jsonl, fine-tuning messages with tools), sharegpt "
        "(dataset.sharegpt.jsonl), bfcl (dataset.bfcl.jsonl, questions with ground truth), "
        "parquet (dataset.parquet, xlam rows; needs pyarrow)",
    )
    g.add_argument(
        "--price-in",
        type=positive(float),
        metavar="USD",
        help="USD per million prompt tokens (default: built-in table for OpenAI models)",
    )
    g.add_argument(
        "--price-out",
        type=positive(float),
        metavar="USD",
        help="USD per million completion tokens (default: built-in table)",
    )
    g.add_argument(
        "--length-retry-tokens",
        type=positive(int),
        metavar="N",
        help="when an answer is cut at --max-tokens, ask once more with N max tokens instead "
        "of rejecting it as truncated",
    )
    g.add_argument(
        "--llm-transport",
        choices=TRANSPORTS,
        default="aiohttp",
        help="HTTP path to the LLM: aiohttp (direct, default; the cheapest in CPU), openai "
        "(the SDK on aiohttp), openai-httpx (the SDK's default)",
    )
    g.add_argument(
        "--log-requests",
        type=Path,
        metavar="FILE",
        help="append every request sent to the LLM, with its timing and usage, to FILE "
        "(JSON lines; `apigen bench --replay FILE` sends them again)",
    )
    g.add_argument("--quiet", action="store_true", help="no progress output")

    v = sub.add_parser(
        "verify",
        help="run the checks on an existing dataset (xlam rows)",
        description="Apply format, rules, execution, resolve and judge checks to an existing "
        "dataset in the xlam-function-calling-60k format (ours, a colleague's, a sample of "
        "xlam-60k). Writes the kept rows, verdicts.jsonl (one line per input row) and the "
        "report. With no --base-url and no API key, the embedded local model checks.",
    )
    v.add_argument("file", type=Path, help="JSON lines: id, query, answers, tools[, style]")
    v.add_argument("--out", type=Path, default=Path("verified"), help="output folder "
                   "(default verified/)")  # fmt: skip
    v.add_argument("--checks", default=",".join(CHECKS), metavar="LIST",
                   help=f"checks to apply, from {','.join(CHECKS)} (default: all)")  # fmt: skip
    _add_endpoint_flags(v)
    _add_api_flags(v)
    v.add_argument("--rest-backend", choices=("local", "virtual", "none"), default="local",
                   help="how REST tools run: local API service (default), virtual "
                   "(simulated), none")  # fmt: skip
    v.add_argument("--concurrency", type=positive(int), default=4, help="rows checked at "
                   "once, and LLM requests in flight (default 4)")  # fmt: skip
    v.add_argument("--exec-concurrency", type=positive(int), default=DEFAULT_EXEC_WORKERS,
                   help="sandbox workers (default %(default)s)")  # fmt: skip
    v.add_argument("--exec-timeout", type=positive(float), default=DEFAULT_EXEC_TIMEOUT,
                   help="seconds per call (default %(default)s)")  # fmt: skip
    v.add_argument("--exec-memory-mb", type=number(int, minimum=MIN_EXEC_MEMORY_MB),
                   default=DEFAULT_EXEC_MEMORY_MB,
                   help="memory per sandbox worker in MB (default %(default)s)")  # fmt: skip
    v.add_argument("--structured", choices=("auto", "on", "off"), default="auto",
                   help="JSON-Schema structured output for LLM checks (default auto)")  # fmt: skip
    v.add_argument("--quiet", action="store_true", help="no progress output")

    _add_split_parser(sub)
    _add_eval_parser(sub)
    m = sub.add_parser(
        "merge",
        help="merge the shards of a run (--shard k/N) into one dataset",
        description="Combine finished or partial shards of one run into one store, dataset "
        "and report: each shard's dataset in shard order, deduplicated across shards.",
    )
    m.add_argument("out", type=Path, help="output folder of the merged run")
    m.add_argument("shard_dirs", type=Path, nargs="*", metavar="SHARD_DIR",
                   help="the shards' --out folders")  # fmt: skip
    m.add_argument("--export", default="", metavar="FORMATS",
                   help="more dataset formats, as for generate")  # fmt: skip
    m.add_argument("--extra-columns", action="store_true", help="as for generate")
    m.add_argument("--quiet", action="store_true", help="no progress output")

    r = sub.add_parser(
        "report",
        help="print the report of a run folder again",
        description="Print the filter table and statistics from a run's store.",
    )
    r.add_argument("out", type=Path, help="run folder (the --out of generate)")
    r.add_argument("--json", action="store_true", help="print report.json instead of tables")
    r.add_argument(
        "--html", action="store_true", help="also write DIR/report.html (charts and a row browser)"
    )

    c = sub.add_parser("catalog", help="list, show and check the API library")
    csub = c.add_subparsers(dest="catalog_command", required=True)
    cl = csub.add_parser("list", help="list tools")
    cl.add_argument(
        "--format",
        choices=("table", "json"),
        default="table",
        help="table, or a JSON list of xlam specs plus category and source",
    )
    _add_api_flags(cl)
    cs = csub.add_parser("show", help="show one tool's spec")
    cs.add_argument("name", help="tool name")
    _add_api_flags(cs)
    cc = csub.add_parser("check", help="run every worked example and seed in the sandbox")
    _add_api_flags(cc)
    cc.add_argument(
        "--exec-concurrency",
        type=positive(int),
        default=DEFAULT_EXEC_WORKERS,
        help="sandbox workers (default %(default)s)",
    )
    add_bench_parser(sub)
    sa = sub.add_parser(
        "serve-apis",
        help="run the local REST API service",
        description="Serve the local API service (apis/rest) on 127.0.0.1.",
    )
    sa.add_argument(
        "--port",
        type=number(int, minimum=0, maximum=65535),
        default=8088,
        help="port (default 8088; 0 = any free)",
    )
    sa.add_argument(
        "--rps-per-key",
        type=positive(float),
        default=50.0,
        help="requests per second allowed per X-RapidAPI-Key (default 50)",
    )
    return parser


def _add_split_parser(sub: argparse._SubParsersAction) -> None:
    from apigen_async.split import SPLIT_BY

    sp = sub.add_parser(
        "split",
        help="split a dataset into train.jsonl and test.jsonl",
        description="Write train.jsonl and test.jsonl (xlam rows, unchanged) beside a dataset. "
        "Deterministic for a given seed. --by tool keeps every function of the test rows out "
        "of train; --by category does so for API categories (needs --extra-columns).",
    )
    sp.add_argument("dataset", type=Path, help="a dataset folder (its dataset.jsonl) or a file")
    sp.add_argument("--test", type=number(float, above=0, maximum=0.99), default=0.1,
                    help="share of rows held out for test (default 0.1)")  # fmt: skip
    sp.add_argument("--by", choices=SPLIT_BY, default="row",
                    help="hold out random rows (default), tools or categories")  # fmt: skip
    sp.add_argument("--seed", type=int, default=0, help="split seed (default 0)")


def _add_eval_parser(sub: argparse._SubParsersAction) -> None:
    from apigen_async.eval.requests import MODES

    ev = sub.add_parser(
        "eval",
        help="score an endpoint with BFCL's AST metric",
        description="Ask an endpoint (default: the embedded model) the questions of a test "
        "split of our data (--data) or of BFCL's single-turn AST categories (--bfcl) and "
        "score the answers with BFCL's AST checker rules. Writes scores.json, failures.jsonl "
        "and BFCL result files; a rerun resumes from the answer cache.",
    )
    source = ev.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", type=Path, metavar="FILE",
                        help="xlam rows (e.g. test.jsonl of `apigen split`) or BFCL rows "
                        "with ground truth (--export bfcl)")  # fmt: skip
    source.add_argument("--bfcl", metavar="CATEGORIES",
                        help="BFCL categories (a,b,...) or non_live, live, all")  # fmt: skip
    ev.add_argument("--bfcl-dir", type=Path, metavar="PATH",
                    help="BFCL data folder (a gorilla checkout's bfcl_eval/data; default: "
                    "the installed bfcl-eval package's)")  # fmt: skip
    ev.add_argument("--mode", choices=MODES, default="fc",
                    help="fc: native function calling (tools); prompt: functions in the "
                    "system prompt, calls read from the text (default fc)")  # fmt: skip
    ev.add_argument("--out", type=Path, default=Path("eval"),
                    help="output folder (default eval/)")  # fmt: skip
    ev.add_argument("--sample", type=positive(int), metavar="N",
                    help="score a fixed seeded sample of at most N items per category")  # fmt: skip
    ev.add_argument("--seed", type=int, default=0,
                    help="sample seed, also sent as the request seed (default 0)")  # fmt: skip
    ev.add_argument("--base-url", help="OpenAI-compatible endpoint (default: OpenAI if a key "
                    "is set, else the embedded local model)")  # fmt: skip
    ev.add_argument("--model", help="model name the endpoint serves")
    ev.add_argument("--api-key-env", default="OPENAI_API_KEY", metavar="NAME",
                    help="variable holding the API key (default OPENAI_API_KEY)")  # fmt: skip
    ev.add_argument("--local-model", default=DEFAULT_LOCAL_MODEL,
                    help=f"embedded model: {', '.join(LOCAL_MODELS)} or a GGUF path")  # fmt: skip
    ev.add_argument("--slots", type=positive(int), default=4,
                    help="embedded model: parallel sequences (default 4)")  # fmt: skip
    ev.add_argument("--concurrency", type=positive(int),
                    help="requests in flight (default 8; embedded: --slots)")  # fmt: skip
    ev.add_argument("--rpm", type=positive(float), help="cap on requests per minute")
    ev.add_argument("--tpm", type=positive(float), help="cap on tokens per minute")
    ev.add_argument("--temperature", type=number(float, minimum=0, maximum=2), default=0.0,
                    help="sampling temperature (default 0)")  # fmt: skip
    ev.add_argument("--max-tokens", type=positive(int), default=512,
                    help="answer length cap (default 512)")  # fmt: skip
    ev.add_argument("--timeout", type=positive(float), help="seconds per request")
    ev.add_argument("--max-retries", type=number(int, minimum=0), default=6,
                    help="retries per request (default 6)")  # fmt: skip
    ev.add_argument("--give-up-after", type=number(int, minimum=0), default=DEFAULT_GIVE_UP_AFTER,
                    metavar="N", help="stop once N requests in a row have failed, each after "
                    "its retries (default %(default)s; 0: never)")  # fmt: skip
    ev.add_argument("--log-requests", type=Path, metavar="FILE",
                    help="append every request sent, with timing and usage, to FILE")  # fmt: skip
    ev.add_argument("--quiet", action="store_true", help="no progress output")
    # Only the model under test is started: no checker model.
    ev.set_defaults(local_checker="same", judge_model=None)


#: Each command's coroutine, imported only when it runs so start-up stays light.
_COMMANDS: dict[str, tuple[str, str]] = {
    "generate": ("apigen_async.run", "generate_command"),
    "verify": ("apigen_async.commands.verify", "verify_command"),
    "split": ("apigen_async.commands.split", "split_command"),
    "eval": ("apigen_async.commands.eval", "eval_command"),
    "merge": ("apigen_async.commands.merge", "merge_command"),
    "report": ("apigen_async.run", "report_command"),
    "bench": ("apigen_async.commands.bench", "bench_command"),
    "serve-apis": ("apigen_async.run", "serve_apis_command"),
}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    module, name = _COMMANDS.get(args.command, ("apigen_async.commands.catalog", "catalog_command"))
    try:
        return _run(getattr(importlib.import_module(module), name), args)
    except ApigenError as exc:
        print(f"apigen: error: {_scrubber(args)(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("apigen: interrupted; finished work is saved, rerun to resume", file=sys.stderr)
        return 130


def _scrubber(args: argparse.Namespace) -> Scrubber:
    """What error messages pass: the keys this command may have read, and token shapes."""
    names = {"OPENAI_API_KEY", getattr(args, "api_key_env", None)}
    names.add(getattr(args, "rapidapi_key_env", None))
    return Scrubber.from_env(*sorted(n for n in names if n))


def _run(command: Callable[[argparse.Namespace], Awaitable[int]], args: argparse.Namespace) -> int:
    try:
        return anyio.run(command, args, backend_options={"use_uvloop": True})
    except BaseExceptionGroup as group:
        # Errors raised inside task groups arrive wrapped: report ours first, else the first.
        leaves = list(_leaves(group))
        raise next((e for e in leaves if isinstance(e, ApigenError)), leaves[0]) from None


def _leaves(exc: BaseException) -> Iterator[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            yield from _leaves(inner)
    else:
        yield exc


def entry() -> None:
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
