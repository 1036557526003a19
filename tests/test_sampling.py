"""Samplers: deterministic from (seed, index), bounded example pool that evicts safely."""

from __future__ import annotations

from apigen_async.catalog.library import load_catalog
from apigen_async.prompts import PromptLibrary
from apigen_async.sampling import QUERY_WINDOW, Example, ExamplePool, Sampler, SamplerConfig
from apigen_async.schema import Call
from apigen_async.styles import STYLES

TOOLS = load_catalog().tools


def _pool(window: int = 3) -> ExamplePool:
    pool = ExamplePool(window=window)
    for epoch in range(-1, 12):
        pool.add(
            [
                Example(
                    id=f"e{epoch}-{i}",
                    style="simple",
                    query=f"q{epoch}-{i}",
                    answers=[Call(name="f")],
                )
                for i in range(2)
            ],
            epoch,
        )
    return pool


def test_eviction_never_changes_a_later_view() -> None:
    kept, evicted = _pool(), _pool()
    for epoch in range(-1, 12):
        evicted.evict_before(epoch)
        for later in range(epoch, 12):
            assert evicted.visible("simple", later) == kept.visible("simple", later)
            assert evicted.function_queries("f", later) == kept.function_queries("f", later)
    assert len(evicted) < len(kept)
    assert len(evicted.queries["f"]) < len(kept.queries["f"])
    assert len(kept.function_queries("f", 11)) == QUERY_WINDOW
    assert kept.function_queries("f", 11)[-1] == "q11-1"
    assert [ex.id for ex in kept.visible("simple", 4)] == ["e3-1", "e4-0", "e4-1"]


def test_tasks_are_a_function_of_seed_and_index() -> None:
    prompts = PromptLibrary()

    def draw(seed: int) -> list[object]:
        sampler = Sampler(SamplerConfig(seed=seed), TOOLS, _pool(window=4), prompts)
        return [sampler.task(i, pool_epoch=5) for i in range(200)]

    first, again, other = draw(1), draw(1), draw(2)
    assert first == again
    assert first != other
    styles = {t.style for t in first}
    assert styles == set(STYLES)
    for task in first:
        assert len(set(task.tool_names)) == len(task.tool_names)
        if task.style in ("simple", "parallel"):
            assert len(task.tool_names) == 1
        if task.style in ("multiple", "parallel_multiple"):
            assert 2 <= len(task.tool_names) <= 4
        assert task.template.startswith(task.style)


def test_style_weights_and_ranges_are_respected() -> None:
    config = SamplerConfig(
        seed=0,
        style_weights={"parallel_multiple": 1.0},
        examples_range=(0, 0),
        api_ranges={"parallel_multiple": (3, 3)},
    )
    sampler = Sampler(config, TOOLS, ExamplePool(), PromptLibrary())
    tasks = [sampler.task(i, pool_epoch=-1) for i in range(50)]
    assert {t.style for t in tasks} == {"parallel_multiple"}
    assert {len(t.tool_names) for t in tasks} == {3}
    assert all(t.example_ids == () for t in tasks)
