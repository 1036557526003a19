"""`apigen merge OUT SHARD_DIR...`: shards of one run into one store, dataset and report."""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from apigen_async.card import CardInfo
from apigen_async.commands.outputs import (
    STORE_NAME,
    discard_run,
    stored_dedup,
    stored_tools,
    write_outputs,
)
from apigen_async.config import IDENTITY_KEYS, parse_export
from apigen_async.errors import ConfigError
from apigen_async.outdir import hold_out_lock, prepare_out
from apigen_async.scrub import Scrubber
from apigen_async.shards import ShardPart, check_merge_target, read_shards, write_merged_store
from apigen_async.store import open_reader, open_store

__all__ = ["merge_command", "merge_shards"]


async def merge_command(args: argparse.Namespace) -> int:
    if not args.shard_dirs:
        raise ConfigError("apigen merge: give the shard folders to merge")
    try:
        formats = parse_export(args.export)
    except ValueError as exc:
        raise ConfigError(f"--export: {exc}") from None
    out = prepare_out(args.out)
    with hold_out_lock(out):
        await merge_shards(
            out,
            args.shard_dirs,
            formats=formats,
            extra=args.extra_columns,
            console=Console(stderr=True, quiet=args.quiet),
            command=shlex.join(["apigen", *sys.argv[1:]]),
        )
    return 0


async def merge_shards(
    out: Path,
    dirs: Sequence[Path],
    *,
    formats: tuple[str, ...] = ("xlam",),
    extra: bool = False,
    console: Console,
    command: str,
) -> list[ShardPart]:
    """Merge the shards in `dirs` into `out` (whose lock the caller holds)."""
    shards = await read_shards(dirs, STORE_NAME, IDENTITY_KEYS)
    db = out / STORE_NAME
    if db.exists():
        async with open_reader(db) as existing:
            check_merge_target(out, await existing.run_config())
    discard_run(out)  # a merge is rebuilt whole from its shards every time
    async with open_store(db) as store:
        parts = await write_merged_store(store, shards, IDENTITY_KEYS, None)
    for part in parts:
        console.print(part.describe(), highlight=False, soft_wrap=True)
    total = parts[0].shards
    missing = sorted(set(range(total)) - {p.shard for p in parts})
    if missing:
        console.print(
            f"shards missing from the merge: {', '.join(f'{k}/{total}' for k in missing)}",
            highlight=False,
            soft_wrap=True,
        )
    config = shards[0].config
    dedup = stored_dedup(config)
    await write_outputs(
        out,
        stored_tools(config),
        sum(p.target for p in parts),
        formats,
        extra=extra,
        console=console,
        scrub=Scrubber(),
        dedup=dedup,
        card=CardInfo(
            command=Scrubber()(command),
            seed=config.get("seed", 0),
            model=config.get("model", ""),
            judge_model=config.get("judge_model", ""),
            solver_model=config.get("solver_model") or config.get("judge_model", ""),
            checks=tuple(config.get("checks") or ()),
            formats=formats,
            dedup=(f"near, Jaccard >= {dedup.threshold}" if dedup.mode == "near" else "exact"),
        ),
    )
    return parts
