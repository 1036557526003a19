"""The SQLite checkpoint: run config, finished tasks with their pairs, caches.

One writer task owns all writes and batches them into transactions; a task's pairs are
written in the same transaction as the task row, so after a `kill -9` a task is either
wholly in the store or not at all. Reads (cache lookups, resume, reports) use a second
connection; WAL mode lets them run beside the writer.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite
import anyio
import msgspec
from anyio.abc import TaskStatus

from apigen_async.errors import StoreError
from apigen_async.llm.client import Completion
from apigen_async.schema import Call, ExecResult, Rejection, Style, Task

__all__ = [
    "PairRecord",
    "Session",
    "Store",
    "StoreContents",
    "TaskRecord",
    "UniqueVerified",
    "open_store",
    "query_key",
    "read_store",
]

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS run (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tasks (
    idx INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    style TEXT NOT NULL,
    failed_code TEXT,
    record BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS pairs (
    task_idx INTEGER NOT NULL,
    pair_idx INTEGER NOT NULL,
    id TEXT NOT NULL UNIQUE,
    style TEXT NOT NULL,
    verified INTEGER NOT NULL,
    reject_stage TEXT,
    reject_code TEXT,
    record BLOB NOT NULL,
    PRIMARY KEY (task_idx, pair_idx)
);
CREATE TABLE IF NOT EXISTS llm_cache (
    key TEXT PRIMARY KEY,
    completion BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS rest_cache (
    key TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
"""


