"""The paper's three samplers - API, example and prompt - deterministic from (seed, index).

A task's draw depends only on the run seed, its index and the example pool it is
allowed to see. The pipeline only lets task `i` see verified pairs of epochs that
finished two epochs before `i`'s own, so a resumed run draws exactly the same tasks
as an uninterrupted one.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import msgspec

from apigen_async.prompts import PromptLibrary
from apigen_async.schema import Call, Style, Task, Tool
from apigen_async.styles import DEFAULT_TOOLS_PER_TASK, STYLES, api_ranges

__all__ = ["Example", "ExamplePool", "Sampler", "SamplerConfig"]

#: How many APIs each style offers (inclusive ranges).
DEFAULT_API_RANGES: dict[Style, tuple[int, int]] = api_ranges(*DEFAULT_TOOLS_PER_TASK)

#: Balanced sampling's prior on a function's yield: as if it had been offered this many
#: times at the run's mean yield. Small, so a few failed offers already count.
PRIOR_OFFERS = 2.0

#: Verified queries per function a task may be shown to differ from (`Sampler.avoid`):
#: the last ones visible, as the example pool's `window` is per style.
QUERY_WINDOW = 8


class Example(msgspec.Struct, frozen=True, kw_only=True):
    """A verified query/answer pair shown to the generator as a model answer."""

    id: str
    style: Style
    query: str
    answers: list[Call]


class SamplerConfig(msgspec.Struct, frozen=True, kw_only=True):
    seed: int = 0
    style_weights: dict[str, float] = msgspec.field(
        default_factory=lambda: dict.fromkeys(STYLES, 1.0)
    )
    pairs_per_task: int = 3
    examples_range: tuple[int, int] = (1, 2)
    api_ranges: dict[str, tuple[int, int]] = msgspec.field(
        default_factory=lambda: dict(DEFAULT_API_RANGES)
    )
    same_category_share: float = 0.5
    #: uniform: the paper's API sampler; balanced: functions and categories with fewer
    #: verified calls so far (in the epochs the task may see) are drawn more often, in
    #: proportion to how often an offer of them ends verified (`Sampler._balanced`).
    sampling: Literal["uniform", "balanced"] = "uniform"


@dataclass
class ExamplePool:
    """Examples per style, each tagged with the epoch that verified it (seeds: -1).

    Epochs are added in order, so the examples visible up to an epoch are a prefix of
    each style's list; a task sees the last `window` of that prefix. Examples that no
    future view can reach are evicted, which keeps memory flat over long runs.
    """

    window: int = 2000
    by_style: dict[str, list[Example]] = field(default_factory=lambda: {s: [] for s in STYLES})
    epochs: dict[str, list[int]] = field(default_factory=lambda: {s: [] for s in STYLES})
    by_id: dict[str, Example] = field(default_factory=dict)
    #: Verified calls and offers per function, cumulative up to each epoch added (seeds
    #: left out): catalog-sized counters per epoch, never evicted.
    call_epochs: list[int] = field(default_factory=list)
    call_counts: list[Counter[str]] = field(default_factory=list)
    offer_counts: list[Counter[str]] = field(default_factory=list)
    #: Verified queries calling each function, with their epochs (`Sampler.avoid`).
    queries: dict[str, list[str]] = field(default_factory=dict)
    query_epochs: dict[str, list[int]] = field(default_factory=dict)

    def add(
        self, examples: Sequence[Example], epoch: int, offered: Mapping[str, int] | None = None
    ) -> None:
        """An epoch's verified examples, and how often it offered each function."""
        if epoch >= 0:
            counts = Counter(self.call_counts[-1]) if self.call_counts else Counter()
            counts.update(c.name for ex in examples for c in ex.answers)
            offers = Counter(self.offer_counts[-1]) if self.offer_counts else Counter()
            offers.update(offered or {})
            self.call_epochs.append(epoch)
            self.call_counts.append(counts)
            self.offer_counts.append(offers)
        for ex in examples:
            if self.epochs[ex.style] and self.epochs[ex.style][-1] > epoch:
                raise ValueError("examples must be added in epoch order")
            self.by_style[ex.style].append(ex)
            self.epochs[ex.style].append(epoch)
            self.by_id[ex.id] = ex
            for name in dict.fromkeys(c.name for c in ex.answers):
                self.queries.setdefault(name, []).append(ex.query)
                self.query_epochs.setdefault(name, []).append(epoch)

    def visible(self, style: str, up_to_epoch: int) -> list[Example]:
        end = bisect.bisect_right(self.epochs[style], up_to_epoch)
        return self.by_style[style][max(0, end - self.window) : end]

    def function_queries(self, name: str, up_to_epoch: int) -> list[str]:
        """The last `QUERY_WINDOW` verified queries calling `name`, up to `up_to_epoch`."""
        end = bisect.bisect_right(self.query_epochs.get(name, []), up_to_epoch)
        return self.queries.get(name, [])[max(0, end - QUERY_WINDOW) : end]

    def verified_calls(self, up_to_epoch: int) -> Mapping[str, int]:
        """Calls per function in the examples verified up to `up_to_epoch` (inclusive)."""
        end = bisect.bisect_right(self.call_epochs, up_to_epoch)
        return self.call_counts[end - 1] if end else {}

    def offers(self, up_to_epoch: int) -> Mapping[str, int]:
        """Times each function was offered by the tasks of epochs up to `up_to_epoch`."""
        end = bisect.bisect_right(self.call_epochs, up_to_epoch)
        return self.offer_counts[end - 1] if end else {}

    def evict_before(self, up_to_epoch: int) -> None:
        """Drop what no view up to `up_to_epoch` or later can show any more."""
        for style, epochs in self.epochs.items():
            end = bisect.bisect_right(epochs, up_to_epoch)
            cut = end - self.window
            # Evicting in chunks keeps the list copies rare.
            if cut >= self.window:
                for ex in self.by_style[style][:cut]:
                    del self.by_id[ex.id]
                del self.by_style[style][:cut]
                del epochs[:cut]
        for name, epochs in self.query_epochs.items():
            cut = bisect.bisect_right(epochs, up_to_epoch) - QUERY_WINDOW
            if cut >= QUERY_WINDOW:
                del self.queries[name][:cut]
                del epochs[:cut]

    def __len__(self) -> int:
        return len(self.by_id)


