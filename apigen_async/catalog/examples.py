"""The worked examples a Python tool's module declares (`EXAMPLES`), and how a result
is compared with the expected one."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from apigen_async.catalog.python import import_module_file
from apigen_async.schema import Tool

__all__ = ["results_match", "worked_examples"]


def results_match(got: Any, want: Any) -> bool:
    """Equal as JSON values, floats within a relative 1e-6."""
    if isinstance(want, float) or (isinstance(got, float) and isinstance(want, int)):
        return (
            isinstance(got, int | float)
            and not isinstance(got, bool)
            and math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-9)
        )
    if isinstance(want, dict):
        return (
            isinstance(got, dict)
            and set(got) == {str(k) for k in want}
            and all(results_match(got[str(k)], v) for k, v in want.items())
        )
    if isinstance(want, list | tuple):
        return (
            isinstance(got, list)
            and len(got) == len(want)
            and all(results_match(g, w) for g, w in zip(got, want, strict=True))
        )
    return type(got) is type(want) and got == want


def worked_examples(tool: Tool) -> list[tuple[dict[str, Any], Any]]:
    """The `EXAMPLES` a Python tool's module declares for it (empty for others)."""
    if tool.module_path is None:
        return []
    module = import_module_file(Path(tool.module_path))
    return list(getattr(module, "EXAMPLES", {}).get(tool.function, []))
