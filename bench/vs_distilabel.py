"""Side by side: distilabel 1.5.3's APIGen pipeline and ours, on the same fake endpoint.

    python bench/vs_distilabel.py --rows 200 --concurrency 50 --latency 1.0 --runs 3

Both sides get the same Python functions (every public function of
`apis/python/mathematics.py`), a fresh fake endpoint per run (`bench/fake_openai.py`, in
its own process so that its CPU counts for neither side), the same number of generation
requests and the same concurrency budget (distilabel: `input_batch_size`; ours:
`--concurrency`). Each run has a hard timeout that kills its whole process group.
Wall time, verified pairs/s and CPU-seconds per verified pair (the run's process tree,
from `wait4`) are reported as medians over the runs, with ours/distilabel ratios.

distilabel runs in its own venv (`bench/.venv-distilabel`, created on first use) with
`distilabel==1.5.3 openai requests` (it imports `requests` without declaring it). Two
small subclasses make it answerable by the fake endpoint and are printed with the results:
its prompts get the fake's tags appended (`<style>`/`<n_pairs>`/`<tools>` for the
generator, `<query>`/`<calls>`/`<results>` for the judge; its own prompt text is kept),
and its generator applies distilabel's own `remove_json_fences()` and reads the fake's
`{"pairs": [...]}`. Otherwise it is stock: it keeps only the first generated pair, runs
the judge on every row, and calls functions with positional arguments.

This file only imports the standard library at the top: the distilabel venv runs it too
(`--distilabel-worker`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / "bench" / ".venv-distilabel"
VENV_PY = VENV / "bin" / "python"
DISTILABEL_VERSION = "1.5.3"
LIBRARY = ROOT / "apis" / "python" / "mathematics.py"

NOTES = (
    "distilabel: stock APIGenGenerator(number=[1, 2, 3] or --pairs-per-request, "
    "use_tools=True) -> "
    "APIGenExecutionChecker -> APIGenSemanticChecker, with the fake's prompt tags appended "
    "and remove_json_fences() applied (two small subclasses); it keeps the first pair of "
    "each answer only.",
    "ours: `apigen generate --styles simple --pairs-per-task 2 --max-tasks ROWS` (one tool "
    "per request like distilabel's rows; 2 pairs asked = distilabel's mean, or "
    "--pairs-per-request), all pairs kept, a task's pairs judged in one request.",
    "the fake endpoint answers without fences (distilabel cannot read fences with chatter).",
)


@dataclass
class RunResult:
    side: str
    wall_s: float
    cpu_s: float
    verified: int
    gen_requests: int
    judge_requests: int
    requests: int
    peak_in_flight: int
    exit_code: int
    timed_out: bool
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def pairs_per_s(self) -> float:
        return self.verified / self.wall_s if self.wall_s else 0.0

    @property
    def cpu_ms_per_pair(self) -> float:
        return 1000 * self.cpu_s / self.verified if self.verified else float("inf")


# ---------------------------------------------------------------------------------------
# distilabel, run inside its own venv


def ensure_venv(install: bool) -> None:
    """Create the pinned distilabel venv unless it already imports the right version."""
    if VENV_PY.exists():
        probe = subprocess.run(
            [
                str(VENV_PY),
                "-c",
                "import distilabel, requests, openai; print(distilabel.__version__)",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip() == DISTILABEL_VERSION:
            return
    if not install:
        sys.exit(f"{VENV} lacks distilabel=={DISTILABEL_VERSION}; rerun without --no-install")
    print(f"creating {VENV} with distilabel=={DISTILABEL_VERSION} ...", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    pkgs = [f"distilabel=={DISTILABEL_VERSION}", "openai", "requests"]
    subprocess.run([str(VENV_PY), "-m", "pip", "install", "-q", *pkgs], check=True)


# distilabel pickles its steps into worker processes, so these subclasses live at module
# level; only the distilabel venv defines them (the harness's venv has no distilabel).
WORKER_ENV = "VS_DISTILABEL_WORKER"
if os.environ.get(WORKER_ENV) == "1":
    import orjson
    from distilabel.steps.tasks import APIGenGenerator, APIGenSemanticChecker
    from distilabel.steps.tasks.apigen.utils import remove_json_fences

    class TaggedGenerator(APIGenGenerator):
        def format_input(self, input: dict[str, Any]) -> Any:
            chat = super().format_input(input)
            chat[-1]["content"] += (
                f"\n<style>simple</style>\n<n_pairs>{self._number}</n_pairs>"
                f"\n<tools>{input['tools']}</tools>"
            )
            return chat

        def format_output(self, output: str | None, input: dict[str, Any]) -> dict[str, Any]:
            if output is None:
                return self._default_error(input)
            try:
                pairs = orjson.loads(remove_json_fences(output))
            except orjson.JSONDecodeError:
                return self._default_error(input)
            if isinstance(pairs, dict):
                pairs = pairs.get("pairs")
            return self._format_output(pairs, input)

    class TaggedSemanticChecker(APIGenSemanticChecker):
        def format_input(self, input: dict[str, Any]) -> Any:
            chat = super().format_input(input)
            chat[-1]["content"] += (
                f"\n<query>{input['query'] or ''}</query>\n<calls>{input['answers'] or ''}</calls>"
                f"\n<results>{input['execution_result']}</results>"
            )
            return chat


def distilabel_worker(config_path: Path) -> None:
    """Build and run distilabel's APIGen pipeline; write counts to config['result']."""
    cfg = json.loads(config_path.read_text())
    os.environ.setdefault("DISTILABEL_CACHE_DIR", cfg["cache_dir"])
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from distilabel.models import OpenAILLM
    from distilabel.pipeline import Pipeline
    from distilabel.steps import LoadDataFromDicts
    from distilabel.steps.tasks import APIGenExecutionChecker

    def llm() -> OpenAILLM:
        return OpenAILLM(
            model="fake",
            base_url=cfg["base_url"],
            api_key="sk-fake",
            generation_kwargs={"temperature": 0.7, "max_new_tokens": 1024},
        )

    batch = cfg["batch"]
    with Pipeline(name=f"vs-apigen-{os.getpid()}") as pipeline:
        load = LoadDataFromDicts(data=cfg["rows"], batch_size=batch)
        gen = TaggedGenerator(
            llm=llm(), number=cfg["number"], use_tools=True, input_batch_size=batch
        )
        exe = APIGenExecutionChecker(libpath=cfg["libpath"], input_batch_size=batch)
        sem = TaggedSemanticChecker(llm=llm(), input_batch_size=batch)
        load >> gen >> exe >> sem
    distiset = pipeline.run(use_cache=False)
    rows = distiset["default"]["train"].to_list()
    result = {
        "rows": len(rows),
        "generated": sum(1 for r in rows if r.get("query")),
        "executed": sum(1 for r in rows if r.get("keep_row_after_execution_check")),
        "verified": sum(
            1
            for r in rows
            if r.get("keep_row_after_execution_check") and r.get("keep_row_after_semantic_check")
        ),
    }
    Path(cfg["result"]).write_text(json.dumps(result))