class Sampler:
    def __init__(
        self,
        config: SamplerConfig,
        tools: Sequence[Tool],
        pool: ExamplePool,
        prompts: PromptLibrary,
        shard: tuple[int, int] = (0, 1),
    ) -> None:
        self.config = config
        #: (k, N): this run is shard k of N; its task i is the whole run's task i * N + k.
        self.shard = shard
        self.tools = sorted(tools, key=lambda t: t.name)
        self.pool = pool
        self.prompts = prompts
        self.styles = [s for s in STYLES if config.style_weights.get(s, 0) > 0]
        self.weights = [config.style_weights[s] for s in self.styles]
        self.by_category: dict[str, list[Tool]] = {}
        for tool in self.tools:
            self.by_category.setdefault(tool.category, []).append(tool)
        #: Balanced sampling's cumulative weights, for the last pool epoch asked.
        self._weights: tuple[int, list[float]] | None = None

    def task(self, index: int, *, pool_epoch: int) -> Task:
        """Task `index`, drawing examples verified up to `pool_epoch` (inclusive).

        In shard k of N the draw and the id are those of the whole run's task
        `index * N + k`, so the shards' tasks never overlap and their ids are unique.
        """
        k, n = self.shard
        whole = index * n + k
        rng = random.Random(f"{self.config.seed}:{whole}")
        style: Style = rng.choices(self.styles, self.weights)[0]
        tools = self._sample_tools(rng, style, pool_epoch)
        return Task(
            id=f"{self.config.seed}-{whole}",
            index=index,
            style=style,
            tool_names=tuple(t.name for t in tools),
            example_ids=self._sample_examples(rng, style, pool_epoch),
            template=rng.choice(self.prompts.templates_for(style)),
            n_pairs=self.config.pairs_per_task,
        )

    def avoid(
        self, task: Task, *, pool_epoch: int, n: int, skip: Sequence[str] = ()
    ) -> tuple[str, ...]:
        """Up to `n` verified queries of `task`'s functions for its prompt to differ from.

        Drawn from the queries verified up to `pool_epoch`, like the examples, by an rng
        of their own (the task's other draws stay as they are with or without them);
        `skip`: queries the prompt already shows.
        """
        if n <= 0:
            return ()
        skipped = set(skip)
        candidates = [
            q
            for q in dict.fromkeys(
                q for name in task.tool_names for q in self.pool.function_queries(name, pool_epoch)
            )
            if q not in skipped
        ]
        rng = random.Random(f"{self.config.seed}:avoid:{task.id}")
        return tuple(rng.sample(candidates, min(n, len(candidates))))

    def _sample_tools(self, rng: random.Random, style: Style, pool_epoch: int) -> list[Tool]:
        lo, hi = self.config.api_ranges[style]
        k = min(rng.randint(lo, hi), len(self.tools))
        if self.config.sampling == "balanced":
            first = rng.choices(self.tools, cum_weights=self._balanced(pool_epoch))[0]
        else:
            first = rng.choice(self.tools)
        chosen = [first]
        if k > 1:
            same = self.by_category[first.category]
            source = same if rng.random() < self.config.same_category_share else self.tools
            others = [t for t in source if t.name != first.name]
            if len(others) < k - 1:
                others = [t for t in self.tools if t.name != first.name]
            chosen += rng.sample(others, k - 1)
        return chosen

    def _balanced(self, pool_epoch: int) -> list[float]:
        """Cumulative weights yield(f) / ((1 + calls of f) * (1 + mean calls in f's category)).

        A verified call to f is worth 1 / (1 + calls of f) (the gain in log(1 + calls),
        so rare functions count most), and an offer of f brings yield(f) of them: its
        verified calls per offer so far, pulled toward its category's yield, itself pulled
        toward the run's, by `PRIOR_OFFERS` offers each (few offers per function: the
        category's yield says more early on). Weighting by the gain alone kept offering the
        functions and categories whose answers always fail (never verified, so always the
        rarest), which cost pass rate; with the yield, what was offered often and never
        verified fades instead.

        From the pool's counts up to `pool_epoch`, like the examples, so a task's draw
        is the same on resume; before any count the weights are equal.
        """
        if self._weights is not None and self._weights[0] == pool_epoch:
            return self._weights[1]
        calls = self.pool.verified_calls(pool_epoch)
        offers = self.pool.offers(pool_epoch)

        def total(counts: Mapping[str, int], tools: Sequence[Tool]) -> int:
            return sum(counts.get(t.name, 0) for t in tools)

        def shrunk(n: int, offered: int, prior: float) -> float:
            return (n + PRIOR_OFFERS * prior) / (offered + PRIOR_OFFERS)

        offered_all = total(offers, self.tools)
        mean = total(calls, self.tools) / offered_all if offered_all else 1.0
        per_category = {}
        for cat, tools in self.by_category.items():
            n = total(calls, tools)
            per_category[cat] = (shrunk(n, total(offers, tools), mean), n / len(tools))

        def weight(tool: Tool) -> float:
            n = calls.get(tool.name, 0)
            category_yield, category_calls = per_category[tool.category]
            # No offer counted yet (a pool given calls alone): the gain alone.
            yield_ = shrunk(n, offers.get(tool.name, 0), category_yield) if offered_all else 1.0
            return yield_ / ((1 + n) * (1 + category_calls))

        weights = list(itertools.accumulate(weight(t) for t in self.tools))
        self._weights = (pool_epoch, weights)
        return weights

    def _sample_examples(self, rng: random.Random, style: Style, epoch: int) -> tuple[str, ...]:
        examples = self.pool.visible(style, epoch)
        lo, hi = self.config.examples_range
        k = min(rng.randint(lo, hi), len(examples))
        return tuple(ex.id for ex in rng.sample(examples, k)) if k else ()


def render_examples(examples: Sequence[Example]) -> str:
    if not examples:
        return ""
    lines = ["Examples of the format (other functions):"]
    for ex in examples:
        pair = {"query": ex.query, "answers": ex.answers}
        lines.append(msgspec.json.encode(pair).decode())
    return "\n".join(lines)


def render_avoid(queries: Sequence[str]) -> str:
    if not queries:
        return ""
    lines = [
        "Queries already in the dataset for these functions; write new ones that differ "
        "from them in what they ask and in their values:"
    ]
    lines += [msgspec.json.encode(q).decode() for q in queries]
    return "\n".join(lines)


def tools_by_name(tools: Sequence[Tool]) -> Mapping[str, Tool]:
    return {t.name: t for t in tools}
