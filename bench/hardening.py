"""Issue 11's acceptance runs, measured: one writer per folder, and giving up on dead endpoints.

    python -m bench.hardening lock --trials 20    # two `generate` at once on one --out
    python -m bench.hardening give-up             # always-429, always-500, always-hang

`lock`: each trial starts two runs of the same command on one fresh folder at the same
moment (one with --extra-columns, as in the issue); exactly one must refuse with one
line, and the other must finish with the dataset of a lone run of its command.
`give-up`: the real CLI at its defaults against the fake endpoint with each fault on
every request (`--timeout 5` for the hang); prints seconds until it ended, and its line.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.helpers import REPO, apigen, cli_env, fake_endpoint


def _generate(url: str, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "apigen_async", "generate", "-n", "8", "--out", str(out),
            "--base-url", url, "--model", "fake", "--seed", "3", "--quiet", *extra]  # fmt: skip


def lock_trials(trials: int) -> int:
    bad = 0
    with tempfile.TemporaryDirectory() as tmp, fake_endpoint() as url:
        root = Path(tmp)
        variants = ((), ("--extra-columns",))
        lone = {}
        for extra in variants:
            out = root / f"lone{len(extra)}"
            done = subprocess.run(_generate(url, out, *extra), capture_output=True, env=cli_env())
            assert done.returncode == 0, done.stderr
            lone[extra] = (out / "dataset.jsonl").read_bytes()
        for trial in range(trials):
            out = root / f"trial{trial}"
            procs = [
                subprocess.Popen(
                    _generate(url, out, *extra, "--rpm", "240"),
                    cwd=REPO,
                    env=cli_env(),
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for extra in variants
            ]
            results = [(p.wait(timeout=300), p.stderr.read() if p.stderr else "") for p in procs]
            codes = sorted(code for code, _ in results)
            winner = next(
                (v for v, (code, _) in zip(variants, results, strict=True) if code == 0), None
            )
            refusal = next((err for code, err in results if code == 2), "")
            ok = (
                codes == [0, 2]
                and winner is not None
                and len(refusal.strip().splitlines()) == 1
                and "is in use by another apigen run (pid " in refusal
                and (out / "dataset.jsonl").read_bytes() == lone[winner]
            )
            bad += not ok
            print(
                f"trial {trial}: exit codes {codes}, {'ok' if ok else 'FAILED'} {refusal.strip()}"
            )
    print(f"{trials - bad}/{trials} trials: one refused at once, the other = a lone run")
    return 1 if bad else 0


FAULTS = {
    "always-429": (("--rate-429", "1"), ()),
    "always-500": (("--rate-500", "1"), ()),
    "always-hang": (("--rate-hang", "1"), ("--timeout", "5")),
}


def give_up() -> int:
    for name, (fake_flags, flags) in FAULTS.items():
        with tempfile.TemporaryDirectory() as tmp, fake_endpoint(*fake_flags) as url:
            args = _generate(url, Path(tmp), *flags)[3:]
            args[args.index("-n") + 1] = "50"
            started = time.monotonic()
            result = apigen(*args, timeout=600)
            seconds = time.monotonic() - started
        print(f"{name}: exit {result.returncode} after {seconds:.1f} s: {result.stderr.strip()}")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.hardening", description=__doc__)
    sub = parser.add_subparsers(dest="what", required=True)
    sub.add_parser("lock").add_argument("--trials", type=int, default=20)
    sub.add_parser("give-up")
    args = parser.parse_args()
    sys.exit(lock_trials(args.trials) if args.what == "lock" else give_up())


if __name__ == "__main__":
    main()
