"""The local API service over real HTTP: every tool file's APIs, real answers, real errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import anyio
import pytest

from apigen_async.catalog.library import local_rest_tools
from apigen_async.catalog.toolbench import load_toolbench
from apigen_async.executors.rest import RestExecutor
from apigen_async.schema import Call, Tool
from apis.rest.framework import DATA, registry
from apis.rest.gen_tools import expected_files
from apis.rest.service import TOOLS_DIR, local_base_urls, serve

pytestmark = pytest.mark.anyio


@pytest.fixture
async def port() -> AsyncIterator[int]:
    async with anyio.create_task_group() as tg:
        bound = await tg.start(serve, 0)
        yield bound
        tg.cancel_scope.cancel()


def by_name() -> dict[str, Tool]:
    return {t.name: t for t in local_rest_tools()}


async def call_all(port: int, calls: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    tools = by_name()
    async with RestExecutor(
        backend="local", rps=1000, burst=100, base_url_override=local_base_urls(port)
    ) as ex:
        return [await ex.execute(tools[n], Call(name=n, arguments=a)) for n, a in calls]


def test_size_and_breadth() -> None:
    eps = registry()
    assert len(eps) >= 40
    assert len({e.tool.category for e in eps}) >= 10
    size = sum(p.stat().st_size for p in DATA.rglob("*") if p.is_file())
    size += sum(p.stat().st_size for p in TOOLS_DIR.rglob("*.json"))
    assert size < 500_000


def test_tool_files_are_current_and_load_as_toolbench() -> None:
    files = expected_files()
    on_disk = {p for p in TOOLS_DIR.rglob("*.json")}
    assert on_disk == set(files), "run `python -m apis.rest.gen_tools`"
    for path, content in files.items():
        assert path.read_bytes() == content, f"{path} is stale: run python -m apis.rest.gen_tools"
    loaded = load_toolbench(TOOLS_DIR)
    assert loaded.skipped == {}
    assert len(loaded.tools) == len(registry())
    assert all(t.rest.host.endswith(".local-apis.apigen") for t in loaded.tools)


async def test_every_tool_file_api_answers(port: int) -> None:
    tools = {(t.rest.tool_name, t.rest.api_name): t for t in local_rest_tools()}
    calls = []
    for ep in registry():
        tool = tools[(ep.tool.name, ep.name)]
        calls.append((tool.name, ep.example_args()))
    results = await call_all(port, calls)
    failed = [(c[0], r.error, r.message) for c, r in zip(calls, results, strict=True) if not r.ok]
    assert failed == []
    assert all(r.origin == "local" for r in results)


async def test_real_answers_per_category(port: int) -> None:
    calls = [
        ("get_country_for_geo_data", {"code": "jpn"}),
        ("capital_distance_for_geo_data", {"from_code": "GB", "to_code": "FR"}),
        ("convert_for_currency_exchange", {"amount": 10, "from": "EUR", "to": "EUR"}),
        (
            "convert_time_for_world_time",
            {
                "from_timezone": "Europe/London",
                "to_timezone": "America/New_York",
                "date": "2024-01-10",
                "time": "15:00",
            },
        ),
        ("list_holidays_for_public_holidays", {"country": "GB", "year": 2024}),
        ("is_holiday_for_public_holidays", {"country": "US", "date": "2024-11-28"}),
        ("convert_units_for_unit_converter", {"value": 100, "from_unit": "c", "to_unit": "f"}),
        ("food_nutrition_for_food_nutrition", {"name": "apples", "grams": 200}),
        ("scale_recipe_for_recipe_book", {"recipe_id": "dal", "servings": 8}),
        ("validate_isbn_for_book_catalog", {"isbn": "978-0-306-40615-7"}),
        ("flight_distance_for_airport_info", {"from_code": "LHR", "to_code": "JFK", "unit": "mi"}),
        ("molar_mass_for_periodic_table", {"formula": "Ca(OH)2"}),
        ("prime_factors_for_math_toolkit", {"number": 1001}),
        ("roman_numerals_for_math_toolkit", {"value": "MMXXIV"}),
        ("edit_distance_for_text_toolkit", {"a": "flaw", "b": "lawn"}),
        ("contrast_ratio_for_color_tools", {"foreground": "black", "background": "#fff"}),
        ("date_info_for_date_calculator", {"date": "2023-12-31"}),
        ("bmi_for_fitness_calculator", {"weight_kg": 90, "height_cm": 180}),
        (
            "monthly_payment_for_loan_calculator",
            {
                "principal": 12000,
                "annual_rate": 0,
                "months": 12,
            },
        ),
    ]
    r = [x.output for x in await call_all(port, calls)]
    assert r[0]["name"] == "Japan" and r[0]["capital"] == "Tokyo"
    assert 330 < r[1]["distance_km"] < 350
    assert r[2]["result"] == 10
    assert r[3]["to"] == "2024-01-10T10:00:00-05:00"
    gb = {h["name"]: h["date"] for h in r[4]["holidays"]}
    assert gb["Good Friday"] == "2024-03-29" and gb["Easter Monday"] == "2024-04-01"
    assert r[5]["names"] == ["Thanksgiving Day"]
    assert r[6]["result"] == 212
    assert r[7]["calories"] == 104.0
    assert r[8]["ingredients"][0] == {"food": "lentils", "grams": 600.0}
    assert r[9]["valid"] is True and r[9]["isbn10"] == "0306406152"
    assert 3440 < r[10]["distance"] < 3470
    assert r[11]["molar_mass"] == pytest.approx(74.092, abs=0.01)
    assert r[12]["factors"] == [7, 11, 13]
    assert r[13]["integer"] == 2024
    assert r[14]["distance"] == 2
    assert r[15]["ratio"] == 21.0
    assert r[16]["iso_week"] == 52 and r[16]["weekday"] == "Sunday"
    assert r[17] == {"bmi": 27.8, "category": "overweight"}
    assert r[18]["monthly_payment"] == 1000.0


async def test_client_errors(port: int) -> None:
    calls = [
        ("get_country_for_geo_data", {"code": "XX"}),  # 404 unknown country
        ("convert_units_for_unit_converter", {"value": 1, "from_unit": "km", "to_unit": "kg"}),
        ("bmi_for_fitness_calculator", {"weight_kg": "heavy", "height_cm": 180}),
        ("is_holiday_for_public_holidays", {"country": "US", "date": "2024-13-01"}),
        ("molar_mass_for_periodic_table", {"formula": "Xy2"}),
        ("list_units_for_unit_converter", {"dimension": "mood"}),
    ]
    results = await call_all(port, calls)
    assert [r.error for r in results] == ["http_4xx"] * len(calls)
    assert "HTTP 404" in results[0].message and "not found" in results[0].message
    assert all("HTTP 400" in r.message for r in results[1:4] + results[5:])
    assert "HTTP 404" in results[4].message  # element Xy does not exist
    assert "must be a number" in results[2].message


async def test_key_required_unknown_endpoint_and_quota() -> None:
    async with anyio.create_task_group() as tg:
        port = await tg.start(lambda task_status: serve(0, rps_per_key=3, task_status=task_status))
        base = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession() as s:
            async with s.get(f"{base}/geo-data/countries/FR") as r:
                assert r.status == 401
            key = {"X-RapidAPI-Key": "k1"}
            async with s.get(f"{base}/nope", headers=key) as r:
                assert r.status == 404 and "does not exist" in (await r.json())["message"]
            host = {**key, "X-RapidAPI-Host": "books.local-apis.apigen"}
            async with s.get(f"{base}/geo-data/countries/FR", headers=host) as r:
                assert r.status == 404
            statuses = []
            for _ in range(3):
                async with s.get(f"{base}/geo-data/countries/FR", headers=key) as r:
                    statuses.append(r.status)
                    retry_after = r.headers.get("Retry-After")
            assert statuses[-1] == 429 and int(retry_after) >= 1
            # Quotas are per key: another key is unaffected.
            async with s.get(
                f"{base}/geo-data/countries/FR", headers={"X-RapidAPI-Key": "k2"}
            ) as r:
                assert r.status == 200
        tg.cancel_scope.cancel()


async def test_executor_rides_out_the_quota() -> None:
    async with anyio.create_task_group() as tg:
        port = await tg.start(lambda task_status: serve(0, rps_per_key=5, task_status=task_status))
        tool = by_name()["is_prime_for_math_toolkit"]
        async with RestExecutor(
            backend="local", rps=100, burst=20, base_url_override=local_base_urls(port)
        ) as ex:
            results = [
                await ex.execute(tool, Call(name=tool.name, arguments={"number": n}))
                for n in range(2, 10)
            ]
        assert all(r.ok for r in results)
        assert [r.output["prime"] for r in results] == [
            True,
            True,
            False,
            True,
            False,
            True,
            False,
            False,
        ]
        assert ex.counts == {"local": 8}
        tg.cancel_scope.cancel()


def test_local_tools_shape() -> None:
    tools = local_rest_tools()
    assert len({t.name for t in tools}) == len(tools)
    holiday = by_name()["list_holidays_for_public_holidays"]
    assert holiday.rest.path_params == ("country", "year")
    assert holiday.param("year").type == "integer"
    assert holiday.param("country").format == "enum"
    assert Path(TOOLS_DIR, "Events", "public_holidays.json").is_file()
