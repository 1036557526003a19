"""Type-dialect converters: exact round trips over the whole built-in library, plus hand cases."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest
from msgspec import UNSET

from apigen_async.catalog.dialects import (
    parse_xlam_type,
    tool_from_bfcl,
    tool_from_openai,
    tool_from_xlam,
    tool_to_bfcl,
    tool_to_openai,
    tool_to_xlam,
    xlam_type,
)
from apigen_async.catalog.python import load_python_tools
from apigen_async.schema import Param, Tool

LIBRARY = Path(__file__).resolve().parents[1] / "apis" / "python"


def library_tools() -> list[Tool]:
    files = sorted(p for p in LIBRARY.glob("*.py") if not p.name.startswith("_"))
    return [t for f in files for t in load_python_tools(f)]


def spec_only(tool: Tool) -> Tool:
    """Where the code lives is not part of any dialect."""
    return msgspec.structs.replace(tool, module_path=None, function=None)


def through_json(d: dict) -> dict:
    # Dialects travel as JSON text (dataset rows, API requests): prove they survive it.
    return json.loads(json.dumps(d))


TOOLS = library_tools()


def test_library_is_loaded() -> None:
    assert len(TOOLS) >= 150
    kinds = {(p.type, p.items) for t in TOOLS for p in t.parameters}
    # The round trips below must cover every shape the library uses.
    assert {("string", None), ("integer", None), ("number", None), ("boolean", None)} <= kinds
    assert {
        ("array", "integer"),
        ("array", "number"),
        ("array", "string"),
        ("object", None),
    } <= kinds
    assert any(p.enum for t in TOOLS for p in t.parameters)
    assert any(p.default is None for t in TOOLS for p in t.parameters)


@pytest.mark.parametrize(
    ("write", "read"),
    [
        (tool_to_xlam, tool_from_xlam),
        (tool_to_openai, tool_from_openai),
        (tool_to_bfcl, tool_from_bfcl),
    ],
    ids=["xlam", "openai", "bfcl"],
)
def test_round_trip_whole_library(write, read) -> None:
    mismatches = []
    for tool in TOOLS:
        back = read(through_json(write(tool)), category=tool.category, source=tool.source)
        if back != spec_only(tool):
            mismatches.append(f"{tool.name}:\n  {spec_only(tool)}\n  {back}")
    assert not mismatches, "\n".join(mismatches[:5])


def test_xlam_dialect_shape() -> None:
    by_name = {t.name: t for t in TOOLS}
    spec = tool_to_xlam(by_name["convert_length"])
    unit = spec["parameters"]["from_unit"]
    assert unit["type"] == "str"
    assert unit["enum"][:2] == ["mm", "cm"]
    assert unit["description"].endswith(
        "One of: 'mm', 'cm', 'm', 'km', 'in', 'ft', 'yd', 'mi', 'nmi'."
    )
    stats = tool_to_xlam(by_name["moving_average"])["parameters"]
    assert stats["values"] == {"description": stats["values"]["description"], "type": "List[float]"}
    assert stats["window"]["type"] == "int, optional"
    assert stats["window"]["default"] == 3
    types = {p["type"] for t in TOOLS for p in tool_to_xlam(t)["parameters"].values()}
    assert types <= {
        "str", "int", "float", "bool", "List[int]", "List[str]", "List[float]", "Dict[str, Any]",
        "str, optional", "int, optional", "float, optional", "bool, optional",
        "List[int], optional", "List[str], optional", "List[float], optional",
        "Dict[str, Any], optional",
    }  # fmt: skip


def test_openai_and_bfcl_shapes() -> None:
    tool = next(t for t in TOOLS if t.name == "compound_interest")
    fn = tool_to_openai(tool)["function"]
    assert fn["parameters"]["type"] == "object"
    assert fn["parameters"]["required"] == ["principal", "annual_rate", "years"]
    assert fn["parameters"]["properties"]["principal"]["type"] == "number"
    bfcl = tool_to_bfcl(tool)
    assert bfcl["parameters"]["type"] == "dict"
    assert bfcl["parameters"]["properties"]["principal"]["type"] == "float"
    assert bfcl["parameters"]["properties"]["compounding"]["default"] == "annually"
    assert bfcl["parameters"]["required"] == ["principal", "annual_rate", "years"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("str", ("string", None, False)),
        ("float, optional", ("number", None, True)),
        ("List[int]", ("array", "integer", False)),
        ("List[str], optional", ("array", "string", True)),
        ("Dict[str, Any]", ("object", None, False)),
        ("Optional[int]", ("integer", None, True)),
        ("Union[int, float]", ("number", None, False)),
        ("list", ("array", None, False)),
        ("Tuple[float, float]", ("array", "number", False)),
        ("List[Dict[str, Any]]", ("array", "object", False)),
        ("bool,optional", ("boolean", None, True)),
        ("datetime.date", ("any", None, False)),
    ],
)
def test_parse_xlam_type(text: str, expected: tuple) -> None:
    assert parse_xlam_type(text) == expected


def test_xlam_type_writer() -> None:
    assert (
        xlam_type(Param(name="x", type="number", required=False, default=1.5)) == "float, optional"
    )
    assert xlam_type(Param(name="x", type="array", items="integer")) == "List[int]"
    assert xlam_type(Param(name="x", type="object")) == "Dict[str, Any]"


def test_read_xlam_row_from_the_released_dataset() -> None:
    # The example row of the xlam-function-calling-60k dataset card.
    entry = {
        "name": "live_giveaways_by_type",
        "description": (
            "Retrieve live giveaways from the GamerPower API based on the specified type."
        ),
        "parameters": {
            "type": {
                "description": "The type of giveaways to retrieve (e.g., game, loot, beta).",
                "type": "str",
                "default": "game",
            }
        },
    }
    tool = tool_from_xlam(entry, category="gaming", source="rest")
    (p,) = tool.parameters
    assert (p.type, p.required, p.default, tool.category, tool.source) == (
        "string",
        True,
        "game",
        "gaming",
        "rest",
    )
    assert tool_to_xlam(tool) == entry


def test_enum_suffix_round_trip_with_empty_description() -> None:
    p = Param(name="unit", type="string", required=False, default="km", enum=("km", "mi"))
    tool = Tool(name="t_x", description="d", parameters=(p,))
    spec = tool_to_xlam(tool)["parameters"]["unit"]
    assert spec["description"] == "One of: 'km', 'mi'."
    assert tool_from_xlam(tool_to_xlam(tool)) == tool


def test_openai_reader_accepts_nullable_and_bare_function() -> None:
    bare = {
        "name": "f_x",
        "description": "d",
        "parameters": {
            "type": "object",
            "properties": {
                "n": {"type": ["integer", "null"], "description": "n"},
                "xs": {"type": "array", "items": {"type": "number"}},
            },
            "required": ["n", "xs"],
        },
    }
    n, xs = tool_from_openai(bare).parameters
    assert (n.type, n.required, n.default) == ("integer", False, None)
    assert (xs.type, xs.items, xs.required, xs.default) == ("array", "number", True, UNSET)


def test_bfcl_reader_maps_primitive_names() -> None:
    doc = {
        "name": "calc_area",
        "description": "Area.",
        "parameters": {
            "type": "dict",
            "properties": {
                "point": {"type": "tuple", "items": {"type": "float"}, "description": "x, y"},
                "opts": {"type": "dict", "description": "options"},
                "unit": {"type": "string", "enum": ["m", "ft"], "description": "unit"},
            },
            "required": ["point"],
        },
    }
    point, opts, unit = tool_from_bfcl(doc).parameters
    assert (point.type, point.items, point.required) == ("array", "number", True)
    assert (opts.type, opts.required, opts.default) == ("object", False, None)
    assert unit.enum == ("m", "ft")
