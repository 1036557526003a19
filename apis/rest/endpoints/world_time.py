"""Time zones via the IANA database (stdlib `zoneinfo`): offsets, conversions, lists."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from apis.rest.endpoints.geo import country
from apis.rest.framework import ApiError, P, api, tool

T = tool(
    "world-time",
    "World Time",
    "Location",
    "Time-zone arithmetic on the IANA database: offsets, DST and conversions.",
)


def zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        if "/" not in name and name.upper() != "UTC":
            raise KeyError(name)
        return zoneinfo.ZoneInfo(name.strip())
    except (KeyError, ValueError, zoneinfo.ZoneInfoNotFoundError):
        raise ApiError(404, f"Unknown time zone '{name}'") from None


def _at(date: dt.date | None, time: dt.time | None) -> dt.datetime:
    return dt.datetime.combine(date or dt.date(2024, 1, 15), time or dt.time(12, 0))


@api(
    T,
    "Zone Offset",
    "/offset",
    "UTC offset, abbreviation and DST flag of a time zone at a local date and time.",
    P(
        "timezone",
        "STRING",
        "IANA time zone, e.g. Europe/Paris",
        example="Europe/Paris",
    ),
    P("date", "DATE (YYYY-MM-DD)", "Local date (default 2024-01-15)", required=False),
    P("time", "TIME (24-hour HH:MM)", "Local time (default 12:00)", required=False),
)
def offset(timezone: str, date: dt.date | None, time: dt.time | None) -> dict[str, Any]:
    local = _at(date, time).replace(tzinfo=zone(timezone))
    off = local.utcoffset() or dt.timedelta()
    return {
        "timezone": timezone,
        "local": local.isoformat(),
        "utc_offset_hours": off.total_seconds() / 3600,
        "abbreviation": local.tzname(),
        "dst": bool(local.dst()),
    }


@api(
    T,
    "Convert Time",
    "/convert",
    "Convert a local date and time from one time zone to another.",
    P("from_timezone", "STRING", "Source IANA time zone", example="America/New_York"),
    P("to_timezone", "STRING", "Target IANA time zone", example="Asia/Tokyo"),
    P(
        "date",
        "DATE (YYYY-MM-DD)",
        "Local date in the source zone",
        example="2024-07-01",
    ),
    P("time", "TIME (24-hour HH:MM)", "Local time in the source zone", example="09:30"),
)
def convert(from_timezone: str, to_timezone: str, date: dt.date, time: dt.time) -> dict[str, Any]:
    src = _at(date, time).replace(tzinfo=zone(from_timezone))
    dst = src.astimezone(zone(to_timezone))
    return {"from": src.isoformat(), "to": dst.isoformat(), "to_timezone": to_timezone}


@api(
    T,
    "Country Time Zone",
    "/country-zone",
    "The time zone of a country's capital and its current standard offset.",
    P("country", "STRING", "ISO country code", example="AU"),
)
def country_zone(**kw: str) -> dict[str, Any]:
    c = country(kw["country"])
    z = zone(c["timezone"])
    jan = dt.datetime(2024, 1, 15, 12, tzinfo=z).utcoffset() or dt.timedelta()
    jul = dt.datetime(2024, 7, 15, 12, tzinfo=z).utcoffset() or dt.timedelta()
    return {
        "country": c["name"],
        "capital": c["capital"],
        "timezone": c["timezone"],
        "january_offset_hours": jan.total_seconds() / 3600,
        "july_offset_hours": jul.total_seconds() / 3600,
        "observes_dst": jan != jul,
    }


@api(
    T,
    "Time Difference",
    "/difference",
    "Hours between two time zones at a given date (positive when the second is ahead).",
    P("timezone_a", "STRING", "First IANA time zone", example="Europe/London"),
    P("timezone_b", "STRING", "Second IANA time zone", example="America/Los_Angeles"),
    P("date", "DATE (YYYY-MM-DD)", "Date (default 2024-01-15)", required=False),
)
def difference(timezone_a: str, timezone_b: str, date: dt.date | None) -> dict[str, Any]:
    at = _at(date, None)
    a = at.replace(tzinfo=zone(timezone_a)).utcoffset() or dt.timedelta()
    b = at.replace(tzinfo=zone(timezone_b)).utcoffset() or dt.timedelta()
    return {
        "timezone_a": timezone_a,
        "timezone_b": timezone_b,
        "hours": (b - a).total_seconds() / 3600,
    }
