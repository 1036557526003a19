"""`apigen generate --ray [ADDRESS] --shards N`: the shards of a run as Ray tasks.

The driver submits one Ray task per shard not finished yet. Each task runs one ordinary
asyncio pipeline (`generate --shard k/N`) with its store on the worker's local disk, in
a folder named after the run (`$TMPDIR/apigen-ray/<run>/shard-k`), so a shard run again
on the same node resumes; it returns the store to the driver as bytes when it ends.
The driver keeps it in `OUT/shards/shard-k/` (with a `.finished` mark once the shard has
ended for good), shows one progress panel for all shards, and merges them into OUT as
`apigen merge` does. Every endpoint limit (`--concurrency`, `--rpm`, `--tpm`, and an
endpoints file's) is divided by N, so together the shards keep to it.

Rerunning the command after the driver or a worker was killed runs only the shards
without the mark. Ray is imported only here (`pip install 'apigen-async[ray]'`).
"""

from __future__ import annotations

import hashlib
import os
import shlex
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import anyio
import msgspec
from rich.console import Console
from rich.live import Live
from rich.table import Table

from apigen_async.commands import first_error
from apigen_async.commands.outputs import STORE_NAME, push_run
from apigen_async.config import RunConfig
from apigen_async.errors import ApigenError, ConfigError
from apigen_async.hub import hub_token
from apigen_async.outdir import atomic_file, hold_out_lock, prepare_out
from apigen_async.scrub import Scrubber
from apigen_async.shards import check_merge_target
from apigen_async.store import open_reader

__all__ = ["ShardProgress", "ShardResult", "ray_command"]

DEFAULT_SHARDS = 2
#: A shard whose task Ray lost (its worker killed): not finished, run again next time.
LOST = -1
FINISHED = ".finished"
#: Exit codes of a shard that has ended for good: reached its share, or stopped short
#: of it (its --max-tasks). A shard that gave up (3) or failed is run again.
_FINAL = (0, 1)


class ShardProgress(msgspec.Struct, frozen=True, kw_only=True):
    shard: int
    tasks: int = 0
    verified: int = 0
    target: int = 0
    state: str = "waiting"


class ShardResult(msgspec.Struct, frozen=True, kw_only=True):
    shard: int
    code: int
    store: bytes = b""
    error: str = ""


class ProgressBoard:
    """A Ray actor the shards post their counts to and the driver reads."""

    def __init__(self) -> None:
        self.shards: dict[int, ShardProgress] = {}

    def update(self, progress: ShardProgress) -> None:
        self.shards[progress.shard] = progress

    def snapshot(self) -> dict[int, ShardProgress]:
        return dict(self.shards)


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ConfigError(
            "--ray needs Ray, which is not installed: pip install 'apigen-async[ray]'"
        ) from None
    return ray


def _run_key(out: Path, shards: int) -> str:
    return hashlib.blake2b(f"{out.resolve()}|{shards}".encode(), digest_size=8).hexdigest()


def shard_config(config: RunConfig, k: int, n: int, workdir: Path) -> RunConfig:
    """The config of shard k: the run's, with its own folder and 1/n of every limit."""
    log = config.log_requests
    if log is not None:
        log = log.resolve()
        log = log.with_name(f"{log.stem}.shard-{k}{log.suffix}")
    return msgspec.structs.replace(
        config,
        ray=None,
        shards=None,
        push_to_hub=None,  # the driver pushes the merged run
        shard=(k, n),
        out=workdir,
        limit_share=n,
        quiet=True,
        log_requests=log,
        endpoints=config.endpoints.resolve() if config.endpoints is not None else None,
        apis=tuple(p.resolve() for p in config.apis),
    )


