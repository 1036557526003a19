"""Balanced against uniform sampling at the same N, over seeds (`bench/README.md`, dedup.py).

    python -m bench.sampling --seeds 11,12,13 --pairs 500 --epoch-size 32

Each seed runs `apigen generate -n N --base-url URL --model fake --fresh --quiet --seed S
--epoch-size E --sampling X --dedup Y` for uniform+exact and balanced+near against one
fake endpoint (default flags, its own process; its answers are a function of the request,
so a run is repeatable), and prints function coverage, distinct-2 of queries and pass rate
(verified / generated pairs) per run, then their medians (and the mean pass rate) over
the seeds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from bench.pipeline import APIGEN, REPO, Fake

SETUPS = (("uniform", "exact"), ("balanced", "near"))


def run(url: str, out: Path, *, seed: int, pairs: int, epoch: int, sampling: str,
        dedup: str) -> dict[str, Any]:  # fmt: skip
    cmd = [*APIGEN, "generate", "-n", str(pairs), "--base-url", url, "--model", "fake",
           "--out", str(out), "--fresh", "--quiet", "--seed", str(seed),
           "--epoch-size", str(epoch), "--sampling", sampling, "--dedup", dedup]  # fmt: skip
    subprocess.run(cmd, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    report = json.loads((out / "report.json").read_text())
    generated = sum(r["generated"] for r in report["filter_table"])
    verified = sum(r["verified"] for r in report["filter_table"])
    div = report["diversity"]
    return {"seed": seed, "sampling": sampling, "dedup": dedup, "rows": report["exported"],
            "function_coverage": div["function_coverage"],
            "category_coverage": div["category_coverage"],
            "distinct_2": div["distinct_bigrams"], "gini": div["gini_calls_per_function"],
            "pass_rate": round(verified / generated, 4), "tasks": report["tasks"]}  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.sampling", description=__doc__)
    p.add_argument("--seeds", default="11,12,13", type=lambda t: [int(x) for x in t.split(",")])
    p.add_argument("--pairs", type=int, default=500)
    p.add_argument("--epoch-size", type=int, default=32)
    args = p.parse_args(argv)
    fake = Fake()
    rows: list[dict[str, Any]] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for seed in args.seeds:
                for sampling, dedup in SETUPS:
                    out = Path(tmp) / f"{sampling}-{dedup}-{seed}"
                    row = run(fake.base_url, out, seed=seed, pairs=args.pairs,
                              epoch=args.epoch_size, sampling=sampling, dedup=dedup)  # fmt: skip
                    rows.append(row)
                    print(json.dumps(row), flush=True)
    finally:
        fake.stop()
    for sampling, dedup in SETUPS:
        mine = [r for r in rows if (r["sampling"], r["dedup"]) == (sampling, dedup)]
        median = {k: statistics.median(r[k] for r in mine)
                  for k in ("function_coverage", "category_coverage", "distinct_2", "gini",
                            "pass_rate", "tasks")}  # fmt: skip
        mean = round(statistics.mean(r["pass_rate"] for r in mine), 4)
        print("median", json.dumps({"sampling": sampling, "dedup": dedup} | median
                                   | {"mean_pass_rate": mean}), flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