class PairRecord(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One generated pair and what each stage made of it."""

    id: str
    task_index: int
    pair_index: int
    style: Style
    generator: str
    tool_names: tuple[str, ...]
    query: str | None = None
    answers: list[Call] | None = None
    raw: Any = None
    results: list[ExecResult] | None = None
    thought: str | None = None
    rejection: Rejection | None = None

    @property
    def verified(self) -> bool:
        return self.rejection is None


class TaskRecord(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    task: Task
    pairs: list[PairRecord]
    #: Set when the generation request itself failed (after retries): no pairs then.
    failure: Rejection | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached: bool = False
    seconds: float = 0.0


class Session(msgspec.Struct, frozen=True, kw_only=True):
    """One invocation of `apigen generate` on this store (a resume adds one)."""

    started: str
    wall_seconds: float
    requests: int = 0
    cache_hits: int = 0
    retries: int = 0
    rate_limited: int = 0
    reached_target: bool = False


_task_decoder = msgspec.json.Decoder(TaskRecord)
_pair_decoder = msgspec.json.Decoder(PairRecord)
_completion_decoder = msgspec.json.Decoder(Completion)
_encode = msgspec.json.encode


class _Write(msgspec.Struct, frozen=True):
    """Statements applied together, each with its parameter rows."""

    statements: list[tuple[str, list[tuple[Any, ...]]]]


def _short(key: str) -> int:
    """64 bits of a hex request hash: a small set entry; a rare false hit costs one query."""
    return int(key[:16], 16)


class Store:
    """Handle to an open store; writes go through the writer task, reads are direct."""

    def __init__(self, path: Path, reader: aiosqlite.Connection) -> None:
        self.path = path
        self._reader = reader
        self._send, self._receive = anyio.create_memory_object_stream[_Write](1024)
        self._llm_keys: set[int] | None = None

    # -- run config -------------------------------------------------------------
    async def run_config(self) -> dict[str, Any] | None:
        async with self._reader.execute("SELECT value FROM run WHERE key='config'") as cur:
            row = await cur.fetchone()
        return msgspec.json.decode(row[0]) if row else None

    async def set_run_config(self, config: dict[str, Any]) -> None:
        await self._send.send(
            _Write(
                [("INSERT OR REPLACE INTO run VALUES ('config', ?)", [(_encode(config).decode(),)])]
            )
        )

    async def add_session(self, session: Session) -> None:
        await self._send.send(
            _Write(
                [
                    (
                        "INSERT OR REPLACE INTO run VALUES (?, ?)",
                        [(f"session:{session.started}", _encode(session).decode())],
                    )
                ]
            )
        )

    async def sessions(self) -> list[Session]:
        async with self._reader.execute(
            "SELECT value FROM run WHERE key LIKE 'session:%' ORDER BY key"
        ) as cur:
            return [msgspec.json.decode(row[0], type=Session) async for row in cur]

    # -- tasks --------------------------------------------------------------------
    async def put_task(self, record: TaskRecord) -> None:
        t = record.task
        pair_rows = [
            (
                p.task_index,
                p.pair_index,
                p.id,
                p.style,
                int(p.verified),
                p.rejection.stage if p.rejection else None,
                p.rejection.code if p.rejection else None,
                _encode(p),
            )
            for p in record.pairs
        ]
        task_row = (
            t.index,
            t.id,
            t.style,
            record.failure.code if record.failure else None,
            _encode(msgspec.structs.replace(record, pairs=[])),
        )
        # One write, so one transaction: a task row proves its pairs are all there.
        await self._send.send(
            _Write(
                [
                    ("DELETE FROM pairs WHERE task_idx=?", [(t.index,)]),
                    ("INSERT INTO pairs VALUES (?, ?, ?, ?, ?, ?, ?, ?)", pair_rows),
                    ("INSERT OR REPLACE INTO tasks VALUES (?, ?, ?, ?, ?)", [task_row]),
                ]
            )
        )

    async def tasks(self) -> list[TaskRecord]:
        pairs: dict[int, list[PairRecord]] = {}
        async with self._reader.execute(
            "SELECT record FROM pairs ORDER BY task_idx, pair_idx"
        ) as cur:
            async for (blob,) in cur:
                pair = _pair_decoder.decode(blob)
                pairs.setdefault(pair.task_index, []).append(pair)
        records = []
        async with self._reader.execute("SELECT idx, record FROM tasks ORDER BY idx") as cur:
            async for idx, blob in cur:
                record = _task_decoder.decode(blob)
                records.append(msgspec.structs.replace(record, pairs=pairs.get(idx, [])))
        return records

    # -- LLM cache ----------------------------------------------------------------
    async def load_cache_index(self) -> None:
        """Remember which requests are cached, so a miss costs no query (most are misses)."""
        async with self._reader.execute("SELECT key FROM llm_cache") as cur:
            self._llm_keys = {_short(row[0]) async for row in cur}

    async def get_completion(self, key: str) -> Completion | None:
        if self._llm_keys is not None and _short(key) not in self._llm_keys:
            return None
        async with self._reader.execute(
            "SELECT completion FROM llm_cache WHERE key=?", (key,)
        ) as cur:
            row = await cur.fetchone()
        return _completion_decoder.decode(row[0]) if row else None

    async def put_completion(self, key: str, completion: Completion) -> None:
        if self._llm_keys is not None:
            self._llm_keys.add(_short(key))
        await self._send.send(
            _Write(
                [("INSERT OR REPLACE INTO llm_cache VALUES (?, ?)", [(key, _encode(completion))])]
            )
        )

    # -- REST cache ---------------------------------------------------------------
    async def get(self, key: str) -> bytes | None:
        async with self._reader.execute("SELECT value FROM rest_cache WHERE key=?", (key,)) as cur:
            row = await cur.fetchone()
        return bytes(row[0]) if row else None

    async def put(self, key: str, value: bytes) -> None:
        await self._send.send(
            _Write([("INSERT OR REPLACE INTO rest_cache VALUES (?, ?)", [(key, value)])])
        )

    # -- the writer ---------------------------------------------------------------
    async def run_writer(
        self, *, batch: int = 256, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        """Apply writes until `close()`; commit whenever the queue runs dry or `batch` is hit."""
        async with _connect(self.path) as conn:
            task_status.started()
            async with self._receive:
                async for first in self._receive:
                    pending = [first]
                    while len(pending) < batch:
                        try:
                            pending.append(self._receive.receive_nowait())
                        except (anyio.WouldBlock, anyio.EndOfStream):
                            break
                    with anyio.CancelScope(shield=True):
                        for write in pending:
                            for sql, rows in write.statements:
                                await conn.executemany(sql, rows)
                        await conn.commit()

    async def close(self) -> None:
        await self._send.aclose()


@asynccontextmanager
async def _connect(path: Path) -> AsyncIterator[aiosqlite.Connection]:
    try:
        conn = await aiosqlite.connect(path)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open store {path}: {exc}") from exc
    try:
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA synchronous=NORMAL")
        await conn.execute("PRAGMA busy_timeout=10000")
        yield conn
    finally:
        # Shielded: an unfinished close leaves aiosqlite's thread posting to a dead loop.
        with anyio.CancelScope(shield=True):
            await conn.close()


@asynccontextmanager
async def open_store(path: Path) -> AsyncIterator[Store]:
    """Open (creating if needed) the store and run its writer for the block's duration."""
    path.parent.mkdir(parents=True, exist_ok=True)
    async with _connect(path) as reader:
        try:
            await reader.executescript(_SCHEMA)
            await reader.execute(
                "INSERT OR IGNORE INTO run VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
            await reader.commit()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path} is not a usable apigen store: {exc}") from exc
        store = Store(path, reader)
        await store.load_cache_index()
        async with anyio.create_task_group() as tg:
            await tg.start(store.run_writer)
            try:
                yield store
            finally:
                await store.close()


class StoreContents(msgspec.Struct, frozen=True, kw_only=True):
    config: dict[str, Any] | None
    tasks: list[TaskRecord]
    sessions: list[Session]


async def read_store(path: Path) -> StoreContents:
    """Everything `apigen report` and exports need, read without a writer."""
    if not path.exists():
        raise StoreError(f"no store at {path}")
    async with _connect(path) as conn:
        try:
            store = Store(path, conn)
            return StoreContents(
                config=await store.run_config(),
                tasks=await store.tasks(),
                sessions=await store.sessions(),
            )
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path} is not a usable apigen store: {exc}") from exc


def query_key(query: str | None) -> str:
    """Two verified pairs with the same key are duplicates (case and spacing ignored)."""
    return " ".join((query or "").lower().split())


class UniqueVerified:
    """Verified pairs in the order given, each query only once; counts what it dropped.

    The pipeline's stop rule and the export both walk tasks in index order through one
    of these, so they agree on which N pairs make the dataset.
    """

    def __init__(self) -> None:
        # Hashes, not strings: this set lives as long as the run (one entry per pair).
        self.seen: set[int] = set()
        self.duplicates = 0

    def take(self, record: TaskRecord) -> list[PairRecord]:
        kept = []
        for pair in record.pairs:
            if not pair.verified:
                continue
            key = hash(query_key(pair.query))
            if key in self.seen:
                self.duplicates += 1
                continue
            self.seen.add(key)
            kept.append(pair)
        return kept
