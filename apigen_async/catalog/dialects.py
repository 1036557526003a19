"""Converters between type dialects: xlam strings, JSON Schema / OpenAI tools, BFCL.

Our `Tool` types parameters in JSON-Schema terms (`Param.type`, `Param.items`). Each dialect
gets a writer and a reader, and `reader(writer(tool))` gives the tool back for every tool
of the built-in library (tested over the whole library in `tests/test_dialects.py`):

- xlam (xlam-function-calling-60k): `{"name", "description", "parameters": {p: {"description",
  "type", "default"?}}}` with Python-style type strings (`"str"`, `"List[int]"`,
  `"float, optional"`). Enums are spelled out in the description ("One of: 'km', 'mi'.")
  for models, and kept machine-readable in an extra `"enum"` key.
- OpenAI `tools`: `{"type": "function", "function": {..., "parameters": <JSON Schema>}}`.
- BFCL function docs: `"parameters": {"type": "dict", "properties": ..., "required": [...]}`
  with BFCL's primitive names (`"float"` for numbers, `"dict"` for objects).

What a dialect cannot hold is restored by convention, so round trips stay exact for the
library: OpenAI/BFCL schemas omit a `None` default, and an optional parameter without a
default reads back with default `None`. Readers accept the spellings seen in public data
(`"string"` or `"str"`, `"Optional[int]"`, `"list"`); an unknown type reads as `"any"`.
"""

from __future__ import annotations

import re
from typing import Any

from msgspec import UNSET

from apigen_async.schema import JsonType, Param, Tool

__all__ = [
    "parse_xlam_type",
    "tool_from_bfcl",
    "tool_from_openai",
    "tool_from_xlam",
    "tool_to_bfcl",
    "tool_to_openai",
    "tool_to_xlam",
    "xlam_type",
]

# -- xlam ---------------------------------------------------------------------------------

_XLAM_NAMES: dict[str, str] = {
    "string": "str",
    "integer": "int",
    "number": "float",
    "boolean": "bool",
    "object": "Dict[str, Any]",
    "any": "Any",
    "null": "None",
}

# Lower-cased spellings seen in xlam rows, ToolBench and hand-written specs.
_XLAM_READ: dict[str, JsonType] = {
    "str": "string",
    "string": "string",
    "text": "string",
    "int": "integer",
    "integer": "integer",
    "float": "number",
    "number": "number",
    "double": "number",
    "bool": "boolean",
    "boolean": "boolean",
    "dict": "object",
    "object": "object",
    "any": "any",
    "none": "null",
    "null": "null",
}

_OPTIONAL_SUFFIX = re.compile(r",\s*optional\s*$", re.IGNORECASE)
_WRAPPED = re.compile(r"^(\w+)\s*\[(.*)\]$", re.DOTALL)


def xlam_type(param: Param) -> str:
    """The xlam type string of a parameter, e.g. `"List[int]"` or `"float, optional"`."""
    if param.type == "array":
        base = f"List[{_XLAM_NAMES.get(param.items or 'any', 'Any')}]"
    else:
        base = _XLAM_NAMES[param.type]
    return base if param.required else f"{base}, optional"


def parse_xlam_type(text: str) -> tuple[JsonType, JsonType | None, bool]:
    """Read an xlam type string into (JSON type, array item type, optional).

    `"List[int]"` -> ("array", "integer", False); `"float, optional"` -> ("number", None,
    True); `"Optional[str]"` -> ("string", None, True). Unknown names read as "any".
    """
    s = text.strip()
    optional = False
    if _OPTIONAL_SUFFIX.search(s):
        s, optional = _OPTIONAL_SUFFIX.sub("", s).strip(), True
    json_type, items, inner_optional = _parse_type_expr(s)
    return json_type, items, optional or inner_optional


def _parse_type_expr(s: str) -> tuple[JsonType, JsonType | None, bool]:
    s = s.strip().removeprefix("typing.")
    m = _WRAPPED.match(s)
    if not m:
        low = s.lower()
        if low in ("list", "array", "tuple", "set", "sequence"):
            return "array", None, False
        return _XLAM_READ.get(low, "any"), None, False
    head, inner = m.group(1).lower(), m.group(2)
    args = _split_top_level(inner)
    if head == "optional" and len(args) == 1:
        t, items, _ = _parse_type_expr(args[0])
        return t, items, True
    if head == "union":
        non_null = [a for a in args if a.strip().lower() not in ("none", "nonetype")]
        kinds = {_parse_type_expr(a)[0] for a in non_null}
        optional = len(non_null) < len(args)
        if len(non_null) == 1:
            t, items, _ = _parse_type_expr(non_null[0])
            return t, items, optional
        if kinds == {"integer", "number"}:
            return "number", None, optional
        return "any", None, optional
    if head in ("list", "array", "sequence", "set", "tuple"):
        items = _parse_type_expr(args[0])[0] if args and args[0].strip() != "..." else None
        return "array", items, False
    if head in ("dict", "mapping"):
        return "object", None, False
    if head == "literal":
        return "string", None, False
    return "any", None, False


