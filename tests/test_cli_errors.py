"""Bad input gets one clear line naming the flag, file or URL, a non-zero exit, no traceback."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import apigen, fake_endpoint, free_port


def _fails_cleanly(result, *needles: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr


def test_unknown_style(tmp_path: Path) -> None:
    result = apigen("generate", "--out", str(tmp_path), "--styles", "simple,paralel")
    _fails_cleanly(result, "--styles", "'paralel'")


def test_missing_apis_file(tmp_path: Path) -> None:
    result = apigen("generate", "--out", str(tmp_path), "--apis", str(tmp_path / "nope.py"))
    _fails_cleanly(result, "--apis", "nope.py")


def test_malformed_apis_file_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "broken_apis.py"
    bad.write_text('def ok(a: int) -> int:\n    """Fine.\n    """\n    return a\n\ndef broken(:\n')
    result = apigen("generate", "--out", str(tmp_path / "o"), "--apis", str(bad))
    _fails_cleanly(result, f"{bad}:6", "syntax error")


def test_apis_function_without_type_hints(tmp_path: Path) -> None:
    bad = tmp_path / "untyped.py"
    bad.write_text(
        'def add(a, b):\n    """Add.\n\n    Args:\n        a: x\n        b: y\n    """\n'
    )
    result = apigen("generate", "--out", str(tmp_path / "o"), "--apis", str(bad))
    _fails_cleanly(result, f"{bad}:1", "no type hint")


def test_unreachable_endpoint_names_the_url(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    result = apigen("generate", "--out", str(tmp_path), "--base-url", url, "--model", "m")
    _fails_cleanly(result, url)


def test_wrong_model_name(tmp_path: Path) -> None:
    with fake_endpoint() as url:
        result = apigen("generate", "--out", str(tmp_path), "--base-url", url, "--model", "gpt-9")
    _fails_cleanly(result, "'gpt-9'", url, "available: fake")


def test_out_with_another_config_says_so_and_fresh_starts_over(tmp_path: Path) -> None:
    with fake_endpoint() as url:
        common = ("generate", "-n", "3", "--out", str(tmp_path), "--base-url", url,
                  "--model", "fake", "--quiet")  # fmt: skip
        assert apigen(*common, "--seed", "1").returncode == 0
        other = apigen(*common, "--seed", "2")
        _fails_cleanly(other, "different config", "seed: 1 -> 2", "--fresh")
        fresh = apigen(*common, "--seed", "2", "--fresh")
        assert fresh.returncode == 0, fresh.stderr


def test_bad_numbers_are_rejected_by_the_parser(tmp_path: Path) -> None:
    result = apigen("generate", "--out", str(tmp_path), "--pairs", "0")
    _fails_cleanly(result, "--pairs", "must be > 0")