# ---------------------------------------------------------------------------------------
# The harness (our venv)


def library_rows(n_rows: int) -> tuple[list[dict[str, Any]], list[str]]:
    """distilabel input rows, one function each, round robin over the library module."""
    from apigen_async.catalog.python import import_module_file, load_python_tools

    tools = load_python_tools(LIBRARY)
    module = import_module_file(LIBRARY)
    examples = getattr(module, "EXAMPLES", {})
    shots = []
    for name, cases in examples.items():
        for args, _ in cases[:1]:
            rendered = ", ".join(f"{k}={v!r}" for k, v in args.items())
            answer = json.dumps([{"name": name, "arguments": args}])
            shots.append(f"## Query:\nCompute {name} for {rendered}.\n## Answers:\n{answer}")
    rows = []
    for i in range(n_rows):
        tool = tools[i % len(tools)]
        few = [s for s in shots if f"{tool.name} for" not in s][i % 5 :][:3]
        rows.append(
            {
                "examples": "\n\n".join(few),
                "func_name": tool.name,
                "func_desc": tool.description,
                "tools": json.dumps([xlam(tool)]),
            }
        )
    return rows, [t.name for t in tools]


def xlam(tool: Any) -> dict[str, Any]:
    """The tool in the xlam dialect, by the lead's converter when it exists."""
    try:
        from apigen_async.catalog.dialects import tool_to_xlam
    except ImportError:
        pass
    else:
        return tool_to_xlam(tool)
    names = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
    params = {}
    for p in tool.parameters:
        if p.type == "array":
            t = f"List[{names.get(p.items or 'string', 'Any')}]"
        elif p.type == "object":
            t = "Dict[str, Any]"
        else:
            t = names.get(p.type, "Any")
        spec: dict[str, Any] = {"type": t if p.required else t + ", optional"}
        spec["description"] = p.description
        if p.enum:
            spec["enum"] = list(p.enum)
        params[p.name] = spec
    return {"name": tool.name, "description": tool.description, "parameters": params}


