"""Tool specs for plain Python functions, read from signatures, type hints and docstrings.

A library module (see `apis/python/`) is an ordinary Python file: its public functions
are tools, `CATEGORY` names their category and `EXAMPLES` holds worked examples. The
module is imported here only to read its specs; calls run in the sandbox
(`executors/python.py`), which imports the same file again in a worker process.
"""

from __future__ import annotations

import importlib.util
import inspect
import re
import sys
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from msgspec import UNSET

from apigen_async.errors import ApiLoadError
from apigen_async.schema import JsonType, Param, Tool

__all__ = ["import_module_file", "load_python_tools", "tool_from_function"]

_PRIMITIVES: dict[type, JsonType] = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    list: "array",
    tuple: "array",
    dict: "object",
}

_ARG_LINE = re.compile(r"^(\s*)(\*{0,2}\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")
_SECTION = re.compile(
    r"^\s*(Args|Arguments|Parameters|Returns|Raises|Yields|Examples?|Notes?):\s*$"
)


def import_module_file(path: Path) -> types.ModuleType:
    """Import a Python file under a stable, collision-free module name."""
    path = path.resolve()
    name = "apigen_api_" + re.sub(r"\W", "_", str(path.with_suffix("")))
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ApiLoadError(f"{path}: not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        del sys.modules[name]
        raise ApiLoadError(f"{path}:{exc.lineno}: syntax error: {exc.msg}") from exc
    except SystemExit as exc:
        # Imported in our own process: an exit here would end the CLI without a word.
        del sys.modules[name]
        line = _traceback_line(exc, path)
        raise ApiLoadError(f"{path}:{line}: import called sys.exit({exc.code!r})") from None
    except Exception as exc:
        del sys.modules[name]
        line = _traceback_line(exc, path)
        raise ApiLoadError(f"{path}:{line}: import failed: {type(exc).__name__}: {exc}") from exc
    return module


def _traceback_line(exc: BaseException, path: Path) -> int | str:
    tb = exc.__traceback__
    line: int | str = "?"
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename).resolve() == path:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def load_python_tools(path: Path) -> list[Tool]:
    """Every public function defined in the file at `path`, as a Tool."""
    module = import_module_file(path)
    category = str(getattr(module, "CATEGORY", path.stem))
    tools = []
    for name, fn in inspect.getmembers(module, inspect.isfunction):
        if name.startswith("_") or fn.__module__ != module.__name__:
            continue
        tools.append(tool_from_function(fn, category=category, module_path=str(path.resolve())))
    return tools


def tool_from_function(fn: Callable[..., Any], *, category: str, module_path: str) -> Tool:
    where = f"{module_path}:{fn.__code__.co_firstlineno}: {fn.__name__}"
    summary, arg_docs = _parse_docstring(inspect.getdoc(fn) or "")
    if not summary:
        raise ApiLoadError(f"{where}: missing docstring summary")
    try:
        hints = typing.get_type_hints(fn)
    except Exception as exc:
        raise ApiLoadError(f"{where}: unresolvable type hints: {exc}") from exc
    params = []
    for p in inspect.signature(fn).parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.POSITIONAL_ONLY):
            raise ApiLoadError(f"{where}: parameter {p.name!r} must be a keyword parameter")
        if p.name not in hints:
            raise ApiLoadError(f"{where}: parameter {p.name!r} has no type hint")
        json_type, items, enum = _json_type(hints[p.name], where=f"{where}({p.name})")
        has_default = p.default is not inspect.Parameter.empty
        params.append(
            Param(
                name=p.name,
                type=json_type,
                description=arg_docs.get(p.name, ""),
                required=not has_default,
                default=p.default if has_default else UNSET,
                enum=enum,
                items=items,
            )
        )
    return Tool(
        name=fn.__name__,
        description=summary,
        parameters=tuple(params),
        category=category,
        source="python",
        module_path=module_path,
        function=fn.__name__,
    )


def _json_type(
    hint: Any, *, where: str
) -> tuple[JsonType, JsonType | None, tuple[Any, ...] | None]:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        non_none = [a for a in args if a is not type(None)]
        if len(non_none) == 1:
            return _json_type(non_none[0], where=where)
        if set(non_none) == {int, float}:
            return "number", None, None
        raise ApiLoadError(f"{where}: unsupported union type {hint!r}")
    if origin is Literal:
        kinds = {type(a) for a in args}
        if len(kinds) != 1 or next(iter(kinds)) not in _PRIMITIVES:
            raise ApiLoadError(f"{where}: Literal values must share one primitive type")
        return _PRIMITIVES[next(iter(kinds))], None, tuple(args)
    if hint is Any:
        return "any", None, None
    if origin in (list, tuple, typing.List, typing.Tuple):  # noqa: UP006
        items = _json_type(args[0], where=where)[0] if args else None
        return "array", items, None
    if origin in (dict, typing.Dict):  # noqa: UP006
        return "object", None, None
    if hint in _PRIMITIVES:
        return _PRIMITIVES[hint], None, None
    raise ApiLoadError(f"{where}: unsupported type {hint!r}")


def _parse_docstring(doc: str) -> tuple[str, dict[str, str]]:
    """Google-style docstring -> (summary, {param: description})."""
    lines = doc.splitlines()
    summary_lines: list[str] = []
    for line in lines:
        if not line.strip() or _SECTION.match(line):
            break
        summary_lines.append(line.strip())
    args: dict[str, str] = {}
    section = None
    current: str | None = None
    arg_indent = 0
    for line in lines:
        header = _SECTION.match(line)
        if header:
            section = header.group(1)
            current = None
            continue
        if section not in ("Args", "Arguments", "Parameters"):
            continue
        m = _ARG_LINE.match(line)
        # An argument starts at the section's indent; deeper lines continue the previous one.
        if m and (current is None or len(m.group(1)) <= arg_indent):
            arg_indent = len(m.group(1))
            current = m.group(2).lstrip("*")
            args[current] = m.group(3).strip()
        elif current and line.strip():
            args[current] = (args[current] + " " + line.strip()).strip()
    return " ".join(summary_lines), args
