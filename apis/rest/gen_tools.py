"""Write the ToolBench tool files of the local service: `python -m apis.rest.gen_tools`.

The files are generated from the endpoint declarations (one source of truth) and checked
in, so `load_toolbench(apis/rest/tools)` sees them like any downloaded ToolBench tool.
`tests/test_local_apis.py` fails when they are stale.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import orjson

from apis.rest.framework import Endpoint, ToolInfo, registry, tool_file

__all__ = ["expected_files", "write"]

TOOLS_DIR = Path(__file__).resolve().parent / "tools"


def expected_files() -> dict[Path, bytes]:
    by_tool: dict[ToolInfo, list[Endpoint]] = defaultdict(list)
    for ep in registry():
        by_tool[ep.tool].append(ep)
    out: dict[Path, bytes] = {}
    for info, eps in by_tool.items():
        doc: dict[str, Any] = tool_file(info, eps)
        path = TOOLS_DIR / info.category / f"{info.slug.replace('-', '_')}.json"
        out[path] = orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n"
    return out


def write() -> list[Path]:
    files = expected_files()
    for path, content in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return sorted(files)


if __name__ == "__main__":
    for p in write():
        print(p.relative_to(TOOLS_DIR))
