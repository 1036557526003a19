"""Public holidays from rules (fixed dates, nth weekdays, Easter), for a few countries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from apis.rest.framework import ApiError, P, api, tool

T = tool(
    "public-holidays",
    "Public Holidays",
    "Events",
    "National public holidays computed from their rules, years 1900-2100.",
)


def easter(year: int) -> dt.date:
    """Anonymous Gregorian computus."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month = (h + l_ - 7 * m + 114) // 31
    day = (h + l_ - 7 * m + 114) % 31 + 1
    return dt.date(year, month, day)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    """n-th (1-based; -1 = last) weekday (Mon=0) of a month."""
    if n > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    last = nxt - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def _rules(country: str, y: int) -> list[tuple[dt.date, str]]:
    e = easter(y)
    d = dt.date
    common = [(d(y, 1, 1), "New Year's Day"), (d(y, 12, 25), "Christmas Day")]
    match country:
        case "US":
            return [
                *common,
                (nth_weekday(y, 1, 0, 3), "Martin Luther King Jr. Day"),
                (nth_weekday(y, 2, 0, 3), "Washington's Birthday"),
                (nth_weekday(y, 5, 0, -1), "Memorial Day"),
                (d(y, 6, 19), "Juneteenth"),
                (d(y, 7, 4), "Independence Day"),
                (nth_weekday(y, 9, 0, 1), "Labor Day"),
                (nth_weekday(y, 10, 0, 2), "Columbus Day"),
                (d(y, 11, 11), "Veterans Day"),
                (nth_weekday(y, 11, 3, 4), "Thanksgiving Day"),
            ]
        case "GB":
            return [
                *common,
                (e - dt.timedelta(days=2), "Good Friday"),
                (e + dt.timedelta(days=1), "Easter Monday"),
                (nth_weekday(y, 5, 0, 1), "Early May Bank Holiday"),
                (nth_weekday(y, 5, 0, -1), "Spring Bank Holiday"),
                (nth_weekday(y, 8, 0, -1), "Summer Bank Holiday"),
                (d(y, 12, 26), "Boxing Day"),
            ]
        case "FR":
            return [
                *common,
                (e + dt.timedelta(days=1), "Lundi de Pâques"),
                (d(y, 5, 1), "Fête du Travail"),
                (d(y, 5, 8), "Victoire 1945"),
                (e + dt.timedelta(days=39), "Ascension"),
                (e + dt.timedelta(days=50), "Lundi de Pentecôte"),
                (d(y, 7, 14), "Fête nationale"),
                (d(y, 8, 15), "Assomption"),
                (d(y, 11, 1), "Toussaint"),
                (d(y, 11, 11), "Armistice"),
            ]
        case "DE":
            return [
                *common,
                (e - dt.timedelta(days=2), "Karfreitag"),
                (e + dt.timedelta(days=1), "Ostermontag"),
                (d(y, 5, 1), "Tag der Arbeit"),
                (e + dt.timedelta(days=39), "Christi Himmelfahrt"),
                (e + dt.timedelta(days=50), "Pfingstmontag"),
                (d(y, 10, 3), "Tag der Deutschen Einheit"),
                (d(y, 12, 26), "Zweiter Weihnachtsfeiertag"),
            ]
        case "CA":
            victoria = nth_weekday(y, 5, 0, -1)
            if victoria.day > 24:
                victoria -= dt.timedelta(days=7)
            return [
                *common,
                (e - dt.timedelta(days=2), "Good Friday"),
                (victoria, "Victoria Day"),
                (d(y, 7, 1), "Canada Day"),
                (nth_weekday(y, 9, 0, 1), "Labour Day"),
                (nth_weekday(y, 10, 0, 2), "Thanksgiving"),
                (d(y, 12, 26), "Boxing Day"),
            ]
        case "JP":
            return [
                (d(y, 1, 1), "New Year's Day"),
                (nth_weekday(y, 1, 0, 2), "Coming of Age Day"),
                (d(y, 2, 11), "National Foundation Day"),
                (d(y, 2, 23), "Emperor's Birthday"),
                (d(y, 4, 29), "Showa Day"),
                (d(y, 5, 3), "Constitution Memorial Day"),
                (d(y, 5, 4), "Greenery Day"),
                (d(y, 5, 5), "Children's Day"),
                (nth_weekday(y, 7, 0, 3), "Marine Day"),
                (d(y, 8, 11), "Mountain Day"),
                (nth_weekday(y, 9, 0, 3), "Respect for the Aged Day"),
                (nth_weekday(y, 10, 0, 2), "Sports Day"),
                (d(y, 11, 3), "Culture Day"),
                (d(y, 11, 23), "Labour Thanksgiving Day"),
            ]
        case "AU":
            return [
                *common,
                (d(y, 1, 26), "Australia Day"),
                (e - dt.timedelta(days=2), "Good Friday"),
                (e + dt.timedelta(days=1), "Easter Monday"),
                (d(y, 4, 25), "Anzac Day"),
                (d(y, 12, 26), "Boxing Day"),
            ]
        case "BR":
            return [
                *common,
                (e - dt.timedelta(days=48), "Carnaval (Monday)"),
                (e - dt.timedelta(days=47), "Carnaval (Tuesday)"),
                (e - dt.timedelta(days=2), "Sexta-feira Santa"),
                (d(y, 4, 21), "Tiradentes"),
                (d(y, 5, 1), "Dia do Trabalho"),
                (e + dt.timedelta(days=60), "Corpus Christi"),
                (d(y, 9, 7), "Independência"),
                (d(y, 10, 12), "Nossa Senhora Aparecida"),
                (d(y, 11, 2), "Finados"),
                (d(y, 11, 15), "Proclamação da República"),
            ]
    raise ApiError(404, f"No holiday rules for country '{country}'")


