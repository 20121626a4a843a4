"""Local calendar days of the simulation (Europe/Oslo, daylight saving included).

Daily life is planned in local seconds after midnight; the calendar turns a
(day, second) pair into epoch seconds. A day is placed at its real local
midnight; within a day the clock does not jump at a daylight-saving change, so
the hour after a change is one hour off (the simulator re-sorts the overlap).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")


@dataclass(frozen=True, slots=True)
class Calendar:
    """The local days covering ``[start, start + days)``; day 0 is the local date of ``start``."""

    start: datetime
    days: int
    first_date: date = field(init=False)
    midnights: tuple[int, ...] = field(init=False)
    weekdays: tuple[int, ...] = field(init=False)

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        first = self.start.astimezone(OSLO).date()
        n = self.days + 2
        dates = [first + timedelta(days=i) for i in range(n)]
        object.__setattr__(self, "first_date", first)
        object.__setattr__(
            self,
            "midnights",
            tuple(int(datetime(d.year, d.month, d.day, tzinfo=OSLO).timestamp()) for d in dates),
        )
        object.__setattr__(self, "weekdays", tuple(d.weekday() for d in dates))

    @property
    def window(self) -> tuple[int, int]:
        """Epoch seconds ``[begin, end)`` of the simulated period."""
        begin = int(self.start.timestamp())
        return begin, begin + self.days * 86400

    @property
    def day_count(self) -> int:
        """Number of local days that overlap the window."""
        begin, end = self.window
        return sum(1 for m in self.midnights[:-1] if m < end and m + 86400 > begin)

    def epoch(self, day: int, second: int) -> int:
        """Epoch seconds of local ``second`` after midnight of ``day``."""
        return self.midnights[day] + second

    def locate(self, t: int) -> tuple[int, int]:
        """(day, local second) of epoch ``t`` (inverse of :meth:`epoch`)."""
        for day in range(len(self.midnights) - 1, -1, -1):
            if self.midnights[day] <= t:
                return day, t - self.midnights[day]
        raise ValueError("time before the calendar")

    def weekday(self, day: int) -> int:
        return self.weekdays[day]
