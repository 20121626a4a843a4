"""Local working time for routing: shift rosters, named time windows (GP office hours), holidays.

Home care works in shifts (day, evening, night patrol) whose start times differ between weekdays
and weekends; GP offices are open on weekday daytime. Both are local-time notions of the
resident's zone, so every calculation goes through :mod:`agents.localtime` (daylight saving
included). A public holiday counts as a weekend day: it runs the weekend roster (or a
``holidays`` roster if one is given) and is outside windows that name weekdays.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, model_validator

from agents.localtime import at_local

DaySpec = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun", "weekdays", "weekends", "holidays"]
_DAY_NAMES: tuple[DaySpec, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _clock_time(value: object) -> object:
    if isinstance(value, int):  # YAML 1.1 reads unquoted 22:00 as the sexagesimal number 1320
        raise ValueError("write clock times in quotes, for example '22:00'")
    return value


LocalTime = Annotated[time, BeforeValidator(_clock_time)]
"""A local clock time written ``"HH:MM"``."""

ShiftName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,23}$")]


def day_tags(d: date, holidays: frozenset[date]) -> tuple[DaySpec, ...]:
    """What a local date counts as, most specific first: a holiday is only a holiday and a weekend day."""
    if d in holidays:
        return ("holidays", "weekends")
    wd = d.weekday()
    return (_DAY_NAMES[wd], "weekdays" if wd < 5 else "weekends")


def _hours(t: time) -> float:
    return t.hour + t.minute / 60.0


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Roster(_Strict):
    """Start times of the home-care shifts by kind of day; a shift lasts until the next one starts.

    The most specific entry for a date wins: ``holidays``, then the weekday name, then
    ``weekdays`` / ``weekends``. Before the first start of a day, the previous day's last
    shift (the night) is still on duty.
    """

    weekdays: dict[ShiftName, LocalTime] | None = None
    weekends: dict[ShiftName, LocalTime] | None = None
    holidays: dict[ShiftName, LocalTime] | None = None
    mon: dict[ShiftName, LocalTime] | None = None
    tue: dict[ShiftName, LocalTime] | None = None
    wed: dict[ShiftName, LocalTime] | None = None
    thu: dict[ShiftName, LocalTime] | None = None
    fri: dict[ShiftName, LocalTime] | None = None
    sat: dict[ShiftName, LocalTime] | None = None
    sun: dict[ShiftName, LocalTime] | None = None

    @model_validator(mode="after")
    def _covers_every_day(self) -> Roster:
        for tags in [(d, "weekdays" if i < 5 else "weekends") for i, d in enumerate(_DAY_NAMES)]:
            starts = self._entry(tags)
            if not starts:
                raise ValueError(f"no shifts for {tags[0]}: give `{tags[1]}` or `{tags[0]}`")
            if len(set(starts.values())) != len(starts):
                raise ValueError(f"two shifts of {tags[0]} start at the same time")
        return self

    def _entry(self, tags: tuple[DaySpec, ...]) -> dict[str, time] | None:
        for tag in tags:
            starts: dict[str, time] | None = getattr(self, tag)
            if starts:
                return starts
        return None

    @property
    def shift_names(self) -> frozenset[str]:
        names: set[str] = set()
        for tag in ("weekdays", "weekends", "holidays", *_DAY_NAMES):
            names.update(getattr(self, tag) or ())
        return frozenset(names)

    def _starts(self, day: int, holidays: frozenset[date], tz: ZoneInfo) -> list[tuple[float, str]]:
        """Shift starts of local day number ``day`` as (event time, shift), in time order."""
        entry = self._entry(day_tags(date.fromordinal(day), holidays)) or {}
        return sorted((at_local(day, _hours(t), tz), name) for name, t in entry.items())

    def shift_at(self, t: float, tz: ZoneInfo, holidays: frozenset[date]) -> str:
        """The shift on duty at event time ``t``."""
        day = datetime.fromtimestamp(t, tz).date().toordinal()
        current = self._starts(day - 1, holidays, tz)[-1][1]
        for start, name in self._starts(day, holidays, tz):
            if start > t:
                break
            current = name
        return current

    def next_change(self, t: float, tz: ZoneInfo, holidays: frozenset[date]) -> float:
        """Event time of the first shift start after ``t``."""
        day = datetime.fromtimestamp(t, tz).date().toordinal()
        for d in (day, day + 1, day + 2):
            for start, _ in self._starts(d, holidays, tz):
                if start > t:
                    return start
        raise AssertionError("unreachable: every day has a shift")  # pragma: no cover


class Window(_Strict):
    """A recurring local-time window, e.g. GP office hours: ``{days: [weekdays], from: '08:00', until: '16:00'}``.

    ``until`` earlier than ``from`` crosses midnight (the window belongs to the day it starts);
    equal means the whole day.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    days: Annotated[frozenset[DaySpec], Field(min_length=1)]
    start: LocalTime = Field(alias="from")
    until: LocalTime

    def covers(self, t: float, tz: ZoneInfo, holidays: frozenset[date]) -> bool:
        d = datetime.fromtimestamp(t, tz)
        minute = d.hour * 60 + d.minute
        lo = self.start.hour * 60 + self.start.minute
        hi = self.until.hour * 60 + self.until.minute
        today = not self.days.isdisjoint(day_tags(d.date(), holidays))
        if lo == hi:
            return today
        if lo < hi:
            return today and lo <= minute < hi
        if minute >= lo:
            return today
        yesterday = date.fromordinal(d.date().toordinal() - 1)
        return minute < hi and not self.days.isdisjoint(day_tags(yesterday, holidays))


def covering(windows: Iterable[tuple[str, Window]], t: float, tz: ZoneInfo, holidays: frozenset[date]) -> frozenset[str]:
    """Names of the windows that cover event time ``t``."""
    return frozenset(name for name, w in windows if w.covers(t, tz, holidays))
