"""`apigen split DIR`: write train.jsonl and test.jsonl beside a dataset."""

from __future__ import annotations

import argparse
import sys

from apigen_async.split import split_dataset

__all__ = ["split_command"]


async def split_command(args: argparse.Namespace) -> int:
    train, test, result = split_dataset(args.dataset, test=args.test, by=args.by, seed=args.seed)
    total = len(result.train) + len(result.test)
    print(
        f"split: {len(result.train)} train rows -> {train}, {len(result.test)} test rows -> "
        f"{test} ({len(result.test) / total:.1%} held out by {args.by}, seed {args.seed}, "
        f"{result.groups} groups)",
        file=sys.stderr,
    )
    return 0
