"""--sampling balanced: fewer verified calls, more draws; the same draws on resume."""

from __future__ import annotations

from collections import Counter

from apigen_async.catalog.library import load_catalog
from apigen_async.prompts import PromptLibrary
from apigen_async.sampling import Example, ExamplePool, Sampler, SamplerConfig
from apigen_async.schema import Call

TOOLS = load_catalog([], builtin=True).tools
PROMPTS = PromptLibrary()


def _pool(heavy: list[str]) -> ExamplePool:
    """Epoch 0 verified 20 calls to each `heavy` function."""
    pool = ExamplePool()
    pool.add(
        [
            Example(
                id=f"0-{i}:{k}",
                style="simple",
                query=f"q {name} {k}",
                answers=[Call(name=name, arguments={})],
            )
            for i, name in enumerate(heavy)
            for k in range(20)
        ],
        epoch=0,
    )
    pool.add([], epoch=1)
    return pool


def _first_tools(sampling: str, pool: ExamplePool, n: int = 1500) -> Counter[str]:
    sampler = Sampler(SamplerConfig(seed=3, sampling=sampling), TOOLS, pool, PROMPTS)  # type: ignore[arg-type]
    return Counter(sampler.task(i, pool_epoch=1).tool_names[0] for i in range(n))


def test_balanced_draws_functions_with_fewer_verified_calls_more_often() -> None:
    names = sorted(t.name for t in TOOLS)
    heavy = names[: len(names) // 2]
    pool = _pool(heavy)
    uniform = _first_tools("uniform", pool)
    balanced = _first_tools("balanced", pool)
    share = lambda c: sum(c[n] for n in heavy) / sum(c.values())  # noqa: E731
    assert 0.4 < share(uniform) < 0.6
    assert share(balanced) < 0.15
    assert len(balanced) >= len(uniform) * 0.6  # still many functions drawn


def test_balanced_draws_are_the_same_in_a_fresh_sampler() -> None:
    heavy = sorted(t.name for t in TOOLS)[:10]
    a = Sampler(SamplerConfig(seed=5, sampling="balanced"), TOOLS, _pool(heavy), PROMPTS)
    b = Sampler(SamplerConfig(seed=5, sampling="balanced"), TOOLS, _pool(heavy), PROMPTS)
    # Asked in another order (resume skips the tasks already stored).
    order = list(range(200))
    first = {i: a.task(i, pool_epoch=i % 3 - 1) for i in order}
    second = {i: b.task(i, pool_epoch=i % 3 - 1) for i in reversed(order)}
    assert first == second


def test_counts_up_to_an_epoch_leave_seeds_out() -> None:
    pool = _pool(["a", "b"])
    assert pool.verified_calls(-1) == {}
    assert pool.verified_calls(0) == {"a": 20, "b": 20}
    assert pool.verified_calls(5) == {"a": 20, "b": 20}


def test_functions_offered_often_and_never_verified_fade() -> None:
    """Balanced sampling stops re-offering the functions whose answers always fail."""
    names = sorted(t.name for t in TOOLS)
    failing, fine = names[0::2], names[1::2]
    pool = ExamplePool()
    # Epoch 0 offered every function 6 times; only the `fine` ones were verified, once each.
    verified = [
        Example(id=f"0-{i}:0", style="simple", query=f"q {name}", answers=[Call(name=name)])
        for i, name in enumerate(fine)
    ]
    pool.add(verified, epoch=0, offered=dict.fromkeys(names, 6))
    pool.add([], epoch=1)
    assert pool.offers(1) == dict.fromkeys(names, 6)
    drawn = _first_tools("balanced", pool)
    share = sum(drawn[n] for n in failing) / sum(drawn.values())
    # By the gain alone (1 / (1 + verified calls)) they would take 2/3 of the draws.
    assert share < 0.35
    assert len([n for n in failing if drawn[n]]) > len(failing) // 2  # still tried now and then
