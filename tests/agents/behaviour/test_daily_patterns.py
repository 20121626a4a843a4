"""Night wandering, nocturia, sleep disturbance, activity decline and social isolation."""

from __future__ import annotations

import random
from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from agents.behaviour.decline import ActivityDecline
from agents.behaviour.nocturia import NocturiaIncrease
from agents.behaviour.periods import bounds, period_of
from agents.behaviour.sleep import SleepDisturbance
from agents.behaviour.social import SocialIsolation
from agents.behaviour.wandering import NightWandering
from schemas.alerts import AlertType, Severity
from schemas.care import Programme
from tests.agents.behaviour.scenario import (
    TZ,
    Driver,
    at,
    bed,
    days,
    door,
    motion,
    normal_day,
    social,
    toilet,
    ucla3,
    view,
)

DEM = (Programme.DEMENTIA,)


def _month(n: int, start: tuple[int, int, int] = (2026, 3, 10), **kw: object) -> list[object]:
    out: list[object] = []
    for y, m, d in days(*start, n):
        out += normal_day(y, m, d, random.Random(d * 31 + m), heartbeats=False, **kw)  # type: ignore[arg-type]
    return out


# -- night wandering -------------------------------------------------------------------
def test_dementia_resident_out_of_the_door_at_night() -> None:
    d = Driver(NightWandering(), view(DEM))
    t = at(2026, 3, 29, 2, 14)  # the night clocks go forward
    d.feed([motion(t - 30, "hallway"), door(t, "open"), motion(t + 5, "entrance"), door(t + 40, "closed")])
    found = d.tick_until(t + 40 * 60, start=t, step_s=60)
    assert len(found) == 1
    a = found[0]
    assert a.type is AlertType.NIGHT_WANDERING and a.severity is Severity.HIGH and a.episode_start == t
    assert a.time == t + 15 * 60
    assert "kl. 03:14" in a.evidence_nb  # 02:14 CET does not exist: it is 03:14 CEST
    assert "lukket" in a.evidence_nb


def test_wandering_silent_when_back_inside_daytime_or_not_dementia() -> None:
    t = at(2026, 5, 5, 2, 14)
    back = Driver(NightWandering(), view(DEM))
    back.feed([motion(t - 60, "hallway"), door(t, "open"), door(t + 60, "closed"), motion(t + 90, "bedroom")])
    assert back.tick_until(t + 3600, start=t) == []
    day = Driver(NightWandering(), view(DEM))
    day.feed([motion(at(2026, 5, 5, 13, 59), "hallway"), door(at(2026, 5, 5, 14, 0), "open")])
    assert day.tick_until(at(2026, 5, 5, 16, 0), start=at(2026, 5, 5, 14, 0)) == []
    other = Driver(NightWandering(), view())
    other.feed([motion(t - 60, "hallway"), door(t, "open")])
    assert other.tick_until(t + 3600, start=t) == []
    late = Driver(NightWandering(), view(DEM, night_from_h=21.0, wandering_return_min=5))
    t2 = at(2026, 5, 5, 21, 30)
    late.feed([motion(t2 - 60, "hallway"), door(t2, "open")])
    assert [a.time for a in late.tick_until(t2 + 600, start=t2)] == [t2 + 300]


def test_coming_home_late_is_not_wandering() -> None:
    """Regression: an exit-door opening counted the same whether the resident left or arrived, so
    coming home at 23:30 after an evening out raised night wandering."""
    d = Driver(NightWandering(), view(DEM))
    left, back = at(2026, 5, 5, 19, 0), at(2026, 5, 5, 23, 30)
    d.feed([motion(left - 60, "hallway"), door(left, "open"), door(left + 10, "closed")])
    d.feed([door(back, "open"), door(back + 10, "closed"), motion(back + 120, "hallway")])
    assert d.home.act.outings[-1] == (left, back)  # the outing runs from departure to return
    assert d.tick_until(back + 3600, start=back, step_s=60) == []


def test_a_door_while_in_bed_or_after_a_visit_is_not_the_resident_leaving() -> None:
    t = at(2026, 5, 5, 1, 30)
    in_bed = Driver(NightWandering(), view(DEM))
    in_bed.feed([motion(t - 3600, "bedroom"), bed(t - 3000, "occupied"), door(t, "open"), door(t + 20, "closed")])
    assert in_bed.tick_until(t + 3600, start=t) == []
    patrol = Driver(NightWandering(), view(DEM))  # the night patrol checks in, then leaves
    patrol.feed([door(t - 900, "open"), motion(t - 880, "hallway"), social(t - 870, "homecare_visit"),
                 motion(t - 600, "bedroom"), motion(t - 60, "hallway"), door(t, "open"), door(t + 20, "closed")])
    assert patrol.tick_until(t + 3600, start=t) == []


