"""ToolBench import: messy types, names, skips, tool files, query files, errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import msgspec
import pytest

from apigen_async.catalog.toolbench import (
    MAX_NAME,
    ToolbenchError,
    load_toolbench,
    map_type,
    rapidapi_host,
    standardize,
)
from tests.conftest import SHARED

TOOLBENCH = SHARED / "toolbench"
NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def entry(api: str = "Get Thing", tool: str = "My Tool", **kw) -> dict:
    base = {
        "category_name": "Data",
        "tool_name": tool,
        "api_name": api,
        "api_description": "Does a thing.",
        "required_parameters": [{"name": "q", "type": "STRING", "description": "", "default": ""}],
        "optional_parameters": [],
        "method": "GET",
    }
    base.update(kw)
    return base


def write(tmp_path: Path, doc, name: str = "apis.json") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc))
    return path


def test_messy_type_mapping(tmp_path: Path) -> None:
    def p(name: str, type_: str, default: str = "") -> dict:
        return {"name": name, "type": type_, "description": "", "default": default}

    doc = [
        entry(
            required_parameters=[
                p("s1", "STRING", "abc"),
                p("s2", "string"),
                p("n", "NUMBER", "10"),
                p("f", "NUMBER", "2.5"),
                p("b", "BOOLEAN", "1"),
                p("e", "ENUM", "metric"),
            ],
            optional_parameters=[
                p("d", "DATE (YYYY-MM-DD)", "2024-01-02"),
                p("t", "TIME (24-hour HH:MM)", "09:00"),
                p("a", "ARRAY", '["x", "y"]'),
                p("o", "OBJECT", '{"k": 1}'),
                p("bin", "BINARY"),
                p("b2", "BOOLEAN", "false"),
                p("nn", "NUMBER", "not a number"),
            ],
        )
    ]
    (tool,) = load_toolbench(write(tmp_path, doc)).tools
    got = {x.name: (x.type, x.format, x.required, x.default) for x in tool.parameters}
    unset = msgspec.UNSET
    assert got == {
        "s1": ("string", None, True, "abc"),
        "s2": ("string", None, True, unset),
        "n": ("number", None, True, 10),
        "f": ("number", None, True, 2.5),
        "b": ("boolean", None, True, True),
        "e": ("string", "enum", True, "metric"),
        "d": ("string", "date", False, "2024-01-02"),
        "t": ("string", "time", False, "09:00"),
        "a": ("array", None, False, ["x", "y"]),
        "o": ("object", None, False, {"k": 1}),
        "b2": ("boolean", None, False, False),
        "nn": ("number", None, False, unset),
    }  # the optional BINARY upload is dropped
    assert tool.param("a").items == "string"
    assert map_type("INTEGER") == ("integer", None)
    assert map_type("GEOPOINT (latitude, longitude)") == ("string", "geopoint")
    assert map_type("WEIRD") == ("string", "WEIRD")


def test_whole_api_list_loads_with_counted_skips() -> None:
    raw = json.loads((TOOLBENCH / "api_list.json").read_text())
    result = load_toolbench(TOOLBENCH / "api_list.json")
    assert len(result.tools) + sum(result.skipped.values()) == len(raw) == 2467
    no_params = sum(1 for e in raw if not e["required_parameters"] and not e["optional_parameters"])
    assert result.skipped["no_parameters"] == no_params
    assert set(result.skipped) <= {
        "no_parameters",
        "no_description",
        "bad_parameter_name",
        "duplicate_parameter",
        "binary_parameter",
        "bad_method",
        "bad_url",
    }
    assert len(result.tools) > 1500
    names = [t.name for t in result.tools]
    assert len(set(names)) == len(names)
    assert all(NAME.match(n) and len(n) <= MAX_NAME for n in names)
    for t in result.tools:
        assert t.source == "rest" and t.rest is not None and t.parameters
        assert t.rest.host.endswith(".p.rapidapi.com")
        assert t.rest.url.startswith(f"https://{t.rest.host}/")
    cats = {t.category for t in result.tools}
    assert len(cats) >= 40
    with_template = [t for t in result.tools if t.rest.template_response is not msgspec.UNSET]
    assert len(with_template) > 1000


def test_tool_file_keeps_host_url_and_response_examples() -> None:
    result = load_toolbench(TOOLBENCH / "olato_quotes.json", require_parameters=False)
    assert [t.name for t in result.tools] == [
        "love_quote_for_olato_quotes",
        "success_quote_for_olato_quotes",
        "motivation_quote_for_olato_quotes",
    ]
    love = result.tools[0]
    assert love.rest.host == "olato-quotes.p.rapidapi.com"
    assert love.rest.url == "https://olato-quotes.p.rapidapi.com/love"
    assert love.parameters[0].required is False and love.parameters[0].default == "random quotes"
    assert result.tools[1].rest.template_response == {"quote": "str"}
    # The paper's rule: without parameters... these all have one optional parameter.
    assert len(load_toolbench(TOOLBENCH / "olato_quotes.json").tools) == 3


def test_inline_host_derivation_matches_tool_file() -> None:
    assert rapidapi_host("Olato Quotes") == "olato-quotes.p.rapidapi.com"
    assert standardize("20211230 testing upload swagger") == "get_20211230_testing_upload_swagger"
    assert standardize("  AI-writer!! ") == "ai_writer"


def test_directory_of_tool_files(tmp_path: Path) -> None:
    doc = json.loads((TOOLBENCH / "olato_quotes.json").read_text())
    write(tmp_path, doc, "tools/Social/olato_quotes.json")
    doc2 = dict(doc, tool_name="Other Quotes", host="other-quotes.p.rapidapi.com")
    doc2["api_list"] = [
        dict(a, url=a["url"].replace("olato-quotes", "other-quotes")) for a in doc["api_list"]
    ]
    write(tmp_path, doc2, "tools/Entertainment/other_quotes.json")
    result = load_toolbench(tmp_path / "tools")
    assert len(result.tools) == 6
    cats = {t.rest.tool_name: t.category for t in result.tools}
    assert cats == {"Olato Quotes": "Social", "Other Quotes": "Entertainment"}


def test_names_unique_short_and_readable(tmp_path: Path) -> None:
    long_tool = "A Really Quite Extraordinarily Long Tool Name For Testing Purposes Only"
    doc = [
        entry("Get Thing"),
        entry("get-thing"),  # standardises to the same name
        entry("Search every single item in the whole catalogue by keyword", tool=long_tool),
    ]
    names = [t.name for t in load_toolbench(write(tmp_path, doc)).tools]
    assert names[0] == "get_thing_for_my_tool"
    assert names[1] == "get_thing_for_my_tool_2"
    assert len(names[2]) <= MAX_NAME and names[2].startswith("search_every")
    assert "_for_a_really" in names[2] and not names[2].endswith("_")


def test_skip_reasons(tmp_path: Path) -> None:
    bad_name = {"name": "How to", "type": "STRING", "description": "", "default": ""}
    dup = {"name": "q", "type": "STRING", "description": "", "default": ""}
    binary = {"name": "img", "type": "BINARY", "description": "", "default": ""}
    doc = [
        entry("a", required_parameters=[], optional_parameters=[]),
        entry("b", api_description="  "),
        entry("c", required_parameters=[bad_name]),
        entry("d", optional_parameters=[dup]),
        entry("e", required_parameters=[binary]),
        entry("f", method="CONNECT"),
        entry("g"),
    ]
    result = load_toolbench(write(tmp_path, doc))
    assert [t.rest.api_name for t in result.tools] == ["g"]
    assert result.skipped == {
        "bad_method": 1,
        "bad_parameter_name": 1,
        "binary_parameter": 1,
        "duplicate_parameter": 1,
        "no_description": 1,
        "no_parameters": 1,
    }
    kept = load_toolbench(write(tmp_path, doc), require_parameters=False)
    assert "no_parameters" not in kept.skipped


def test_query_file_dedups_inline_entries(tmp_path: Path) -> None:
    queries = [
        {"query": "q1", "api_list": [entry("x"), entry("y")]},
        {"query": "q2", "api_list": [entry("y"), entry("z")]},
    ]
    result = load_toolbench(write(tmp_path, queries))
    assert [t.rest.api_name for t in result.tools] == ["x", "y", "z"]


def test_path_params_detected(tmp_path: Path) -> None:
    doc = {
        "tool_name": "Cards",
        "host": "cards.p.rapidapi.com",
        "api_list": [
            {
                "name": "Card",
                "url": "https://cards.p.rapidapi.com/{orgCode}/cards/{id}",
                "description": "A card.",
                "method": "GET",
                "required_parameters": [
                    {"name": "orgCode", "type": "STRING", "description": "", "default": ""},
                    {"name": "id", "type": "NUMBER", "description": "", "default": ""},
                ],
                "optional_parameters": [],
            }
        ],
    }
    (tool,) = load_toolbench(write(tmp_path, doc)).tools
    assert tool.rest.path_params == ("orgCode", "id")


@pytest.mark.parametrize(
    ("doc", "needle"),
    [
        ([entry(), "not a dict"], "[1]"),
        ([entry(), entry(), {"tool_name": "x"}], "[2]: missing or empty 'api_name'"),
        ([entry(required_parameters="q")], "[0]: required_parameters is not a list"),
        ([entry(optional_parameters=[1])], "[0]: optional_parameters[0] is not an object"),
        ({"tool_name": "T", "host": "t.p.rapidapi.com", "api_list": {}}, "'api_list'"),
        ({"tool_name": "T", "api_list": [{"url": "x"}]}, "api_list[0]: missing or empty 'name'"),
        (42, "neither a tool file"),
    ],
)
def test_malformed_files_raise_value_error(tmp_path: Path, doc, needle: str) -> None:
    path = write(tmp_path, doc)
    with pytest.raises(ValueError) as info:
        load_toolbench(path)
    assert str(path) in str(info.value) and needle in str(info.value)


def test_not_json_raises(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{oops")
    with pytest.raises(ToolbenchError, match=r"broken\.json: not valid JSON"):
        load_toolbench(path)