def _split_top_level(inner: str) -> list[str]:
    """Split "str, List[int]" on commas that are not nested in brackets."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(inner):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(inner[start:i])
            start = i + 1
    parts.append(inner[start:])
    return [p.strip() for p in parts if p.strip()]


def _enum_text(values: tuple[Any, ...]) -> str:
    shown = ", ".join(f"'{v}'" if isinstance(v, str) else str(v) for v in values)
    return f"One of: {shown}."


def _with_enum(description: str, values: tuple[Any, ...] | None) -> str:
    if not values:
        return description
    return f"{description} {_enum_text(values)}" if description else _enum_text(values)


def _without_enum(description: str, values: tuple[Any, ...] | None) -> str:
    if not values:
        return description
    suffix = _enum_text(values)
    if description == suffix:
        return ""
    return description.removesuffix(" " + suffix)


def tool_to_xlam(tool: Tool) -> dict[str, Any]:
    """The tool as one entry of an xlam row's `tools` list."""
    params: dict[str, Any] = {}
    for p in tool.parameters:
        spec: dict[str, Any] = {
            "description": _with_enum(p.description, p.enum),
            "type": xlam_type(p),
        }
        if p.default is not UNSET:
            spec["default"] = p.default
        if p.enum is not None:
            spec["enum"] = list(p.enum)
        if p.format is not None:
            spec["format"] = p.format
        params[p.name] = spec
    return {"name": tool.name, "description": tool.description, "parameters": params}


def tool_from_xlam(d: dict[str, Any], *, category: str = "general", source: str = "python") -> Tool:
    """Read an xlam tool entry. `category`/`source` apply unless the entry carries its own
    (`apigen catalog list --format json` adds both keys)."""
    params = []
    for name, spec in (d.get("parameters") or {}).items():
        if not isinstance(spec, dict):
            raise ValueError(f"{d.get('name')}.{name}: parameter spec must be an object")
        json_type, items, optional = parse_xlam_type(str(spec.get("type", "any")))
        enum = tuple(spec["enum"]) if isinstance(spec.get("enum"), list) else None
        required = bool(spec["required"]) if "required" in spec else not optional
        params.append(
            Param(
                name=name,
                type=json_type,
                description=_without_enum(str(spec.get("description", "")), enum),
                required=required,
                default=spec.get("default", UNSET),
                enum=enum,
                items=items,
                format=spec.get("format"),
            )
        )
    return Tool(
        name=_name(d),
        description=str(d.get("description", "")),
        parameters=tuple(params),
        category=str(d.get("category", category)),
        source=_source(d.get("source", source)),
    )


def _name(d: dict[str, Any]) -> str:
    name = d.get("name")
    if not isinstance(name, str) or not name:
        raise ValueError("tool entry has no name")
    return name


def _source(value: Any) -> Any:
    if value not in ("python", "rest"):
        raise ValueError(f"source must be 'python' or 'rest', got {value!r}")
    return value


# -- JSON Schema / OpenAI -------------------------------------------------------------------


def _json_schema(p: Param) -> dict[str, Any]:
    schema: dict[str, Any] = {"description": p.description} if p.description else {}
    if p.type != "any":
        schema["type"] = p.type
    if p.type == "array" and p.items and p.items != "any":
        schema["items"] = {"type": p.items}
    if p.enum is not None:
        schema["enum"] = list(p.enum)
    if p.default is not UNSET and p.default is not None:
        schema["default"] = p.default
    if p.format is not None:
        schema["format"] = p.format
    return schema


def tool_to_openai(tool: Tool) -> dict[str, Any]:
    """The tool as an OpenAI `tools` entry (function with a JSON-Schema `parameters`)."""
    return {
        "type": "function",
        "function": {
            "name": tool.name,
            "description": tool.description,
            "parameters": {
                "type": "object",
                "properties": {p.name: _json_schema(p) for p in tool.parameters},
                "required": [p.name for p in tool.parameters if p.required],
                "additionalProperties": False,
            },
        },
    }


_SCHEMA_TYPES: dict[str, JsonType] = {
    "string": "string",
    "integer": "integer",
    "number": "number",
    "boolean": "boolean",
    "array": "array",
    "object": "object",
    "null": "null",
}


