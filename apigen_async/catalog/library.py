"""The API library of a run: the built-in `apis/` plus whatever `--apis` names."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

import msgspec

import apis
from apigen_async.catalog.python import load_python_tools
from apigen_async.errors import ApiLoadError
from apigen_async.schema import Call, Tool
from apigen_async.styles import STYLES

__all__ = [
    "APIS_DIR",
    "Catalog",
    "builtin_python_files",
    "load_catalog",
    "load_seeds",
    "local_rest_tools",
]

APIS_DIR = Path(apis.__file__).resolve().parent


class Catalog(msgspec.Struct, kw_only=True):
    tools: list[Tool]
    #: Entries left out while loading (ToolBench files), by reason.
    skipped: dict[str, int] = {}

    def by_name(self) -> dict[str, Tool]:
        return {t.name: t for t in self.tools}

    def fingerprint(self) -> str:
        """Changes whenever a tool's name, description or parameters change."""
        specs = sorted((t.name, t.description, t.parameters) for t in self.tools)
        return hashlib.sha256(msgspec.json.encode(specs)).hexdigest()[:16]


def builtin_python_files() -> list[Path]:
    return sorted(p for p in (APIS_DIR / "python").glob("*.py") if not p.name.startswith("_"))


@cache
def _local_rest_tools() -> tuple[Tool, ...]:
    from apigen_async.catalog.toolbench import load_toolbench

    return tuple(load_toolbench(APIS_DIR / "rest" / "tools").tools)


def local_rest_tools() -> list[Tool]:
    """The local REST service's tools (`apis.rest`), read from its ToolBench tool files
    like any ToolBench tool. Read here, not in `apis`: the API library imports nothing of
    the generator, so the generator may import it."""
    return list(_local_rest_tools())


def _files_of(path: Path) -> Iterable[Path]:
    if path.is_dir():
        yield from sorted(p for p in path.rglob("*") if p.suffix in (".py", ".json"))
    else:
        yield path


def _load_file(path: Path, skipped: dict[str, int]) -> list[Tool]:
    if path.suffix == ".py":
        return load_python_tools(path)
    if path.suffix == ".json":
        from apigen_async.catalog.toolbench import load_toolbench

        try:
            loaded = load_toolbench(path)
        except ValueError as exc:
            raise ApiLoadError(str(exc)) from exc
        for reason, n in loaded.skipped.items():
            skipped[reason] = skipped.get(reason, 0) + n
        return list(loaded.tools)
    raise ApiLoadError(f"{path}: unsupported API file (expected .py or ToolBench .json)")


def load_catalog(
    extra: Sequence[Path] = (), *, builtin: bool = True, local_rest: bool = False
) -> Catalog:
    """Built-in Python tools, the local REST service's tools, and the `--apis` files."""
    files = builtin_python_files() if builtin else []
    for path in extra:
        if not path.exists():
            raise ApiLoadError(f"--apis {path}: no such file or directory")
        files.extend(_files_of(path))
    tools: dict[str, Tool] = {}
    origin: dict[str, Path] = {}
    skipped: dict[str, int] = {}
    if local_rest:
        for tool in local_rest_tools():
            tools[tool.name] = tool
            origin[tool.name] = APIS_DIR / "rest"
    for path in files:
        try:
            loaded = _load_file(path, skipped)
        except OSError as exc:
            raise ApiLoadError(f"{path}: cannot read: {exc}") from exc
        for tool in loaded:
            if tool.name in tools:
                raise ApiLoadError(
                    f"{path}: tool name {tool.name!r} is already defined in {origin[tool.name]}"
                )
            tools[tool.name] = tool
            origin[tool.name] = path
    if not tools:
        raise ApiLoadError("no tools loaded: the API library is empty")
    return Catalog(tools=list(tools.values()), skipped=skipped)


class _SeedRow(msgspec.Struct):
    query: str
    answers: str
    tools: str
    id: str | int | None = None


def load_seeds(tools: dict[str, Tool]) -> list[tuple[str, str, list[Call]]]:
    """Hand-checked seed examples as (style, query, calls), for the example pool.

    Seeds whose calls name tools this run does not have are left out.
    """
    seeds = []
    for style in STYLES:
        path = APIS_DIR / "seeds" / f"{style}.jsonl"
        if not path.exists():
            continue
        for n, line in enumerate(path.read_bytes().splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = msgspec.json.decode(line, type=_SeedRow)
                calls = msgspec.json.decode(row.answers, type=list[Call])
            except msgspec.DecodeError as exc:
                raise ApiLoadError(f"{path}:{n}: bad seed row: {exc}") from exc
            if all(c.name in tools for c in calls):
                seeds.append((style, row.query, calls))
    return seeds
