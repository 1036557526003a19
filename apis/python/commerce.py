"""Commerce: currency conversion, prices, discounts, taxes, tips, shipping and inventory."""

from __future__ import annotations

import math
from typing import Any, Literal

CATEGORY = "commerce"

# Fixed reference table of exchange rates: units of each currency per 1 US dollar. These
# are frozen reference values (not live quotes) so results are reproducible.
_USD_RATES = {
    "USD": 1.0, "EUR": 0.92, "GBP": 0.79, "JPY": 150.0, "CHF": 0.88, "CAD": 1.36,
    "AUD": 1.52, "CNY": 7.2, "INR": 83.0, "MXN": 17.0, "BRL": 5.0, "KRW": 1330.0,
    "SGD": 1.34, "SEK": 10.4, "ZAR": 18.6,
}  # fmt: skip
Currency = Literal[
    "USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "CNY", "INR", "MXN", "BRL", "KRW", "SGD",
    "SEK", "ZAR",
]  # fmt: skip

# Fixed reference table of shipping tariffs: (base fee, fee per kg) by zone and speed.
_SHIPPING = {
    ("domestic", "standard"): (4.99, 1.10),
    ("domestic", "express"): (9.99, 2.00),
    ("international", "standard"): (14.99, 4.50),
    ("international", "express"): (29.99, 7.50),
}


