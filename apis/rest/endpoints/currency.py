"""Currencies: reference rates (fixed table, base USD), conversion, country currency."""

from __future__ import annotations

from typing import Any

from apis.rest.endpoints.geo import country
from apis.rest.framework import ApiError, P, api, data, tool

T = tool(
    "currency-exchange",
    "Currency Exchange",
    "Finance",
    "Currency facts and conversion at fixed reference rates (2024-01-02, base USD).",
)


def currency(code: str) -> dict[str, Any]:
    key = code.strip().upper()
    for c in data("currencies.json")["currencies"]:
        if c["code"] == key:
            return c
    raise ApiError(404, f"Currency '{code}' not supported")


@api(
    T,
    "Convert",
    "/convert",
    "Convert an amount between two currencies at the reference rates.",
    P("amount", "NUMBER", "Amount to convert", example=100),
    P("from", "STRING", "ISO 4217 code of the source currency", example="USD"),
    P("to", "STRING", "ISO 4217 code of the target currency", example="EUR"),
)
def convert(amount: float, **kw: str) -> dict[str, Any]:
    src, dst = currency(kw["from"]), currency(kw["to"])
    rate = dst["per_usd"] / src["per_usd"]
    return {
        "from": src["code"],
        "to": dst["code"],
        "amount": amount,
        "rate": round(rate, 6),
        "result": round(amount * rate, dst["decimals"]),
        "as_of": data("currencies.json")["as_of"],
    }


@api(
    T,
    "Exchange Rate",
    "/rate",
    "The exchange rate between two currencies (units of quote per unit of base).",
    P("base", "STRING", "ISO 4217 code of the base currency", example="EUR"),
    P("quote", "STRING", "ISO 4217 code of the quote currency", example="JPY"),
)
def rate(base: str, quote: str) -> dict[str, Any]:
    b, q = currency(base), currency(quote)
    return {
        "base": b["code"],
        "quote": q["code"],
        "rate": round(q["per_usd"] / b["per_usd"], 6),
    }


@api(
    T,
    "Currency Info",
    "/currencies/{code}",
    "Name, symbol and minor-unit digits of a currency.",
    P("code", "STRING", "ISO 4217 currency code", example="GBP"),
)
def currency_info(code: str) -> dict[str, Any]:
    c = currency(code)
    return {k: c[k] for k in ("code", "name", "symbol", "decimals")}


@api(
    T,
    "Country Currency",
    "/country-currency",
    "The currency used in a country.",
    P("country", "STRING", "ISO country code, e.g. JP", example="JP"),
)
def country_currency(**kw: str) -> dict[str, Any]:
    c = country(kw["country"])
    cur = currency(c["currency"])
    return {
        "country": c["name"],
        "currency": cur["code"],
        "name": cur["name"],
        "symbol": cur["symbol"],
    }
