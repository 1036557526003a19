"""Load ToolBench REST APIs: tool files, directories of them, and query `api_list` entries.

Accepted inputs (all JSON):
- a tool file (`toolenv/tools/<Category>/<tool>.json`): `{tool_name, standardized_name, host,
  api_list: [{name, url, method, description, required_parameters, optional_parameters}]}`;
- a directory holding tool files (searched recursively; the folder above a file names its
  category, as in ToolBench);
- a query file (a list of queries, each with an inline `api_list`) or a bare list of inline
  entries (`{category_name, tool_name, api_name, api_description, required_parameters,
  optional_parameters, method, template_response}`), like StableToolBench's.

Inline entries carry no host or url. RapidAPI derives the host from the tool's slug, so we
do the same: `olato_quotes` -> `olato-quotes.p.rapidapi.com`; the path is the api name when
it already is one (`/v1/items`), else its slug (`love_quote`). That path is a best guess,
which is fine for the virtual backend (it matches by host and path) but may miss on the
real RapidAPI: tool files, which carry the real url, should be preferred.

Skip rule (counted per reason in `ToolbenchLoad.skipped`), following the paper's cleaning:
- `no_parameters`: the API takes no parameters (the paper dropped these; a query cannot
  exercise argument filling on them). `require_parameters=False` keeps them;
- `no_description`: empty description (nothing for the generator to ground a query on);
- `bad_parameter_name`: a parameter name with spaces/quotes/brackets other than a trailing
  `[]`, or empty: the model could not spell it reliably and we could not send it;
- `duplicate_parameter`: the same parameter name declared twice (ambiguous docs);
- `binary_parameter`: a required BINARY (file upload) parameter; optional ones are dropped;
- `bad_method`: a method other than GET/POST/PUT/PATCH/DELETE;
- `bad_url`: a tool-file url that is not http(s) on the declared host.
Structurally malformed input (not JSON, wrong container types, missing names) raises
`ToolbenchError` (a `ValueError`) naming the file and the entry index.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import msgspec
import orjson

from apigen_async.errors import ApiLoadError
from apigen_async.schema import Param, RestEndpoint, Tool

__all__ = [
    "ToolbenchError",
    "ToolbenchLoad",
    "load_toolbench",
    "map_type",
    "rapidapi_host",
    "standardize",
]

MAX_NAME = 64
_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}
# Names we can send as-is and a model can copy: word chars, '-', '.', and a trailing '[]'
# (PHP-style array parameters, which ToolBench has).
_PARAM_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*(\[\])?$")
_PATH_PARAM = re.compile(r"\{([^{}/]+)\}")


class ToolbenchError(ApiLoadError, ValueError):
    """A ToolBench file that is not in any accepted shape; names the file and entry."""


class ToolbenchLoad(msgspec.Struct, kw_only=True):
    tools: list[Tool]
    #: reason -> number of APIs skipped for it
    skipped: dict[str, int]


def standardize(text: str) -> str:
    """ToolBench's `standardize`: snake_case of letters/digits, no leading digit."""
    s = re.sub(r"[^a-zA-Z0-9_]", "_", text)
    s = re.sub(r"_+", "_", s).strip("_").lower()
    if s and s[0].isdigit():
        s = "get_" + s
    return s


def rapidapi_host(tool_name: str) -> str:
    """RapidAPI host of a tool: its slug with dashes (`Olato Quotes` -> `olato-quotes...`)."""
    return standardize(tool_name).replace("_", "-") + ".p.rapidapi.com"


# Exact (lower-cased, stripped) ToolBench type names -> (JSON type, format).
_TYPES: dict[str, tuple[str, str | None]] = {
    "string": ("string", None),
    "str": ("string", None),
    "text": ("string", None),
    "enum": ("string", "enum"),
    "number": ("number", None),
    "float": ("number", None),
    "double": ("number", None),
    "integer": ("integer", None),
    "int": ("integer", None),
    "boolean": ("boolean", None),
    "bool": ("boolean", None),
    "array": ("array", None),
    "list": ("array", None),
    "object": ("object", None),
    "json": ("object", None),
    "dict": ("object", None),
    "binary": ("string", "binary"),
    "file": ("string", "binary"),
    "geopoint (latitude, longitude)": ("string", "geopoint"),
    "credentials": ("string", None),
}


