"""The SQLite checkpoint: run config, finished tasks with their pairs, caches.

One writer task owns all writes and batches them into transactions; a task's pairs are
written in the same transaction as the task row, so after a `kill -9` a task is either
wholly in the store or not at all. Reads (cache lookups, resume, reports) use a second
connection; WAL mode lets them run beside the writer.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite
import anyio
import msgspec
from anyio.abc import TaskStatus

from apigen_async.compact import HashSet64, PresenceFilter
from apigen_async.errors import StoreError
from apigen_async.llm.router import EndpointUsage
from apigen_async.llm.types import Completion
from apigen_async.schema import Call, ExecResult, Rejection, Style, Task
from apigen_async.scrub import Scrubber

__all__ = [
    "PairRecord",
    "Session",
    "Store",
    "TaskRecord",
    "UniqueVerified",
    "open_reader",
    "open_store",
    "query_key",
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
    #: The session that ran it (its start, as `Session.started`), and when the task began
    #: and ended in seconds since that start: report.html's tasks in flight over time.
    #: None in stores made before; no dataset row reads them.
    session: str | None = None
    began: float | None = None
    ended: float | None = None


class Session(msgspec.Struct, frozen=True, kw_only=True):
    """One invocation of `apigen generate` on this store (a resume adds one)."""

    started: str
    wall_seconds: float
    requests: int = 0
    cache_hits: int = 0
    retries: int = 0
    rate_limited: int = 0
    reached_target: bool = False
    timeouts: int = 0
    #: Why the session ended early, if it did (the circuit breaker's message).
    gave_up: str | None = None
    #: Attempts that failed, and tokens of the answered ones (sent, not cached).
    errors: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    #: Per endpoint; they add up to the figures above.
    endpoints: list[EndpointUsage] = msgspec.field(default_factory=list)


_task_decoder = msgspec.json.Decoder(TaskRecord)
_pair_decoder = msgspec.json.Decoder(PairRecord)
_completion_decoder = msgspec.json.Decoder(Completion)
_encode = msgspec.json.encode


class _Write(msgspec.Struct, frozen=True):
    """Statements applied together, each with its parameter rows."""

    statements: list[tuple[str, list[tuple[Any, ...]]]]


def _digest64(key: str) -> int:
    """A uniformly random 64-bit hash of a REST cache key (tool name and arguments)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest())


def _short(key: str) -> int:
    """64 bits of a hex request hash (uniformly random): what the presence filter keys on."""
    return int(key[:16], 16)


