"""Travel: trip costs, flight times and arrivals, budgets, emissions, packing and jet lag."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Literal

CATEGORY = "travel"

# Fixed reference table: average emissions in kg CO2e per passenger-km (typical published
# factors; the car figure is for one occupant of an average petrol car).
_EMISSIONS_KG_PER_PKM = {
    "short_haul_flight": 0.156,
    "long_haul_flight": 0.150,
    "car": 0.170,
    "bus": 0.097,
    "train": 0.035,
    "ferry": 0.019,
}

# Fixed reference table: standard-time UTC offset in hours of major cities (no daylight saving).
_CITY_OFFSETS = {
    "new_york": -5.0, "chicago": -6.0, "denver": -7.0, "los_angeles": -8.0, "honolulu": -10.0,
    "sao_paulo": -3.0, "london": 0.0, "paris": 1.0, "berlin": 1.0, "cairo": 2.0,
    "moscow": 3.0, "dubai": 4.0, "mumbai": 5.5, "bangkok": 7.0, "singapore": 8.0,
    "beijing": 8.0, "tokyo": 9.0, "sydney": 10.0, "auckland": 12.0,
}  # fmt: skip
City = Literal[
    "new_york", "chicago", "denver", "los_angeles", "honolulu", "sao_paulo", "london", "paris",
    "berlin", "cairo", "moscow", "dubai", "mumbai", "bangkok", "singapore", "beijing", "tokyo",
    "sydney", "auckland",
]  # fmt: skip


def _num(name: str, value: float, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise TypeError(f"{name} must be a finite number")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}")
    return float(value)


def _city(name: str, city: str) -> float:
    if city not in _CITY_OFFSETS:
        raise ValueError(f"{name} must be one of {list(_CITY_OFFSETS)}")
    return _CITY_OFFSETS[city]


def trip_fuel_cost(
    distance_km: float,
    fuel_efficiency_l_per_100km: float,
    fuel_price_per_litre: float,
    round_trip: bool = False,
    passengers: int = 1,
) -> dict[str, float]:
    """Estimate the fuel used and the fuel cost of a road trip, and the share per passenger.

    Args:
        distance_km: One-way distance in kilometres.
        fuel_efficiency_l_per_100km: Vehicle consumption in litres per 100 km.
        fuel_price_per_litre: Price of one litre of fuel.
        round_trip: Double the distance for the way back.
        passengers: Number of people sharing the cost.

    Returns:
        litres, total_cost and cost_per_person, rounded to 2 decimals.
    """
    d = _num("distance_km", distance_km, 0, 50000) * (2 if round_trip else 1)
    eff = _num("fuel_efficiency_l_per_100km", fuel_efficiency_l_per_100km, 1, 60)
    price = _num("fuel_price_per_litre", fuel_price_per_litre, 0, 100)
    p = int(_num("passengers", passengers, 1, 100))
    litres = d * eff / 100
    cost = litres * price
    return {
        "litres": round(litres, 2),
        "total_cost": round(cost, 2),
        "cost_per_person": round(cost / p, 2),
    }


def estimate_travel_time(
    distance_km: float,
    mode: Literal["walking", "cycling", "car", "train", "flight"],
    stops: int = 0,
) -> dict[str, Any]:
    """Estimate door-to-door travel time for a distance with a typical average speed per mode.

    Args:
        distance_km: Distance in kilometres.
        mode: Transport mode: walking 5 km/h, cycling 15 km/h, car 80 km/h, train 120 km/h, flight
            800 km/h plus 2 h of airport time.
        stops: Number of stops or layovers, each adding 15 min (1 h for flights).

    Returns:
        total_minutes (rounded) and a readable 'Xh YYm' duration.
    """
    speeds = {"walking": 5, "cycling": 15, "car": 80, "train": 120, "flight": 800}
    if mode not in speeds:
        raise ValueError(f"mode must be one of {list(speeds)}")
    d = _num("distance_km", distance_km, 0, 40000)
    s = int(_num("stops", stops, 0, 50))
    minutes = d / speeds[mode] * 60
    minutes += s * (60 if mode == "flight" else 15) + (120 if mode == "flight" else 0)
    total = round(minutes)
    return {"total_minutes": total, "duration": f"{total // 60}h {total % 60:02d}m"}


def flight_arrival_time(
    departure_local: str,
    departure_city: City,
    arrival_city: City,
    duration_minutes: int,
) -> dict[str, Any]:
    """Compute the local arrival time of a flight across time zones (standard time, no DST).

    Args:
        departure_local: Local departure date and time, e.g. 2024-06-01T22:15.
        departure_city: City of departure.
        arrival_city: City of arrival.
        duration_minutes: Flight duration in minutes.

    Returns:
        arrival_local (YYYY-MM-DDTHH:MM), day_offset (calendar days later) and
        time_difference_hours.
    """
    try:
        dep = dt.datetime.fromisoformat(departure_local)
    except (TypeError, ValueError):
        raise ValueError("departure_local must be an ISO date-time like 2024-06-01T22:15") from None
    diff = _city("arrival_city", arrival_city) - _city("departure_city", departure_city)
    mins = _num("duration_minutes", duration_minutes, 1, 2000)
    arr = dep + dt.timedelta(minutes=mins, hours=diff)
    return {
        "arrival_local": arr.strftime("%Y-%m-%dT%H:%M"),
        "day_offset": (arr.date() - dep.date()).days,
        "time_difference_hours": diff,
    }


def hotel_stay_cost(
    nightly_rate: float,
    check_in: str,
    check_out: str,
    rooms: int = 1,
    tax_percent: float = 0.0,
    nightly_fee: float = 0.0,
) -> dict[str, Any]:
    """Compute the total price of a hotel stay from dates, rate, taxes and per-night fees.

    Args:
        nightly_rate: Room price per night before tax.
        check_in: Check-in date, YYYY-MM-DD.
        check_out: Check-out date, YYYY-MM-DD (after check_in).
        rooms: Number of rooms booked.
        tax_percent: Tax rate in percent applied to room charges.
        nightly_fee: Flat fee per room per night (resort or city fee), not taxed.

    Returns:
        nights, subtotal, tax, fees and total (money rounded to cents).
    """
    try:
        nights = (dt.date.fromisoformat(check_out) - dt.date.fromisoformat(check_in)).days
    except (TypeError, ValueError):
        raise ValueError("check_in and check_out must be dates in YYYY-MM-DD format") from None
    if not 1 <= nights <= 365:
        raise ValueError("check_out must be 1 to 365 nights after check_in")
    rate = _num("nightly_rate", nightly_rate, 0, 1e6)
    r = int(_num("rooms", rooms, 1, 100))
    tax_rate = _num("tax_percent", tax_percent, 0, 100)
    fee = _num("nightly_fee", nightly_fee, 0, 1e5)
    subtotal = rate * nights * r
    tax = subtotal * tax_rate / 100
    fees = fee * nights * r
    return {
        "nights": nights,
        "subtotal": round(subtotal, 2),
        "tax": round(tax, 2),
        "fees": round(fees, 2),
        "total": round(subtotal + tax + fees, 2),
    }


def travel_carbon_footprint(
    distance_km: float,
    mode: Literal["short_haul_flight", "long_haul_flight", "car", "bus", "train", "ferry"],
    passengers: int = 1,
    round_trip: bool = False,
) -> dict[str, Any]:
    """Estimate greenhouse-gas emissions of a journey from per-passenger-km factors.

    Args:
        distance_km: One-way distance in kilometres.
        mode: Transport mode.
        passengers: Number of travellers (a car's emissions are shared by its occupants).
        round_trip: Count the return journey too.

    Returns:
        kg_co2e for the whole group and the mode's factor, rounded to 2 decimals.
    """
    if mode not in _EMISSIONS_KG_PER_PKM:
        raise ValueError(f"mode must be one of {list(_EMISSIONS_KG_PER_PKM)}")
    d = _num("distance_km", distance_km, 0, 50000) * (2 if round_trip else 1)
    p = int(_num("passengers", passengers, 1, 1000))
    factor = _EMISSIONS_KG_PER_PKM[mode]
    total = d * factor if mode == "car" else d * factor * p
    return {"kg_co2e": round(total, 2), "factor_kg_per_km": factor}


def split_travel_expenses(names: list[str], amounts_paid: list[float]) -> dict[str, Any]:
    """Settle shared trip expenses: who owes whom so that everyone pays an equal share.

    Args:
        names: Travellers' names, unique.
        amounts_paid: What each traveller paid, same order as names.

    Returns:
        share per person and the transfers [{from, to, amount}] settling all balances.
    """
    if len(names) != len(amounts_paid) or len(names) < 2:
        raise ValueError("names and amounts_paid must have the same length, at least 2")
    if len(set(names)) != len(names):
        raise ValueError("names must be unique")
    cents = [round(_num("amounts_paid[]", a, 0, 1e9) * 100) for a in amounts_paid]
    total = sum(cents)
    base, extra = divmod(total, len(names))
    # The first `extra` people owe one more cent, so shares add up exactly.
    balances = [c - (base + (1 if i < extra else 0)) for i, c in enumerate(cents)]
    debtors = [[names[i], -b] for i, b in enumerate(balances) if b < 0]
    creditors = [[names[i], b] for i, b in enumerate(balances) if b > 0]
    transfers = []
    i = j = 0
    while i < len(debtors) and j < len(creditors):
        amount = min(debtors[i][1], creditors[j][1])
        transfers.append({"from": debtors[i][0], "to": creditors[j][0], "amount": amount / 100})
        debtors[i][1] -= amount
        creditors[j][1] -= amount
        if debtors[i][1] == 0:
            i += 1
        if creditors[j][1] == 0:
            j += 1
    return {"share": round(total / len(names) / 100, 2), "transfers": transfers}


def daily_travel_budget(
    total_budget: float,
    trip_days: int,
    prepaid_costs: float = 0.0,
    reserve_percent: float = 10.0,
) -> dict[str, float]:
    """Work out how much can be spent per day of a trip after prepaid costs and a safety reserve.

    Args:
        total_budget: Total money available for the trip.
        trip_days: Length of the trip in days.
        prepaid_costs: Amount already spent (flights, hotels booked in advance).
        reserve_percent: Share of the remaining money kept aside for emergencies, in percent.

    Returns:
        remaining, reserve and per_day, rounded to cents.
    """
    budget = _num("total_budget", total_budget, 0, 1e9)
    days = int(_num("trip_days", trip_days, 1, 3650))
    prepaid = _num("prepaid_costs", prepaid_costs, 0, 1e9)
    reserve_pct = _num("reserve_percent", reserve_percent, 0, 100)
    if prepaid > budget:
        raise ValueError("prepaid_costs exceed total_budget")
    remaining = budget - prepaid
    reserve = remaining * reserve_pct / 100
    return {
        "remaining": round(remaining, 2),
        "reserve": round(reserve, 2),
        "per_day": round((remaining - reserve) / days, 2),
    }


def jet_lag_recovery_days(departure_city: City, arrival_city: City) -> dict[str, Any]:
    """Estimate jet lag from the time-zone shift (rule of thumb: about one day per zone crossed,
    faster westward).

    Args:
        departure_city: City the traveller leaves.
        arrival_city: City the traveller flies to.

    Returns:
        hours_shift (positive eastward), direction and estimated recovery_days.
    """
    shift = _city("arrival_city", arrival_city) - _city("departure_city", departure_city)
    if shift > 12:
        shift -= 24
    elif shift < -12:
        shift += 24
    if shift == 0:
        return {"hours_shift": 0.0, "direction": "none", "recovery_days": 0}
    direction = "east" if shift > 0 else "west"
    days = math.ceil(abs(shift) if direction == "east" else abs(shift) / 1.5)
    return {"hours_shift": shift, "direction": direction, "recovery_days": days}


def packing_list(
    trip_days: int,
    climate: Literal["hot", "mild", "cold"],
    trip_type: Literal["leisure", "business", "hiking"] = "leisure",
    laundry_available: bool = False,
) -> dict[str, int]:
    """Suggest how many of each clothing item to pack for a trip.

    Args:
        trip_days: Number of days away.
        climate: Expected weather at the destination.
        trip_type: Purpose of the trip, which adds specific items.
        laundry_available: Pack for at most 7 days when clothes can be washed.

    Returns:
        Item name -> quantity.
    """
    days = int(_num("trip_days", trip_days, 1, 365))
    if climate not in ("hot", "mild", "cold"):
        raise ValueError("climate must be hot, mild or cold")
    if trip_type not in ("leisure", "business", "hiking"):
        raise ValueError("trip_type must be leisure, business or hiking")
    n = min(days, 7) if laundry_available else days
    items = {
        "underwear": n + 1,
        "socks": n + 1,
        "tops": n,
        "bottoms": max(1, math.ceil(n / 3)),
    }
    if climate == "hot":
        items.update({"swimwear": 1, "sunscreen": 1, "sun_hat": 1})
    elif climate == "cold":
        items.update(
            {
                "warm_jacket": 1,
                "sweaters": max(1, math.ceil(n / 3)),
                "gloves": 1,
                "thermal_layers": 2,
            }
        )
    else:
        items.update({"light_jacket": 1, "umbrella": 1})
    if trip_type == "business":
        items.update({"suits": max(1, math.ceil(n / 3)), "dress_shoes": 1})
    elif trip_type == "hiking":
        items.update({"hiking_boots": 1, "rain_jacket": 1, "water_bottle": 1})
    return items


EXAMPLES: dict[str, list[tuple[dict[str, Any], Any]]] = {
    "trip_fuel_cost": [
        (
            {
                "distance_km": 350,
                "fuel_efficiency_l_per_100km": 6.5,
                "fuel_price_per_litre": 1.8,
                "round_trip": True,
                "passengers": 3,
            },
            {"litres": 45.5, "total_cost": 81.9, "cost_per_person": 27.3},
        ),
    ],
    "estimate_travel_time": [
        (
            {"distance_km": 240, "mode": "train"},
            {"total_minutes": 120, "duration": "2h 00m"},
        ),
        (
            {"distance_km": 4000, "mode": "flight", "stops": 1},
            {"total_minutes": 480, "duration": "8h 00m"},
        ),
    ],
    "flight_arrival_time": [
        (
            {
                "departure_local": "2024-06-01T18:00",
                "departure_city": "new_york",
                "arrival_city": "london",
                "duration_minutes": 420,
            },
            {
                "arrival_local": "2024-06-02T06:00",
                "day_offset": 1,
                "time_difference_hours": 5.0,
            },
        ),
    ],
    "hotel_stay_cost": [
        (
            {
                "nightly_rate": 120,
                "check_in": "2024-08-10",
                "check_out": "2024-08-13",
                "tax_percent": 12,
                "nightly_fee": 5,
            },
            {"nights": 3, "subtotal": 360.0, "tax": 43.2, "fees": 15.0, "total": 418.2},
        ),
    ],
    "travel_carbon_footprint": [
        (
            {"distance_km": 500, "mode": "train", "passengers": 2},
            {"kg_co2e": 35.0, "factor_kg_per_km": 0.035},
        ),
        (
            {"distance_km": 300, "mode": "car", "passengers": 3, "round_trip": True},
            {"kg_co2e": 102.0, "factor_kg_per_km": 0.17},
        ),
    ],
    "split_travel_expenses": [
        (
            {"names": ["Ana", "Ben", "Cy"], "amounts_paid": [120, 30, 0]},
            {
                "share": 50.0,
                "transfers": [
                    {"from": "Ben", "to": "Ana", "amount": 20.0},
                    {"from": "Cy", "to": "Ana", "amount": 50.0},
                ],
            },
        ),
    ],
    "daily_travel_budget": [
        (
            {"total_budget": 3000, "trip_days": 10, "prepaid_costs": 1000},
            {"remaining": 2000.0, "reserve": 200.0, "per_day": 180.0},
        ),
    ],
    "jet_lag_recovery_days": [
        (
            {"departure_city": "los_angeles", "arrival_city": "paris"},
            {"hours_shift": 9.0, "direction": "east", "recovery_days": 9},
        ),
        (
            {"departure_city": "tokyo", "arrival_city": "london"},
            {"hours_shift": -9.0, "direction": "west", "recovery_days": 6},
        ),
    ],
    "packing_list": [
        (
            {"trip_days": 3, "climate": "hot"},
            {
                "underwear": 4,
                "socks": 4,
                "tops": 3,
                "bottoms": 1,
                "swimwear": 1,
                "sunscreen": 1,
                "sun_hat": 1,
            },
        ),
    ],
}
