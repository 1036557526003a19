"""Loan and savings maths: annuity payments, compound interest, amortisation."""

from __future__ import annotations

from typing import Any

from apis.rest.framework import ApiError, P, api, tool

T = tool(
    "loan-calculator",
    "Loan Calculator",
    "Business",
    "Loan repayments, amortisation schedules and compound growth.",
)


def payment(principal: float, annual_rate: float, months: int) -> float:
    r = annual_rate / 100 / 12
    return principal / months if r == 0 else principal * r / (1 - (1 + r) ** -months)


def _check(principal: float, rate: float, months: int) -> None:
    if not 0 < principal <= 1e10:
        raise ApiError(400, "principal must be positive and at most 1e10")
    if not 0 <= rate <= 100:
        raise ApiError(400, "annual_rate must be between 0 and 100 (percent)")
    if not 1 <= months <= 600:
        raise ApiError(400, "months must be between 1 and 600")


_LOAN = (
    P("principal", "NUMBER", "Amount borrowed", example=200000),
    P("annual_rate", "NUMBER", "Nominal annual interest rate in percent", example=4.5),
    P("months", "NUMBER", "Term in months", example=360, integer=True),
)


@api(
    T,
    "Monthly Payment",
    "/payment",
    "Fixed monthly payment of an amortising loan.",
    *_LOAN,
)
def monthly_payment(principal: float, annual_rate: float, months: int) -> dict[str, Any]:
    _check(principal, annual_rate, months)
    p = payment(principal, annual_rate, months)
    return {
        "monthly_payment": round(p, 2),
        "total_paid": round(p * months, 2),
        "total_interest": round(p * months - principal, 2),
    }


@api(
    T,
    "Amortization Schedule",
    "/schedule",
    "Year-by-year amortisation: interest, principal repaid and balance at each year end.",
    *_LOAN,
)
def schedule(principal: float, annual_rate: float, months: int) -> dict[str, Any]:
    _check(principal, annual_rate, months)
    p = payment(principal, annual_rate, months)
    r = annual_rate / 100 / 12
    balance, rows, interest, repaid = principal, [], 0.0, 0.0
    for m in range(1, months + 1):
        i = balance * r
        interest += i
        repaid += p - i
        balance = max(0.0, balance - (p - i))
        if m % 12 == 0 or m == months:
            rows.append(
                {
                    "year": (m + 11) // 12,
                    "interest": round(interest, 2),
                    "principal": round(repaid, 2),
                    "balance": round(balance, 2),
                }
            )
            interest = repaid = 0.0
    return {"monthly_payment": round(p, 2), "years": rows}


@api(
    T,
    "Compound Interest",
    "/compound",
    "Future value of a deposit with compound interest and optional monthly contributions.",
    P("principal", "NUMBER", "Initial deposit", example=10000),
    P("annual_rate", "NUMBER", "Annual interest rate in percent", example=5),
    P("years", "NUMBER", "Years (1-100)", example=10, integer=True),
    P("monthly_contribution", "NUMBER", "Added each month", required=False, default=0),
)
def compound(
    principal: float, annual_rate: float, years: int, monthly_contribution: float
) -> dict[str, Any]:
    if not (0 <= principal <= 1e10 and 0 <= annual_rate <= 100 and 1 <= years <= 100):
        raise ApiError(400, "principal 0-1e10, annual_rate 0-100, years 1-100")
    r = annual_rate / 100 / 12
    value = principal
    for _ in range(years * 12):
        value = value * (1 + r) + monthly_contribution
    paid = principal + monthly_contribution * years * 12
    return {
        "future_value": round(value, 2),
        "contributed": round(paid, 2),
        "interest_earned": round(value - paid, 2),
    }
