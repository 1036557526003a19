"""The `apigen` command: generate, verify, split, eval, report, catalog, bench."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin, get_type_hints

import msgspec

from apigen_async import __version__
from apigen_async.commands import run_command
from apigen_async.commands.bench import add_bench_parser
from apigen_async.commands.flags import Parser, number, positive
from apigen_async.config import RunConfig, choices, load_run_config, parse_shard
from apigen_async.errors import ApigenError
from apigen_async.executors.rest import DEFAULT_REST_RPS
from apigen_async.llm.client import DEFAULT_GIVE_UP_AFTER
from apigen_async.llm.endpoint import DEFAULT_OPENAI_MODEL
from apigen_async.llm.limits import DEFAULT_CONCURRENCY
from apigen_async.llm.local import (
    DEFAULT_LOCAL_CHECKER,
    DEFAULT_LOCAL_MODEL,
    DEFAULT_SLOTS,
    LOCAL_MODELS,
)
from apigen_async.llm.transport import TRANSPORTS
from apigen_async.scrub import Scrubber
from apigen_async.stages import CHECKS
from apigen_async.styles import STYLES

__all__ = ["entry", "generate_config", "main"]

#: The defaults, for the help texts (the parser itself has none for generate).
D = RunConfig()
_HINTS = get_type_hints(RunConfig, include_extras=True)


def _bounded(field: str) -> Callable[[str], int | float]:
    """The argparse type of a number setting, with the bounds RunConfig declares for it."""
    hint = _HINTS[field]
    if get_origin(hint) in (Union, UnionType):
        hint = next(a for a in get_args(hint) if a is not type(None))
    if get_origin(hint) is not Annotated:
        return number(hint)
    kind, meta = get_args(hint)[:2]
    return number(kind, minimum=meta.ge, above=meta.gt, maximum=meta.le)


def _text(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """An argparse type from a config parser, so argparse names the flag on an error."""

    def convert(text: str) -> Any:
        try:
            parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        return text  # parsed again, with the rest of the config

    return convert


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
    p.add_argument("--slots", type=positive(int), default=DEFAULT_SLOTS,
                   help="embedded model: parallel sequences "
                   f"(default {DEFAULT_SLOTS})")  # fmt: skip


def _add_api_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--apis",
        nargs="+",
        type=Path,
        **({} if p.argument_default == argparse.SUPPRESS else {"default": []}),
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


def _add_generate_parser(sub: argparse._SubParsersAction) -> None:
    # No defaults here (argument_default=SUPPRESS): the namespace holds only the flags
    # given, which override a --config file; every default is RunConfig's.
    g = sub.add_parser(
        "generate",
        help="generate a verified dataset",
        description="Sample APIs, generate query/answer pairs with an LLM, keep those that "
        "pass the format, execution and semantic checks. With no --base-url and no API key, "
        "runs the embedded local model (llama.cpp) offline.",
        argument_default=argparse.SUPPRESS,
    )
    g.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="settings from a TOML file: keys named as these flags (dashes or underscores, "
        "e.g. max-retries = 3); flags given here override it",
    )
    g.add_argument(
        "-n",
        "--pairs",
        type=_bounded("pairs"),
        help=f"stop after this many verified pairs (default {D.pairs})",
    )
    g.add_argument(
        "--out",
        type=Path,
        help="output folder: dataset.jsonl, report.json, apigen.sqlite (default out/)",
    )
    g.add_argument("--seed", type=int, help=f"run seed; tasks derive from it (default {D.seed})")
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
        type=_text(parse_shard),
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
    g.add_argument("--shards", type=_bounded("shards"), help="shards of a --ray run (default 2)")
    g.add_argument("--limit-share", type=_bounded("limit_share"), help=argparse.SUPPRESS)
    g.add_argument(
        "--model",
        help=f"generator model (default: {DEFAULT_OPENAI_MODEL} on OpenAI, "
        "the local model's name when embedded)",
    )
    g.add_argument("--judge-model", help="semantic-checker model (default: --model)")
    g.add_argument(
        "--judge-batch",
        type=_bounded("judge_batch"),
        metavar="N",
        help="pairs of one task judged (and re-solved) in one request "
        f"(default {D.judge_batch}; 1: a request per pair)",
    )
    g.add_argument(
        "--checks",
        metavar="LIST",
        help=f"checks a pair must pass, from {','.join(CHECKS)} (default: all; without "
        "judge when the embedded model checks; format always runs). rules: values must come "
        "from the query, no placeholders or repeated calls; resolve: a second request given "
        "only the query must re-predict the same calls",
    )
    g.add_argument(
        "--sampling",
        choices=choices("sampling"),
        help="API sampler: uniform (the paper's) or balanced (functions and categories with "
        "fewer verified calls in the epochs a task may see are drawn more often; default); "
        "part of the run's identity",
    )
    g.add_argument(
        "--dedup",
        choices=choices("dedup"),
        help="drop verified pairs whose query repeats an earlier one exactly, or nearly "
        f"(MinHash-LSH over word shingles; default {D.dedup}); part of the run's identity",
    )
    g.add_argument(
        "--dedup-threshold",
        type=_bounded("dedup_threshold"),
        metavar="J",
        help=f"estimated Jaccard similarity at which --dedup near merges two queries "
        f"(default {D.dedup_threshold})",
    )
    g.add_argument(
        "--solver-model",
        help="model that re-solves queries for the resolve check (default: --judge-model)",
    )
    g.add_argument(
        "--api-key-env",
        metavar="NAME",
        help=f"environment variable holding the API key (default {D.api_key_env}); "
        "the key is never written anywhere",
    )
    g.add_argument(
        "--concurrency",
        type=_bounded("concurrency"),
        help=f"LLM requests in flight (default {DEFAULT_CONCURRENCY}; embedded model: its --slots)",
    )
    g.add_argument(
        "--exec-concurrency",
        type=_bounded("exec_concurrency"),
        help=f"sandboxed Python workers executing calls (default {D.exec_concurrency})",
    )
    g.add_argument(
        "--exec-timeout",
        type=_bounded("exec_timeout"),
        help=f"wall-clock seconds per Python call before it fails (default {D.exec_timeout})",
    )
    g.add_argument(
        "--exec-memory-mb",
        type=_bounded("exec_memory_mb"),
        help=f"address-space limit of each sandbox worker in MB (default {D.exec_memory_mb})",
    )
    g.add_argument(
        "--rest-backend",
        choices=choices("rest_backend"),
        help="how REST tools run: local = our API service on 127.0.0.1 (its tools "
        "join the library; default); virtual = StableToolBench-style server "
        "(cache, then the real API if a key is set, else simulated); rapidapi = the "
        "real hosts; none = Python tools only",
    )
    g.add_argument(
        "--rest-rps",
        type=_bounded("rest_rps"),
        help="requests per second per REST host, on every backend (default: "
        f"{DEFAULT_REST_RPS:g} to real hosts; our servers on 127.0.0.1 unthrottled)",
    )
    g.add_argument(
        "--rapidapi-key-env",
        metavar="NAME",
        help=f"environment variable holding the RapidAPI key (default {D.rapidapi_key_env})",
    )
    g.add_argument(
        "--simulate",
        choices=choices("simulate"),
        help="virtual backend: simulate unanswered calls from the response "
        "template (schema, default) or with the LLM (llm)",
    )
    g.add_argument("--rpm", type=_bounded("rpm"), help="cap on LLM requests per minute")
    g.add_argument("--tpm", type=_bounded("tpm"), help="cap on LLM tokens per minute")
    g.add_argument(
        "--styles",
        help="query styles with optional weights, e.g. 'simple:2,parallel,irrelevance:0.5'"
        f" (default all: {','.join(STYLES)}; the embedded model: all but irrelevance)",
    )
    _add_api_flags(g)
    g.add_argument(
        "--temperature",
        type=_bounded("temperature"),
        help=f"generator temperature, 0 to 2 (default {D.temperature})",
    )
    g.add_argument(
        "--pairs-per-task",
        type=_bounded("pairs_per_task"),
        help=f"pairs asked for in each generation request (default {D.pairs_per_task})",
    )
    g.add_argument(
        "--examples-per-task",
        metavar="LO-HI",
        help="verified examples shown in each generation prompt (default 1-2; 0 for the "
        "embedded model, which copies their queries)",
    )
    g.add_argument(
        "--avoid-queries",
        type=_bounded("avoid_queries"),
        metavar="N",
        help="verified queries of the task's functions (from earlier epochs) each generation "
        "prompt asks to differ from; a copy is rejected (default 3; 0 for the embedded model)",
    )
    g.add_argument(
        "--tools-per-task",
        metavar="LO-HI",
        help="APIs offered to multiple and parallel_multiple tasks (default 2-4; simple and "
        "parallel offer 1, irrelevance 1 to HI-1)",
    )
    g.add_argument(
        "--max-tokens",
        type=_bounded("max_tokens"),
        help=f"max answer tokens of a generation request (default {D.max_tokens})",
    )
    g.add_argument(
        "--max-tasks",
        type=_bounded("max_tasks"),
        help="give up after this many generation tasks (default: enough for a 4%% pass rate)",
    )
    g.add_argument(
        "--structured",
        choices=choices("structured"),
        help="JSON-schema structured output: auto tries it and falls back (default)",
    )
    g.add_argument(
        "--timeout",
        type=_bounded("timeout"),
        help="seconds per LLM request (default 300; embedded model 900, as a CPU shared "
        "by several slots can be slow)",
    )
    g.add_argument(
        "--max-retries",
        type=_bounded("max_retries"),
        help=f"retries of a failed LLM request (429/5xx/timeout) (default {D.max_retries})",
    )
    g.add_argument(
        "--max-retry-after",
        type=_bounded("max_retry_after"),
        metavar="SECONDS",
        help="longest Retry-After wait honoured; an endpoint asking for more fails the "
        f"request at once (default {D.max_retry_after:g})",
    )
    g.add_argument(
        "--give-up-after",
        type=_bounded("give_up_after"),
        metavar="N",
        help="end the run once N LLM requests in a row have failed, each after its retries "
        f"(default {D.give_up_after}; 0: never); what was verified before is kept and exported",
    )
    g.add_argument(
        "--local-model",
        metavar="NAME|PATH",
        help=f"embedded model: {' or '.join(LOCAL_MODELS)} or a GGUF file "
        f"(default {D.local_model})",
    )
    g.add_argument(
        "--local-checker",
        metavar="NAME|PATH|same",
        help="embedded model that re-solves and judges, in a server of its own: checking "
        f"needs a stronger model than generating (default {D.local_checker}; "
        "'same': --local-model)",
    )
    g.add_argument(
        "--slots",
        type=_bounded("slots"),
        help=f"parallel sequences of the embedded model (default {D.slots})",
    )
    g.add_argument(
        "--epoch-size",
        type=_bounded("epoch_size"),
        help="tasks per example-pool epoch: verified pairs feed prompts two epochs later, "
        f"and at most about two epochs of tasks are in flight (default {D.epoch_size}; keep "
        "it at least 4 x --concurrency, or the slowest task of an epoch holds the run back)",
    )
    resume = g.add_mutually_exclusive_group()
    resume.add_argument(
        "--resume",
        dest="fresh",
        action="store_false",
        help="continue the run stored in --out (default)",
    )
    resume.add_argument(
        "--fresh",
        dest="fresh",
        action="store_true",
        help="discard the run stored in --out and start over",
    )
    g.add_argument(
        "--push-to-hub",
        metavar="REPO",
        help="after the export, upload the dataset files, README.md (the card) and report.html "
        "to the Hugging Face dataset repo REPO (owner/name; made if missing), never the store; "
        "token: HF_TOKEN or `hf auth login`",
    )
    g.add_argument(
        "--extra-columns",
        action="store_true",
        help="add style, categories, generator, execution results and judge thought "
        "columns to dataset.jsonl",
    )
    g.add_argument(
        "--export",
        metavar="FORMATS",
        help="comma-separated dataset formats besides xlam (dataset.jsonl, always written): "
        "openai (dataset.openai.jsonl, fine-tuning messages with tools), sharegpt "
        "(dataset.sharegpt.jsonl), bfcl (dataset.bfcl.jsonl, questions with ground truth), "
        "parquet (dataset.parquet, xlam rows; needs pyarrow)",
    )
    g.add_argument(
        "--price-in",
        type=_bounded("price_in"),
        metavar="USD",
        help="USD per million prompt tokens (default: built-in table for OpenAI models)",
    )
    g.add_argument(
        "--price-out",
        type=_bounded("price_out"),
        metavar="USD",
        help="USD per million completion tokens (default: built-in table)",
    )
    g.add_argument(
        "--length-retry-tokens",
        type=_bounded("length_retry_tokens"),
        metavar="N",
        help="when an answer is cut at --max-tokens, ask once more with N max tokens instead "
        "of rejecting it as truncated",
    )
    g.add_argument(
        "--llm-transport",
        choices=TRANSPORTS,
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


def _parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="apigen",
        description="Generate verified function-calling datasets (APIGen, async).",
    )
    parser.add_argument("--version", action="version", version=f"apigen-async {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    _add_generate_parser(sub)

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
    v.add_argument("--exec-concurrency", type=_bounded("exec_concurrency"),
                   default=D.exec_concurrency,
                   help="sandbox workers (default %(default)s)")  # fmt: skip
    v.add_argument("--exec-timeout", type=_bounded("exec_timeout"), default=D.exec_timeout,
                   help="seconds per call (default %(default)s)")  # fmt: skip
    v.add_argument("--exec-memory-mb", type=_bounded("exec_memory_mb"),
                   default=D.exec_memory_mb,
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
        type=_bounded("exec_concurrency"),
        default=D.exec_concurrency,
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
    ev.add_argument("--slots", type=positive(int), default=DEFAULT_SLOTS,
                    help="embedded model: parallel sequences "
                    f"(default {DEFAULT_SLOTS})")  # fmt: skip
    ev.add_argument("--concurrency", type=positive(int),
                    help=f"requests in flight (default {DEFAULT_CONCURRENCY}; embedded: "
                    "--slots)")  # fmt: skip
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
    "generate": ("apigen_async.commands.generate", "generate_command"),
    "verify": ("apigen_async.commands.verify", "verify_command"),
    "split": ("apigen_async.commands.split", "split_command"),
    "eval": ("apigen_async.commands.eval", "eval_command"),
    "merge": ("apigen_async.commands.merge", "merge_command"),
    "report": ("apigen_async.commands.report", "report_command"),
    "bench": ("apigen_async.commands.bench", "bench_command"),
    "serve-apis": ("apigen_async.commands.serve", "serve_apis_command"),
    "catalog": ("apigen_async.commands.catalog", "catalog_command"),
}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    module, name = _COMMANDS[args.command]
    settings = vars(args)
    try:
        if args.command == "generate":
            config = generate_config(args)
            settings = msgspec.structs.asdict(config)
            if config.ray is not None:  # the shards run `generate` in Ray workers
                module, name = "apigen_async.commands.ray_shards", "ray_command"
            return run_command(getattr(importlib.import_module(module), name), config)
        return run_command(getattr(importlib.import_module(module), name), args)
    except ApigenError as exc:
        print(f"apigen: error: {_scrubber(settings)(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("apigen: interrupted; finished work is saved, rerun to resume", file=sys.stderr)
        return 130


def generate_config(args: argparse.Namespace) -> RunConfig:
    """The run's config: the --config file's settings, overridden by the flags given."""
    given = {k: v for k, v in vars(args).items() if k not in ("command", "config")}
    return load_run_config(given, getattr(args, "config", None))


def _scrubber(settings: dict[str, Any]) -> Scrubber:
    """What error messages pass: the keys this command may have read, and token shapes."""
    names = {"OPENAI_API_KEY", "HF_TOKEN", settings.get("api_key_env"),
             settings.get("rapidapi_key_env")}  # fmt: skip
    return Scrubber.from_env(*sorted(n for n in names if n))


def entry() -> None:
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
