"""Several endpoints in one run: the `--endpoints FILE` (TOML) and the lanes they become.

    [[endpoint]]
    base_url = "http://10.0.0.5:8000/v1"
    model = "Qwen/Qwen2.5-7B-Instruct"
    judge_model = "Qwen/Qwen2.5-7B-Instruct"   # optional (default: model)
    api_key_env = "VLLM_KEY"                    # optional (default: --api-key-env)
    weight = 2                                  # optional (default 1)
    concurrency = 64                            # optional (default: --concurrency)
    rpm = 3000                                  # optional (default: --rpm)
    tpm = 1000000                               # optional (default: --tpm)

A repeated `--base-url` makes the same list with every field from the flags. Every bad
entry is one `ConfigError` naming the file, the line and the key.
"""

from __future__ import annotations

import math
import re
import tomllib
import urllib.parse
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import msgspec

from apigen_async.errors import ConfigError
from apigen_async.llm.limits import Limits
from apigen_async.llm.router import Lane

__all__ = ["URL_HINT", "EndpointSpec", "check_url", "lanes_for", "load_endpoints_file"]


class EndpointSpec(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    base_url: str
    model: str
    judge_model: str | None = None
    api_key_env: str | None = None
    weight: float = 1.0
    concurrency: int | None = None
    rpm: float | None = None
    tpm: float | None = None


_FIELDS = EndpointSpec.__struct_fields__
_REQUIRED = ("base_url", "model")


#: What a bad URL's message says is expected.
URL_HINT = "not an http(s) URL; expected e.g. http://127.0.0.1:8000/v1"


def check_url(url: str) -> str | None:
    """`url` without a trailing slash, or None when it is no http(s) URL with a host."""
    base = url.rstrip("/")
    try:
        parts = urllib.parse.urlsplit(base)
        usable = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        usable = False
    return base if usable else None


def load_endpoints_file(path: Path) -> list[EndpointSpec]:
    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigError(f"--endpoints {path}: {exc.strerror}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib says "... (at line L, column C)": keep it, in our file:line form.
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        line = found.group(1) if found else "?"
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ConfigError(f"{path}:{line}: not valid TOML: {reason}") from None
    lines = text.splitlines()
    for key in data:
        if key != "endpoint":
            raise ConfigError(
                f"{path}:{_line_of(lines, 0, len(lines), key, table=True)}: unknown key {key!r} "
                "(the file holds [[endpoint]] tables)"
            )
    entries = data.get("endpoint")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{path}:1: no [[endpoint]] table")
    starts = [i for i, line in enumerate(lines) if re.match(r"\s*\[\[\s*endpoint\s*\]\]", line)]
    specs = []
    for n, entry in enumerate(entries):
        lo = starts[n] if n < len(starts) else 0
        hi = starts[n + 1] if n + 1 < len(starts) else len(lines)
        specs.append(_spec(path, lines, lo, hi, n, entry))
    return specs


def _spec(path: Path, lines: list[str], lo: int, hi: int, n: int, entry: Any) -> EndpointSpec:
    where = f"endpoint {n + 1}"

    def fail(key: str, why: str) -> ConfigError:
        line = _line_of(lines, lo, hi, key) if key else lo + 1
        return ConfigError(f"{path}:{line}: {where}: {key + ': ' if key else ''}{why}")

    for key in entry:
        if key not in _FIELDS:
            raise fail(key, f"unknown key (known: {', '.join(_FIELDS)})")
    for key in _REQUIRED:
        if key not in entry:
            raise fail("", f"missing {key}")
    try:
        spec = msgspec.convert(entry, EndpointSpec)
    except msgspec.ValidationError as exc:
        key = re.search(r"\$\.(\w+)", str(exc))
        name = key.group(1) if key else ""
        raise fail(name, re.sub(r"\s*- at `\$\.\w+`", "", str(exc))) from None
    if not spec.model:
        raise fail("model", "empty")
    check = [("weight", spec.weight), ("concurrency", spec.concurrency), ("rpm", spec.rpm),
             ("tpm", spec.tpm)]  # fmt: skip
    for key, value in check:
        if value is not None and not (math.isfinite(value) and value > 0):
            raise fail(key, f"must be > 0, got {value!r}")
    base = check_url(spec.base_url)
    if base is None:
        raise fail("base_url", f"{spec.base_url!r}: {URL_HINT}")
    return msgspec.structs.replace(spec, base_url=base)


def _line_of(lines: list[str], lo: int, hi: int, key: str, *, table: bool = False) -> int:
    """The 1-based line where `key` is set between lines `lo` and `hi` (else `lo + 1`)."""
    pattern = re.compile(rf"\s*(\[+\s*)?[\"']?{re.escape(key)}[\"']?\s*(=|\]|\.)")
    for i in range(lo, hi):
        if pattern.match(lines[i]) and (table or "=" in lines[i]):
            return i + 1
    return lo + 1


def lanes_for(
    specs: Sequence[EndpointSpec],
    *,
    model: str,
    judge_model: str,
    concurrency: int,
    rpm: float | None,
    tpm: float | None,
    share: int = 1,
) -> list[Lane]:
    """A lane per endpoint, with its own limits; `share` divides every limit (Ray shards).

    Requests name the run's models (`model`, `judge_model`): each lane maps them to the
    names its endpoint serves; any other model name passes through unchanged.
    """
    lanes = []
    for spec in specs:
        own_rpm, own_tpm = spec.rpm or rpm, spec.tpm or tpm
        limits = Limits(
            concurrency=max(1, (spec.concurrency or concurrency) // share),
            rpm=own_rpm / share if own_rpm else None,
            tpm=own_tpm / share if own_tpm else None,
        )
        # Judge first: when the run's two names are one, that name is the generator's.
        models: Mapping[str, str] = {
            judge_model: spec.judge_model or spec.model,
            model: spec.model,
        }
        lanes.append(Lane(spec.base_url, limits, models, serves_any=True, weight=spec.weight))
    return lanes