def map_type(raw: Any) -> tuple[str, str | None]:
    """Map a ToolBench parameter type to (JSON-Schema type, format).

    NUMBER becomes `number` (RapidAPI uses it for ids and coordinates alike; a JSON number
    accepts both). Dated types keep their shape as `format`: date, time, datetime. Unknown
    types fall back to string with the raw type as format, so nothing is lost.
    """
    text = str(raw or "string").strip()
    low = text.lower()
    if low in _TYPES:
        return _TYPES[low]
    if low.startswith("datetime"):
        return "string", "date-time"
    if low.startswith("date"):
        return "string", "date"
    if low.startswith("time"):
        return "string", "time"
    return "string", text


_TRUE = {"1", "true", "yes", "y", "on"}
_FALSE = {"0", "false", "no", "n", "off"}


def _default(value: Any, json_type: str) -> Any:
    """Coerce a ToolBench default (always a string there) to the parameter's type.

    Empty strings mean "no default". A default that does not fit the type is kept as the
    raw string only for strings; otherwise dropped (it would mislead the generator).
    """
    if value is None:
        return msgspec.UNSET
    if isinstance(value, str):
        value = value.strip()
        if value == "":
            return msgspec.UNSET
    if json_type == "string":
        return value if isinstance(value, str) else orjson.dumps(value).decode()
    if json_type == "boolean":
        if isinstance(value, bool):
            return value
        low = str(value).lower()
        return True if low in _TRUE else False if low in _FALSE else msgspec.UNSET
    if json_type in ("number", "integer"):
        if isinstance(value, bool):
            return msgspec.UNSET
        if isinstance(value, int | float):
            return value
        if not isinstance(value, str):
            return msgspec.UNSET
        try:
            return int(value)
        except ValueError:
            pass
        try:
            return float(value) if json_type == "number" else msgspec.UNSET
        except ValueError:
            return msgspec.UNSET
    if json_type == "array":
        if isinstance(value, list):
            return value
        try:
            parsed = orjson.loads(value)
        except orjson.JSONDecodeError:
            return [v.strip() for v in str(value).split(",") if v.strip()]
        return parsed if isinstance(parsed, list) else [parsed]
    if json_type == "object":
        if isinstance(value, dict):
            return value
        try:
            parsed = orjson.loads(value)
        except orjson.JSONDecodeError:
            return msgspec.UNSET
        return parsed if isinstance(parsed, dict) else msgspec.UNSET
    return value


