"""No import cycles: every module imports alone, and the import graph read from the source
has no cycle, between modules nor between the package's parts (its subpackages, its
top-level modules, and `apis`).

The graph counts every import statement, at the top of a module or inside a function (and
under `if TYPE_CHECKING:`): an import deferred into a function is still a dependency. It
only hides a cycle from the interpreter, not from the next reader, and the cycles issue 9
names (`apigen_async` <-> `apis`) ran through such deferred imports.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from tests.helpers import REPO

PACKAGES = ("apigen_async", "apis")

#: Edges of known cycles, tolerated until removed; each listed edge must still exist, so
#: the sets only shrink. Empty: the package has no import cycle.
KNOWN_MODULE_EDGES: set[tuple[str, str]] = set()
KNOWN_PART_EDGES: set[tuple[str, str]] = set()


def _modules() -> dict[str, Path]:
    """Every Python file of the packages, by dotted name (`pkg/__init__.py` -> `pkg`)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            parts = path.relative_to(REPO).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = _modules()


def _imported_names(module: str, path: Path) -> Iterator[str]:
    """The dotted names each import statement of `module` asks for, anywhere in it."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            # `from a import b` imports the module a.b when there is one, else a name of a.
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _owner(name: str) -> str | None:
    """The module of ours a dotted name lives in (its longest module prefix)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def module_graph() -> dict[str, set[str]]:
    """module -> the modules of ours it imports."""
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for module, path in MODULES.items():
        for name in _imported_names(module, path):
            target = _owner(name)
            if target is not None and target != module:
                graph[module].add(target)
    return graph


def part(module: str) -> str:
    """The part of the code a module belongs to: `apis`, a subpackage of `apigen_async`
    (`apigen_async.llm`), or a top-level module of it (`apigen_async.export`)."""
    pieces = module.split(".")
    return "apis" if pieces[0] == "apis" else ".".join(pieces[:2])


def part_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, targets in module_graph().items():
        for target in targets:
            if part(module) != part(target):
                graph.setdefault(part(module), set()).add(part(target))
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of `graph` as [a, b, ..., a], or None (depth-first, iterative)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for root in sorted(graph):
        if state.get(root):
            continue
        path = [root]
        stack = [iter(sorted(graph.get(root, ())))]
        state[root] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(graph.get(nxt, ()))))
    return None


def _without(graph: dict[str, set[str]], known: set[tuple[str, str]]) -> dict[str, set[str]]:
    missing = {(a, b) for a, b in known if b not in graph.get(a, ())}
    assert not missing, f"these known edges are gone: remove them from the test: {missing}"
    return {a: {b for b in targets if (a, b) not in known} for a, targets in graph.items()}


def test_the_module_graph_has_no_cycle() -> None:
    graph = module_graph()
    # Sanity: the graph is read at all (the package's entry point imports the CLI).
    assert "apigen_async.cli" in graph["apigen_async.__main__"]
    cycle = find_cycle(_without(graph, KNOWN_MODULE_EDGES))
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_parts_of_the_package_import_each_other_one_way() -> None:
    graph = part_graph()
    cycle = find_cycle(_without(graph, KNOWN_PART_EDGES))
    assert cycle is None, "import cycle between parts: " + " -> ".join(cycle)
    # The layers that issue 9 untangled: the API library is a leaf the generator uses, and
    # the catalog (what tools exist) sits below the executors (how they run).
    assert not {p for p in graph.get("apis", ()) if p.startswith("apigen_async")}
    assert "apigen_async.executors" not in graph.get("apigen_async.catalog", ())


def test_find_cycle_names_the_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def importable_modules() -> list[str]:
    """The modules that are imported by name: not `apis/python/*` (tool files, loaded by
    path) and not `__main__` (importing it runs the CLI)."""
    return [
        m
        for m, path in MODULES.items()
        if m.rpartition(".")[2] != "__main__"
        and all(
            (p / "__init__.py").exists() for p in path.parents if p != REPO and REPO in p.parents
        )
    ]


def test_every_module_imports_alone() -> None:
    names = importable_modules()
    assert "apigen_async.export" in names and "apis.rest.service" in names
    # One fresh interpreter; before each import, every module of ours is forgotten, so each
    # one is imported as if it were the first (third-party modules stay loaded: fast).
    script = (
        "import importlib, sys\n"
        f"ours = {set(PACKAGES)!r}\n"
        "for name in sys.argv[1:]:\n"
        "    for loaded in [m for m in sys.modules if m.split('.')[0] in ours]:\n"
        "        del sys.modules[loaded]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception as exc:\n"
        "        print(f'{name}: {type(exc).__name__}: {exc}')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, *names],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "", result.stdout
