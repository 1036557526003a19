"""End-to-end pipeline benchmark: `apigen generate` against the fake endpoint.

Each run starts a fresh fake endpoint (`python -m bench.fake_openai`, its own process)
and `apigen generate ... --quiet` as another process, so the CPU time and peak RSS we
report are the pipeline's alone (its sandbox workers included, from `os.wait4`).

    python -m bench.pipeline sweep --latency 0 --latency lognormal:1.5,0.5 \
        --levels 64,256,1024 --repeats 3
    python -m bench.pipeline memory --requests 100000 --concurrency 256
    python -m bench.pipeline local --local-model smollm2-135m --slots 4 --tasks 24

Figures:
- pairs/s: verified pairs / wall time of the whole command (start-up and export included);
- LLM req/s: steady-state rate at the endpoint (requests arriving between the 10th and
  90th percentile of arrival times, from the fake's request log);
- ideal: concurrency / mean latency of the fake; achieved / ideal is the share reached;
- CPU ms per verified pair: user + system time of `apigen` and its children / pairs.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import msgspec

from bench.fake_openai import Fixed, LogNormal, RequestRecord, Uniform, parse_latency

REPO = Path(__file__).resolve().parents[1]
APIGEN = [sys.executable, "-m", "apigen_async"]


def mean_latency(spec: str) -> float:
    lat = parse_latency(spec)
    if isinstance(lat, Fixed):
        return lat.seconds
    if isinstance(lat, Uniform):
        return (lat.lo + lat.hi) / 2
    assert isinstance(lat, LogNormal)
    return lat.median * math.exp(lat.sigma**2 / 2)


class Fake:
    """The fake endpoint in its own process, with its request log kept for the end."""

    def __init__(self, *flags: str, log: Path | None = None) -> None:
        self.log = log
        cmd = [sys.executable, "-m", "bench.fake_openai", "--port", "0", *flags]
        if log is not None:
            cmd += ["--log", str(log)]
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.startswith("READY "):
            self.proc.kill()
            raise RuntimeError(f"fake endpoint did not start: {line!r} {self.proc.stderr}")
        self.base_url = line.split()[1]

    def stop(self) -> list[RequestRecord]:
        self.proc.terminate()
        self.proc.wait(60)
        if self.log is None or not self.log.exists():
            return []
        dec = msgspec.json.Decoder(RequestRecord)
        return [dec.decode(line) for line in self.log.read_bytes().splitlines() if line]


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def run_generate(
    base_url: str, out: Path, *, pairs: int, concurrency: int, extra: list[str],
    sample_every: float = 0.0,
) -> dict[str, Any]:  # fmt: skip
    """Run `apigen generate` once; return wall, CPU, peak RSS and RSS samples."""
    cmd = [
        *APIGEN, "generate", "-n", str(pairs), "--out", str(out), "--base-url", base_url,
        "--model", "fake", "--concurrency", str(concurrency), "--fresh", "--quiet", *extra,
    ]  # fmt: skip
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    samples: list[tuple[float, int]] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(sample_every):
            samples.append((round(time.perf_counter() - t0, 2), _rss_kb(proc.pid)))

    sampler = threading.Thread(target=sample, daemon=True)
    if sample_every:
        sampler.start()
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    stop.set()
    report = json.loads((out / "report.json").read_text()) if proc.returncode == 0 else {}
    if proc.returncode != 0:
        print(err.decode()[-2000:], file=sys.stderr)
    return {
        "rc": proc.returncode,
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "report": {k: v for k, v in report.items() if not isinstance(v, list | dict)},
        "sessions": report.get("sessions", []),
        "rss_samples": samples,
    }


def steady_rate(log: list[RequestRecord]) -> tuple[float, float]:
    """(requests/s between the 10th and 90th percentile arrivals, mean latency served)."""
    arrivals = sorted(r.arrival for r in log)
    if len(arrivals) < 10:
        return math.nan, math.nan
    lo, hi = arrivals[len(arrivals) // 10], arrivals[len(arrivals) * 9 // 10]
    count = sum(1 for t in arrivals if lo <= t < hi)
    served = [r.end - r.start for r in log if r.status == 200]
    return count / (hi - lo) if hi > lo else math.nan, statistics.fmean(served)


def startup_cpu(extra: list[str], repeats: int = 3) -> float:
    """CPU seconds of a run that makes 1 pair: start-up, catalog, sandbox, export."""
    cpu = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            fake = Fake("--latency", "0")
            try:
                res = run_generate(fake.base_url, Path(tmp) / "out", pairs=1, concurrency=8,
                                   extra=extra)  # fmt: skip
            finally:
                fake.stop()
        cpu.append(res["cpu_s"])
    return statistics.median(cpu)


def sweep(args: argparse.Namespace) -> None:
    rows: list[dict[str, Any]] = []
    base_cpu = startup_cpu(args.extra)
    print(f"start-up CPU (a 1-pair run): {base_cpu:.2f} s", flush=True)
    for rep in range(args.repeats):
        for latency in args.latency:
            for level in args.levels:
                ideal = level / mean_latency(latency) if mean_latency(latency) > 0 else math.inf
                # Enough pairs for ~`rounds` rounds of requests at this concurrency
                # (about 4 requests per 3 verified pairs).
                pairs = args.pairs or max(300, int(0.75 * level * args.rounds))
                if math.isinf(ideal):
                    pairs = args.pairs or args.zero_latency_pairs
                with tempfile.TemporaryDirectory() as tmp:
                    fake = Fake("--latency", latency, log=Path(tmp) / "log.jsonl")
                    try:
                        res = run_generate(
                            fake.base_url,
                            Path(tmp) / "out",
                            pairs=pairs,
                            concurrency=level,
                            extra=args.extra,
                        )
                    finally:
                        log = fake.stop()
                rps, served = steady_rate(log)
                verified = res["report"].get("exported", 0)
                row = {
                    "latency": latency,
                    "concurrency": level,
                    "repeat": rep,
                    "pairs": verified,
                    "requests": len(log),
                    "wall_s": round(res["wall_s"], 2),
                    "pairs_per_s": round(verified / res["wall_s"], 1),
                    "llm_rps": round(rps, 1),
                    "ideal_rps": round(ideal, 1) if not math.isinf(ideal) else None,
                    "achieved": round(rps / ideal, 3) if not math.isinf(ideal) else None,
                    "cpu_ms_per_pair": round(1000 * res["cpu_s"] / max(1, verified), 2),
                    # Without the fixed start-up cost: what each further pair costs.
                    "marginal_cpu_ms_per_pair": round(
                        1000 * max(0.0, res["cpu_s"] - base_cpu) / max(1, verified), 2
                    ),
                    "cpu_ms_per_request": round(1000 * res["cpu_s"] / max(1, len(log)), 2),
                    "peak_rss_mb": round(res["peak_rss_mb"], 1),
                    "served_latency_s": round(served, 3),
                    "rc": res["rc"],
                }
                rows.append(row)
                print(json.dumps(row), flush=True)
    summary = summarise(rows)
    print_summary(summary)
    if args.out:
        data = {"startup_cpu_s": base_cpu, "summary": summary, "runs": rows}
        args.out.write_text(json.dumps(data, indent=1))


def summarise(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    keys = sorted({(r["latency"], r["concurrency"]) for r in rows}, key=lambda k: (k[0], k[1]))
    out = []
    for latency, level in keys:
        # A run that failed (rc != 0) has no figures; it is counted, not averaged.
        every = [r for r in rows if (r["latency"], r["concurrency"]) == (latency, level)]
        mine = [r for r in every if r["rc"] == 0] or every
        med: dict[str, Any] = {"latency": latency, "concurrency": level, "runs": len(mine),
                               "failed_runs": len(every) - len(mine)}  # fmt: skip
        for field in (
            "pairs", "wall_s", "pairs_per_s", "llm_rps", "ideal_rps", "achieved",
            "cpu_ms_per_pair", "marginal_cpu_ms_per_pair", "cpu_ms_per_request", "peak_rss_mb",
        ):  # fmt: skip
            values = [r[field] for r in mine if r[field] is not None]
            med[field] = round(statistics.median(values), 3) if values else None
        out.append(med)
    return out


def print_summary(summary: list[dict[str, Any]]) -> None:
    head = (
        f"{'latency':<20}{'in flight':>9}{'pairs':>7}{'wall s':>8}{'pairs/s':>9}"
        f"{'LLM req/s':>10}{'ideal':>8}{'achieved':>9}{'CPU ms/pair':>12}{'marginal':>9}"
        f"{'RSS MB':>8}"
    )
    print(head)
    for s in summary:
        ideal = "-" if s["ideal_rps"] is None else f"{s['ideal_rps']:.0f}"
        achieved = "-" if s["achieved"] is None else f"{100 * s['achieved']:.0f}%"
        print(
            f"{s['latency']:<20}{s['concurrency']:>9}{s['pairs']:>7.0f}{s['wall_s']:>8.1f}"
            f"{s['pairs_per_s']:>9.1f}{s['llm_rps']:>10.1f}{ideal:>8}{achieved:>9}"
            f"{s['cpu_ms_per_pair']:>12.2f}{s['marginal_cpu_ms_per_pair']:>9.2f}"
            f"{s['peak_rss_mb']:>8.0f}"
        )


def memory(args: argparse.Namespace) -> None:
    # ~4 requests per 3 verified pairs at the fake's defaults.
    pairs = int(args.requests * 0.75)
    with tempfile.TemporaryDirectory() as tmp:
        fake = Fake("--latency", args.latency)
        try:
            res = run_generate(
                fake.base_url,
                Path(tmp) / "out",
                pairs=pairs,
                concurrency=args.concurrency,
                extra=args.extra,
                sample_every=args.every,
            )
        finally:
            fake.stop()
    samples = res["rss_samples"]
    print(f"rc {res['rc']} wall {res['wall_s']:.0f} s, CPU {res['cpu_s']:.0f} s, "
          f"peak RSS {res['peak_rss_mb']:.0f} MB, session {res['sessions']}")  # fmt: skip
    for t, kb in samples[:: max(1, len(samples) // 20)]:
        print(f"  t={t:7.1f} s  RSS {kb / 1024:7.1f} MB")
    if args.out:
        args.out.write_text(json.dumps(res, indent=1))


def local(args: argparse.Namespace) -> None:
    """Pipeline tokens/s over the raw server's on the same requests, at the same slots.

    The pipeline runs with `--log-requests`; its tokens/s is taken over the window from its
    first request to its last answer (the model's start-up is outside it). Then
    `apigen bench --replay` sends exactly those requests to a fresh embedded server with
    `--slots` in flight: the raw server on the pipeline's own workload.
    """
    rows = []
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as tmp:
            log, out = Path(tmp) / "requests.jsonl", Path(tmp) / "out"
            cmd = [
                *APIGEN, "generate", "-n", "100000", "--max-tasks", str(args.tasks),
                "--out", str(out), "--local-model", args.local_model, "--slots", str(args.slots),
                "--max-tokens", str(args.max_tokens), "--fresh", "--quiet",
                "--log-requests", str(log),
            ]  # fmt: skip
            env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
            subprocess.run(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL)
            entries = [json.loads(line) for line in log.read_text().splitlines()]
            first = min(e["start"] for e in entries)
            window = max(e["start"] + e["seconds"] for e in entries) - first
            pipe_out = sum(e["completion_tokens"] for e in entries)
            pipe_in = sum(e["prompt_tokens"] for e in entries)
            bench_json = Path(tmp) / "bench.json"
            subprocess.run(
                [*APIGEN, "bench", "--local-model", args.local_model,
                 "--slots", str(args.slots), "--levels", str(args.slots),
                 "--replay", str(log), "--out", str(bench_json)],
                cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL,
            )  # fmt: skip
            raw = json.loads(bench_json.read_text())["levels"][0]
            raw_total = raw["output_tokens_per_s"] + raw["input_tokens_per_s"]
            report = json.loads((out / "report.json").read_text())
            row = {
                "local_model": args.local_model,
                "slots": args.slots,
                "requests": len(entries),
                "pipeline_window_s": round(window, 1),
                "pipeline_out_tok_s": round(pipe_out / window, 1),
                "pipeline_total_tok_s": round((pipe_in + pipe_out) / window, 1),
                "pipeline_mean_out_tokens": round(pipe_out / len(entries), 1),
                "raw_wall_s": raw["wall_s"],
                "raw_out_tok_s": raw["output_tokens_per_s"],
                "raw_total_tok_s": round(raw_total, 1),
                "raw_mean_out_tokens": raw["mean_output_tokens"],
                "ratio_out": round(pipe_out / window / raw["output_tokens_per_s"], 3),
                "ratio_total": round((pipe_in + pipe_out) / window / raw_total, 3),
                "pipeline_verified": report["exported"],
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
    keys = ("raw_out_tok_s", "pipeline_out_tok_s", "ratio_out", "ratio_total")
    med = {k: statistics.median(r[k] for r in rows) for k in keys}
    print("median", json.dumps(med))
    if args.out:
        args.out.write_text(json.dumps({"median": med, "runs": rows}, indent=1))


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.pipeline", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("sweep", help="pairs/s, req/s, CPU and RSS over latency x concurrency")
    s.add_argument("--latency", action="append", help="fake latency spec (repeatable)")
    s.add_argument("--levels", type=lambda t: [int(x) for x in t.split(",")],
                   default=[64, 256, 1024])  # fmt: skip
    s.add_argument("--repeats", type=int, default=3)
    s.add_argument("--rounds", type=int, default=10, help="request rounds per run")
    s.add_argument("--pairs", type=int, default=0, help="verified pairs per run (override)")
    s.add_argument("--zero-latency-pairs", type=int, default=3000)
    s.add_argument("--out", type=Path)
    s.add_argument("extra", nargs="*", help="more `apigen generate` flags (after --)")
    m = sub.add_parser("memory", help="RSS over one long run")
    m.add_argument("--requests", type=int, default=100_000)
    m.add_argument("--concurrency", type=int, default=256)
    m.add_argument("--latency", default="0")
    m.add_argument("--every", type=float, default=5.0)
    m.add_argument("--out", type=Path)
    m.add_argument("extra", nargs="*")
    lo = sub.add_parser("local", help="pipeline tokens/s over raw server tokens/s")
    lo.add_argument("--local-model", default="smollm2-135m")
    lo.add_argument("--slots", type=int, default=4)
    lo.add_argument("--tasks", type=int, default=24, help="generation tasks per pipeline run")
    lo.add_argument("--max-tokens", type=int, default=1024)
    lo.add_argument("--repeats", type=int, default=3)
    lo.add_argument("--out", type=Path)
    args = p.parse_args(argv)
    if args.command == "sweep":
        args.latency = args.latency or ["0", "lognormal:1.5,0.5"]
        sweep(args)
    elif args.command == "memory":
        memory(args)
    else:
        local(args)


if __name__ == "__main__":
    main()
