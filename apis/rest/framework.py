"""A tiny declarative layer for the local API service: endpoints, typed params, errors.

Each endpoint is declared once (tool, name, path, description, ToolBench-typed params)
and that one declaration drives both request parsing in the service and the ToolBench tool
file that describes it, so the docs cannot drift from the code.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import orjson

__all__ = ["ApiError", "Endpoint", "P", "ToolInfo", "api", "data", "registry", "tool"]

DATA = Path(__file__).resolve().parent / "data"
DOMAIN = "local-apis.apigen"


class ApiError(Exception):
    """An expected client error: becomes an HTTP status with `{"message": ...}`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class P:
    """A declared parameter, typed in ToolBench's own vocabulary."""

    name: str
    type: str  # STRING, NUMBER, BOOLEAN, ENUM, "DATE (YYYY-MM-DD)", "TIME (24-hour HH:MM)"
    description: str
    required: bool = True
    default: Any = ""
    example: Any = None  # a value that works; used by tests and as the docs' default
    choices: tuple[str, ...] = ()
    integer: bool = False  # NUMBER that must be whole


@dataclass(frozen=True)
class ToolInfo:
    slug: str  # e.g. "geo-data"; host is "<slug>.local-apis.apigen"
    name: str
    category: str
    description: str

    @property
    def host(self) -> str:
        return f"{self.slug}.{DOMAIN}"


@dataclass(frozen=True)
class Endpoint:
    tool: ToolInfo
    name: str
    path: str  # may hold `{param}` segments
    description: str
    params: tuple[P, ...]
    handler: Callable[..., Any]
    examples: tuple[dict[str, Any], ...] = field(default=())

    def example_args(self) -> dict[str, Any]:
        """Arguments that make a valid call: every declared example."""
        return {p.name: p.example for p in self.params if p.example is not None}


_REGISTRY: list[Endpoint] = []


def tool(slug: str, name: str, category: str, description: str) -> ToolInfo:
    return ToolInfo(slug, name, category, description)


def api(
    info: ToolInfo, name: str, path: str, description: str, *params: P
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        path_full = f"/{info.slug}{path}"
        _REGISTRY.append(Endpoint(info, name, path_full, description, params, fn))
        return fn

    return register


def registry() -> list[Endpoint]:
    """All endpoints, importing every endpoint module once."""
    from apis.rest import endpoints as pkg

    for module in sorted(p.stem for p in Path(pkg.__file__).parent.glob("*.py")):
        if not module.startswith("_"):
            __import__(f"apis.rest.endpoints.{module}")
    return list(_REGISTRY)


@cache
def data(name: str) -> Any:
    """A shipped data table (read once)."""
    return orjson.loads((DATA / name).read_bytes())


# -- parameter parsing: untrusted strings in, typed values out, 400 on anything odd ---------

_BOOL = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def parse(p: P, raw: str | None) -> Any:
    if raw is None or raw == "":
        if p.required:
            raise ApiError(400, f"Missing required parameter '{p.name}'")
        return _coerce_default(p)
    if len(raw) > 2000:
        raise ApiError(400, f"Parameter '{p.name}' is too long")
    kind = p.type.split()[0].upper()
    if kind == "NUMBER":
        try:
            value = float(raw)
        except ValueError:
            raise ApiError(400, f"Parameter '{p.name}' must be a number, got {raw!r}") from None
        if not math.isfinite(value):
            raise ApiError(400, f"Parameter '{p.name}' must be a finite number")
        if p.integer:
            if not value.is_integer():
                raise ApiError(400, f"Parameter '{p.name}' must be a whole number, got {raw!r}")
            return int(value)
        return value
    if kind == "BOOLEAN":
        low = raw.strip().lower()
        if low not in _BOOL:
            raise ApiError(400, f"Parameter '{p.name}' must be true or false, got {raw!r}")
        return _BOOL[low]
    if kind == "DATE":
        try:
            return dt.date.fromisoformat(raw.strip())
        except ValueError:
            raise ApiError(400, f"Parameter '{p.name}' must be a date YYYY-MM-DD") from None
    if kind == "TIME":
        if not re.fullmatch(r"\d{1,2}:\d{2}", raw.strip()):
            raise ApiError(400, f"Parameter '{p.name}' must be a time HH:MM")
        h, m = (int(x) for x in raw.strip().split(":"))
        if h > 23 or m > 59:
            raise ApiError(400, f"Parameter '{p.name}' is not a valid time")
        return dt.time(h, m)
    value = raw.strip()
    if p.choices:
        low = value.lower()
        for c in p.choices:
            if c.lower() == low:
                return c
        raise ApiError(400, f"Parameter '{p.name}' must be one of {', '.join(p.choices)}")
    return value


def _coerce_default(p: P) -> Any:
    if p.default in ("", None):
        return None
    return parse(P(p.name, p.type, "", True, "", None, p.choices, p.integer), str(p.default))


# -- ToolBench tool files ------------------------------------------------------------------


def _wire(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def example_response(ep: Endpoint) -> Any:
    """What the endpoint answers to its example arguments (computed, no HTTP)."""
    args = ep.example_args()
    kwargs = {p.name: parse(p, _wire(args[p.name]) if p.name in args else None) for p in ep.params}
    return ep.handler(**kwargs)


def shape(value: Any) -> Any:
    """StableToolBench's `template_response` dialect: values replaced by type names."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        if not value:
            return "empty list"
        if isinstance(value[0], dict):
            return [{**shape(value[0]), "_list_length": len(value)}]
        return f"list of {type(value[0]).__name__} with length {len(value)}"
    return type(value).__name__


def tool_file(info: ToolInfo, endpoints: list[Endpoint]) -> dict[str, Any]:
    """A ToolBench `toolenv/tools/<Category>/<tool>.json` document for one tool."""

    def param(p: P) -> dict[str, Any]:
        desc = p.description
        if p.choices:
            desc += f" One of: {', '.join(p.choices)}."
        default = p.default if not p.required else (p.example if p.example is not None else "")
        if isinstance(default, bool):
            default = str(default).lower()
        # Whole-number params are declared INTEGER so the generator sees the exact type.
        kind = "INTEGER" if p.integer else p.type
        return {"name": p.name, "type": kind, "description": desc, "default": default}

    return {
        "tool_name": info.name,
        "standardized_name": info.slug.replace("-", "_"),
        "tool_description": info.description,
        "title": info.name,
        "pricing": "FREE",
        "home_url": f"http://{info.host}/",
        "host": info.host,
        "api_list": [
            {
                "name": e.name,
                "url": f"http://{info.host}{e.path}",
                "description": e.description,
                "method": "GET",
                "required_parameters": [param(p) for p in e.params if p.required],
                "optional_parameters": [param(p) for p in e.params if not p.required],
                "test_endpoint": (example := example_response(e)),
                "template_response": shape(example),
            }
            for e in endpoints
        ],
    }
