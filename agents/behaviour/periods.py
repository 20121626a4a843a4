"""Local days and nights as event-time windows (daylight saving included).

A period is numbered by the local date it starts on. Nights cross midnight
(22:00-06:00 belongs to the evening's date); a whole day is 00:00-00:00.
Windows are computed once when a period opens, so each event costs two
float comparisons, not a time-zone conversion.
"""

from __future__ import annotations

import math
from datetime import datetime
from zoneinfo import ZoneInfo

from agents.behaviour.thresholds import CLOSE_GRACE_S
from agents.localtime import at_local
from agents.statecodec import Stored


def period_of(t: float, tz: ZoneInfo, from_h: float, to_h: float) -> int:
    """Number of the period containing ``t``, or of the next one if ``t`` falls between two."""
    d = datetime.fromtimestamp(t, tz)
    day = d.toordinal()
    h = d.hour + d.minute / 60.0 + d.second / 3600.0
    if to_h <= from_h:  # crosses midnight (a night, or a whole day when equal)
        return day - 1 if h < to_h else day
    return day if h < to_h else day + 1


def bounds(number: int, tz: ZoneInfo, from_h: float, to_h: float) -> tuple[float, float]:
    """Event-time start and end of period ``number``."""
    start = at_local(number, from_h, tz)
    end = at_local(number + 1 if to_h <= from_h else number, to_h, tz)
    return start, end


class Period(Stored):
    """The period being tallied. ``close_at`` is when it is evaluated (end plus lateness grace)."""

    number: int = -1
    start: float = math.inf
    end: float = -math.inf
    close_at: float = -math.inf
    """-inf before the first event: the first event opens a period."""

    @property
    def opened(self) -> bool:
        return self.number >= 0

    def holds(self, t: float) -> bool:
        return self.start <= t < self.end

    def advance(self, t: float, tz: ZoneInfo, from_h: float, to_h: float) -> None:
        """Open the period for ``t`` (never one already closed)."""
        n = period_of(t, tz, from_h, to_h)
        if n <= self.number:
            n = self.number + 1
        self.number = n
        self.start, self.end = bounds(n, tz, from_h, to_h)
        self.close_at = self.end + CLOSE_GRACE_S
