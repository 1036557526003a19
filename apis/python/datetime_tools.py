"""Date and time: calendar arithmetic, business days, ages, weeks and time zones.

Dates are ISO strings (YYYY-MM-DD); nothing reads the clock, so results are reproducible.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any, Literal

CATEGORY = "datetime"

# Fixed reference table of standard (non-daylight-saving) UTC offsets in hours.
_ZONE_OFFSETS = {
    "UTC": 0.0, "GMT": 0.0, "CET": 1.0, "EET": 2.0, "MSK": 3.0, "GST": 4.0, "IST": 5.5,
    "ICT": 7.0, "CST_CHINA": 8.0, "JST": 9.0, "AEST": 10.0, "NZST": 12.0, "BRT": -3.0,
    "EST": -5.0, "CST": -6.0, "MST": -7.0, "PST": -8.0, "AKST": -9.0, "HST": -10.0,
}  # fmt: skip
Zone = Literal[
    "UTC", "GMT", "CET", "EET", "MSK", "GST", "IST", "ICT", "CST_CHINA", "JST", "AEST", "NZST",
    "BRT", "EST", "CST", "MST", "PST", "AKST", "HST",
]  # fmt: skip


def _date(name: str, value: str) -> dt.date:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string in YYYY-MM-DD format")
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(
            f"{name} must be a valid date in YYYY-MM-DD format, got {value!r}"
        ) from None


def _datetime(name: str, value: str) -> dt.datetime:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string in YYYY-MM-DDTHH:MM format")
    try:
        return dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(
            f"{name} must be an ISO date-time like 2024-05-01T14:30, got {value!r}"
        ) from None


def days_between_dates(start_date: str, end_date: str) -> dict[str, int]:
    """Count the days between two dates, and the equivalent whole weeks.

    Args:
        start_date: First date, YYYY-MM-DD.
        end_date: Second date, YYYY-MM-DD (may be before start_date, giving a negative count).

    Returns:
        days (end minus start), weeks (whole weeks) and remaining_days.
    """
    days = (_date("end_date", end_date) - _date("start_date", start_date)).days
    weeks, rest = divmod(abs(days), 7)
    return {"days": days, "weeks": weeks, "remaining_days": rest}


def add_time_to_date(
    date: str, amount: int, unit: Literal["days", "weeks", "months", "years"] = "days"
) -> str:
    """Add (or subtract) days, weeks, months or years to a date.

    Args:
        date: Start date, YYYY-MM-DD.
        amount: How many units to add; negative values subtract.
        unit: The unit of amount. Month and year steps clamp to the end of a shorter month.

    Returns:
        The resulting date, YYYY-MM-DD.
    """
    d = _date("date", date)
    if unit in ("days", "weeks"):
        try:
            return (d + dt.timedelta(days=amount * (7 if unit == "weeks" else 1))).isoformat()
        except OverflowError:
            raise ValueError("resulting date is out of range") from None
    if unit not in ("months", "years"):
        raise ValueError("unit must be days, weeks, months or years")
    months = amount * (12 if unit == "years" else 1)
    total = d.year * 12 + d.month - 1 + months
    year, month = divmod(total, 12)
    if not 1 <= year <= 9999:
        raise ValueError("resulting date is out of range")
    day = min(d.day, calendar.monthrange(year, month + 1)[1])
    return dt.date(year, month + 1, day).isoformat()


def day_of_week(date: str) -> dict[str, Any]:
    """Find the weekday of a date.

    Args:
        date: The date, YYYY-MM-DD.

    Returns:
        The weekday name, its ISO number (Monday=1 ... Sunday=7) and whether it is a weekend.
    """
    d = _date("date", date)
    return {
        "weekday": d.strftime("%A"),
        "iso_weekday": d.isoweekday(),
        "is_weekend": d.isoweekday() >= 6,
    }


def is_leap_year(year: int) -> bool:
    """Tell whether a year of the Gregorian calendar is a leap year.

    Args:
        year: The year, from 1 to 9999.

    Returns:
        True when February of that year has 29 days.
    """
    if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9999:
        raise ValueError("year must be an integer between 1 and 9999")
    return calendar.isleap(year)


def calculate_age(birth_date: str, on_date: str) -> dict[str, int]:
    """Compute a person's exact age in years, months and days on a given date.

    Args:
        birth_date: Date of birth, YYYY-MM-DD.
        on_date: Date at which the age is measured, YYYY-MM-DD (not before birth_date).

    Returns:
        years, months and days of age, and total_days lived.
    """
    b, d = _date("birth_date", birth_date), _date("on_date", on_date)
    if d < b:
        raise ValueError("on_date must not be before birth_date")
    months = (d.year - b.year) * 12 + d.month - b.month
    if d.day < b.day:
        months -= 1
    y, m = divmod(months, 12)
    anchor = add_time_to_date(b.isoformat(), months, "months")
    days = (d - dt.date.fromisoformat(anchor)).days
    return {"years": y, "months": m, "days": days, "total_days": (d - b).days}


def business_days_between(start_date: str, end_date: str, holidays: list[str] | None = None) -> int:
    """Count working days (Monday to Friday) from start_date up to but excluding end_date.

    Args:
        start_date: First day counted, YYYY-MM-DD.
        end_date: Day after the last day counted, YYYY-MM-DD (on or after start_date).
        holidays: Optional dates (YYYY-MM-DD) that are not worked.

    Returns:
        The number of business days.
    """
    s, e = _date("start_date", start_date), _date("end_date", end_date)
    if e < s:
        raise ValueError("end_date must not be before start_date")
    if (e - s).days > 366 * 100:
        raise ValueError("range must be at most 100 years")
    off = {_date("holidays[]", h) for h in (holidays or [])}
    count = 0
    d = s
    while d < e:
        if d.weekday() < 5 and d not in off:
            count += 1
        d += dt.timedelta(days=1)
    return count


def iso_week_number(date: str) -> dict[str, int]:
    """Find the ISO-8601 week number and week-based year of a date.

    Args:
        date: The date, YYYY-MM-DD.

    Returns:
        iso_year, week (1-53) and weekday (Monday=1).
    """
    y, w, wd = _date("date", date).isocalendar()
    return {"iso_year": y, "week": w, "weekday": wd}


def days_in_month(year: int, month: int) -> int:
    """Give the number of days of a calendar month.

    Args:
        year: The year (1-9999).
        month: The month number, 1 = January ... 12 = December.

    Returns:
        28, 29, 30 or 31.
    """
    if not 1 <= year <= 9999 or not 1 <= month <= 12:
        raise ValueError("year must be 1-9999 and month 1-12")
    return calendar.monthrange(year, month)[1]


def convert_time_zone(
    datetime_local: str,
    from_zone: Zone,
    to_zone: Zone,
) -> str:
    """Convert a wall-clock time between time zones using fixed standard-time offsets (no daylight
    saving).

    Args:
        datetime_local: Local date and time in the source zone, e.g. 2024-03-10T09:30.
        from_zone: Zone abbreviation of the input time (CST is US Central; CST_CHINA is China).
        to_zone: Zone abbreviation to convert into.

    Returns:
        The converted local date-time, YYYY-MM-DDTHH:MM.
    """
    t = _datetime("datetime_local", datetime_local)
    for z in (from_zone, to_zone):
        if z not in _ZONE_OFFSETS:
            raise ValueError(f"unknown zone {z!r}; expected one of {list(_ZONE_OFFSETS)}")
    shifted = t + dt.timedelta(hours=_ZONE_OFFSETS[to_zone] - _ZONE_OFFSETS[from_zone])
    return shifted.strftime("%Y-%m-%dT%H:%M")


def format_date(
    date: str, style: Literal["iso", "us", "european", "long", "ordinal_day"] = "long"
) -> str:
    """Rewrite an ISO date in another common format.

    Args:
        date: The date, YYYY-MM-DD.
        style: 'iso' (2024-07-04), 'us' (07/04/2024), 'european' (04.07.2024), 'long' (Thursday,
            July 4, 2024) or 'ordinal_day' (day of the year, 2024-186).

    Returns:
        The formatted date.
    """
    d = _date("date", date)
    if style == "iso":
        return d.isoformat()
    if style == "us":
        return d.strftime("%m/%d/%Y")
    if style == "european":
        return d.strftime("%d.%m.%Y")
    if style == "long":
        return f"{d.strftime('%A, %B')} {d.day}, {d.year}"
    if style == "ordinal_day":
        return f"{d.year}-{d.timetuple().tm_yday:03d}"
    raise ValueError("style must be iso, us, european, long or ordinal_day")


def quarter_of_date(date: str, fiscal_year_start_month: int = 1) -> dict[str, Any]:
    """Find the (fiscal) quarter a date falls in.

    Args:
        date: The date, YYYY-MM-DD.
        fiscal_year_start_month: Month the fiscal year starts in (1 = calendar year, 4 = April, 10 =
            October).

    Returns:
        quarter (1-4), fiscal_year (named after the calendar year it ends in) and label such as 'Q2
        FY2024'.
    """
    d = _date("date", date)
    if not 1 <= fiscal_year_start_month <= 12:
        raise ValueError("fiscal_year_start_month must be between 1 and 12")
    shifted = (d.month - fiscal_year_start_month) % 12
    quarter = shifted // 3 + 1
    fy = d.year if fiscal_year_start_month == 1 or d.month < fiscal_year_start_month else d.year + 1
    return {"quarter": quarter, "fiscal_year": fy, "label": f"Q{quarter} FY{fy}"}


def format_duration(seconds: int, style: Literal["compact", "clock", "words"] = "compact") -> str:
    """Format a number of seconds as a human-readable duration.

    Args:
        seconds: Non-negative duration in seconds.
        style: 'compact' (1d 2h 3m 4s), 'clock' (26:03:04) or 'words' (1 day, 2 hours, 3 minutes, 4
            seconds).

    Returns:
        The formatted duration.
    """
    if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 0:
        raise ValueError("seconds must be a non-negative integer")
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if style == "clock":
        return f"{days * 24 + hours:02d}:{minutes:02d}:{secs:02d}"
    parts = [
        (days, "d", "day"),
        (hours, "h", "hour"),
        (minutes, "m", "minute"),
        (secs, "s", "second"),
    ]
    shown = [p for p in parts if p[0]] or [(0, "s", "second")]
    if style == "compact":
        return " ".join(f"{n}{short}" for n, short, _ in shown)
    if style == "words":
        return ", ".join(f"{n} {word}{'' if n == 1 else 's'}" for n, _, word in shown)
    raise ValueError("style must be compact, clock or words")


EXAMPLES: dict[str, list[tuple[dict[str, Any], Any]]] = {
    "days_between_dates": [
        (
            {"start_date": "2024-01-01", "end_date": "2024-03-01"},
            {"days": 60, "weeks": 8, "remaining_days": 4},
        ),
    ],
    "add_time_to_date": [
        ({"date": "2024-01-31", "amount": 1, "unit": "months"}, "2024-02-29"),
        ({"date": "2023-12-25", "amount": 10}, "2024-01-04"),
        ({"date": "2024-02-29", "amount": -1, "unit": "years"}, "2023-02-28"),
    ],
    "day_of_week": [
        (
            {"date": "2024-07-04"},
            {"weekday": "Thursday", "iso_weekday": 4, "is_weekend": False},
        ),
    ],
    "is_leap_year": [
        ({"year": 2024}, True),
        ({"year": 1900}, False),
        ({"year": 2000}, True),
    ],
    "calculate_age": [
        (
            {"birth_date": "1990-05-15", "on_date": "2024-03-10"},
            {"years": 33, "months": 9, "days": 24, "total_days": 12353},
        ),
    ],
    "business_days_between": [
        ({"start_date": "2024-07-01", "end_date": "2024-07-15"}, 10),
        (
            {
                "start_date": "2024-07-01",
                "end_date": "2024-07-08",
                "holidays": ["2024-07-04"],
            },
            4,
        ),
    ],
    "iso_week_number": [({"date": "2024-12-30"}, {"iso_year": 2025, "week": 1, "weekday": 1})],
    "days_in_month": [
        ({"year": 2023, "month": 2}, 28),
        ({"year": 2024, "month": 4}, 30),
    ],
    "convert_time_zone": [
        (
            {
                "datetime_local": "2024-03-10T09:30",
                "from_zone": "EST",
                "to_zone": "JST",
            },
            "2024-03-10T23:30",
        ),
        (
            {
                "datetime_local": "2024-03-10T01:00",
                "from_zone": "UTC",
                "to_zone": "PST",
            },
            "2024-03-09T17:00",
        ),
    ],
    "format_date": [
        ({"date": "2024-07-04"}, "Thursday, July 4, 2024"),
        ({"date": "2024-07-04", "style": "european"}, "04.07.2024"),
        ({"date": "2024-07-04", "style": "ordinal_day"}, "2024-186"),
    ],
    "quarter_of_date": [
        (
            {"date": "2024-05-20"},
            {"quarter": 2, "fiscal_year": 2024, "label": "Q2 FY2024"},
        ),
        (
            {"date": "2024-11-02", "fiscal_year_start_month": 10},
            {"quarter": 1, "fiscal_year": 2025, "label": "Q1 FY2025"},
        ),
    ],
    "format_duration": [
        ({"seconds": 93784}, "1d 2h 3m 4s"),
        ({"seconds": 3725, "style": "clock"}, "01:02:05"),
        ({"seconds": 3660, "style": "words"}, "1 hour, 1 minute"),
    ],
}