def _schema_type(schema: dict[str, Any]) -> tuple[JsonType, bool]:
    """(type, nullable) of a property schema; `["integer", "null"]` is a nullable integer."""
    raw = schema.get("type")
    if raw is None and isinstance(schema.get("anyOf"), list):
        raw = [s.get("type") for s in schema["anyOf"] if isinstance(s, dict)]
    if isinstance(raw, list):
        kinds = [t for t in raw if t != "null"]
        nullable = len(kinds) < len(raw)
        if len(kinds) == 1:
            return _SCHEMA_TYPES.get(kinds[0], "any"), nullable
        if set(kinds) == {"integer", "number"}:
            return "number", nullable
        return "any", nullable
    if raw is None:
        return "any", False
    return _SCHEMA_TYPES.get(str(raw), "any"), False


def _params_from_schema(
    properties: dict[str, Any], required: list[str], type_names: dict[str, JsonType]
) -> tuple[Param, ...]:
    params = []
    for name, schema in properties.items():
        if not isinstance(schema, dict):
            raise ValueError(f"property {name!r} must be an object")
        raw = schema.get("type")
        if isinstance(raw, str) and raw in type_names:
            json_type, nullable = type_names[raw], False
        else:
            json_type, nullable = _schema_type(schema)
        items = None
        if json_type == "array" and isinstance(schema.get("items"), dict):
            item_raw = schema["items"].get("type")
            items = type_names.get(item_raw) if isinstance(item_raw, str) else None
            if items is None:
                items = _schema_type(schema["items"])[0]
        is_required = name in required and not nullable
        if "default" in schema:
            default = schema["default"]
        elif not is_required:
            default = None  # writers drop None defaults; see the module docstring
        else:
            default = UNSET
        params.append(
            Param(
                name=name,
                type=json_type,
                description=str(schema.get("description", "")),
                required=is_required,
                default=default,
                enum=tuple(schema["enum"]) if isinstance(schema.get("enum"), list) else None,
                items=items,
                format=schema.get("format"),
            )
        )
    return tuple(params)


def tool_from_openai(
    d: dict[str, Any], *, category: str = "general", source: str = "python"
) -> Tool:
    """Read an OpenAI `tools` entry (or its bare `function` object)."""
    fn = d["function"] if d.get("type") == "function" and isinstance(d.get("function"), dict) else d
    schema = fn.get("parameters") or {}
    params = _params_from_schema(
        schema.get("properties") or {}, list(schema.get("required") or []), _SCHEMA_TYPES
    )
    return Tool(
        name=_name(fn),
        description=str(fn.get("description", "")),
        parameters=params,
        category=category,
        source=_source(source),
    )


# -- BFCL -----------------------------------------------------------------------------------

_BFCL_NAMES: dict[str, str] = {
    "string": "string",
    "integer": "integer",
    "number": "float",
    "boolean": "boolean",
    "array": "array",
    "object": "dict",
    "any": "any",
    "null": "any",
}

_BFCL_READ: dict[str, JsonType] = {
    "string": "string",
    "integer": "integer",
    "float": "number",
    "number": "number",
    "boolean": "boolean",
    "array": "array",
    "tuple": "array",
    "dict": "object",
    "object": "object",
    "any": "any",
}


def _bfcl_property(p: Param) -> dict[str, Any]:
    prop: dict[str, Any] = {"type": _BFCL_NAMES[p.type], "description": p.description}
    if p.type == "array" and p.items:
        prop["items"] = {"type": _BFCL_NAMES[p.items]}
    if p.enum is not None:
        prop["enum"] = list(p.enum)
    if p.default is not UNSET and p.default is not None:
        prop["default"] = p.default
    if p.format is not None:
        prop["format"] = p.format
    return prop


def tool_to_bfcl(tool: Tool) -> dict[str, Any]:
    """The tool as a BFCL function doc (`"parameters": {"type": "dict", ...}`)."""
    return {
        "name": tool.name,
        "description": tool.description,
        "parameters": {
            "type": "dict",
            "properties": {p.name: _bfcl_property(p) for p in tool.parameters},
            "required": [p.name for p in tool.parameters if p.required],
        },
    }


def tool_from_bfcl(d: dict[str, Any], *, category: str = "general", source: str = "python") -> Tool:
    """Read a BFCL function doc."""
    schema = d.get("parameters") or {}
    params = _params_from_schema(
        schema.get("properties") or {}, list(schema.get("required") or []), _BFCL_READ
    )
    return Tool(
        name=_name(d),
        description=str(d.get("description", "")),
        parameters=params,
        category=category,
        source=_source(source),
    )