# -- nocturia --------------------------------------------------------------------------
def test_nocturia_fires_once_after_two_raised_nights() -> None:
    d = Driver(NocturiaIncrease(), view())
    d.feed(_month(12))
    assert d.alerts == []
    d.feed(_month(3, (2026, 3, 22), night_visits=4))  # nights to 22, 23, 24 March
    d.feed(_month(1, (2026, 3, 25)))
    assert len(d.alerts) == 1
    a = d.alerts[0]
    assert a.type is AlertType.NOCTURIA_INCREASE and a.severity is Severity.MEDIUM
    assert a.episode_start == at(2026, 3, 21, 22, 0)
    assert "4, 4 de siste 2 nettene" in a.evidence_nb and "vanligvis 1" in a.evidence_nb


def test_nocturia_silent_in_warm_up_and_on_normal_nights() -> None:
    d = Driver(NocturiaIncrease(), view())
    d.feed(_month(3) + _month(3, (2026, 3, 13), night_visits=5))
    assert d.alerts == []
    d.feed(_month(20, (2026, 3, 16)))
    assert d.alerts == []


def test_nocturia_counts_voids_between_sleeps_not_the_evening_routine_or_rising() -> None:
    """Regression: the evening bathroom routine after 22:00 and getting up for the day before
    06:00 counted as night visits, so a late bedtime and an early morning made a 'raised' night
    (ICS: a night void is preceded and followed by sleep)."""
    d = Driver(NocturiaIncrease(), view())
    d.feed(_month(12))
    for y, m, dd in days(2026, 3, 22, 3):
        day = at(y, m, dd, 0, 0)
        d.feed([
            motion(day + 13.0 * 3600, "bedroom"), bed(day + 13.1 * 3600, "occupied"),  # a nap
            bed(day + 14.0 * 3600, "vacant"), motion(day + 14.1 * 3600, "living_room"),
            motion(day + 21.0 * 3600, "living_room"),
            motion(day + 22.2 * 3600, "bathroom"), toilet(day + 22.25 * 3600), motion(day + 22.3 * 3600, "bedroom"),
            bed(day + 22.4 * 3600, "occupied"),  # evening routine, then bed
            bed(day + 26.0 * 3600, "vacant"), motion(day + 26.05 * 3600, "bathroom"),
            bed(day + 26.2 * 3600, "occupied"),  # one real night void at 02:00
            bed(day + 29.6 * 3600, "vacant"), motion(day + 29.65 * 3600, "bathroom"), toilet(day + 29.7 * 3600),
            motion(day + 30.5 * 3600, "kitchen"), motion(day + 30.6 * 3600, "kitchen"),  # up for the day at 05:36
        ])
    assert d.alerts == []
    assert d.state.ring[-3:] == [1.0, 1.0, 1.0]


def test_nocturia_quiet_night_in_bed_counts_as_zero() -> None:
    """Regression: a night with no event at all (in bed by 21:45, slept through) was skipped as
    'no data', which dropped 0-visit nights from the baseline and bridged raised nights."""
    d = Driver(NocturiaIncrease(), view())
    d.feed(_month(12))
    y, m, dd = 2026, 3, 22
    d.feed([motion(at(y, m, dd, 21, 30), "bathroom"), bed(at(y, m, dd, 21, 45), "occupied"),
            bed(at(y, m, dd + 1, 7, 0), "vacant"), motion(at(y, m, dd + 1, 7, 1), "bathroom")])
    assert d.state.ring[-1] == 0.0


def test_nocturia_two_chance_nights_against_a_low_level_are_no_alert() -> None:
    """Regression: with a median of 0 visits (spread 0) two nights of 2 were 'raised' and alerted."""
    d = Driver(NocturiaIncrease(), view())
    for i, (y, m, dd) in enumerate(days(2026, 3, 10, 14)):
        d.feed(normal_day(y, m, dd, random.Random(dd), heartbeats=False, night_visits=1 if i % 3 == 0 else 0))
    d.feed(_month(2, (2026, 3, 24), night_visits=2) + _month(2, (2026, 3, 26), night_visits=0))
    assert d.alerts == []


def test_nocturia_persistent_small_rise_alerts_on_the_third_night() -> None:
    """Regression: +1-2 visits a night against usually 1 never reached median + 2 MAD."""
    d = Driver(NocturiaIncrease(), view())
    d.feed(_month(14))
    d.feed(_month(1, (2026, 3, 24), night_visits=2) + _month(1, (2026, 3, 25), night_visits=3))
    assert d.alerts == []
    d.feed(_month(1, (2026, 3, 26), night_visits=2) + _month(1, (2026, 3, 27)))
    assert len(d.alerts) == 1
    a = d.alerts[0]
    assert "2, 3, 2 over the last 3 nights" in a.evidence_en and "usually 1" in a.evidence_en
    assert a.episode_start == at(2026, 3, 23, 22, 0)


