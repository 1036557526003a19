"""Bad input gets one clear line naming the flag, file or URL, a non-zero exit, no traceback."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

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


def _one_line(result, code: int, *needles: str) -> None:
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


@contextmanager
def _html_server() -> Iterator[str]:
    """A web server answering every path with an HTML page and status 200."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<html><body>It works!</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def _endpoint_args(out: Path, url: str) -> tuple[str, ...]:
    return ("generate", "-n", "2", "--out", str(out), "--base-url", url, "--model", "fake",
            "--quiet")  # fmt: skip


def test_html_answer_with_status_200_is_one_line(tmp_path: Path) -> None:
    with _html_server() as url:
        result = apigen(*_endpoint_args(tmp_path, url))
    _one_line(result, 2, url, "does not answer like an OpenAI-compatible API")


def test_closed_port_says_connection_refused(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    _one_line(apigen(*_endpoint_args(tmp_path, url)), 2, url, "Connection refused")


@pytest.mark.parametrize("url", ["ftp://x", "not-a-url"])
def test_base_url_must_be_http(tmp_path: Path, url: str) -> None:
    _one_line(apigen(*_endpoint_args(tmp_path, url)), 2, f"--base-url {url}: not an http(s) URL")


def test_out_that_cannot_be_created_is_one_line() -> None:
    out = Path("/proc/apigen-test/out")
    result = apigen(*_endpoint_args(out, f"http://127.0.0.1:{free_port()}/v1"))
    _one_line(result, 2, f"--out {out}: cannot create the folder")


def test_max_retries_0_against_an_endpoint_refusing_response_format(tmp_path: Path) -> None:
    with fake_endpoint("--refuse-structured") as url:
        result = apigen(*_endpoint_args(tmp_path, url), "--max-retries", "0")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "dataset.jsonl").read_text().count("\n") == 2


def test_apis_module_calling_sys_exit_is_a_load_error(tmp_path: Path) -> None:
    bad = tmp_path / "exits.py"
    bad.write_text("import sys\n\nsys.exit(3)\n")
    result = apigen("catalog", "list", "--apis", str(bad))
    _one_line(result, 2, f"{bad}:3", "sys.exit(3)")


ADD = '''def add(a: int, b: int) -> int:
    """Add two integers.

    Args:
        a: the first
        b: the second
    """
    return a + b
'''


def test_catalog_list_no_builtin_lists_only_the_given_apis(tmp_path: Path) -> None:
    (tmp_path / "mine.py").write_text(ADD)
    result = apigen("catalog", "list", "--format", "json", "--no-builtin",
                    "--apis", str(tmp_path / "mine.py"))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert [t["name"] for t in json.loads(result.stdout)] == ["add"]


def test_catalog_check_with_nothing_to_check_fails(tmp_path: Path) -> None:
    (tmp_path / "mine.py").write_text(ADD)
    result = apigen("catalog", "check", "--no-builtin", "--apis", str(tmp_path / "mine.py"))
    _one_line(result, 1, "nothing to check", "1 tools")
