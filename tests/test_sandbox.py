"""The Python executor: every way a call can go wrong costs that call only."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import anyio
import pytest

from apigen_async.catalog.python import load_python_tools
from apigen_async.checks.execution import ExecutorRouter
from apigen_async.executors.python import PythonExecutor
from apigen_async.schema import Call

HOSTILE = Path(__file__).parent / "data" / "hostile_apis.py"
TOOLS = {t.name: t for t in load_python_tools(HOSTILE)}

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("spin_forever", "timeout"),
        ("allocate_ten_gigabytes", "memory_limit"),
        ("hard_exit", "worker_exited"),
        ("polite_exit", "exit_called"),
        ("segfault", "crashed"),
        ("shout", "output_flood"),
        ("opaque_result", "not_serializable"),
    ],
)
async def test_hostile_call_fails_with_precise_reason_and_pool_recovers(
    name: str, error: str
) -> None:
    async with PythonExecutor(workers=1, timeout=1.5, cpu_seconds=10, memory_mb=512) as ex:
        started = time.monotonic()
        bad = await ex.execute(TOOLS[name], Call(name=name, arguments={"n": 3}))
        assert not bad.ok
        assert bad.error == error, bad
        assert time.monotonic() - started < 5
        good = await ex.execute(
            TOOLS["double_number"], Call(name="double_number", arguments={"n": 21})
        )
        assert good.ok and good.output == 42


async def test_cpu_limit_stops_a_spinning_call_before_the_wall_clock() -> None:
    async with PythonExecutor(workers=1, timeout=30, cpu_seconds=1) as ex:
        result = await ex.execute(
            TOOLS["spin_forever"], Call(name="spin_forever", arguments={"n": 0})
        )
    assert result.error == "cpu_limit"


async def test_arguments_are_passed_by_keyword_and_never_evaluated() -> None:
    router = ExecutorRouter({"python": PythonExecutor(workers=1)})
    tool = TOOLS["double_number"]
    as_code = await router.execute(tool, Call(name=tool.name, arguments={"n": "2**10"}))
    assert not as_code.ok and as_code.error == "wrong_type"
    unknown = await router.execute(tool, Call(name=tool.name, arguments={"m": 1}))
    assert not unknown.ok and unknown.error == "undeclared_argument"
    await router.executors["python"].__aexit__(None, None, None)


async def test_large_results_are_truncated_to_the_cap(tmp_path: Path) -> None:
    module = tmp_path / "big.py"
    module.write_text(
        'def big_list(n: int) -> list:\n    """Many numbers.\n\n    Args:\n        n: How many.\n'
        '    """\n    return list(range(n))\n'
    )
    (tool,) = load_python_tools(module)
    async with PythonExecutor(workers=1, max_output=100) as ex:
        result = await ex.execute(tool, Call(name="big_list", arguments={"n": 10_000}))
    assert result.ok
    assert isinstance(result.output, str) and result.output.endswith("...[truncated]")
    assert len(result.output) <= 100 + len("...[truncated]")


async def test_parallel_workers_run_side_by_side() -> None:
    import anyio

    async with PythonExecutor(workers=4, timeout=1.0, cpu_seconds=5) as ex:
        results = []

        async def one() -> None:
            results.append(
                await ex.execute(
                    TOOLS["spin_forever"], Call(name="spin_forever", arguments={"n": 0})
                )
            )

        started = time.monotonic()
        async with anyio.create_task_group() as tg:
            for _ in range(4):
                tg.start_soon(one)
        # Four 1 s timeouts in parallel, not 4 s in a row.
        assert time.monotonic() - started < 3.5
    assert [r.error for r in results] == ["timeout"] * 4


async def test_workers_survive_a_process_group_sigint() -> None:
    # As when apigen runs in the background of a script that is then interrupted: the
    # signal reaches the workers too, and they leave the decision to the parent.
    call = Call(name="double_number", arguments={"n": 21})
    async with PythonExecutor(workers=1, timeout=5) as ex:
        assert (await ex.execute(TOOLS["double_number"], call)).ok
        worker = ex._idle[0]
        os.kill(worker.process.pid, signal.SIGINT)
        await anyio.sleep(0.2)
        assert worker.process.returncode is None
        again = await ex.execute(TOOLS["double_number"], call)
    assert again.ok and again.output == 42
    assert ex.workers_replaced == 0
