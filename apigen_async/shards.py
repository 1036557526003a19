"""Shards of one run, and their merge into one store, dataset and report.

`apigen generate --shard k/N` runs the tasks of the whole run whose index is k modulo N
(`Sampler.shard`) as an ordinary run: its own store, example pool and dataset (its
share of `-n`). The merged dataset is a pure function of the shard stores: each shard's
own dataset (its first pairs in task order, as its `dataset.jsonl`), in shard order,
through one more deduplicator across shards. A partial shard contributes the pairs it
had verified in its gap-free run of finished tasks, as its own export would.

The merged store holds every shard's tasks one after the other (shard k's task i at
`offset_k + i`) and, in its config, where each shard's tasks start and its target, so
`apigen report` on the merged folder selects the same rows again.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import aclosing
from pathlib import Path
from typing import Any

import msgspec

from apigen_async.dedup import DedupConfig, Deduplicator, MergedPair
from apigen_async.errors import ConfigError, StoreError
from apigen_async.export import Selection
from apigen_async.store import PairRecord, Store, TaskRecord, open_reader

__all__ = [
    "ShardPart",
    "ShardedSelection",
    "check_merge_target",
    "read_shards",
    "write_merged_store",
]


class ShardPart(msgspec.Struct, frozen=True, kw_only=True):
    """One shard as merged: where it came from, how far it got, where its tasks start."""

    shard: int
    shards: int
    source: str
    target: int
    #: Tasks stored, and verified pairs of its own dataset (its gap-free prefix).
    tasks: int
    selected: int
    #: Index of its first task in the merged store.
    offset: int = 0

    @property
    def finished(self) -> bool:
        return self.selected >= self.target

    def describe(self) -> str:
        state = "finished" if self.finished else "partial: rerun its command to go on"
        return (
            f"shard {self.shard}/{self.shards} ({self.source}): {self.selected}/{self.target} "
            f"pairs from {self.tasks} tasks, {state}"
        )


class _Shard(msgspec.Struct, frozen=True):
    part: ShardPart
    config: dict[str, Any]
    path: Path


async def read_shards(
    dirs: Sequence[Path], store_name: str, identity_keys: Sequence[str]
) -> list[_Shard]:
    """The shards in `dirs`, checked to be of one run, in shard order."""
    found: list[_Shard] = []
    for folder in dirs:
        path = folder / store_name
        async with open_reader(path) as store:
            config = await store.run_config() or {}
            spec = config.get("shard")
            if not spec:
                raise ConfigError(f"{folder} holds no shard (a run made without --shard)")
            target = int(config.get("target") or 0)
            dedup = msgspec.convert(config.get("dedup") or {}, DedupConfig)
            selection = Selection(target, dedup)
            tasks = 0
            async with aclosing(store.iter_tasks()) as records:
                async for record in records:
                    tasks += 1
                    selection.take(record)
        part = ShardPart(shard=spec[0], shards=spec[1], source=str(folder), target=target,
                         tasks=tasks, selected=selection.selected)  # fmt: skip
        found.append(_Shard(part, config, path))
    first = found[0]
    for other in found[1:]:
        if other.part.shards != first.part.shards:
            raise ConfigError(
                f"{other.part.source} is shard {other.part.shard}/{other.part.shards} but "
                f"{first.part.source} is shard {first.part.shard}/{first.part.shards}: "
                "shards of different splits"
            )
        for key in identity_keys:
            if key != "shard" and other.config.get(key) != first.config.get(key):
                raise ConfigError(
                    f"{other.part.source} and {first.part.source} differ in {key} "
                    f"({other.config.get(key)!r} vs {first.config.get(key)!r}): shards of "
                    "different runs cannot be merged"
                )
    seen: dict[int, str] = {}
    for s in found:
        if s.part.shard in seen:
            raise ConfigError(
                f"{s.part.source} and {seen[s.part.shard]} are both shard "
                f"{s.part.shard}/{s.part.shards}"
            )
        seen[s.part.shard] = s.part.source
    return sorted(found, key=lambda s: s.part.shard)


async def write_merged_store(
    out: Store, shards: Sequence[_Shard], identity_keys: Sequence[str], library: Any
) -> list[ShardPart]:
    """Copy every shard's tasks (shard order, task order) and sessions into `out`."""
    parts: list[ShardPart] = []
    offset = 0
    for shard in shards:
        parts.append(msgspec.structs.replace(shard.part, offset=offset))
        last = -1
        async with open_reader(shard.path) as store:
            async with aclosing(store.iter_tasks()) as records:
                async for record in records:
                    last = record.task.index
                    await out.put_task(_moved(record, offset + record.task.index))
            for session in await store.sessions():
                await out.add_session(
                    msgspec.structs.replace(
                        session, started=f"{session.started}/shard-{shard.part.shard}"
                    )
                )
        offset += last + 1
    first = shards[0].config
    config = {k: first.get(k) for k in identity_keys} | {
        "shard": None,
        "merged": msgspec.to_builtins(parts),
        "target": sum(p.target for p in parts),
        "library": library if library is not None else first.get("library"),
        "version": first.get("version"),
    }
    await out.set_run_config(config)
    return parts


def _moved(record: TaskRecord, index: int) -> TaskRecord:
    task = msgspec.structs.replace(record.task, index=index)
    pairs = [msgspec.structs.replace(p, task_index=index) for p in record.pairs]
    return msgspec.structs.replace(record, task=task, pairs=pairs)


class _Dedups:
    """The figures of the shards' deduplicators and the one across shards, added up."""

    def __init__(self, config: DedupConfig, parts: Sequence[Deduplicator]) -> None:
        self.config = config
        self._parts = parts

    @property
    def exact(self) -> int:
        return sum(d.exact for d in self._parts)

    @property
    def near(self) -> int:
        return sum(d.near for d in self._parts)

    @property
    def duplicates(self) -> int:
        return self.exact + self.near

    @property
    def merged(self) -> list[MergedPair]:
        return [m for d in self._parts for m in d.merged][:5]


class ShardedSelection:
    """`Selection` over a merged store: each shard's own dataset, then dedup across shards."""

    def __init__(self, parts: Sequence[ShardPart], dedup: DedupConfig) -> None:
        self._parts = sorted(parts, key=lambda p: p.offset)
        self._selections = [Selection(p.target, dedup, first=p.offset) for p in self._parts]
        self._across = Deduplicator(dedup)
        self.unique = _Dedups(dedup, [*(s.unique for s in self._selections), self._across])
        self.selected = 0

    @classmethod
    def from_config(cls, config: dict[str, Any], dedup: DedupConfig) -> ShardedSelection:
        return cls(msgspec.convert(config["merged"], list[ShardPart]), dedup)

    @property
    def duplicates(self) -> int:
        return self.unique.duplicates

    def take(self, record: TaskRecord) -> list[PairRecord]:
        index = record.task.index
        k = next(
            (i for i in reversed(range(len(self._parts))) if self._parts[i].offset <= index), 0
        )
        kept = self._selections[k].take(record)
        if not kept:
            return []
        unique = self._across.take(msgspec.structs.replace(record, pairs=kept))
        self.selected += len(unique)
        return unique


def check_merge_target(out: Path, config: dict[str, Any] | None) -> None:
    """Refuse to replace a store in OUT that is not an earlier merge."""
    if config is not None and "merged" not in config:
        raise StoreError(
            f"{out} holds a run that is not a merge of shards; choose another folder for it"
        )
