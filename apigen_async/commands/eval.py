"""`apigen eval`: score an endpoint with BFCL's AST metric, on our data or BFCL's test sets.

Writes into `--out`: `scores.json` (per category and BFCL's summary figures),
`failures.jsonl` (item, model output, error type, expected answer), and for BFCL items
`BFCL_v4_<category>_result.json` (BFCL's own result-file layout, one `{"id", "result"}`
per line, so BFCL's tool can score the very same answers). Answers are cached in
`apigen.sqlite`: the same command after an interruption asks only what is unanswered.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec
from rich.console import Console
from rich.table import Table

from apigen_async.errors import ConfigError, EndpointGaveUp
from apigen_async.eval.bfcl_data import find_bfcl_dir, load_category, parse_categories
from apigen_async.eval.items import EvalItem, read_data_file
from apigen_async.eval.runner import Outcome, evaluate_items
from apigen_async.eval.score import Scores, summarise
from apigen_async.llm.endpoint import Endpoint, endpoint_config, resolve_endpoint
from apigen_async.llm.limits import DEFAULT_CONCURRENCY
from apigen_async.llm.local import require_local_extra
from apigen_async.llm.requestlog import RequestLog
from apigen_async.llm.session import open_client
from apigen_async.outdir import atomic_file, hold_out_lock, prepare_out
from apigen_async.scrub import Scrubber
from apigen_async.store import open_store

__all__ = ["EvalReport", "eval_command", "load_items"]

#: BFCL's file-name version for the result files we write.
BFCL_VERSION = "v4"


class EvalReport(msgspec.Struct, frozen=True, kw_only=True):
    """`scores.json`."""

    model: str
    endpoint: str
    mode: str
    source: str
    #: Items per category when a seeded sample was scored (None: every item).
    sample: int | None
    seed: int
    scores: Scores
    wall_seconds: float
    requests: int
    cache_hits: int
    prompt_tokens: int
    completion_tokens: int


class _Failure(msgspec.Struct, frozen=True, kw_only=True):
    """One line of `failures.jsonl`."""

    id: str
    category: str
    error_type: str
    errors: list[str]
    question: str
    output: Any
    expected: list[Any]


def load_items(args: argparse.Namespace) -> tuple[list[EvalItem], list[str], str]:
    """The items, the category order, and a description of the source."""
    if args.data is not None:
        items = read_data_file(args.data)
        if args.sample is not None:
            items = _sample_by_category(items, args.sample, args.seed)
        order = list(dict.fromkeys(i.category for i in items))
        return items, order, str(args.data)
    categories = parse_categories(args.bfcl)
    folder = find_bfcl_dir(args.bfcl_dir)
    items = []
    for category in categories:
        items.extend(load_category(folder, category, sample=args.sample, seed=args.seed))
    return items, categories, f"BFCL {','.join(categories)} ({folder})"


def _sample_by_category(items: list[EvalItem], n: int, seed: int) -> list[EvalItem]:
    def rank(item: EvalItem) -> bytes:
        return hashlib.blake2b(f"{seed}\x00{item.id}".encode(), digest_size=16).digest()

    kept: set[str] = set()
    for category in {i.category for i in items}:
        group = sorted((i for i in items if i.category == category), key=rank)
        kept.update(i.id for i in group[:n])
    return [i for i in items if i.id in kept]


async def eval_command(args: argparse.Namespace) -> int:
    started = time.monotonic()
    if args.bfcl_dir is not None and args.bfcl is None:
        raise ConfigError("--bfcl-dir needs --bfcl CATEGORIES")
    items, order, source = load_items(args)
    api_key = os.environ.get(args.api_key_env, "")
    endpoint = resolve_endpoint(endpoint_config(vars(args)), api_key)
    if endpoint.kind == "local":  # before anything is written
        require_local_extra(*endpoint.local_models.values(), key_env=args.api_key_env)
    out = prepare_out(args.out)
    gave_up: EndpointGaveUp | None = None
    with hold_out_lock(out):
        try:
            return await _evaluate(args, out, items, order, source, endpoint, api_key, started)
        except* EndpointGaveUp as group:
            leaf: BaseException = group
            while isinstance(leaf, BaseExceptionGroup):
                leaf = leaf.exceptions[0]
            assert isinstance(leaf, EndpointGaveUp)
            gave_up = leaf
    # Exit 3 as `generate` does; every answer received so far is in the cache.
    print(f"apigen: {gave_up} (rerun to resume once it answers)", file=sys.stderr)
    return 3


async def _evaluate(
    args: argparse.Namespace,
    out: Path,
    items: list[EvalItem],
    order: list[str],
    source: str,
    endpoint: Endpoint,
    api_key: str,
    started: float,
) -> int:
    console = Console(stderr=True, quiet=args.quiet)
    scrub = Scrubber.from_env(args.api_key_env)
    concurrency = args.concurrency or (
        args.slots if endpoint.kind == "local" else DEFAULT_CONCURRENCY
    )
    outcomes: dict[str, Outcome] = {}
    last_note = time.monotonic()

    def note(outcome: Outcome) -> None:
        nonlocal last_note
        outcomes[outcome.item.id] = outcome
        now = time.monotonic()
        if now - last_note >= 10 or len(outcomes) == len(items):
            last_note = now
            correct = sum(o.score.valid for o in outcomes.values())
            console.print(
                f"eval: {len(outcomes)}/{len(items)} items answered, {correct} correct, "
                f"{now - started:.0f} s"
            )

    request_log = RequestLog(args.log_requests, scrub) if args.log_requests else None
    if endpoint.kind == "local":
        console.print(f"eval: starting the embedded model {endpoint.model} ({args.slots} slots)")
    async with (
        open_store(out / "apigen.sqlite", scrub=scrub) as store,
        open_client(
            endpoint,
            api_key=api_key,
            slots=args.slots,
            concurrency=concurrency,
            cache=store,
            timeout=args.timeout,
            max_retries=args.max_retries,
            models=[endpoint.model],
            request_log=request_log,
            rpm=args.rpm,
            tpm=args.tpm,
            give_up_after=args.give_up_after or None,
        ) as client,
    ):
        console.print(f"eval: {len(items)} items from {source}, mode {args.mode}")
        await evaluate_items(
            items,
            client,
            mode=args.mode,
            model=endpoint.model,
            temperature=args.temperature,
            max_tokens=args.max_tokens,
            seed=args.seed,
            concurrency=concurrency,
            on_outcome=note,
        )
        stats = client.stats
        url = client.base_url
    ordered = [outcomes[i.id] for i in items]
    scores = summarise([o.score for o in ordered], order, bfcl=args.data is None)
    report = EvalReport(
        model=endpoint.model,
        endpoint=url if endpoint.kind == "remote" else f"embedded ({endpoint.local_model})",
        mode=args.mode,
        source=source,
        sample=args.sample,
        seed=args.seed,
        scores=scores,
        wall_seconds=round(time.monotonic() - started, 3),
        requests=stats.requests,
        cache_hits=stats.cache_hits,
        prompt_tokens=stats.prompt_tokens,
        completion_tokens=stats.completion_tokens,
    )
    _write(out, ordered, report, bfcl=args.data is None)
    print_scores(report, Console(file=sys.stdout, width=max(120, Console().width)))
    console.print(f"eval: wrote {out / 'scores.json'} and {out / 'failures.jsonl'}")
    return 0


def _question(item: EvalItem) -> str:
    return next((m["content"] for m in reversed(item.messages) if m["role"] == "user"), "")


def _write(out: Path, outcomes: Sequence[Outcome], report: EvalReport, *, bfcl: bool) -> None:
    encode = msgspec.json.Encoder().encode
    with atomic_file(out / "scores.json") as handle:
        handle.write(msgspec.json.format(encode(report), indent=2) + b"\n")
    with atomic_file(out / "failures.jsonl") as handle:
        for o in outcomes:
            if o.score.valid:
                continue
            failure = _Failure(
                id=o.item.id,
                category=o.item.category,
                error_type=o.score.error_type,
                errors=o.score.errors,
                question=_question(o.item),
                output=o.raw,
                expected=list(o.item.expected),
            )
            handle.write(encode(failure) + b"\n")
    if not bfcl:
        return
    by_category: dict[str, list[Outcome]] = {}
    for o in outcomes:
        by_category.setdefault(o.item.category, []).append(o)
    for category, group in by_category.items():
        name = f"BFCL_{BFCL_VERSION}_{category}_result.json"
        with atomic_file(out / name) as handle:
            for o in group:
                handle.write(encode({"id": o.item.id, "result": o.raw}) + b"\n")


def print_scores(report: EvalReport, console: Console) -> None:
    table = Table(title=f"apigen eval: {report.model} ({report.mode})", title_justify="left")
    table.add_column("category")
    table.add_column("items", justify="right")
    table.add_column("correct", justify="right")
    table.add_column("accuracy", justify="right")
    table.add_column("errors by type")
    for c in report.scores.categories:
        errors = ", ".join(f"{k} {v}" for k, v in list(c.errors.items())[:4])
        if len(c.errors) > 4:
            errors += ", ..."
        table.add_row(c.category, str(c.total), str(c.correct), f"{c.accuracy:.1%}", errors)
    console.print(table)
    for name, value in report.scores.summary.items():
        console.print(f"{name}: {value:.2%}")
    console.print(
        f"overall (unweighted mean of the categories): {report.scores.overall:.2%}  "
        f"[{report.scores.items} items, {report.wall_seconds:.0f} s, "
        f"{report.requests} requests, {report.cache_hits} from cache]"
    )
    if report.sample is not None:
        console.print(f"(a seeded sample of at most {report.sample} items per category)")