class Fake:
    """The fake endpoint in its own process, with its request log."""

    def __init__(self, workdir: Path, latency: float, seed: int, args: argparse.Namespace):
        self.log = workdir / "fake-log.jsonl"
        cmd = [sys.executable, "-m", "bench.fake_openai", "--port", "0", "--seed", str(seed)]
        cmd += ["--latency", f"{latency}", "--log", str(self.log)]
        cmd += ["--bad-share", str(args.bad_share), "--judge-pass-rate", str(args.pass_rate)]
        cmd += ["--fence-share", "0"]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        with (workdir / "fake.err").open("w") as err:
            self.proc = subprocess.Popen(
                cmd, stdout=subprocess.PIPE, stderr=err, text=True, env=env, cwd=ROOT
            )
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if not line.startswith("READY "):
            self.proc.kill()
            raise RuntimeError(f"fake endpoint did not start: {line!r}")
        self.base_url = line.split()[1]

    def stop(self) -> list[dict[str, Any]]:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()
        if not self.log.exists():
            return []
        return [json.loads(x) for x in self.log.read_text().splitlines() if x]


def run_tree(cmd: list[str], *, timeout: float, log: Path, env: dict[str, str] | None = None):
    """Run `cmd` in its own session; return (exit code, wall s, CPU s of the tree, timed out).

    On timeout the whole process group is killed: distilabel can hang on a failed step.
    """
    t0 = time.monotonic()
    with log.open("w") as out:
        proc = subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, env=env, cwd=ROOT
        )
    timed_out = False
    deadline = t0 + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            timed_out = True
            os.killpg(proc.pid, signal.SIGKILL)
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.05)
    wall = time.monotonic() - t0
    # Orphans of a killed or sloppy run go too, so that they cannot load the next run.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, wall, usage.ru_utime + usage.ru_stime, timed_out


def count_requests(log: list[dict[str, Any]]) -> tuple[int, int, int, int]:
    """(generator answers, judge answers, all requests, peak requests in flight)."""
    gen = sum(1 for r in log if r.get("kind") == "generator" and r.get("status") == 200)
    judge = sum(1 for r in log if r.get("kind") == "judge" and r.get("status") == 200)
    # Ends sort before starts at the same instant: a slot freed and re-used is not overlap.
    events = sorted([(r["arrival"], 1) for r in log] + [(r["end"], -1) for r in log])
    level = peak = 0
    for _, step in events:
        level += step
        peak = max(peak, level)
    return gen, judge, len(log), peak


def run_distilabel(
    args: argparse.Namespace, rows: list[dict[str, Any]], run: int, workdir: Path
) -> RunResult:
    fake = Fake(workdir, args.latency, run, args)
    cfg_path = workdir / "distilabel.json"
    result_path = workdir / "distilabel-result.json"
    cfg = {
        "base_url": fake.base_url,
        "rows": rows,
        "batch": args.distilabel_batch or args.concurrency,
        # Stock distilabel draws 1-3 pairs per request; --pairs-per-request fixes both sides.
        "number": args.pairs_per_request or [1, 2, 3],
        "libpath": str(LIBRARY),
        "result": str(result_path),
        "cache_dir": str(workdir / "distilabel-cache"),
    }
    cfg_path.write_text(json.dumps(cfg))
    cmd = [str(VENV_PY), str(Path(__file__).resolve()), "--distilabel-worker", str(cfg_path)]
    env = {**os.environ, WORKER_ENV: "1"}
    code, wall, cpu, timed_out = run_tree(
        cmd, timeout=args.timeout, log=workdir / "distilabel.log", env=env
    )
    gen, judge, total, peak = count_requests(fake.stop())
    detail = json.loads(result_path.read_text()) if result_path.exists() else {}
    return RunResult(
        "distilabel", wall, cpu, detail.get("verified", 0), gen, judge, total, peak, code,
        timed_out, detail,
    )  # fmt: skip


