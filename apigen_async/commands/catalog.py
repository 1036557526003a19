"""`apigen catalog list | show | check`: look at the API library and prove it runs."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

import anyio
import anyio.abc
import msgspec
from rich.console import Console
from rich.table import Table

from apigen_async.catalog.dialects import tool_to_openai, tool_to_xlam
from apigen_async.catalog.examples import results_match, worked_examples
from apigen_async.catalog.library import Catalog, load_catalog, load_seeds
from apigen_async.config import SandboxConfig, sandbox_config
from apigen_async.errors import ConfigError
from apigen_async.executors.python import PythonExecutor
from apigen_async.schema import Call, Tool

__all__ = ["catalog_command"]


def _catalog(args: argparse.Namespace) -> Catalog:
    return load_catalog(args.apis, builtin=not args.no_builtin, local_rest=not args.no_builtin)


def _spec(tool: Tool) -> dict[str, Any]:
    return tool_to_xlam(tool) | {"category": tool.category, "source": tool.source}


async def catalog_command(args: argparse.Namespace) -> int:
    catalog = _catalog(args)
    if args.catalog_command == "list":
        return _list(catalog, args.format)
    if args.catalog_command == "show":
        return _show(catalog, args.name)
    return await _check(catalog, sandbox_config(vars(args)))


def _list(catalog: Catalog, fmt: str) -> int:
    tools = sorted(catalog.tools, key=lambda t: (t.category, t.name))
    if fmt == "json":
        sys.stdout.write(msgspec.json.encode([_spec(t) for t in tools]).decode() + "\n")
        return 0
    table = Table(title=f"{len(tools)} tools in {len({t.category for t in tools})} categories")
    for col in ("name", "category", "source", "params", "description"):
        table.add_column(col)
    for t in tools:
        table.add_row(t.name, t.category, t.source, str(len(t.parameters)), t.description[:80])
    Console(width=160).print(table)
    if catalog.skipped:
        skipped = ", ".join(f"{k} {v}" for k, v in sorted(catalog.skipped.items()))
        print(f"skipped while loading: {skipped}")
    return 0


def _show(catalog: Catalog, name: str) -> int:
    tool = catalog.by_name().get(name)
    if tool is None:
        raise ConfigError(f"no tool named {name!r}; see `apigen catalog list`")
    shown = {
        "xlam": _spec(tool),
        "openai": tool_to_openai(tool),
        "examples": [{"arguments": a, "result": r} for a, r in worked_examples(tool)],
    }
    if tool.rest is not None:
        shown["rest"] = msgspec.to_builtins(tool.rest)
    sys.stdout.write(msgspec.json.format(msgspec.json.encode(shown), indent=2).decode() + "\n")
    return 0


class _Case(msgspec.Struct, frozen=True):
    label: str
    tool: Tool
    arguments: dict[str, Any]
    #: The expected result; absent for seeds, whose calls need only succeed.
    want: Any = msgspec.UNSET


async def _check(catalog: Catalog, sandbox: SandboxConfig) -> int:
    tools = catalog.by_name()
    cases: list[_Case] = []
    missing: list[str] = []
    for tool in catalog.tools:
        if tool.source != "python":
            continue
        examples = worked_examples(tool)
        if not examples:
            missing.append(tool.name)
        for i, (arguments, want) in enumerate(examples):
            cases.append(_Case(f"{tool.name} example {i}", tool, arguments, want))
    for n, (style, query, calls) in enumerate(load_seeds(tools)):
        for call in calls:
            if tools[call.name].source == "python":
                cases.append(_Case(f"seed {style} #{n} ({query[:40]!r})", tools[call.name],
                                   call.arguments))  # fmt: skip
    if not cases:
        # "0/0 passed" would read as success.
        print(
            f"apigen: error: nothing to check: none of the {len(catalog.tools)} tools has a "
            "worked example (EXAMPLES) or a seed call",
            file=sys.stderr,
        )
        return 1
    failures = await _run_cases(cases, sandbox)
    for line in failures:
        print(f"FAIL {line}")
    for name in missing:
        print(f"WARN {name}: no worked example in EXAMPLES")
    print(f"{len(cases) - len(failures)}/{len(cases)} worked examples and seed calls passed")
    return 1 if failures else 0


async def _run_cases(cases: Sequence[_Case], sandbox: SandboxConfig) -> list[str]:
    failures: list[str] = []
    workers = sandbox.exec_concurrency
    send, receive = anyio.create_memory_object_stream[_Case](workers)

    async def worker(ex: PythonExecutor, receive: anyio.abc.ObjectReceiveStream[_Case]) -> None:
        async with receive:
            async for case in receive:
                call = Call(name=case.tool.name, arguments=case.arguments)
                result = await ex.execute(case.tool, call)
                if not result.ok:
                    failures.append(f"{case.label}: {result.error}: {result.message}")
                elif case.want is not msgspec.UNSET and not results_match(result.output, case.want):
                    failures.append(f"{case.label}: got {result.output!r}, expected {case.want!r}")

    # Results are compared whole, so the executor's display cap must not cut them.
    executor = sandbox.python_executor(max_output=10_000_000)
    async with executor as ex, anyio.create_task_group() as tg:
        async with receive:
            for _ in range(workers):
                tg.start_soon(worker, ex, receive.clone())
        async with send:
            for case in cases:
                await send.send(case)
    return sorted(failures)
