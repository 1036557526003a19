"""The query styles (BFCL's categories): what each one asks of a pair, in one registry.

A style decides how many APIs a task offers, which prompt templates ask for it, how many
calls the generation schema allows, what the format check holds an answer to, and
whether its pairs make no call at all (then the rules check that the query names no
offered function, the generator is not told which values to state, and the judge asks
whether making no call is right, a question it leaves to re-solve when that check runs).

Adding a style: one `StyleSpec` in `_SPECS` plus its prompt files
`prompts/generate/<name>_<n>.txt` (and, if wanted, seed examples `apis/seeds/<name>.jsonl`).
`bench/fake_openai.py` keeps its own small copy of the call counts: the fake server
imports nothing from the package.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = ["DEFAULT_TOOLS_PER_TASK", "REGISTRY", "STYLES", "StyleSpec", "api_ranges", "spec"]

#: `--tools-per-task`'s default (LO, HI): the range offered to the styles that take several.
DEFAULT_TOOLS_PER_TASK = (2, 4)


@dataclass(frozen=True, kw_only=True)
class StyleSpec:
    name: str
    #: The call-count rule of the format check: calls per answer and distinct functions
    #: called, as (min, max); None: no upper bound.
    calls: tuple[int, int | None]
    functions: tuple[int, int | None] = (0, None)
    #: What the format check says the style wants (`{n}`: calls, `{distinct}`: functions).
    wants: str
    #: minItems/maxItems of the answers in the generation schema (None: no maxItems).
    schema_calls: tuple[int, int | None]
    #: APIs offered, from `--tools-per-task` LO-HI: one; several (at least 2, LO-HI);
    #: fewer (1 to HI-1, so an irrelevance query is not surrounded by functions).
    apis: Literal["one", "several", "fewer"]
    #: Generation prompt templates (`prompts/generate/<template>.txt`), in the sampler's order.
    templates: tuple[str, ...]
    #: Answers hold no call (see the module docstring for what follows from it).
    no_call: bool = False

    def call_count_problem(self, n: int, distinct: int) -> str | None:
        """Why `n` calls of `distinct` functions do not fit the style, or None."""
        lo, hi = self.calls
        flo, fhi = self.functions
        if (
            n < lo
            or (hi is not None and n > hi)
            or distinct < flo
            or (fhi is not None and distinct > fhi)
        ):
            return f"{self.name} wants {self.wants.format(n=n, distinct=distinct)}"
        return None

    def api_range(self, lo: int, hi: int) -> tuple[int, int]:
        """How many APIs a task of this style offers, given `--tools-per-task` LO-HI."""
        if self.apis == "one":
            return (1, 1)
        if self.apis == "several":
            return (max(2, lo), max(2, hi))
        return (1, max(1, hi - 1))


_SPECS = (
    StyleSpec(
        name="simple",
        calls=(1, 1),
        wants="exactly 1 call, got {n}",
        schema_calls=(1, 1),
        apis="one",
        templates=("simple_1", "simple_2"),
    ),
    StyleSpec(
        name="multiple",
        calls=(1, 1),
        wants="exactly 1 call, got {n}",
        schema_calls=(1, 1),
        apis="several",
        templates=("multiple_1", "multiple_2"),
    ),
    StyleSpec(
        name="parallel",
        calls=(2, None),
        functions=(1, 1),
        wants="2+ calls of one function, got {n} calls of {distinct}",
        schema_calls=(2, 4),
        apis="one",
        templates=("parallel_1", "parallel_2"),
    ),
    StyleSpec(
        name="parallel_multiple",
        calls=(2, None),
        functions=(2, None),
        wants="2+ calls of 2+ functions, got {n} calls of {distinct}",
        schema_calls=(2, 5),
        apis="several",
        templates=("parallel_multiple_1", "parallel_multiple_2"),
    ),
    StyleSpec(
        name="irrelevance",
        calls=(0, 0),
        wants="no call, got {n}",
        schema_calls=(0, 0),
        apis="fewer",
        templates=("irrelevance_1", "irrelevance_2"),
        no_call=True,
    ),
)

#: Every style by name, in the order runs, reports and seeds list them.
REGISTRY: Mapping[str, StyleSpec] = {s.name: s for s in _SPECS}
STYLES: tuple[str, ...] = tuple(REGISTRY)


def spec(style: str) -> StyleSpec:
    return REGISTRY[style]


def api_ranges(lo: int, hi: int) -> dict[str, tuple[int, int]]:
    """APIs offered per style, given `--tools-per-task` LO-HI."""
    return {s.name: s.api_range(lo, hi) for s in _SPECS}
