"""The output folder: one writer at a time, and files that appear whole or not at all.

A command that writes an `--out` folder holds an exclusive `flock` on `out/.apigen.lock`
for its whole life. The kernel drops the lock when the process ends, however it ends,
so a `kill -9` never leaves a stale lock behind. Readers (`apigen report`) take no lock:
SQLite's WAL lets them read beside the writer.

Files are written under a unique temporary name in the same folder and renamed into
place, so a reader (or a crash) never sees half a file.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from apigen_async.errors import ConfigError, StoreError

__all__ = ["LOCK_NAME", "atomic_file", "hold_out_lock", "prepare_out", "temp_path"]

LOCK_NAME = ".apigen.lock"
#: Temporary files carry this prefix, so the lock holder can sweep a killed run's leftovers.
_TMP_PREFIX = ".apigen-tmp."


def prepare_out(out: Path) -> Path:
    """Create `out` if needed; a path that cannot be a folder is a one-line error."""
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out}: exists and is not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"--out {out}: cannot create the folder: {exc.strerror}") from exc
    return out


@contextmanager
def hold_out_lock(out: Path) -> Iterator[None]:
    """Hold the folder's writer lock for the block; another holder is a `StoreError`."""
    path = out / LOCK_NAME
    try:
        # Never truncated on open and never deleted: either would let a second process
        # lock a different inode than the one the holder has locked.
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise ConfigError(f"--out {out}: cannot write in the folder: {exc.strerror}") from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreError(
                f"--out {out} is in use by another apigen run (pid {_holder(fd)}); "
                "wait for it to finish or choose another --out"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        _sweep_temporaries(out)
        yield
    finally:
        os.close(fd)  # releases the lock


def _holder(fd: int) -> str:
    # The holder writes its pid just after locking: give it a moment if we came between.
    for _ in range(20):
        text = os.pread(fd, 32, 0).decode(errors="replace").strip()
        if text:
            return text
        time.sleep(0.01)
    return "unknown"


def _sweep_temporaries(out: Path) -> None:
    for leftover in out.glob(_TMP_PREFIX + "*"):
        leftover.unlink(missing_ok=True)


def temp_path(path: Path) -> Path:
    """A new, unique, empty file beside `path` to write it under before renaming."""
    while True:
        tmp = path.with_name(f"{_TMP_PREFIX}{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        try:
            # Not `mkstemp`: its files are private (0600), the dataset takes the umask.
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        return tmp


@contextmanager
def atomic_file(path: Path) -> Iterator[IO[bytes]]:
    """A binary file that replaces `path` when the block ends cleanly, else vanishes."""
    tmp = temp_path(path)
    try:
        with tmp.open("wb") as handle:
            yield handle
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
