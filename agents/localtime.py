"""Event time in the resident's local time zone (daylight saving included).

Night, morning and "usual hours" are local notions; event time travels as UTC
seconds. These helpers are the one place that converts between them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo


def local_hour(t: float, tz: ZoneInfo) -> float:
    """Local clock time as fractional hours (0 <= h < 24)."""
    d = datetime.fromtimestamp(t, tz)
    return d.hour + d.minute / 60.0 + d.second / 3600.0


def local_date(t: float, tz: ZoneInfo) -> date:
    return datetime.fromtimestamp(t, tz).date()


def local_day_number(t: float, tz: ZoneInfo) -> int:
    """Proleptic ordinal of the local date (consecutive days differ by one)."""
    return datetime.fromtimestamp(t, tz).date().toordinal()


def at_local(day_number: int, hour: float, tz: ZoneInfo) -> float:
    """Event time of local clock ``hour`` on local day ``day_number``.

    Across a daylight-saving change the wall-clock time is resolved the way
    zoneinfo does (fold=0): a time skipped in spring maps forward by the gap.
    """
    minutes = round(hour * 60.0)
    naive = datetime.combine(date.fromordinal(day_number), dtime(0, 0)) + timedelta(minutes=minutes)
    aware = naive.replace(tzinfo=tz)
    # normalise through UTC so non-existent local times resolve consistently
    return aware.astimezone(UTC).timestamp()