def run_shard(config: RunConfig, board: Any) -> ShardResult:
    """One shard in this (worker) process: its pipeline, then its store as bytes."""
    from apigen_async.commands.generate import generate_command

    assert config.shard is not None
    k, n = config.shard
    out = config.out
    out.mkdir(parents=True, exist_ok=True)
    stop = threading.Event()
    target = -(-config.pairs // n)

    def report() -> None:
        while not stop.wait(1.0):
            tasks, verified = _counts(out / STORE_NAME)
            board.update.remote(ShardProgress(shard=k, tasks=tasks, verified=verified,
                                              target=target, state="running"))  # fmt: skip

    poster = threading.Thread(target=report, daemon=True)
    poster.start()
    scrub = Scrubber.from_env(config.api_key_env, config.rapidapi_key_env)
    try:
        code = anyio.run(generate_command, config, backend_options={"use_uvloop": True})
        error = ""
    except BaseException as exc:  # reported to the driver, which decides what to say
        first = first_error(exc)
        code, error = 2, scrub(f"{type(first).__name__}: {first}" if not isinstance(
            first, ApigenError) else str(first))  # fmt: skip
    finally:
        stop.set()
        poster.join()
    tasks, verified = _counts(out / STORE_NAME)
    board.update.remote(ShardProgress(shard=k, tasks=tasks, verified=verified, target=target,
                                      state="done" if code in _FINAL else "failed"))  # fmt: skip
    blob = b""
    if (out / STORE_NAME).exists():
        # serialize() includes what is still in the WAL: the whole database in one blob.
        with sqlite3.connect(out / STORE_NAME) as conn:
            blob = conn.serialize()
    return ShardResult(shard=k, code=code, store=blob, error=error)


def _counts(db: Path) -> tuple[int, int]:
    if not db.exists():
        return 0, 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            tasks = conn.execute("SELECT count(*) FROM tasks").fetchone()[0]
            verified = conn.execute("SELECT count(*) FROM pairs WHERE verified=1").fetchone()[0]
        return int(tasks), int(verified)
    except sqlite3.Error:
        return 0, 0


async def ray_command(config: RunConfig) -> int:
    ray = _import_ray()  # before anything is created or stored
    if config.shard:
        raise ConfigError("--ray runs every shard itself: give --shards N, not --shard")
    config = msgspec.structs.replace(config, shards=config.shards or DEFAULT_SHARDS)
    n = config.shards
    token = hub_token(config.push_to_hub) if config.push_to_hub else None
    out = prepare_out(config.out)
    console = Console(stderr=True, quiet=config.quiet)
    with hold_out_lock(out):
        if (out / STORE_NAME).exists():
            # Before any shard runs: the merge at the end would refuse this folder.
            async with open_reader(out / STORE_NAME) as existing:
                check_merge_target(out, await existing.run_config())
        shard_dirs = [out / "shards" / f"shard-{k}" for k in range(n)]
        if config.fresh:
            for folder in shard_dirs:
                for name in (STORE_NAME, FINISHED):
                    (folder / name).unlink(missing_ok=True)
        todo = [k for k, folder in enumerate(shard_dirs) if not (folder / FINISHED).exists()]
        for k in range(n):
            if k not in todo:
                # Said even with --quiet: the rerun did not redo it, and this says why.
                print(f"shard {k}/{n}: finished in an earlier run", file=sys.stderr)
        codes = await _run_on_ray(ray, config, out, todo, shard_dirs, console)
        if 2 in codes.values():
            # A bad flag, input or endpoint (said above, per shard): no merge to make yet.
            return 2
        done = [d for d in shard_dirs if (d / STORE_NAME).exists()]
        from apigen_async.commands.merge import merge_shards

        await merge_shards(
            out, done, formats=config.export, extra=config.extra_columns, console=console,
            command=shlex.join(["apigen", *sys.argv[1:]]),
        )  # fmt: skip
        code = 3 if 3 in codes.values() else 1 if {1, LOST} & set(codes.values()) else 0
        if config.push_to_hub and token:
            code = await push_run(
                out, config.push_to_hub, config.export, token, code=code, console=console
            )
    return code


async def _run_on_ray(
    ray: Any,
    config: RunConfig,
    out: Path,
    todo: list[int],
    shard_dirs: list[Path],
    console: Console,
) -> dict[int, int]:
    if not todo:
        return {}
    n = config.shards or DEFAULT_SHARDS
    init = {"address": config.ray or None, "include_dashboard": False, "log_to_driver": False,
            "configure_logging": False}  # fmt: skip
    if not config.ray:
        init["num_cpus"] = max(n, os.cpu_count() or 1)
    # On the event loop's thread: Ray sets signal handlers only from the main thread, and
    # nothing else runs in the driver yet.
    ray.init(**init)
    try:
        board = ray.remote(num_cpus=0)(ProgressBoard).remote()
        task = ray.remote(num_cpus=1, max_retries=0)(run_shard)
        base = Path(tempfile.gettempdir()) / "apigen-ray" / _run_key(out, n)
        pending = {
            task.remote(shard_config(config, k, n, base / f"shard-{k}"), board): k for k in todo
        }
        codes: dict[int, int] = {}
        live = Live(console=console, refresh_per_second=2) if console.is_terminal else None
        started, last_line = time.monotonic(), 0.0
        if live is not None:
            live.start()
        try:
            while pending:
                ready, _ = await anyio.to_thread.run_sync(
                    lambda: ray.wait(list(pending), num_returns=1, timeout=1.0)
                )
                for ref in ready:
                    k = pending.pop(ref)
                    try:
                        result: ShardResult = await anyio.to_thread.run_sync(ray.get, ref)
                    except Exception as exc:  # the worker died, or Ray lost the task
                        codes[k] = LOST
                        reason = str(exc).strip().splitlines()[0][:200] if str(exc) else ""
                        print(f"apigen: shard {k}/{n} was lost ({type(exc).__name__}: "
                              f"{reason}); rerun the same command to resume it",
                              file=sys.stderr)  # fmt: skip
                        continue
                    codes[k] = result.code
                    _keep(shard_dirs[k], result)
                    if result.error:  # said even with --quiet
                        print(f"apigen: shard {k}/{n}: {result.error}", file=sys.stderr)
                snapshot = await anyio.to_thread.run_sync(lambda: ray.get(board.snapshot.remote()))
                view = _panel(snapshot, n, todo, time.monotonic() - started)
                if live is not None:
                    live.update(view)
                elif not config.quiet and time.monotonic() - last_line >= 5:
                    last_line = time.monotonic()
                    console.print(_line(snapshot, n, todo), highlight=False, soft_wrap=True)
        finally:
            if live is not None:
                live.stop()
        return codes
    finally:
        await anyio.to_thread.run_sync(ray.shutdown)


def _keep(folder: Path, result: ShardResult) -> None:
    """The shard's store in OUT/shards/shard-k, marked finished once it has ended for good."""
    folder.mkdir(parents=True, exist_ok=True)
    if result.store:
        for suffix in ("-wal", "-shm"):
            (folder / (STORE_NAME + suffix)).unlink(missing_ok=True)
        with atomic_file(folder / STORE_NAME) as handle:
            handle.write(result.store)
    if result.code in _FINAL and result.store:
        (folder / FINISHED).write_text(f"{result.code}\n")


def _line(snapshot: dict[int, ShardProgress], n: int, todo: list[int]) -> str:
    parts = [
        f"shard {k}: {p.verified}/{p.target} {p.state}"
        for k in todo
        if (p := snapshot.get(k)) is not None
    ]
    verified = sum(p.verified for p in snapshot.values())
    return f"ray: {verified} verified over {len(todo)} of {n} shards | " + " | ".join(parts)


def _panel(snapshot: dict[int, ShardProgress], n: int, todo: list[int], elapsed: float) -> Table:
    table = Table(title=f"apigen on Ray: {n} shards, {elapsed:.0f} s")
    # Verified pairs as stored, repeats included; the share is of -n, after dedup.
    for col in ("shard", "state", "tasks", "verified", "share"):
        table.add_column(col, justify="left" if col in ("shard", "state") else "right")
    for k in range(n):
        p = snapshot.get(k)
        if k not in todo:
            table.add_row(f"{k}/{n}", "finished before", "", "", "")
        elif p is None:
            table.add_row(f"{k}/{n}", "waiting", "0", "0", "")
        else:
            table.add_row(f"{k}/{n}", p.state, str(p.tasks), str(p.verified), str(p.target))
    total = sum(p.verified for p in snapshot.values())
    table.add_row("all", "", str(sum(p.tasks for p in snapshot.values())), str(total), "")
    return table