class _Skip(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


def _params(raw_req: Any, raw_opt: Any, where: str) -> tuple[Param, ...]:
    params: list[Param] = []
    seen: set[str] = set()
    for required, group, field in (
        (True, raw_req, "required"),
        (False, raw_opt, "optional"),
    ):
        if group is None:
            continue
        if not isinstance(group, list):
            raise ToolbenchError(f"{where}: {field}_parameters is not a list")
        for j, p in enumerate(group):
            if not isinstance(p, dict):
                raise ToolbenchError(f"{where}: {field}_parameters[{j}] is not an object")
            name = str(p.get("name") or "").strip()
            if not _PARAM_NAME.match(name):
                raise _Skip("bad_parameter_name")
            if name in seen:
                raise _Skip("duplicate_parameter")
            seen.add(name)
            json_type, fmt = map_type(p.get("type"))
            if fmt == "binary":
                if required:
                    raise _Skip("binary_parameter")
                continue
            items = "string" if json_type == "array" else None
            params.append(
                Param(
                    name=name,
                    type=json_type,  # type: ignore[arg-type]
                    description=str(p.get("description") or "").strip(),
                    required=required,
                    default=_default(p.get("default"), json_type),
                    items=items,  # type: ignore[arg-type]
                    format=fmt,
                )
            )
    return tuple(params)


def _clip(s: str, n: int) -> str:
    if len(s) <= n:
        return s
    cut = s[:n]
    if "_" in cut[n // 2 :]:
        cut = cut[: cut.rfind("_")]
    return cut.rstrip("_")


class _Namer:
    """Readable unique function names: `<api>_for_<tool>` (ToolBench's own convention)."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def __call__(self, tool: str, api: str) -> str:
        t = standardize(tool) or "tool"
        a = standardize(api) or "api"
        if len(a) + len(t) + 5 > MAX_NAME:
            # Keep both halves readable: the tool part gets what the api part leaves,
            # at least 16 chars; both are cut at a word boundary.
            t = _clip(t, max(16, MAX_NAME - len(a) - 5))
            a = _clip(a, MAX_NAME - len(t) - 5)
        base = f"{a}_for_{t}"
        name, n = base, 2
        while name in self.used:
            suffix = f"_{n}"
            name = base[: MAX_NAME - len(suffix)].rstrip("_") + suffix
            n += 1
        self.used.add(name)
        return name


def _api_path(api_name: str) -> str:
    name = api_name.strip()
    if name.startswith("/") and " " not in name:
        return name
    return "/" + (standardize(name) or "api")


def _build(
    *,
    where: str,
    namer: _Namer,
    category: str,
    tool_name: str,
    api_name: str,
    description: str,
    method: Any,
    host: str,
    url: str,
    req: Any,
    opt: Any,
    template: Any,
    require_parameters: bool,
) -> Tool:
    method_s = str(method or "GET").strip().upper()
    if method_s not in _METHODS:
        raise _Skip("bad_method")
    params = _params(req, opt, where)
    if not params and require_parameters:
        raise _Skip("no_parameters")
    if not description.strip():
        raise _Skip("no_description")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or (parts.hostname or "") != host.lower():
        raise _Skip("bad_url")
    names = {p.name for p in params}
    path_params = tuple(n for n in _PATH_PARAM.findall(parts.path) if n in names)
    rest = RestEndpoint(
        host=host.lower(),
        url=url,
        method=method_s,
        tool_name=tool_name,
        api_name=api_name,
        path_params=path_params,
        template_response=msgspec.UNSET if template is None else template,
    )
    return Tool(
        name=namer(tool_name, api_name),
        description=" ".join(description.split()),
        parameters=params,
        category=category or "general",
        source="rest",
        rest=rest,
    )


def _str_field(obj: dict[str, Any], key: str, where: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ToolbenchError(f"{where}: missing or empty {key!r}")
    return value.strip()


class _Loader:
    def __init__(self, require_parameters: bool) -> None:
        self.namer = _Namer()
        self.skipped: Counter[str] = Counter()
        self.tools: list[Tool] = []
        self.require_parameters = require_parameters

    def _add(self, **kw: Any) -> None:
        try:
            self.tools.append(
                _build(namer=self.namer, require_parameters=self.require_parameters, **kw)
            )
        except _Skip as skip:
            self.skipped[skip.reason] += 1

    def tool_file(self, doc: dict[str, Any], file: Path, category: str) -> None:
        tool_name = _str_field(doc, "tool_name", f"{file}")
        templates = _response_examples(file)
        host = str(doc.get("host") or "").strip() or rapidapi_host(
            doc.get("standardized_name") or tool_name
        )
        api_list = doc.get("api_list")
        if not isinstance(api_list, list):
            raise ToolbenchError(f"{file}: 'api_list' is not a list")
        for i, api in enumerate(api_list):
            where = f"{file}: api_list[{i}]"
            if not isinstance(api, dict):
                raise ToolbenchError(f"{where} is not an object")
            api_name = _str_field(api, "name", where)
            url = str(api.get("url") or "").strip() or f"https://{host}{_api_path(api_name)}"
            self._add(
                where=where,
                category=str(doc.get("category_name") or category),
                tool_name=tool_name,
                api_name=api_name,
                description=str(api.get("description") or "").strip() or "",
                method=api.get("method"),
                host=host,
                url=url,
                req=api.get("required_parameters"),
                opt=api.get("optional_parameters"),
                template=api.get("template_response", templates.get(api_name)),
            )

    def inline(self, entry: Any, where: str) -> None:
        if not isinstance(entry, dict):
            raise ToolbenchError(f"{where} is not an object")
        tool_name = _str_field(entry, "tool_name", where)
        api_name = _str_field(entry, "api_name", where)
        host = rapidapi_host(tool_name)
        self._add(
            where=where,
            category=str(entry.get("category_name") or "general"),
            tool_name=tool_name,
            api_name=api_name,
            description=str(entry.get("api_description") or ""),
            method=entry.get("method"),
            host=host,
            url=f"https://{host}{_api_path(api_name)}",
            req=entry.get("required_parameters"),
            opt=entry.get("optional_parameters"),
            template=entry.get("template_response"),
        )

    def document(self, doc: Any, file: Path, category: str) -> None:
        if (
            isinstance(doc, dict)
            and "tool_name" in doc
            and "api_list" in doc
            and ("host" in doc or "standardized_name" in doc or "api_name" not in doc)
        ):
            self.tool_file(doc, file, category)
        elif isinstance(doc, dict) and isinstance(doc.get("api_list"), list):
            # One query object with an inline api_list.
            for i, e in enumerate(doc["api_list"]):
                self.inline(e, f"{file}: api_list[{i}]")
        elif isinstance(doc, list):
            seen: set[tuple[str, str]] = set()
            for i, item in enumerate(doc):
                if isinstance(item, dict) and "api_name" not in item and "api_list" in item:
                    # A query file: the same API recurs across queries; load it once.
                    entries = item["api_list"]
                    if not isinstance(entries, list):
                        raise ToolbenchError(f"{file}: [{i}].api_list is not a list")
                    for j, e in enumerate(entries):
                        if isinstance(e, dict):
                            key = (str(e.get("tool_name")), str(e.get("api_name")))
                            if key in seen:
                                continue
                            seen.add(key)
                        self.inline(e, f"{file}: [{i}].api_list[{j}]")
                else:
                    self.inline(item, f"{file}: [{i}]")
        else:
            raise ToolbenchError(f"{file}: neither a tool file, a query file nor an api list")


def _response_examples(file: Path) -> dict[str, Any]:
    """Response shapes from ToolBench's sibling `<tool>.response_examples.json`, if any."""
    side = file.with_name(file.stem + ".response_examples.json")
    if not side.is_file():
        return {}
    doc = _read(side)
    entries = doc.get("api_list") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        return {}
    return {
        str(e["name"]): e["schema"]
        for e in entries
        if isinstance(e, dict) and "name" in e and "schema" in e
    }


def _read(file: Path) -> Any:
    try:
        return orjson.loads(file.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise ToolbenchError(f"{file}: not valid JSON ({exc})") from exc
    except OSError as exc:
        raise ToolbenchError(f"{file}: cannot read ({exc.strerror})") from exc


def load_toolbench(path: Path, *, require_parameters: bool = True) -> ToolbenchLoad:
    """Load REST tools from a ToolBench tool file, tool directory or query/api list file."""
    path = Path(path)
    loader = _Loader(require_parameters)
    if path.is_dir():
        files = sorted(
            p for p in path.rglob("*.json") if not p.name.endswith(".response_examples.json")
        )
        for file in files:
            loader.document(
                _read(file),
                file,
                file.parent.name if file.parent != path else "general",
            )
    else:
        loader.document(_read(path), path, path.parent.name)
    return ToolbenchLoad(tools=loader.tools, skipped=dict(sorted(loader.skipped.items())))