class Store:
    """Handle to an open store; writes go through the writer task, reads are direct."""

    def __init__(
        self, path: Path, reader: aiosqlite.Connection, scrub: Scrubber | None = None
    ) -> None:
        self.path = path
        self._reader = reader
        #: Every record passes it on the way in, so no secret an endpoint echoed is stored.
        self._scrub = scrub or Scrubber()
        self._send, self._receive = anyio.create_memory_object_stream[_Write](1024)
        #: Which requests may be cached: a fixed 4 MiB Bloom filter (no false negatives,
        #: ~1% false positives at 3.5 million keys); None until loaded, then every lookup
        #: queries.
        self._llm_keys: PresenceFilter | None = None
        #: The same for REST calls (1 MiB: far fewer distinct calls than requests).
        self._rest_keys: PresenceFilter | None = None

    # -- run config -------------------------------------------------------------
    async def run_config(self) -> dict[str, Any] | None:
        async with self._reader.execute("SELECT value FROM run WHERE key='config'") as cur:
            row = await cur.fetchone()
        return msgspec.json.decode(row[0]) if row else None

    async def set_run_config(self, config: dict[str, Any]) -> None:
        await self._send.send(
            _Write(
                [
                    (
                        "INSERT OR REPLACE INTO run VALUES ('config', ?)",
                        [(self._scrub.data(_encode(config)).decode(),)],
                    )
                ]
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
                self._scrub.data(_encode(p)),
            )
            for p in record.pairs
        ]
        task_row = (
            t.index,
            t.id,
            t.style,
            record.failure.code if record.failure else None,
            self._scrub.data(_encode(msgspec.structs.replace(record, pairs=[]))),
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

    async def iter_tasks(self, *, chunk: int = 256) -> AsyncGenerator[TaskRecord, None]:
        """Finished tasks in index order, each with its pairs, holding about `chunk` rows.

        Two ordered cursors, tasks and pairs, merged on the task index. The second query
        starts while the first is still open, so both read inside the same implicit read
        transaction: one snapshot, where a task row proves that all its pairs are there.
        Iterate to the end (or `aclose()` the iterator): the snapshot stays open until then.
        """
        tasks_sql = "SELECT idx, record FROM tasks ORDER BY idx"
        pairs_sql = "SELECT task_idx, record FROM pairs ORDER BY task_idx, pair_idx"
        async with (
            self._reader.execute(tasks_sql) as task_cur,
            self._reader.execute(pairs_sql) as pair_cur,
        ):
            task_cur.iter_chunk_size = pair_cur.iter_chunk_size = chunk
            pair_rows = aiter(pair_cur)
            pending = await anext(pair_rows, None)
            async for idx, blob in task_cur:
                pairs: list[PairRecord] = []
                # Pairs of tasks with no task row (a torn write cannot leave any) are skipped.
                while pending is not None and pending[0] <= idx:
                    if pending[0] == idx:
                        pairs.append(_pair_decoder.decode(pending[1]))
                    pending = await anext(pair_rows, None)
                yield msgspec.structs.replace(_task_decoder.decode(blob), pairs=pairs)

    # -- LLM cache ----------------------------------------------------------------
    async def load_cache_index(self) -> None:
        """Remember which requests and calls are cached, so a miss (most are) costs no query."""
        llm_keys, rest_keys = PresenceFilter(), PresenceFilter(bits_log2=23)
        async with self._reader.execute("SELECT key FROM llm_cache") as cur:
            cur.iter_chunk_size = 1024
            async for (key,) in cur:
                llm_keys.add(_short(key))
        async with self._reader.execute("SELECT key FROM rest_cache") as cur:
            cur.iter_chunk_size = 1024
            async for (key,) in cur:
                rest_keys.add(_digest64(key))
        self._llm_keys, self._rest_keys = llm_keys, rest_keys

    async def get_completion(self, key: str) -> Completion | None:
        # A definite miss costs no query; a "maybe" (cached, or a false positive) asks SQL.
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
                [
                    (
                        "INSERT OR REPLACE INTO llm_cache VALUES (?, ?)",
                        [(key, self._scrub.data(_encode(completion)))],
                    )
                ]
            )
        )

    # -- REST cache ---------------------------------------------------------------
    async def get(self, key: str) -> bytes | None:
        if self._rest_keys is not None and _digest64(key) not in self._rest_keys:
            return None
        async with self._reader.execute("SELECT value FROM rest_cache WHERE key=?", (key,)) as cur:
            row = await cur.fetchone()
        return bytes(row[0]) if row else None

    async def put(self, key: str, value: bytes) -> None:
        if self._rest_keys is not None:
            self._rest_keys.add(_digest64(key))
        await self._send.send(
            _Write(
                [
                    (
                        "INSERT OR REPLACE INTO rest_cache VALUES (?, ?)",
                        [(key, self._scrub.data(value))],
                    )
                ]
            )
        )

    # -- the writer ---------------------------------------------------------------
    async def run_writer(
        self, *, batch: int = 256, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        """Apply writes until `close()`; commit whenever the queue runs dry or `batch` is hit.

        A batch is one transaction applied in one call on a worker thread, on a plain
        sqlite3 connection only this task uses: one thread hop per commit, where a call
        per statement (aiosqlite's way) cost a hop and a loop wake-up each.
        """
        conn = await anyio.to_thread.run_sync(_connect_writer, self.path)
        try:
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
                        await anyio.to_thread.run_sync(_apply, conn, pending)
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(conn.close)

    async def close(self) -> None:
        await self._send.aclose()


_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA busy_timeout=10000")


def _connect_writer(path: Path) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(path, check_same_thread=False)
        for pragma in _PRAGMAS:
            conn.execute(pragma)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open store {path}: {exc}") from exc
    return conn


def _apply(conn: sqlite3.Connection, writes: list[_Write]) -> None:
    with conn:  # one transaction: all of it commits, or none
        for write in writes:
            for sql, rows in write.statements:
                conn.executemany(sql, rows)


@asynccontextmanager
async def _connect(path: Path) -> AsyncIterator[aiosqlite.Connection]:
    try:
        conn = await aiosqlite.connect(path)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open store {path}: {exc}") from exc
    try:
        for pragma in _PRAGMAS:
            await conn.execute(pragma)
        yield conn
    finally:
        # Shielded: an unfinished close leaves aiosqlite's thread posting to a dead loop.
        with anyio.CancelScope(shield=True):
            await conn.close()


@asynccontextmanager
async def open_store(path: Path, *, scrub: Scrubber | None = None) -> AsyncIterator[Store]:
    """Open (creating if needed) the store and run its writer for the block's duration.

    `scrub` cleans every record written (default: token shapes only, no key values).
    """
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
        store = Store(path, reader, scrub)
        await store.load_cache_index()
        async with anyio.create_task_group() as tg:
            await tg.start(store.run_writer)
            try:
                yield store
            finally:
                await store.close()


@asynccontextmanager
async def open_reader(path: Path) -> AsyncIterator[Store]:
    """An existing store opened for reading only (no writer), for reports and exports.

    Read with `run_config()`, `sessions()` and `iter_tasks()`; SQLite errors inside the
    block become `StoreError`.
    """
    if not path.exists():
        raise StoreError(f"no store at {path}")
    try:
        async with _connect(path) as conn:
            yield Store(path, conn)
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
        # 64-bit hashes of the query keys in a flat table (~16 bytes an entry, not ~70 for
        # a set of ints): it lives as long as the run, one entry per unique verified pair.
        self.seen = HashSet64()
        self.duplicates = 0

    def take(self, record: TaskRecord) -> list[PairRecord]:
        kept = []
        add = self.seen.add
        for pair in record.pairs:
            if pair.rejection is not None:
                continue
            if not add(hash(query_key(pair.query))):
                self.duplicates += 1
                continue
            kept.append(pair)
        return kept