# -- sleep -----------------------------------------------------------------------------
def test_sleep_disturbance_after_three_restless_nights() -> None:
    d = Driver(SleepDisturbance(), view())
    d.feed(_month(12))
    d.feed(_month(4, (2026, 3, 22), bed_exits=5))
    d.feed(_month(1, (2026, 3, 26)))
    assert [a.type for a in d.alerts] == [AlertType.SLEEP_DISTURBANCE]
    assert d.alerts[0].severity is Severity.MEDIUM  # 5 exits against usually 1
    assert "5, 5, 5 ganger ute av sengen" in d.alerts[0].evidence_nb


# -- activity decline ------------------------------------------------------------------
def test_activity_decline_over_three_days_once() -> None:
    d = Driver(ActivityDecline(), view())
    d.feed(_month(14))
    assert d.alerts == []
    low: list[object] = []
    for y, m, dd in days(2026, 3, 24, 5):
        low += [motion(at(y, m, dd, h, 0), "bedroom") for h in range(8, 20, 2)]
        low += [motion(at(y, m, dd, 9, 0), "bathroom")]
    d.feed(low + _month(1, (2026, 3, 29)))
    assert len(d.alerts) == 1
    a = d.alerts[0]
    assert a.type is AlertType.ACTIVITY_DECLINE and a.episode_start == at(2026, 3, 24, 0, 0)
    assert "3 dager på rad" in a.evidence_nb and "i 2, 2, 2 rom" in a.evidence_nb


# -- social isolation ------------------------------------------------------------------
def test_a_week_without_outings_or_contacts() -> None:
    d = Driver(SocialIsolation(), view())
    d.feed(_month(5))
    d.feed([ucla3(at(2026, 3, 14, 10, 0), 7.0)])
    d.feed(_month(9, (2026, 3, 15), outing=False, contact=False))
    assert len(d.alerts) == 1
    a = d.alerts[0]
    assert a.type is AlertType.SOCIAL_ISOLATION and a.severity is Severity.MEDIUM and a.recipient_hint is None
    assert a.episode_start == at(2026, 3, 15, 0, 0) and a.episode_key == "none"
    assert "7 dager" in a.evidence_nb and "UCLA-3" in a.evidence_nb and "7 av 9" in a.evidence_nb


def test_social_drop_against_baseline() -> None:
    d = Driver(SocialIsolation(), view())
    d.feed(_month(21, (2026, 2, 1)))
    for i, (y, m, dd) in enumerate(days(2026, 2, 22, 16)):
        d.feed(normal_day(y, m, dd, random.Random(dd), heartbeats=False, outing=False, contact=i % 4 == 0))
    assert [(a.episode_key, a.severity) for a in d.alerts] == [("drop", Severity.LOW)]
    assert "de siste 14 dagene" in d.alerts[0].evidence_nb


def test_normal_month_is_silent_for_every_daily_pattern() -> None:
    events = _month(30, (2026, 9, 30))  # spans the October DST change
    for det in (NocturiaIncrease(), SleepDisturbance(), ActivityDecline(), SocialIsolation()):
        d = Driver(det, view())
        d.feed(events)
        assert d.alerts == [], det.name


def test_restart_every_event_gives_the_same_alerts() -> None:
    events = _month(12) + _month(3, (2026, 3, 22), night_visits=4) + _month(1, (2026, 3, 25))
    plain, stored = Driver(NocturiaIncrease(), view()), Driver(NocturiaIncrease(), view())
    plain.feed(events)
    stored.feed(events[:5000])
    stored.roundtrip()
    stored.feed(events[5000:], roundtrip=False)
    assert [(a.episode_start, a.evidence_en) for a in plain.alerts] == [
        (a.episode_start, a.evidence_en) for a in stored.alerts
    ]


def test_late_and_duplicate_events_do_not_double_count() -> None:
    d = Driver(NocturiaIncrease(), view())
    d.feed(_month(12))
    t = at(2026, 3, 23, 3, 0)
    visit = [bed(t - 60, "vacant"), motion(t, "bathroom"), motion(t + 30, "bathroom"), bed(t + 300, "occupied")]
    # the same visit seen twice and out of order, and a late one just inside the night
    d.feed([*visit, visit[1], bed(at(2026, 3, 23, 5, 57), "vacant"), motion(at(2026, 3, 23, 5, 58), "bathroom"),
            bed(at(2026, 3, 23, 6, 2), "occupied"), motion(at(2026, 3, 23, 6, 5), "kitchen")])
    d.feed([motion(at(2026, 3, 23, 5, 59), "bathroom"), motion(at(2026, 3, 23, 6, 30), "kitchen")])
    assert d.state.ring[-1] == 2.0


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=1.7e9, max_value=1.9e9), st.sampled_from([(22.0, 6.0), (0.0, 0.0), (21.5, 7.0)]))
def test_period_holds_or_precedes_every_time(t: float, window: tuple[float, float]) -> None:
    n = period_of(t, TZ, *window)
    start, end = bounds(n, TZ, *window)
    assert t < end
    assert start <= t or bounds(n - 1, TZ, *window)[1] <= t
    assert datetime.fromtimestamp(end, TZ).hour == int(window[1])
