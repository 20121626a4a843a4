"""Shift rosters, time windows and holidays in the resident's local time (daylight saving included)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from agents.alerting.calendar import Roster, Window
from agents.alerting.rules import ROUTING_FILE, RoutingRules

OSLO = ZoneInfo("Europe/Oslo")
RULES = RoutingRules.load(ROUTING_FILE)
ROSTER = RULES.rosters["default"]
HOLIDAYS = RULES.holidays
OFFICE = RULES.windows["gp-office-hours"]


def t(y: int, mo: int, d: int, h: int, mi: int = 0) -> float:
    return datetime(y, mo, d, h, mi, tzinfo=OSLO).timestamp()


@pytest.mark.parametrize(
    ("when", "shift"),
    [
        (t(2026, 11, 2, 7, 29), "night"),    # Monday before the day shift: Sunday's night patrol
        (t(2026, 11, 2, 7, 30), "day"),
        (t(2026, 11, 2, 15, 29), "day"),
        (t(2026, 11, 2, 15, 30), "evening"),
        (t(2026, 11, 2, 22, 0), "night"),
        (t(2026, 11, 3, 2, 10), "night"),    # Tuesday 02:10
        (t(2026, 11, 7, 7, 45), "night"),    # Saturday: the weekend day shift starts at 08:00
        (t(2026, 11, 7, 8, 0), "day"),
        (t(2026, 12, 25, 7, 45), "night"),   # Christmas Day, a Friday: weekend roster
        (t(2026, 12, 24, 7, 45), "day"),     # Christmas Eve is a working day
    ],
)
def test_shift_on_duty(when: float, shift: str) -> None:
    assert ROSTER.shift_at(when, OSLO, HOLIDAYS) == shift


def test_next_change_of_shift() -> None:
    assert ROSTER.next_change(t(2026, 11, 2, 21, 0), OSLO, HOLIDAYS) == t(2026, 11, 2, 22, 0)
    assert ROSTER.next_change(t(2026, 11, 2, 22, 0), OSLO, HOLIDAYS) == t(2026, 11, 3, 7, 30)
    assert ROSTER.next_change(t(2026, 11, 6, 23, 0), OSLO, HOLIDAYS) == t(2026, 11, 7, 8, 0)  # Friday night


def test_night_across_the_spring_clock_change_ends_at_local_eight() -> None:
    # 2026-03-29: clocks go from 02:00 to 03:00; the Sunday day shift still starts at 08:00 local
    change = ROSTER.next_change(t(2026, 3, 28, 23, 0), OSLO, HOLIDAYS)
    assert datetime.fromtimestamp(change, OSLO).strftime("%H:%M") == "08:00"
    assert change - t(2026, 3, 28, 22, 0) == 9 * 3600  # a night an hour shorter


@pytest.mark.parametrize(
    ("when", "open_"),
    [
        (t(2026, 11, 2, 9, 0), True),        # Monday morning
        (t(2026, 11, 2, 16, 0), False),      # closes at 16:00
        (t(2026, 11, 2, 7, 59), False),
        (t(2026, 11, 7, 14, 0), False),      # Saturday
        (t(2026, 5, 14, 10, 0), False),      # Ascension Day, a Thursday
        (t(2026, 5, 15, 10, 0), True),
    ],
)
def test_gp_office_hours(when: float, open_: bool) -> None:
    assert OFFICE.covers(when, OSLO, HOLIDAYS) is open_


def test_window_across_midnight_belongs_to_the_day_it_starts() -> None:
    w = Window.model_validate({"days": ["fri"], "from": "22:00", "until": "06:00"})
    assert w.covers(t(2026, 11, 6, 23, 0), OSLO, frozenset())     # Friday 23:00
    assert w.covers(t(2026, 11, 7, 3, 0), OSLO, frozenset())      # Saturday 03:00, Friday's night
    assert not w.covers(t(2026, 11, 6, 3, 0), OSLO, frozenset())  # Friday 03:00 is Thursday's night
    assert not w.covers(t(2026, 11, 7, 23, 0), OSLO, frozenset())


def test_weekday_name_and_holiday_entries_win_over_weekdays() -> None:
    r = Roster.model_validate({
        "weekdays": {"day": "07:30", "night": "22:00"},
        "weekends": {"day": "08:00", "night": "22:00"},
        "fri": {"day": "07:30", "evening": "15:00", "night": "23:00"},
        "holidays": {"day": "09:00", "night": "21:00"},
    })
    hol = frozenset({date(2026, 11, 4)})
    assert r.shift_at(t(2026, 11, 6, 22, 30), OSLO, hol) == "evening"   # Friday roster
    assert r.shift_at(t(2026, 11, 4, 8, 30), OSLO, hol) == "night"      # holiday Wednesday: day starts 09:00
    assert r.shift_at(t(2026, 11, 5, 8, 30), OSLO, hol) == "day"