def ours_command(args: argparse.Namespace, base_url: str, out: Path, n_requests: int) -> list[str]:
    """`apigen generate` on the same functions, style, request count and concurrency.

    `--max-tasks` caps the generation requests; `--pairs` is set out of reach so that the
    run uses all of them (it then exits 1, "stopped after N tasks", which is expected).
    `--pairs-per-task 2` asks for as many pairs as distilabel does on average (1-3), unless
    `--pairs-per-request` sets the same number on both sides.
    """
    cmd = [sys.executable, "-m", "apigen_async", "generate"]
    cmd += ["--base-url", base_url, "--model", "fake"]
    cmd += ["--apis", str(LIBRARY), "--no-builtin", "--rest-backend", "none"]
    cmd += ["--styles", "simple"]
    cmd += ["--concurrency", str(args.concurrency), "--max-tasks", str(n_requests)]
    cmd += ["--pairs", str(n_requests * 100)]
    cmd += ["--pairs-per-task", str(args.pairs_per_request or 2)]
    cmd += ["--out", str(out), "--fresh", "--quiet", *args.ours_extra]
    return cmd


def count_verified(out: Path) -> int:
    for name in ("dataset.jsonl", "verified.jsonl"):
        path = out / name
        if path.exists():
            with path.open("rb") as f:
                return sum(1 for line in f if line.strip())
    return 0


def run_ours(args: argparse.Namespace, n_requests: int, run: int, workdir: Path) -> RunResult:
    fake = Fake(workdir, args.latency, run, args)
    out = workdir / "ours-out"
    cmd = ours_command(args, fake.base_url, out, n_requests)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENAI_API_KEY": "sk-fake"}
    code, wall, cpu, timed_out = run_tree(
        cmd, timeout=args.timeout, log=workdir / "ours.log", env=env
    )
    gen, judge, total, peak = count_requests(fake.stop())
    return RunResult(
        "ours", wall, cpu, count_verified(out), gen, judge, total, peak, code, timed_out,
        {"command": " ".join(cmd)},
    )  # fmt: skip


def median_of(results: list[RunResult], key: str) -> float:
    return statistics.median(getattr(r, key) for r in results)


