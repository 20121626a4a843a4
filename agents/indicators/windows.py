"""Tumbling windows in local event time: calendar day, ISO week, calendar month.

A window is bounded by local midnights of the care context's time zone (Europe/Oslo by
default), so a day with a clock change lasts 23 or 25 hours and a week or month starts at
the local midnight a reader of the report would expect. Pure functions, cached.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from schemas.indicators import WindowKind

WINDOW_KINDS: tuple[WindowKind, ...] = ("day", "week", "month")


@dataclass(frozen=True, slots=True)
class Window:
    """One tumbling window: kind, label, local bounds as epoch seconds (start inclusive, end exclusive)."""

    kind: WindowKind
    label: str
    start: float
    end: float
    zone: str

    def local(self, epoch: float) -> datetime:
        return datetime.fromtimestamp(epoch, _zone(self.zone))


@functools.lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _midnight(d: date, zone: str) -> float:
    return datetime(d.year, d.month, d.day, tzinfo=_zone(zone)).timestamp()


@functools.lru_cache(maxsize=4096)
def windows_of_day(ordinal: int, zone: str) -> tuple[Window, Window, Window]:
    """The day, ISO-week and month windows that contain local date ``ordinal`` (``date.toordinal``)."""
    d = date.fromordinal(ordinal)
    day = Window("day", d.isoformat(), _midnight(d, zone), _midnight(d + timedelta(days=1), zone), zone)
    monday = d - timedelta(days=d.weekday())
    iso = monday.isocalendar()
    week = Window("week", f"{iso.year}-W{iso.week:02d}", _midnight(monday, zone),
                  _midnight(monday + timedelta(days=7), zone), zone)
    first = d.replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    month = Window("month", f"{first:%Y-%m}", _midnight(first, zone), _midnight(nxt, zone), zone)
    return day, week, month


def local_ordinal(epoch: float, zone: str) -> int:
    """Local calendar date of an instant, as an ordinal."""
    return datetime.fromtimestamp(epoch, _zone(zone)).date().toordinal()


def windows_of(epoch: float, zone: str) -> tuple[Window, Window, Window]:
    """The day, ISO-week and month windows an instant falls in, in local time of ``zone``."""
    return windows_of_day(local_ordinal(epoch, zone), zone)


def month_window(label: str, zone: str = "Europe/Oslo") -> Window:
    """The month window of a label such as ``2026-11``."""
    year, month = (int(x) for x in label.split("-"))
    return windows_of_day(date(year, month, 1).toordinal(), zone)[2]
