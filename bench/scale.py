"""Scaling out, measured against the fake endpoint (`bench/README.md`, "Scaling out").

    python -m bench.scale endpoints --latency lognormal:1.0,0.3 --levels 64,128 --repeats 3
    python -m bench.scale shards --latency lognormal:1.5,0.5 --levels 1024,2048 --repeats 3

- endpoints: one fake endpoint with C in flight, against two equal ones with C each
  (`--base-url` twice: 2 x C in flight); LLM requests/s at the endpoints (steady state,
  from the fakes' request logs, both together) and their ratio.
- shards: `apigen generate` in one process with C in flight, against `--ray --shards 2`
  on a local Ray instance with the same C split between them; achieved requests/s over
  the Little's-law bound C / mean latency.
Each run starts fresh fakes (their own processes) and medians are over `--repeats` runs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path
from typing import Any

from bench.pipeline import Fake, mean_latency, run_generate, steady_rate


def _run(
    latency: str, fakes: int, concurrency: int, pairs: int, extra: list[str]
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        started = [
            Fake("--latency", latency, log=Path(tmp) / f"log{i}.jsonl") for i in range(fakes)
        ]
        urls = [f.base_url for f in started]
        flags = [x for url in urls[1:] for x in ("--base-url", url)] + extra
        try:
            res = run_generate(urls[0], Path(tmp) / "out", pairs=pairs, concurrency=concurrency,
                               extra=flags)  # fmt: skip
        finally:
            log = [r for f in started for r in f.stop()]
    rps, served = steady_rate(log)
    return {"rc": res["rc"], "wall_s": round(res["wall_s"], 2), "llm_rps": round(rps, 1),
            "requests": len(log), "served_latency_s": round(served, 3),
            "pairs": res["report"].get("exported", 0),
            "pairs_per_s": round(res["report"].get("exported", 0) / res["wall_s"], 1)}  # fmt: skip


def _median(rows: list[dict[str, Any]], key: str) -> float:
    values = [r[key] for r in rows if r["rc"] == 0]
    return round(statistics.median(values), 3) if values else float("nan")


def endpoints(args: argparse.Namespace) -> list[dict[str, Any]]:
    summary = []
    for level in args.levels:
        # Enough pairs for ~`rounds` rounds of requests at 2 x C (4 requests per 3 pairs).
        pairs = max(300, int(0.75 * 2 * level * args.rounds))
        one, two = [], []
        for rep in range(args.repeats):
            for name, fakes, rows in (("1 endpoint", 1, one), ("2 endpoints", 2, two)):
                row = _run(args.latency, fakes, level, pairs, args.extra)
                row |= {"setup": name, "concurrency_per_endpoint": level, "repeat": rep}
                rows.append(row)
                print(json.dumps(row), flush=True)
        a, b = _median(one, "llm_rps"), _median(two, "llm_rps")
        summary.append({"C": level, "one_endpoint_rps": a, "two_endpoints_rps": b,
                        "ratio": round(b / a, 3), "one_pairs_per_s": _median(one, "pairs_per_s"),
                        "two_pairs_per_s": _median(two, "pairs_per_s")})  # fmt: skip
    return summary


def shards(args: argparse.Namespace) -> list[dict[str, Any]]:
    summary = []
    bound_per_level = {level: level / mean_latency(args.latency) for level in args.levels}
    for level in args.levels:
        pairs = max(300, int(0.75 * level * args.rounds))
        rows: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
        for rep in range(args.repeats):
            for n in (1, 2):
                extra = args.extra + (["--ray", "--shards", str(n)] if n > 1 else [])
                row = _run(args.latency, 1, level, pairs, extra)
                row |= {"shards": n, "concurrency": level, "repeat": rep,
                        "achieved": round(row["llm_rps"] / bound_per_level[level], 3)}  # fmt: skip
                rows[n].append(row)
                print(json.dumps(row), flush=True)
        for n in (1, 2):
            summary.append({"C": level, "shards": n, "bound_rps": round(bound_per_level[level], 1),
                            "llm_rps": _median(rows[n], "llm_rps"),
                            "achieved": _median(rows[n], "achieved"),
                            "runs": [r["achieved"] for r in rows[n]]})  # fmt: skip
    return summary


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    for name, latency, levels in (("endpoints", "lognormal:1.0,0.3", "64,128"),
                                  ("shards", "lognormal:1.5,0.5", "1024,2048")):  # fmt: skip
        s = sub.add_parser(name)
        s.add_argument("--latency", default=latency)
        s.add_argument("--levels", type=lambda t: [int(x) for x in t.split(",")],
                       default=[int(x) for x in levels.split(",")])  # fmt: skip
        s.add_argument("--repeats", type=int, default=3)
        s.add_argument("--rounds", type=int, default=10, help="request rounds per run")
        s.add_argument("--out", type=Path)
        s.add_argument("extra", nargs="*", help="more `apigen generate` flags (after --)")
    args = p.parse_args(argv)
    summary = endpoints(args) if args.command == "endpoints" else shards(args)
    for row in summary:
        print("summary", json.dumps(row), flush=True)
    if args.out:
        args.out.write_text(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