def report(results: dict[str, list[RunResult]], args: argparse.Namespace, funcs: list[str]) -> str:
    lines = [
        f"rows/generation requests {args.rows}, concurrency {args.concurrency}, latency "
        f"{args.latency}s, bad share {args.bad_share}, judge pass rate {args.pass_rate}, "
        f"distilabel input_batch_size {args.distilabel_batch or args.concurrency}, "
        f"pairs asked per request {args.pairs_per_request or 'distilabel 1-3, ours 2'}, "
        f"runs {args.runs} (medians)",
        f"functions ({len(funcs)}, {LIBRARY.relative_to(ROOT)}): {', '.join(funcs)}",
        "",
        f"{'side':<11}{'wall s':>9}{'verified':>10}{'pairs/s':>10}{'CPU s':>8}"
        f"{'CPU ms/pair':>13}{'gen req':>9}{'judge req':>11}{'peak flight':>13}{'failed':>8}",
    ]
    for side, rs in results.items():
        failed = sum(1 for r in rs if r.timed_out or not r.verified)
        lines.append(
            f"{side:<11}{median_of(rs, 'wall_s'):>9.2f}{median_of(rs, 'verified'):>10.0f}"
            f"{median_of(rs, 'pairs_per_s'):>10.1f}{median_of(rs, 'cpu_s'):>8.2f}"
            f"{median_of(rs, 'cpu_ms_per_pair'):>13.2f}{median_of(rs, 'gen_requests'):>9.0f}"
            f"{median_of(rs, 'judge_requests'):>11.0f}{median_of(rs, 'peak_in_flight'):>13.0f}"
            f"{failed:>8}"
        )
    if len(results) == 2:
        ours, theirs = results["ours"], results["distilabel"]
        speed = median_of(ours, "pairs_per_s") / max(median_of(theirs, "pairs_per_s"), 1e-9)
        cpu = median_of(theirs, "cpu_ms_per_pair") / max(median_of(ours, "cpu_ms_per_pair"), 1e-9)
        wall = median_of(theirs, "wall_s") / max(median_of(ours, "wall_s"), 1e-9)
        lines += [
            "",
            f"ratio ours/distilabel: verified pairs/s x{speed:.1f}, wall time "
            f"{1 / wall:.2f} (x{wall:.1f} faster), CPU per pair x{cpu:.1f} less",
        ]
    lines += ["", *("note: " + n for n in NOTES)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rows", type=int, default=200, help="generation requests per run")
    p.add_argument("--concurrency", type=int, default=50)
    p.add_argument("--latency", type=float, default=1.0, help="fake endpoint latency, seconds")
    p.add_argument(
        "--distilabel-batch",
        type=int,
        help="distilabel input_batch_size (default --concurrency; each of its two LLM steps "
        "then has that many requests in flight, up to twice our budget)",
    )
    p.add_argument("--runs", type=int, default=3)
    p.add_argument(
        "--pairs-per-request",
        type=int,
        help="pairs both sides ask for in each generation request (default: distilabel's "
        "stock 1-3 drawn per row, ours 2, its mean)",
    )
    p.add_argument("--timeout", type=float, default=300.0, help="hard limit per run, seconds")
    p.add_argument(
        "--bad-share",
        type=float,
        default=0.0,
        help="share of broken generated pairs (default 0: distilabel's execution checker raises "
        "on a string `arguments`, loses the batch and often ends the run with 0 rows)",
    )
    p.add_argument("--pass-rate", type=float, default=0.9)
    p.add_argument("--side", choices=("both", "ours", "distilabel"), default="both")
    p.add_argument("--no-install", action="store_true", help="fail instead of creating the venv")
    p.add_argument("--json", type=Path, help="also write every run's figures here")
    p.add_argument("--keep", action="store_true", help="keep the work directories (logs)")
    p.add_argument(
        "--ours-extra", nargs=argparse.REMAINDER, default=[], help="more `apigen generate` flags"
    )
    p.add_argument("--distilabel-worker", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.distilabel_worker:
        distilabel_worker(args.distilabel_worker)
        return

    sys.path.insert(0, str(ROOT))
    sides = ["ours", "distilabel"] if args.side == "both" else [args.side]
    if "distilabel" in sides:
        ensure_venv(install=not args.no_install)
    rows, funcs = library_rows(args.rows)
    results: dict[str, list[RunResult]] = {s: [] for s in sides}
    base = Path(tempfile.mkdtemp(prefix="vs-distilabel-"))
    keep_dirs: set[Path] = set()
    for run in range(args.runs):
        # Alternate the order so that neither side always runs on a warmer machine.
        for side in sides if run % 2 == 0 else sides[::-1]:
            workdir = base / f"{side}-{run}"
            workdir.mkdir()
            if side == "ours":
                r = run_ours(args, args.rows, run, workdir)
            else:
                r = run_distilabel(args, rows, run, workdir)
            results[side].append(r)
            if r.timed_out or not r.verified:
                keep_dirs.add(workdir)
                print(f"{side} run {run} failed; its logs stay in {workdir}", file=sys.stderr)
            elif not args.keep:
                shutil.rmtree(workdir, ignore_errors=True)
            print(
                f"run {run} {side:<10} wall {r.wall_s:6.2f}s verified {r.verified:5d} "
                f"cpu {r.cpu_s:6.2f}s gen {r.gen_requests} judge {r.judge_requests} "
                f"peak {r.peak_in_flight} "
                f"exit {r.exit_code}{' TIMEOUT' if r.timed_out else ''}  ({workdir})",
                file=sys.stderr,
                flush=True,
            )
    print(report(results, args, funcs))
    if args.json:
        payload = {s: [asdict(r) for r in rs] for s, rs in results.items()}
        args.json.write_text(json.dumps(payload, indent=2))
    if not args.keep and not keep_dirs:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
