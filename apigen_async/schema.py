"""Typed data that crosses a boundary: tools, calls, pairs, tasks and stage outcomes.

Everything here is a msgspec Struct so it can be decoded from LLM output, stored in
SQLite and written to the dataset without hand-written (de)serialisation. Rejections are
values (`Rejection`), never exceptions.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from msgspec import UNSET, Struct, UnsetType

__all__ = [
    "Call",
    "ExecResult",
    "Judgement",
    "Pair",
    "Param",
    "Rejection",
    "RestEndpoint",
    "Stage",
    "Style",
    "Task",
    "Tool",
    "Usage",
]

#: A query style's name: a key of `apigen_async.styles.REGISTRY`.
Style = str
#: Where a pair was rejected: a `rejects_as` of `apigen_async.stages.ORDER`.
Stage = str

#: JSON-Schema primitive names used for `Param.type`.
JsonType = Literal["string", "integer", "number", "boolean", "array", "object", "null", "any"]


class Param(Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One declared argument of a tool, typed in JSON-Schema terms."""

    name: str
    type: JsonType
    description: str = ""
    required: bool = True
    default: Any | UnsetType = UNSET
    enum: tuple[Any, ...] | None = None
    #: Element type for arrays (JSON-Schema name), e.g. "integer" for list[int].
    items: JsonType | None = None
    #: Free-form format hint kept from the source (e.g. "date", "time").
    format: str | None = None


class RestEndpoint(Struct, frozen=True, kw_only=True, omit_defaults=True):
    """How a REST tool is called: the only host it may reach, and its request shape."""

    host: str
    url: str
    method: str = "GET"
    tool_name: str = ""
    api_name: str = ""
    #: Parameter names that are substituted into `url` as `{name}` path segments.
    path_params: tuple[str, ...] = ()
    template_response: Any | UnsetType = UNSET


class Tool(Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A callable API: a Python function from `apis/` or a REST endpoint."""

    name: str
    description: str
    parameters: tuple[Param, ...] = ()
    category: str = "general"
    source: Literal["python", "rest"] = "python"
    #: Python tools: importable file path and function name inside it.
    module_path: str | None = None
    function: str | None = None
    rest: RestEndpoint | None = None

    def param(self, name: str) -> Param | None:
        for p in self.parameters:
            if p.name == name:
                return p
        return None


class Call(Struct, frozen=True, kw_only=True):
    """One function call in an answer."""

    name: str
    arguments: dict[str, Any] = {}


class Pair(Struct, frozen=True, kw_only=True):
    """A query and the calls that answer it."""

    query: str
    answers: list[Call] = []


class Task(Struct, frozen=True, kw_only=True):
    """One generation request: which tools, examples and template, in which style."""

    id: str
    index: int
    style: Style
    tool_names: tuple[str, ...]
    example_ids: tuple[str, ...]
    template: str
    n_pairs: int


class Rejection(Struct, frozen=True, kw_only=True):
    """Why a pair was dropped: the stage, a stable reason code and a human message."""

    stage: Stage
    code: str
    message: str


class ExecResult(Struct, frozen=True, kw_only=True, omit_defaults=True):
    """What executing one call produced. `ok=False` carries an error code and message."""

    ok: bool
    output: Any = None
    error: str | None = None
    message: str | None = None
    #: Where the result came from: python, real, cached, simulated.
    origin: str = "python"
    seconds: float = 0.0


class Judgement(Struct, frozen=True, kw_only=True):
    """The semantic checker's verdict, as the judge model writes it."""

    thought: str = ""
    passes: str = "no"


class Usage(Struct, frozen=True, kw_only=True):
    prompt_tokens: int = 0
    completion_tokens: int = 0


def to_builtins(obj: Any) -> Any:
    return msgspec.to_builtins(obj)
