"""`apigen catalog`: the library's size and docs, and `check` through the real sandbox."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import apigen


def test_catalog_list_json_has_the_library() -> None:
    result = apigen("catalog", "list", "--format", "json")
    assert result.returncode == 0, result.stderr
    specs = json.loads(result.stdout)
    python = [s for s in specs if s["source"] == "python"]
    assert len(python) >= 150
    assert len({s["category"] for s in python}) >= 15
    assert any(s["source"] == "rest" for s in specs)
    for spec in specs:
        assert spec["description"].strip(), spec["name"]
        for name, param in spec["parameters"].items():
            assert param["description"].strip(), f"{spec['name']}.{name}"


def test_catalog_show_prints_spec_and_examples() -> None:
    result = apigen("catalog", "show", "calculate_bmi")
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["xlam"]["name"] == "calculate_bmi" and shown["examples"]
    missing = apigen("catalog", "show", "no_such_tool")
    assert missing.returncode == 2 and "no_such_tool" in missing.stderr


def test_catalog_check_passes_on_the_library() -> None:
    result = apigen("catalog", "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FAIL" not in result.stdout


def test_catalog_check_fails_on_a_broken_function(tmp_path: Path) -> None:
    broken = tmp_path / "broken_apis.py"
    broken.write_text(
        'def safe_ratio(a: float, b: float) -> float:\n    """Ratio.\n\n    Args:\n'
        '        a: Numerator.\n        b: Denominator.\n    """\n    return a / (b - b)\n\n\n'
        'EXAMPLES = {"safe_ratio": [({"a": 1.0, "b": 2.0}, 0.5)]}\n'
    )
    result = apigen("catalog", "check", "--apis", str(broken))
    assert result.returncode == 1
    assert "FAIL safe_ratio example 0: exception: ZeroDivisionError" in result.stdout
