"""How often each combination of checks keeps a wrong row or drops a correct one.

The rows of `bench/verify/rows*.jsonl` are hand-written and hand-labelled (half correct,
half wrong in seven ways), and all pass format and execution, so only the semantic
checks (rules, resolve, judge) can separate them. Every check runs on every row once;
a combination keeps a row when all its checks pass it.

    python -m bench.verify                                  # the embedded default model
    python -m bench.verify --local-checker same             # the 0.5B model checks itself
    python -m bench.verify --local-model smollm2-135m --local-checker same
    python -m bench.verify --base-url URL --model M [--judge-model J] [--api-key-env NAME]
    python -m bench.verify --checks rules --checks rules,resolve,judge --json out.json
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from contextlib import AsyncExitStack
from pathlib import Path

import anyio
import msgspec

from apigen_async.catalog.library import load_catalog
from apigen_async.checks.execution import ExecutorRouter
from apigen_async.executors.python import PythonExecutor
from apigen_async.llm.endpoint import endpoint_config, resolve_endpoint
from apigen_async.llm.local import DEFAULT_LOCAL_CHECKER, DEFAULT_LOCAL_MODEL
from apigen_async.llm.requestlog import RequestLog
from apigen_async.llm.session import open_client
from apigen_async.prompts import PromptLibrary
from apigen_async.rows import VerifyItem
from apigen_async.store import open_store
from apigen_async.verify import CheckedItem, Checker, check_items
from bench.verify.check_rows import CATEGORIES, LabelledRow, default_files, load_rows

DEFAULT_COMBINATIONS = (
    "judge",
    "rules",
    "resolve",
    "rules,judge",
    "rules,resolve",
    "rules,resolve,judge",
)


class Rate(msgspec.Struct, frozen=True):
    wrong: int
    of: int

    @property
    def share(self) -> float:
        return self.wrong / self.of if self.of else 0.0


class CombinationResult(msgspec.Struct, frozen=True, kw_only=True):
    checks: str
    false_accept: float
    false_reject: float
    #: Share of each category's rows this combination got wrong (kept when wrong,
    #: dropped when correct); correct rows are split by style.
    by_category: dict[str, float]


def _kept(item: CheckedItem, row: LabelledRow, checks: list[str]) -> bool:
    # As in a run: with re-solve, the judge passes irrelevance pairs unasked.
    if not row.answers and "resolve" in checks:
        checks = [c for c in checks if c != "judge"]
    return all(item.outcomes.get(c) is None for c in checks)


def evaluate(
    rows: list[LabelledRow], checked: dict[str, CheckedItem], combination: str
) -> CombinationResult:
    checks = combination.split(",")
    errors: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for row in rows:
        kept = _kept(checked[row.id], row, checks)
        key = f"correct/{row.style}" if row.label == "correct" else row.category
        totals[key] += 1
        totals[row.label] += 1
        if kept != (row.label == "correct"):
            errors[key] += 1
            errors[row.label] += 1
    return CombinationResult(
        checks=combination,
        false_accept=round(errors["wrong"] / max(1, totals["wrong"]), 4),
        false_reject=round(errors["correct"] / max(1, totals["correct"]), 4),
        by_category={
            k: round(errors[k] / totals[k], 4)
            for k in sorted(totals)
            if "/" in k or k in CATEGORIES
        },
    )


def _items(rows: list[LabelledRow], tools: dict) -> list[VerifyItem]:  # type: ignore[type-arg]
    return [
        VerifyItem(
            index=i,
            id=row.id,
            style=row.style,  # type: ignore[arg-type]
            query=row.query,
            answers=msgspec.to_builtins(row.answers),
            tools=tuple(tools[n] for n in row.tools),
        )
        for i, row in enumerate(rows)
    ]


async def run(args: argparse.Namespace) -> int:
    rows = [r for _, _, r in load_rows(args.files) if isinstance(r, LabelledRow)]
    if args.limit:
        rows = rows[: args.limit]
    combos = args.checks or list(DEFAULT_COMBINATIONS)
    needed = {c for combo in combos for c in combo.split(",")}
    unknown = needed - {"rules", "execution", "resolve", "judge"}
    if unknown:
        print(f"--checks: unknown check {sorted(unknown)[0]!r}", file=sys.stderr)
        return 2
    tools = load_catalog([], builtin=True, local_rest=False).by_name()
    endpoint = resolve_endpoint(endpoint_config(vars(args)), os.environ.get(args.api_key_env, ""))
    solver = args.solver_model or endpoint.judge_model
    # The judge sees execution results, so rows are executed whenever it runs.
    order = [
        c
        for c in ("rules", "execution", "resolve", "judge")
        if c in needed or (c == "execution" and "judge" in needed)
    ]
    checked: dict[str, CheckedItem] = {}
    started = time.monotonic()
    async with PythonExecutor(workers=2, timeout=10, memory_mb=1024) as python:
        needs_llm = bool({"resolve", "judge"} & needed)

        async def check_all(client: object) -> None:
            checker = Checker(
                checks=("format", *order),
                client=client,  # type: ignore[arg-type]
                prompts=PromptLibrary(),
                executor=ExecutorRouter({"python": python}),
                implementations=tools,
                solver_model=solver,
                judge_model=endpoint.judge_model,
                every_check=True,
            )

            def note(item: CheckedItem) -> None:
                checked[item.id] = item
                if not args.quiet and len(checked) % 20 == 0:
                    print(f"  {len(checked)}/{len(rows)} rows checked", file=sys.stderr)

            await check_items(
                _items(rows, tools), checker, concurrency=args.concurrency, on_checked=note
            )

        if needs_llm:
            async with AsyncExitStack() as stack:
                # A cache keeps answers across runs: a rerun scores changed rules for free.
                cache = (
                    await stack.enter_async_context(open_store(args.cache)) if args.cache else None
                )
                log = RequestLog(args.log_requests) if args.log_requests else None
                if log is not None:
                    stack.callback(log.close)
                client = await stack.enter_async_context(
                    open_client(
                        endpoint,
                        api_key=os.environ.get(args.api_key_env, ""),
                        slots=args.slots,
                        concurrency=args.concurrency,
                        cache=cache,
                        models=sorted({endpoint.model, endpoint.judge_model, solver}),
                        request_log=log,
                    )
                )
                await check_all(client)
        else:
            await check_all(None)
    seconds = time.monotonic() - started
    results = [evaluate(rows, checked, combo) for combo in combos]
    model = f"solver {solver}, judge {endpoint.judge_model}" if needs_llm else "no LLM"
    print(
        f"\n{len(rows)} labelled rows ({sum(r.label == 'correct' for r in rows)} correct), "
        f"{model}, {seconds:.0f} s\n"
    )
    print(f"{'checks':<24}{'false accept':>14}{'false reject':>14}")
    for r in results:
        print(f"{r.checks:<24}{r.false_accept:>14.1%}{r.false_reject:>14.1%}")
    keys = sorted({k for r in results for k in r.by_category})
    print("\nerror rate by category (wrong rows: kept; correct rows: dropped)")
    print(f"{'category':<28}" + "".join(f"{r.checks:>22}" for r in results))
    for k in keys:
        print(f"{k:<28}" + "".join(f"{r.by_category.get(k, 0):>22.0%}" for r in results))
    if args.show_errors:
        final = combos[-1].split(",")
        print(f"\nrows `{combos[-1]}` gets wrong:")
        for row in rows:
            item = checked[row.id]
            if _kept(item, row, final) != (row.label == "correct"):
                why = item.rejection.code if item.rejection else "kept"
                print(f"  {row.id} [{row.category}] {row.query[:90]!r} -> {why}")
    if args.json:
        args.json.write_bytes(
            msgspec.json.format(
                msgspec.json.encode(
                    {
                        "rows": len(rows),
                        "model": model,
                        "seconds": round(seconds, 1),
                        "results": results,
                        "outcomes": {k: v.outcomes for k, v in checked.items()},
                    }
                ),
                indent=2,
            )
        )
    return 0


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.verify", description=__doc__.split("\n")[0])
    p.add_argument("--files", type=Path, nargs="+", default=default_files())
    p.add_argument(
        "--checks",
        action="append",
        metavar="LIST",
        help="a combination to score, e.g. rules,resolve (repeatable; "
        f"default: {' | '.join(DEFAULT_COMBINATIONS)})",
    )
    p.add_argument("--base-url")
    p.add_argument("--model")
    p.add_argument("--judge-model")
    p.add_argument("--solver-model")
    p.add_argument("--api-key-env", default="OPENAI_API_KEY")
    p.add_argument("--local-model", default=DEFAULT_LOCAL_MODEL)
    p.add_argument(
        "--local-checker",
        default=DEFAULT_LOCAL_CHECKER,
        help="embedded model that re-solves and judges ('same': --local-model)",
    )
    p.add_argument("--slots", type=int, default=4)
    p.add_argument("--concurrency", type=int, default=4)
    p.add_argument("--limit", type=int, help="only the first N rows")
    p.add_argument("--json", type=Path, help="write the figures and every row's outcomes here")
    p.add_argument(
        "--show-errors", action="store_true", help="list the rows the last combination gets wrong"
    )
    p.add_argument("--cache", type=Path, help="SQLite file caching LLM answers across runs")
    p.add_argument("--log-requests", type=Path, help="append every LLM request here")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args()
    sys.exit(anyio.run(run, args, backend_options={"use_uvloop": True}))


if __name__ == "__main__":
    main()
