"""Calendar arithmetic: weekdays, differences, adding days, ISO weeks, ages."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from apis.rest.framework import ApiError, P, api, tool

T = tool(
    "date-calculator",
    "Date Calculator",
    "Other",
    "Gregorian calendar arithmetic.",
)


@api(
    T,
    "Date Info",
    "/info",
    "Weekday, ISO week, day of year, quarter and leap-year flag of a date.",
    P("date", "DATE (YYYY-MM-DD)", "The date", example="2024-02-29"),
)
def info(date: dt.date) -> dict[str, Any]:
    iso = date.isocalendar()
    return {
        "date": date.isoformat(),
        "weekday": date.strftime("%A"),
        "iso_year": iso.year,
        "iso_week": iso.week,
        "day_of_year": date.timetuple().tm_yday,
        "quarter": (date.month - 1) // 3 + 1,
        "leap_year": calendar.isleap(date.year),
        "days_in_month": calendar.monthrange(date.year, date.month)[1],
    }


@api(
    T,
    "Date Difference",
    "/difference",
    "Days, weeks and whole months/years between two dates.",
    P("start", "DATE (YYYY-MM-DD)", "Start date", example="2020-01-15"),
    P("end", "DATE (YYYY-MM-DD)", "End date", example="2024-06-01"),
)
def difference(start: dt.date, end: dt.date) -> dict[str, Any]:
    days = (end - start).days
    a, b = (start, end) if days >= 0 else (end, start)
    months = (b.year - a.year) * 12 + b.month - a.month - (b.day < a.day)
    return {
        "days": days,
        "weeks": round(days / 7, 2),
        "months": months if days >= 0 else -months,
        "years": (months // 12) if days >= 0 else -(months // 12),
    }


@api(
    T,
    "Add Days",
    "/add",
    "Add (or subtract) days to a date, optionally counting business days (Mon-Fri) only.",
    P("date", "DATE (YYYY-MM-DD)", "Start date", example="2024-03-28"),
    P("days", "NUMBER", "Days to add (negative to subtract)", example=10, integer=True),
    P(
        "business_days",
        "BOOLEAN",
        "Count Monday-Friday only",
        required=False,
        default="false",
    ),
)
def add_days(date: dt.date, days: int, business_days: bool) -> dict[str, Any]:
    if abs(days) > 100000:
        raise ApiError(400, "days must be within +/-100000")
    try:
        if not business_days:
            result = date + dt.timedelta(days=days)
        else:
            step = 1 if days >= 0 else -1
            result, left = date, abs(days)
            while left:
                result += dt.timedelta(days=step)
                if result.weekday() < 5:
                    left -= 1
    except OverflowError:
        raise ApiError(400, "resulting date out of range") from None
    return {
        "date": date.isoformat(),
        "days": days,
        "business_days": business_days,
        "result": result.isoformat(),
        "weekday": result.strftime("%A"),
    }


@api(
    T,
    "Age",
    "/age",
    "Age in years, months and days at a reference date (default 2024-01-01).",
    P("birth_date", "DATE (YYYY-MM-DD)", "Date of birth", example="1990-05-17"),
    P(
        "on",
        "DATE (YYYY-MM-DD)",
        "Reference date",
        required=False,
        default="2024-01-01",
    ),
)
def age(birth_date: dt.date, on: dt.date) -> dict[str, Any]:
    if on < birth_date:
        raise ApiError(400, "reference date is before the birth date")
    months = (on.year - birth_date.year) * 12 + on.month - birth_date.month
    if on.day < birth_date.day:
        months -= 1
    anchor_y, anchor_m = divmod(birth_date.month - 1 + months, 12)
    anchor_day = min(
        birth_date.day, calendar.monthrange(birth_date.year + anchor_y, anchor_m + 1)[1]
    )
    anchor = dt.date(birth_date.year + anchor_y, anchor_m + 1, anchor_day)
    return {
        "years": months // 12,
        "months": months % 12,
        "days": (on - anchor).days,
        "total_days": (on - birth_date).days,
    }