COUNTRIES = ("US", "GB", "FR", "DE", "CA", "JP", "AU", "BR")
_COUNTRY = P("country", "ENUM", "ISO country code", example="US", choices=COUNTRIES)


def holidays(country: str, year: int) -> list[dict[str, str]]:
    if not 1900 <= year <= 2100:
        raise ApiError(400, "year must be between 1900 and 2100")
    days = sorted(_rules(country.upper(), year))
    return [{"date": x.isoformat(), "name": n, "weekday": x.strftime("%A")} for x, n in days]


@api(
    T,
    "List Holidays",
    "/holidays/{country}/{year}",
    "All public holidays of a country in a year, in date order.",
    _COUNTRY,
    P("year", "NUMBER", "Year (1900-2100)", example=2024, integer=True),
)
def list_holidays(country: str, year: int) -> dict[str, Any]:
    rows = holidays(country, year)
    return {"country": country, "year": year, "count": len(rows), "holidays": rows}


@api(
    T,
    "Is Holiday",
    "/is-holiday",
    "Whether a date is a public holiday in a country, and which.",
    _COUNTRY,
    P("date", "DATE (YYYY-MM-DD)", "The date to check", example="2024-12-25"),
)
def is_holiday(country: str, date: dt.date) -> dict[str, Any]:
    names = [h["name"] for h in holidays(country, date.year) if h["date"] == date.isoformat()]
    return {"date": date.isoformat(), "holiday": bool(names), "names": names}


@api(
    T,
    "Next Holiday",
    "/next",
    "The first public holiday strictly after a date.",
    _COUNTRY,
    P("date", "DATE (YYYY-MM-DD)", "Start date", example="2024-03-01"),
)
def next_holiday(country: str, date: dt.date) -> dict[str, Any]:
    for year in (date.year, date.year + 1):
        for h in holidays(country, year):
            if h["date"] > date.isoformat():
                days = (dt.date.fromisoformat(h["date"]) - date).days
                return {"after": date.isoformat(), **h, "days_until": days}
    raise ApiError(404, "No holiday found")


@api(
    T,
    "Working Days",
    "/working-days",
    "Count Monday-Friday days between two dates (inclusive) that are not public holidays.",
    _COUNTRY,
    P("start", "DATE (YYYY-MM-DD)", "First date", example="2024-12-01"),
    P("end", "DATE (YYYY-MM-DD)", "Last date", example="2024-12-31"),
)
def working_days(country: str, start: dt.date, end: dt.date) -> dict[str, Any]:
    if end < start:
        raise ApiError(400, "end must not be before start")
    if (end - start).days > 3660:
        raise ApiError(400, "range too long (max 10 years)")
    off = {h["date"] for y in range(start.year, end.year + 1) for h in holidays(country, y)}
    n, day, hol = 0, start, 0
    while day <= end:
        if day.weekday() < 5:
            if day.isoformat() in off:
                hol += 1
            else:
                n += 1
        day += dt.timedelta(days=1)
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "working_days": n,
        "weekday_holidays": hol,
    }