def _money(name: str, value: float, allow_zero: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise TypeError(f"{name} must be a finite number")
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be {'non-negative' if allow_zero else 'positive'}")
    return float(value)


def _percent(name: str, value: float) -> float:
    v = _money(name, value)
    if v > 100:
        raise ValueError(f"{name} must be at most 100")
    return v


def convert_currency_amount(
    amount: float, from_currency: Currency, to_currency: Currency
) -> dict[str, Any]:
    """Convert money between currencies using a fixed reference table of exchange rates.

    Args:
        amount: The amount to convert.
        from_currency: ISO 4217 code of the amount's currency.
        to_currency: ISO 4217 code of the currency wanted.

    Returns:
        converted amount (rounded to 2 decimals), the rate used and the currency codes.
    """
    a = _money("amount", amount)
    src, dst = from_currency.upper(), to_currency.upper()
    for code in (src, dst):
        if code not in _USD_RATES:
            raise ValueError(f"unsupported currency {code!r}; supported: {', '.join(_USD_RATES)}")
    rate = _USD_RATES[dst] / _USD_RATES[src]
    return {"amount": round(a * rate, 2), "rate": round(rate, 6), "from": src, "to": dst}


def apply_discount(
    price: float, discount: float, discount_type: Literal["percent", "fixed"] = "percent"
) -> dict[str, float]:
    """Apply a percentage or fixed-amount discount to a price.

    Args:
        price: Original price.
        discount: Discount in percent (0-100) or as a fixed amount, depending on discount_type.
        discount_type: 'percent' or 'fixed'.

    Returns:
        final_price and savings, rounded to cents.
    """
    p = _money("price", price)
    if discount_type == "percent":
        saving = p * _percent("discount", discount) / 100
    elif discount_type == "fixed":
        saving = min(_money("discount", discount), p)
    else:
        raise ValueError("discount_type must be 'percent' or 'fixed'")
    return {"final_price": round(p - saving, 2), "savings": round(saving, 2)}


def calculate_sales_tax(
    amount: float, tax_rate_percent: float, tax_included: bool = False
) -> dict[str, float]:
    """Compute sales tax or VAT on an amount, either added on top or already included.

    Args:
        amount: The price.
        tax_rate_percent: Tax rate in percent, e.g. 8.875 or 20.
        tax_included: True when amount already includes the tax (extract it instead of adding it).

    Returns:
        net, tax and gross amounts, rounded to cents.
    """
    a = _money("amount", amount)
    rate = _percent("tax_rate_percent", tax_rate_percent) / 100
    net = a / (1 + rate) if tax_included else a
    gross = a if tax_included else a * (1 + rate)
    return {"net": round(net, 2), "tax": round(gross - net, 2), "gross": round(gross, 2)}


def calculate_tip(
    bill_amount: float, tip_percent: float = 18.0, people: int = 1, round_up: bool = False
) -> dict[str, float]:
    """Compute the tip and total of a restaurant bill, split between diners.

    Args:
        bill_amount: The bill before tip.
        tip_percent: Tip rate in percent.
        people: Number of people splitting the bill.
        round_up: Round each person's share up to the next whole unit of currency.

    Returns:
        tip, total and per_person, rounded to cents.
    """
    bill = _money("bill_amount", bill_amount)
    tip = bill * _percent("tip_percent", tip_percent) / 100
    if isinstance(people, bool) or not isinstance(people, int) or not 1 <= people <= 100:
        raise ValueError("people must be an integer between 1 and 100")
    per = (bill + tip) / people
    if round_up:
        per = math.ceil(round(per, 6))
    return {"tip": round(tip, 2), "total": round(bill + tip, 2), "per_person": round(per, 2)}


def profit_margin(cost: float, selling_price: float) -> dict[str, float]:
    """Compute profit, margin (on price) and markup (on cost) of a product.

    Args:
        cost: What the product costs the seller (positive).
        selling_price: The price it sells for (positive).

    Returns:
        profit, margin_percent and markup_percent, rounded to 2 decimals.
    """
    c = _money("cost", cost, allow_zero=False)
    p = _money("selling_price", selling_price, allow_zero=False)
    return {
        "profit": round(p - c, 2),
        "margin_percent": round((p - c) / p * 100, 2),
        "markup_percent": round((p - c) / c * 100, 2),
    }


def price_for_target_margin(cost: float, target_margin_percent: float) -> float:
    """Find the selling price that yields a target gross margin on price.

    Args:
        cost: Unit cost (positive).
        target_margin_percent: Wanted margin as a percentage of the price (0 to below 100).

    Returns:
        The selling price, rounded to cents.
    """
    c = _money("cost", cost, allow_zero=False)
    m = _money("target_margin_percent", target_margin_percent)
    if m >= 100:
        raise ValueError("target_margin_percent must be below 100")
    return round(c / (1 - m / 100), 2)


def shipping_cost(
    weight_kg: float,
    zone: Literal["domestic", "international"] = "domestic",
    speed: Literal["standard", "express"] = "standard",
    declared_value: float = 0.0,
) -> dict[str, float]:
    """Quote a parcel shipping cost from a fixed tariff table, with optional insurance.

    Args:
        weight_kg: Parcel weight in kilograms (up to 70); billed per started kilogram.
        zone: Destination zone.
        speed: Delivery speed.
        declared_value: Value to insure; insurance costs 1% of it.

    Returns:
        billable_kg, shipping, insurance and total, rounded to cents.
    """
    w = _money("weight_kg", weight_kg, allow_zero=False)
    if w > 70:
        raise ValueError("weight_kg must be at most 70")
    if (zone, speed) not in _SHIPPING:
        raise ValueError("zone must be domestic/international and speed standard/express")
    base, per_kg = _SHIPPING[(zone, speed)]
    billable = math.ceil(round(w, 6))
    ship = base + per_kg * billable
    insurance = _money("declared_value", declared_value) * 0.01
    return {
        "billable_kg": billable,
        "shipping": round(ship, 2),
        "insurance": round(insurance, 2),
        "total": round(ship + insurance, 2),
    }


def order_total(
    unit_prices: list[float],
    quantities: list[int],
    coupon_percent: float = 0.0,
    tax_rate_percent: float = 0.0,
    shipping_fee: float = 0.0,
) -> dict[str, float]:
    """Compute a shopping-cart total: line items, coupon, tax on the discounted goods, shipping.

    Args:
        unit_prices: Price of one unit of each line item.
        quantities: Quantity of each line item, same order as unit_prices.
        coupon_percent: Percentage discount on the goods.
        tax_rate_percent: Sales tax rate in percent, applied after the coupon.
        shipping_fee: Flat shipping fee (not taxed, not discounted).

    Returns:
        subtotal, discount, tax, shipping and total, rounded to cents.
    """
    if len(unit_prices) != len(quantities) or not unit_prices:
        raise ValueError("unit_prices and quantities must be non-empty and of equal length")
    for q in quantities:
        if isinstance(q, bool) or not isinstance(q, int) or q < 1:
            raise ValueError("quantities must be positive integers")
    subtotal = sum(
        _money("unit_prices[]", p) * q for p, q in zip(unit_prices, quantities, strict=True)
    )
    discount = subtotal * _percent("coupon_percent", coupon_percent) / 100
    tax = (subtotal - discount) * _percent("tax_rate_percent", tax_rate_percent) / 100
    ship = _money("shipping_fee", shipping_fee)
    return {
        "subtotal": round(subtotal, 2),
        "discount": round(discount, 2),
        "tax": round(tax, 2),
        "shipping": round(ship, 2),
        "total": round(subtotal - discount + tax + ship, 2),
    }


def compare_unit_prices(
    prices: list[float], quantities: list[float], labels: list[str] | None = None
) -> dict[str, Any]:
    """Compare package deals by price per unit (per gram, per litre...) and find the best value.

    Args:
        prices: Price of each package.
        quantities: Amount in each package, in one common unit.
        labels: Optional names of the packages; defaults to 'option 1', 'option 2', ...

    Returns:
        unit_prices (label -> price per unit, 4 decimals) and best (the cheapest per unit).
    """
    if len(prices) != len(quantities) or len(prices) < 2:
        raise ValueError("prices and quantities must have equal length, at least 2")
    names = labels if labels is not None else [f"option {i + 1}" for i in range(len(prices))]
    if not all(isinstance(n, str) for n in names):
        raise TypeError("labels must be strings")
    if len(names) != len(prices) or len(set(names)) != len(names):
        raise ValueError("labels must be unique and match the number of prices")
    unit = {
        n: round(_money("prices[]", p) / _money("quantities[]", q, allow_zero=False), 4)
        for n, p, q in zip(names, prices, quantities, strict=True)
    }
    return {"unit_prices": unit, "best": min(unit, key=lambda n: unit[n])}


def economic_order_quantity(
    annual_demand: float, order_cost: float, holding_cost_per_unit: float
) -> dict[str, float]:
    """Compute the economic order quantity (EOQ) minimising ordering plus holding costs.

    Args:
        annual_demand: Units sold per year.
        order_cost: Fixed cost of placing one order.
        holding_cost_per_unit: Cost of holding one unit in stock for a year.

    Returns:
        eoq (units), orders_per_year and total_annual_cost, rounded to 2 decimals.
    """
    d = _money("annual_demand", annual_demand, allow_zero=False)
    s = _money("order_cost", order_cost, allow_zero=False)
    h = _money("holding_cost_per_unit", holding_cost_per_unit, allow_zero=False)
    q = math.sqrt(2 * d * s / h)
    return {
        "eoq": round(q, 2),
        "orders_per_year": round(d / q, 2),
        "total_annual_cost": round(d / q * s + q / 2 * h, 2),
    }


def inventory_reorder_point(
    daily_demand: float, lead_time_days: float, safety_stock: float = 0.0
) -> float:
    """Compute the stock level at which to reorder so the new delivery arrives before running out.

    Args:
        daily_demand: Average units sold per day.
        lead_time_days: Days between ordering and delivery.
        safety_stock: Extra units kept against demand spikes.

    Returns:
        The reorder point in units, rounded to 2 decimals.
    """
    return round(
        _money("daily_demand", daily_demand) * _money("lead_time_days", lead_time_days)
        + _money("safety_stock", safety_stock),
        2,
    )


def inventory_valuation(
    stock_quantities: dict[str, float], unit_costs: dict[str, float], top_n: int = 3
) -> dict[str, Any]:
    """Value a stock of goods item by item and find the items tying up the most money.

    Args:
        stock_quantities: Units in stock per item (SKU or name), e.g. {"mug": 120, "tee": 40}.
        unit_costs: Cost of one unit per item; every stocked item needs a cost.
        top_n: How many of the most valuable items to list.

    Returns:
        total_value, value per item (rounded to cents) and the top items by value.
    """
    if not stock_quantities:
        raise ValueError("stock_quantities must not be empty")
    missing = set(stock_quantities) - set(unit_costs)
    if missing:
        raise ValueError(f"no unit cost for: {sorted(missing)}")
    if top_n < 1:
        raise ValueError("top_n must be positive")
    values = {
        item: round(
            _money(f"stock_quantities[{item}]", qty)
            * _money(f"unit_costs[{item}]", unit_costs[item]),
            2,
        )
        for item, qty in stock_quantities.items()
    }
    top = sorted(values, key=lambda k: (-values[k], k))[:top_n]
    return {"total_value": round(sum(values.values()), 2), "values": values, "top_items": top}


EXAMPLES: dict[str, list[tuple[dict[str, Any], Any]]] = {
    "convert_currency_amount": [
        (
            {"amount": 100, "from_currency": "USD", "to_currency": "EUR"},
            {"amount": 92.0, "rate": 0.92, "from": "USD", "to": "EUR"},
        ),
        (
            {"amount": 5000, "from_currency": "JPY", "to_currency": "GBP"},
            {"amount": 26.33, "rate": 0.005267, "from": "JPY", "to": "GBP"},
        ),
    ],
    "apply_discount": [
        ({"price": 80, "discount": 25}, {"final_price": 60.0, "savings": 20.0}),
        (
            {"price": 49.99, "discount": 10, "discount_type": "fixed"},
            {"final_price": 39.99, "savings": 10.0},
        ),
    ],
    "calculate_sales_tax": [
        ({"amount": 100, "tax_rate_percent": 8.875}, {"net": 100.0, "tax": 8.88, "gross": 108.88}),
        (
            {"amount": 120, "tax_rate_percent": 20, "tax_included": True},
            {"net": 100.0, "tax": 20.0, "gross": 120.0},
        ),
    ],
    "calculate_tip": [
        (
            {"bill_amount": 85, "tip_percent": 20, "people": 4},
            {"tip": 17.0, "total": 102.0, "per_person": 25.5},
        ),
        (
            {"bill_amount": 85, "tip_percent": 20, "people": 4, "round_up": True},
            {"tip": 17.0, "total": 102.0, "per_person": 26.0},
        ),
    ],
    "profit_margin": [
        (
            {"cost": 60, "selling_price": 100},
            {"profit": 40.0, "margin_percent": 40.0, "markup_percent": 66.67},
        ),
    ],
    "price_for_target_margin": [({"cost": 30, "target_margin_percent": 40}, 50.0)],
    "shipping_cost": [
        ({"weight_kg": 2.3}, {"billable_kg": 3, "shipping": 8.29, "insurance": 0.0, "total": 8.29}),
        (
            {"weight_kg": 1, "zone": "international", "speed": "express", "declared_value": 200},
            {"billable_kg": 1, "shipping": 37.49, "insurance": 2.0, "total": 39.49},
        ),
    ],
    "order_total": [
        (
            {
                "unit_prices": [19.99, 5.5],
                "quantities": [2, 3],
                "coupon_percent": 10,
                "tax_rate_percent": 8,
                "shipping_fee": 4.99,
            },
            {"subtotal": 56.48, "discount": 5.65, "tax": 4.07, "shipping": 4.99, "total": 59.89},
        ),
    ],
    "compare_unit_prices": [
        (
            {"prices": [3.49, 5.99], "quantities": [500, 1000], "labels": ["small", "large"]},
            {"unit_prices": {"small": 0.007, "large": 0.006}, "best": "large"},
        ),
    ],
    "economic_order_quantity": [
        (
            {"annual_demand": 1000, "order_cost": 50, "holding_cost_per_unit": 4},
            {"eoq": 158.11, "orders_per_year": 6.32, "total_annual_cost": 632.46},
        ),
    ],
    "inventory_reorder_point": [
        ({"daily_demand": 40, "lead_time_days": 5, "safety_stock": 60}, 260.0)
    ],
    "inventory_valuation": [
        (
            {
                "stock_quantities": {"mug": 120, "tee": 40, "cap": 15},
                "unit_costs": {"mug": 3.5, "tee": 8.0, "cap": 6.25},
                "top_n": 2,
            },
            {
                "total_value": 833.75,
                "values": {"mug": 420.0, "tee": 320.0, "cap": 93.75},
                "top_items": ["mug", "tee"],
            },
        ),
    ],
}
