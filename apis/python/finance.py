"""Finance: interest, loans, investment appraisal, growth rates and depreciation."""

from __future__ import annotations

import math
from typing import Any, Literal

CATEGORY = "finance"

_PERIODS_PER_YEAR = {
    "annually": 1,
    "semiannually": 2,
    "quarterly": 4,
    "monthly": 12,
    "daily": 365,
}


def _positive(name: str, value: float, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise TypeError(f"{name} must be a finite number")
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be {'non-negative' if allow_zero else 'positive'}")
    return float(value)


def compound_interest(
    principal: float,
    annual_rate: float,
    years: float,
    compounding: Literal["annually", "semiannually", "quarterly", "monthly", "daily"] = "annually",
) -> dict[str, float]:
    """Compute the future value of a deposit with compound interest.

    Args:
        principal: The initial amount deposited.
        annual_rate: Nominal annual interest rate as a percentage (5 means 5%).
        years: Number of years the money is invested.
        compounding: How often interest is compounded.

    Returns:
        The final amount and the interest earned, rounded to cents.
    """
    _positive("principal", principal)
    _positive("annual_rate", annual_rate, allow_zero=True)
    _positive("years", years, allow_zero=True)
    if compounding not in _PERIODS_PER_YEAR:
        raise ValueError(f"compounding must be one of {sorted(_PERIODS_PER_YEAR)}")
    n = _PERIODS_PER_YEAR[compounding]
    amount = principal * (1 + annual_rate / 100 / n) ** (n * years)
    return {"amount": round(amount, 2), "interest": round(amount - principal, 2)}


def simple_interest(principal: float, annual_rate: float, years: float) -> dict[str, float]:
    """Compute simple (non-compounding) interest on a principal.

    Args:
        principal: The amount lent or invested.
        annual_rate: Annual interest rate as a percentage.
        years: Duration in years.

    Returns:
        The interest and the total amount, rounded to cents.
    """
    _positive("principal", principal)
    _positive("annual_rate", annual_rate, allow_zero=True)
    _positive("years", years, allow_zero=True)
    interest = principal * annual_rate / 100 * years
    return {"interest": round(interest, 2), "total": round(principal + interest, 2)}


def loan_monthly_payment(principal: float, annual_rate: float, years: int) -> dict[str, float]:
    """Compute the fixed monthly payment of an amortising loan or mortgage.

    Args:
        principal: The amount borrowed.
        annual_rate: Annual interest rate as a percentage (0 allowed).
        years: Loan term in years (1 to 50).

    Returns:
        The monthly payment, the total paid and the total interest, rounded to cents.
    """
    _positive("principal", principal)
    _positive("annual_rate", annual_rate, allow_zero=True)
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= 50:
        raise ValueError("years must be an integer between 1 and 50")
    n = years * 12
    r = annual_rate / 100 / 12
    payment = principal / n if r == 0 else principal * r / (1 - (1 + r) ** -n)
    total = payment * n
    return {
        "monthly_payment": round(payment, 2),
        "total_paid": round(total, 2),
        "total_interest": round(total - principal, 2),
    }


def net_present_value(rate: float, cash_flows: list[float]) -> float:
    """Compute the net present value of a series of yearly cash flows.

    Args:
        rate: Discount rate per period as a percentage.
        cash_flows: Cash flows starting at period 0 (usually a negative investment).

    Returns:
        The NPV, rounded to cents.
    """
    if not cash_flows:
        raise ValueError("cash_flows must not be empty")
    if rate <= -100:
        raise ValueError("rate must be greater than -100")
    r = rate / 100
    return round(sum(cf / (1 + r) ** t for t, cf in enumerate(cash_flows)), 2)


def internal_rate_of_return(cash_flows: list[float]) -> float:
    """Find the internal rate of return (the discount rate where NPV is zero) by bisection.

    Args:
        cash_flows: Cash flows starting at period 0; they must change sign at least once.

    Returns:
        The IRR as a percentage, rounded to 4 decimals.
    """
    if len(cash_flows) < 2:
        raise ValueError("cash_flows must hold at least two values")
    if not (any(c < 0 for c in cash_flows) and any(c > 0 for c in cash_flows)):
        raise ValueError("cash_flows must contain both negative and positive values")

    def npv(r: float) -> float:
        return sum(cf / (1 + r) ** t for t, cf in enumerate(cash_flows))

    lo, hi = -0.9999, 10.0
    if npv(lo) * npv(hi) > 0:
        raise ValueError("no internal rate of return between -99.99% and 1000%")
    for _ in range(200):
        mid = (lo + hi) / 2
        if npv(lo) * npv(mid) <= 0:
            hi = mid
        else:
            lo = mid
    return round((lo + hi) / 2 * 100, 4)


def future_value_of_annuity(
    payment: float, annual_rate: float, years: int, payments_per_year: int = 12
) -> float:
    """Compute the future value of equal regular deposits (an ordinary annuity).

    Args:
        payment: Amount deposited at the end of each period.
        annual_rate: Annual interest rate as a percentage.
        years: Number of years of deposits.
        payments_per_year: Deposits per year (12 for monthly).

    Returns:
        The accumulated value, rounded to cents.
    """
    _positive("payment", payment)
    _positive("annual_rate", annual_rate, allow_zero=True)
    if years < 1 or payments_per_year < 1:
        raise ValueError("years and payments_per_year must be at least 1")
    n = years * payments_per_year
    r = annual_rate / 100 / payments_per_year
    fv = payment * n if r == 0 else payment * ((1 + r) ** n - 1) / r
    return round(fv, 2)


def return_on_investment(initial_value: float, final_value: float) -> float:
    """Compute the return on investment as a percentage of the initial value.

    Args:
        initial_value: Amount invested (positive).
        final_value: Value of the investment at the end.

    Returns:
        ROI in percent, rounded to 4 decimals.
    """
    _positive("initial_value", initial_value)
    return round((final_value - initial_value) / initial_value * 100, 4)


def compound_annual_growth_rate(start_value: float, end_value: float, years: float) -> float:
    """Compute the compound annual growth rate (CAGR) between two values.

    Args:
        start_value: Value at the beginning (positive).
        end_value: Value at the end (positive).
        years: Number of years between the two values (positive).

    Returns:
        CAGR in percent, rounded to 4 decimals.
    """
    _positive("start_value", start_value)
    _positive("end_value", end_value)
    _positive("years", years)
    return round(((end_value / start_value) ** (1 / years) - 1) * 100, 4)


def break_even_units(
    fixed_costs: float, price_per_unit: float, variable_cost_per_unit: float
) -> dict[str, float]:
    """Compute how many units must be sold to cover fixed costs.

    Args:
        fixed_costs: Total fixed costs of the period.
        price_per_unit: Selling price of one unit.
        variable_cost_per_unit: Variable cost of producing one unit (below the price).

    Returns:
        Units to sell (rounded up) and the break-even revenue.
    """
    _positive("fixed_costs", fixed_costs, allow_zero=True)
    _positive("price_per_unit", price_per_unit)
    _positive("variable_cost_per_unit", variable_cost_per_unit, allow_zero=True)
    margin = price_per_unit - variable_cost_per_unit
    if margin <= 0:
        raise ValueError("price_per_unit must exceed variable_cost_per_unit")
    units = math.ceil(round(fixed_costs / margin, 9))
    return {"units": units, "revenue": round(units * price_per_unit, 2)}


def depreciation_schedule(
    cost: float,
    salvage_value: float,
    useful_life_years: int,
    method: Literal["straight_line", "double_declining"] = "straight_line",
) -> list[dict[str, float]]:
    """Build a yearly depreciation schedule for an asset.

    Args:
        cost: Purchase cost of the asset.
        salvage_value: Residual value at the end of its life (below cost).
        useful_life_years: Useful life in years (1 to 50).
        method: 'straight_line' or 'double_declining' (switches never; stops at salvage value).

    Returns:
        One row per year with year, depreciation and end-of-year book_value.
    """
    _positive("cost", cost)
    _positive("salvage_value", salvage_value, allow_zero=True)
    if salvage_value >= cost:
        raise ValueError("salvage_value must be below cost")
    if not 1 <= useful_life_years <= 50:
        raise ValueError("useful_life_years must be between 1 and 50")
    if method not in ("straight_line", "double_declining"):
        raise ValueError("method must be 'straight_line' or 'double_declining'")
    rows = []
    book = cost
    for year in range(1, useful_life_years + 1):
        if method == "straight_line":
            dep = (cost - salvage_value) / useful_life_years
        else:
            dep = book * 2 / useful_life_years
            if year == useful_life_years or book - dep < salvage_value:
                dep = book - salvage_value
        book -= dep
        rows.append({"year": year, "depreciation": round(dep, 2), "book_value": round(book, 2)})
    return rows


def rule_of_72_doubling_time(annual_rate: float) -> dict[str, float]:
    """Estimate how many years an investment takes to double, by the rule of 72 and exactly.

    Args:
        annual_rate: Annual growth rate as a percentage (positive).

    Returns:
        The rule-of-72 estimate and the exact doubling time with annual compounding, in years.
    """
    _positive("annual_rate", annual_rate)
    exact = math.log(2) / math.log(1 + annual_rate / 100)
    return {
        "rule_of_72_years": round(72 / annual_rate, 4),
        "exact_years": round(exact, 4),
    }


def portfolio_rebalance(
    holdings: dict[str, float], target_weights: dict[str, float], cash_to_add: float = 0.0
) -> dict[str, Any]:
    """Compute the trades that bring a portfolio to its target allocation.

    Args:
        holdings: Current market value held in each asset, e.g. {"stocks": 6000, "bonds": 4000}.
        target_weights: Target share of each asset in percent, summing to 100; assets missing
            from holdings start at zero.
        cash_to_add: New money invested at the same time (negative to withdraw).

    Returns:
        total value after the cash flow, and per asset the target value and the trade (positive
        buys, negative sells), rounded to cents.
    """
    if not target_weights:
        raise ValueError("target_weights must not be empty")
    for name, value in {**holdings, **target_weights}.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ValueError(f"{name}: values and weights must be non-negative numbers")
    if abs(sum(target_weights.values()) - 100) > 1e-6:
        raise ValueError("target_weights must sum to 100")
    unknown = set(holdings) - set(target_weights)
    if unknown:
        raise ValueError(f"holdings without a target weight: {sorted(unknown)}")
    total = sum(holdings.values()) + cash_to_add
    if total < 0:
        raise ValueError("withdrawal exceeds the portfolio value")
    trades = {}
    for asset, weight in target_weights.items():
        target = total * weight / 100
        trades[asset] = {
            "target_value": round(target, 2),
            "trade": round(target - holdings.get(asset, 0.0), 2),
        }
    return {"total_value": round(total, 2), "assets": trades}


EXAMPLES: dict[str, list[tuple[dict[str, Any], Any]]] = {
    "compound_interest": [
        (
            {"principal": 1000, "annual_rate": 5, "years": 10},
            {"amount": 1628.89, "interest": 628.89},
        ),
        (
            {
                "principal": 1000,
                "annual_rate": 12,
                "years": 1,
                "compounding": "monthly",
            },
            {"amount": 1126.83, "interest": 126.83},
        ),
    ],
    "simple_interest": [
        (
            {"principal": 2000, "annual_rate": 3.5, "years": 4},
            {"interest": 280.0, "total": 2280.0},
        ),
    ],
    "loan_monthly_payment": [
        (
            {"principal": 200000, "annual_rate": 6, "years": 30},
            {
                "monthly_payment": 1199.1,
                "total_paid": 431676.38,
                "total_interest": 231676.38,
            },
        ),
        (
            {"principal": 12000, "annual_rate": 0, "years": 1},
            {"monthly_payment": 1000.0, "total_paid": 12000.0, "total_interest": 0.0},
        ),
    ],
    "net_present_value": [({"rate": 10, "cash_flows": [-1000, 500, 500, 500]}, 243.43)],
    "internal_rate_of_return": [({"cash_flows": [-1000, 1100]}, 10.0)],
    "future_value_of_annuity": [
        ({"payment": 100, "annual_rate": 0, "years": 2}, 2400.0),
        (
            {"payment": 1000, "annual_rate": 5, "years": 3, "payments_per_year": 1},
            3152.5,
        ),
    ],
    "return_on_investment": [({"initial_value": 1000, "final_value": 1250}, 25.0)],
    "compound_annual_growth_rate": [({"start_value": 100, "end_value": 200, "years": 5}, 14.8698)],
    "break_even_units": [
        (
            {"fixed_costs": 10000, "price_per_unit": 50, "variable_cost_per_unit": 30},
            {"units": 500, "revenue": 25000.0},
        ),
    ],
    "depreciation_schedule": [
        (
            {"cost": 10000, "salvage_value": 1000, "useful_life_years": 3},
            [
                {"year": 1, "depreciation": 3000.0, "book_value": 7000.0},
                {"year": 2, "depreciation": 3000.0, "book_value": 4000.0},
                {"year": 3, "depreciation": 3000.0, "book_value": 1000.0},
            ],
        ),
        (
            {
                "cost": 1000,
                "salvage_value": 100,
                "useful_life_years": 4,
                "method": "double_declining",
            },
            [
                {"year": 1, "depreciation": 500.0, "book_value": 500.0},
                {"year": 2, "depreciation": 250.0, "book_value": 250.0},
                {"year": 3, "depreciation": 125.0, "book_value": 125.0},
                {"year": 4, "depreciation": 25.0, "book_value": 100.0},
            ],
        ),
    ],
    "rule_of_72_doubling_time": [
        ({"annual_rate": 8}, {"rule_of_72_years": 9.0, "exact_years": 9.0065}),
    ],
    "portfolio_rebalance": [
        (
            {
                "holdings": {"stocks": 7000, "bonds": 3000},
                "target_weights": {"stocks": 60, "bonds": 40},
                "cash_to_add": 1000,
            },
            {
                "total_value": 11000.0,
                "assets": {
                    "stocks": {"target_value": 6600.0, "trade": -400.0},
                    "bonds": {"target_value": 4400.0, "trade": 1400.0},
                },
            },
        ),
    ],
}
