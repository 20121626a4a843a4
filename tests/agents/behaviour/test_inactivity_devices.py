"""No morning activity, daytime inactivity, device supervision and their interplay."""

from __future__ import annotations

import random
from datetime import datetime

from agents.behaviour import coverage
from agents.behaviour.devices import DeviceHealth
from agents.behaviour.inactivity import Inactivity
from agents.localtime import local_day_number
from schemas.alerts import AlertType, RecipientKind, Severity
from schemas.devices import DeviceRegistry
from schemas.events import Chair, Room
from tests.agents.behaviour.scenario import (
    KIT,
    TZ,
    Driver,
    _base,
    _spec,
    alive,
    at,
    battery,
    bed,
    days,
    door,
    heartbeat,
    motion,
    normal_day,
    social,
    toilet,
    view,
)

NO_BEATS = DeviceRegistry(devices=tuple(s.model_copy(update={"heartbeat_min": None}) for s in KIT.devices))
"""The same kit without supervision heartbeats (plain reed switches and PIRs)."""


def _learned(d: Driver, y: int, mo: int, first: int, n: int, wake: float = 7.0) -> None:
    for yy, mm, dd in days(y, mo, first, n):
        d.feed(normal_day(yy, mm, dd, random.Random(dd), wake=wake))


def _deadline(d: Driver, y: int, mo: int, dd: int) -> float:
    """The morning deadline the detector computes for that day (usual start + margin)."""
    det = d.detector
    assert isinstance(det, Inactivity)
    return det._deadline(d.state, local_day_number(at(y, mo, dd, 12), TZ), d.view)


def _morning(found: list[object]) -> list[object]:
    return [a for a in found if a.type is AlertType.NO_MORNING_ACTIVITY]  # type: ignore[attr-defined]


# -- the morning ---------------------------------------------------------------------------
def test_no_morning_activity_after_learned_usual_start_plus_margin() -> None:
    d = Driver(Inactivity(), view())
    _learned(d, 2026, 5, 1, 14)
    assert d.alerts == []
    # up at about 07:00, in the kitchen from about 07:24: the usual morning is anchored on the kitchen
    assert abs(d.state.usual_h - 7.4) < 0.25
    deadline = _deadline(d, 2026, 5, 15)
    assert datetime.fromtimestamp(deadline, TZ).hour == 8
    d.feed(alive(at(2026, 5, 15, 0, 0), at(2026, 5, 15, 11, 0)), tick=False)
    assert d.tick_until(deadline - 60, start=at(2026, 5, 15, 4, 0), step_s=300) == []
    found = _morning(d.tick_until(deadline + 3600, start=deadline - 60, step_s=60))
    assert len(found) == 1
    a = found[0]
    assert a.severity is Severity.HIGH and abs(a.time - deadline) <= 60  # type: ignore[attr-defined]
    assert "vanlig start" in a.evidence_nb and "soverommet" in a.evidence_nb  # type: ignore[attr-defined]
    assert d.tick_until(at(2026, 5, 15, 11, 0), start=deadline + 3600, step_s=600) == []


def test_warm_up_uses_the_default_time_and_is_not_urgent() -> None:
    d = Driver(Inactivity(), view())
    d.feed([motion(at(2026, 5, 1, 21, 0), "living_room")])
    d.feed(alive(at(2026, 5, 1, 21, 0), at(2026, 5, 2, 12, 0)), tick=False)
    assert d.tick_until(at(2026, 5, 2, 10, 58), start=at(2026, 5, 2, 4, 0), step_s=600) == []
    found = d.tick(at(2026, 5, 2, 11, 0))
    assert [(a.type, a.severity) for a in found] == [(AlertType.NO_MORNING_ACTIVITY, Severity.MEDIUM)]
    assert "standard morgentid kl. 10:00 + 60 min" in found[0].evidence_nb
    assert "not learned yet" in found[0].evidence_en


def test_warm_up_waits_for_the_latest_start_seen_so_far() -> None:
    """A late riser is not alarmed every morning of the first week: the warm-up deadline is the
    latest start seen so far (at least the default) plus the margin."""
    d = Driver(Inactivity(), view())
    _learned(d, 2026, 5, 1, 3, wake=10.6)
    assert len(d.state.firsts) >= 2 and d.state.usual_h < 0.0
    assert _morning(d.alerts) == []
    assert datetime.fromtimestamp(_deadline(d, 2026, 5, 4), TZ).hour >= 12


def test_morning_override_and_presence() -> None:
    d = Driver(Inactivity(), view(morning_fallback_h=8.0, morning_margin_min=30))
    d.feed([motion(at(2026, 5, 1, 21, 0), "living_room")])
    d.feed(alive(at(2026, 5, 1, 21, 0), at(2026, 5, 2, 12, 0)), tick=False)
    assert d.tick(at(2026, 5, 2, 8, 31))[0].type is AlertType.NO_MORNING_ACTIVITY
    away = Driver(Inactivity(), view(presence="hospital"))
    away.feed([motion(at(2026, 5, 1, 21, 0), "living_room")])
    assert away.tick_until(at(2026, 5, 2, 20, 0), start=at(2026, 5, 2, 4, 0), step_s=900) == []


def test_a_night_trip_or_a_single_door_after_four_is_not_the_morning() -> None:
    """Regression: toilet trips and interior doors after 04:00 counted as the day's first activity,
    so the learned morning became 06:30 for someone who gets up at 08:40."""
    d = Driver(Inactivity(), view())
    for y, m, dd in days(2026, 5, 1, 14):
        day = normal_day(y, m, dd, random.Random(dd), wake=8.7)
        t = at(y, m, dd, 4, 40)  # an early toilet trip, back to bed; a lone kitchen report at 06:30
        day += [bed(t, "vacant"), motion(t + 60, "hallway"), motion(t + 120, "bathroom"), toilet(t + 180),
                bed(t + 400, "occupied"), motion(at(y, m, dd, 6, 30), "kitchen")]
        d.feed(sorted(day, key=lambda e: e.time))
    assert d.alerts == []
    assert abs(d.state.usual_h - 9.1) < 0.3  # the kitchen after getting up at 08:40


def test_days_that_start_away_do_not_enter_the_baseline() -> None:
    d = Driver(Inactivity(), view())
    _learned(d, 2026, 5, 1, 10)
    n = len(d.state.firsts)
    # left on the evening of 11 May, back at 15:00 on 12 May
    d.feed([motion(at(2026, 5, 11, 18, 0), "hallway"), door(at(2026, 5, 11, 18, 1), "open"),
            door(at(2026, 5, 11, 18, 2), "closed")])
    d.feed(alive(at(2026, 5, 11, 18, 0), at(2026, 5, 12, 15, 0)), tick=False)
    assert _morning(d.tick_until(at(2026, 5, 12, 14, 0), start=at(2026, 5, 12, 4, 0), step_s=600)) == []
    back = at(2026, 5, 12, 15, 0)
    d.feed([door(back, "open"), door(back + 10, "closed"), motion(back + 40, "hallway")]
           + [motion(back + 600 * i, "kitchen") for i in range(1, 6)])
    d.feed(normal_day(2026, 5, 13, random.Random(13)))
    assert len(d.state.firsts) == n + 1  # 13 May learned, 12 May (started away) not
    assert d.state.firsts[-1] < 8.0


def test_an_alerted_morning_does_not_enter_the_baseline() -> None:
    """A morning that needed an alert (the resident got up at 15:00) does not move the learned
    usual start later for the mornings after."""
    d = Driver(Inactivity(), view())
    _learned(d, 2026, 5, 1, 10)
    n, usual = len(d.state.firsts), d.state.usual_h
    d.feed(alive(at(2026, 5, 11, 0, 0), at(2026, 5, 11, 15, 0)), tick=False)
    found = _morning(d.tick_until(at(2026, 5, 11, 14, 0), start=at(2026, 5, 11, 4, 0), step_s=600))
    assert len(found) == 1
    late = at(2026, 5, 11, 15, 0)
    d.feed([bed(late, "vacant")] + [motion(late + 600 * i, "kitchen") for i in range(1, 6)])
    d.feed(normal_day(2026, 5, 12, random.Random(12)))
    d.feed(normal_day(2026, 5, 13, random.Random(13)))
    assert len(d.state.firsts) == n + 2  # 10 and 12 May learned, 11 May (alerted) not
    assert max(d.state.firsts) < 10.0 and abs(d.state.usual_h - usual) < 0.25


def test_a_resident_who_gets_up_and_goes_out_learns_the_departure_not_the_evening() -> None:
    """Regression (Kasteren house C): a resident who leaves for the day without a kitchen routine
    had each day anchored on the evening's kitchen, so the learned morning became 17:00."""
    d = Driver(Inactivity(), view())
    for y, m, dd in days(2026, 5, 4, 10):
        up, gone, back = at(y, m, dd, 7, 0), at(y, m, dd, 7, 30), at(y, m, dd, 17, 0)
        d.feed([bed(at(y, m, dd, 0, 0) - 3600, "occupied"), bed(up, "vacant"), motion(up + 60, "bathroom"),
                motion(up + 900, "bedroom"), motion(gone - 30, "hallway"), door(gone, "open"), door(gone + 10, "closed"),
                *alive(gone, back),
                door(back, "open"), door(back + 10, "closed"), motion(back + 40, "hallway"),
                *[motion(back + 600 * i, "kitchen") for i in range(1, 6)],
                motion(at(y, m, dd, 22, 30), "bedroom"), bed(at(y, m, dd, 22, 40), "occupied")])
    assert d.state.usual_h >= 0.0 and d.state.usual_h < 8.0
    assert _morning(d.alerts) == []


def test_a_late_night_is_not_the_morning() -> None:
    """A resident up until 04:30 who then sleeps until 10:00: the 04:xx activity was the night's tail."""
    d = Driver(Inactivity(), view())
    y, m, dd = 2026, 5, 2
    tail = [motion(at(y, m, dd, 4, 0) + 300 * i, "kitchen") for i in range(6)]
    d.feed([motion(at(y, m, dd - 1, 21, 0), "living_room"), *tail, motion(at(y, m, dd, 4, 35), "bedroom"),
            bed(at(y, m, dd, 4, 40), "occupied"), bed(at(y, m, dd, 10, 0), "vacant"),
            motion(at(y, m, dd, 10, 2), "bathroom")]
           + [motion(at(y, m, dd, 10, 20) + 300 * i, "kitchen") for i in range(6)])
    d.feed(normal_day(2026, 5, 3, random.Random(3)))
    assert abs(d.state.firsts[0] - (10 + 20 / 60)) < 0.02  # the kitchen after the real start, not 04:00


def test_morning_across_spring_dst_change() -> None:
    """On the spring-forward morning the body clock wakes an hour later by the wall clock:
    the deadline moves by the jump, so a resident who gets up at the usual body-clock time is
    not alarmed on (regression: one false high alert per resident on that Sunday)."""
    d = Driver(Inactivity(), view())
    _learned(d, 2026, 3, 15, 14)  # up to and including Saturday 28 March
    deadline = _deadline(d, 2026, 3, 29)
    d.feed(alive(at(2026, 3, 29, 0, 0), at(2026, 3, 29, 11, 0)), tick=False)
    assert d.tick_until(deadline - 60, start=at(2026, 3, 29, 4, 0), step_s=60) == []
    morning = _morning(d.tick_until(deadline + 3600, start=deadline, step_s=60))
    assert len(morning) == 1
    local = datetime.fromtimestamp(morning[0].time, TZ)  # type: ignore[attr-defined]
    assert (local.hour, local.utcoffset().total_seconds()) == (9, 7200)  # type: ignore[union-attr]


def test_spring_dst_morning_body_clock_riser_is_not_alarmed() -> None:
    d = Driver(Inactivity(), view())
    _learned(d, 2026, 3, 15, 14)
    d.feed(normal_day(2026, 3, 29, random.Random(29), wake=8.0))  # 07:00 body clock = 08:00 CEST
    assert _morning(d.alerts) == []


def test_resident_up_at_deadline_gets_time_not_an_alarm() -> None:
    """Regression: a resident out of bed and in the bathroom at the deadline (a slow morning
    routine) was alarmed on; the check waits until leaving the bed counts as the day's start."""
    d = Driver(Inactivity(), view())
    _learned(d, 2026, 5, 1, 14, wake=8.0)
    deadline = _deadline(d, 2026, 5, 15)
    d.feed([bed(deadline - 20 * 60, "vacant"), motion(deadline - 18 * 60, "bedroom"),
            motion(deadline - 10 * 60, "bathroom"), toilet(deadline - 8 * 60), motion(deadline - 3 * 60, "bathroom")])
    d.feed(alive(at(2026, 5, 15, 0, 0), at(2026, 5, 15, 12, 0)), tick=False)
    assert d.tick_until(deadline + 25 * 60, start=deadline - 60, step_s=60) == []
    d.feed([motion(deadline + 26 * 60, "bathroom"), motion(deadline + 40 * 60, "bedroom")])
    assert d.tick_until(at(2026, 5, 15, 12, 0), start=deadline + 41 * 60, step_s=60) == []
    assert _morning(d.alerts) == []


def test_getting_up_during_the_grace_waits_for_the_day_to_start() -> None:
    """Regression (simulator): a home-care visit at the deadline counted as 'up'; the resident left
    the bed just after it and was alarmed on at the end of the grace while dressing."""
    d = Driver(Inactivity(), view())
    _learned(d, 2026, 5, 1, 14)
    deadline = _deadline(d, 2026, 5, 15)
    carer = deadline - 5 * 60
    day = [door(carer, "open"), door(carer + 10, "closed"), social(carer + 40, "homecare_visit"),
           motion(carer + 60, "living_room"), bed(deadline + 4 * 60, "vacant"), motion(deadline + 5 * 60, "bathroom")]
    day += [motion(deadline + 60 * m, "bedroom") for m in range(10, 60, 5)]
    day += alive(at(2026, 5, 15, 0, 0), at(2026, 5, 15, 12, 0), every_s=60.0)  # the clock runs minute by minute
    d.feed(sorted(day, key=lambda e: e.time))
    assert _morning(d.alerts) == []


def test_back_in_bed_at_deadline_is_not_up() -> None:
    """An early toilet trip ending back in bed is no reason to wait: the alert is on time."""
    d = Driver(Inactivity(), view())
    _learned(d, 2026, 5, 1, 14)
    deadline = _deadline(d, 2026, 5, 15)
    d.feed([bed(deadline - 15 * 60, "vacant"), motion(deadline - 14 * 60, "bathroom"),
            motion(deadline - 8 * 60, "bedroom"), bed(deadline - 7 * 60, "occupied")])
    d.feed(alive(at(2026, 5, 15, 0, 0), at(2026, 5, 15, 12, 0)), tick=False)
    morning = _morning(d.tick_until(deadline + 10 * 60, start=deadline - 60, step_s=60))
    assert len(morning) == 1 and abs(morning[0].time - deadline) <= 60  # type: ignore[attr-defined]


def test_lone_spurious_kitchen_motion_does_not_start_the_day() -> None:
    """Regression: one passive-infrared false trigger in the kitchen counted as the day's start."""
    d = Driver(Inactivity(), view())
    _learned(d, 2026, 5, 1, 14)
    deadline = _deadline(d, 2026, 5, 15)
    d.feed([motion(at(2026, 5, 15, 6, 57), "kitchen")])
    d.feed(alive(at(2026, 5, 15, 0, 0), at(2026, 5, 15, 12, 0)), tick=False)
    morning = _morning(d.tick_until(deadline + 30 * 60, start=at(2026, 5, 15, 7, 0), step_s=60))
    assert len(morning) == 1 and abs(morning[0].time - deadline) <= 60  # type: ignore[attr-defined]


def test_morning_across_autumn_dst_change() -> None:
    d = Driver(Inactivity(), view())
    _learned(d, 2026, 10, 11, 14)
    deadline = _deadline(d, 2026, 10, 25)
    d.feed(alive(at(2026, 10, 25, 0, 0), at(2026, 10, 25, 10, 0)), tick=False)
    morning = _morning(d.tick_until(deadline + 3600, start=at(2026, 10, 25, 4, 0), step_s=60))
    assert len(morning) == 1
    local = datetime.fromtimestamp(morning[0].time, TZ)  # type: ignore[attr-defined]
    assert (local.hour, local.utcoffset().total_seconds()) == (8, 3600)  # type: ignore[union-attr]


# -- daytime inactivity --------------------------------------------------------------------
def test_daytime_inactivity_medium_then_high_once_each() -> None:
    d = Driver(Inactivity(), view())
    last = at(2026, 5, 4, 9, 12)
    d.feed([bed(last - 7200, "vacant"), motion(last - 3600, "bedroom")]
           + [motion(last - 1800 + 300 * i, "kitchen") for i in range(7)])
    d.feed(alive(last, last + 8 * 3600), tick=False)
    found = d.tick_until(at(2026, 5, 4, 16, 0), start=last, step_s=60)
    assert [(a.type, a.severity) for a in found] == [
        (AlertType.DAYTIME_INACTIVITY, Severity.MEDIUM), (AlertType.DAYTIME_INACTIVITY, Severity.HIGH)
    ]
    assert found[0].time == last + 4 * 3600 and found[1].time == last + 6 * 3600
    assert all(a.episode_start == last for a in found)
    assert found[0].episode_key != found[1].episode_key
    assert "Ingen aktivitet registrert siden kl. 09:12" in found[0].evidence_nb
    assert "kjøkkenet" in found[0].evidence_nb and "grense 4 t" in found[0].evidence_nb


def test_seated_in_the_armchair_waits_twice_as_long_and_stays_medium() -> None:
    d = Driver(Inactivity(), view())
    t = at(2026, 5, 4, 10, 0)
    seated = Chair(**_base(t + 60, "chair-1"), state="occupied", seat="armchair", room=Room.LIVING_ROOM)
    d.feed([bed(t - 3 * 3600, "vacant")] + [motion(t - 1800 + 300 * i, "kitchen") for i in range(6)]
           + [motion(t, "living_room"), seated])
    d.feed(alive(t, t + 11 * 3600), tick=False)
    found = d.tick_until(at(2026, 5, 4, 21, 0), start=t, step_s=300)
    assert [(a.severity, round((a.time - t) / 3600)) for a in found] == [(Severity.MEDIUM, 8)]
    assert "i stolen" in found[0].evidence_nb


def test_seated_resident_is_due_at_the_resting_limit_so_sparse_input_hears_it_on_time() -> None:
    """A shell that ticks only at the detector's own deadline (an offline replay of a home whose
    sensors are quiet, or the live worker in event-clock mode) must hear the seated resident's
    alert at the resting limit, not at the next record hours later."""
    d = Driver(Inactivity(), view())
    t = at(2026, 5, 4, 10, 0)
    seated = Chair(**_base(t + 60, "chair-1"), state="occupied", seat="armchair", room=Room.LIVING_ROOM)
    d.feed([bed(t - 3 * 3600, "vacant")] + [motion(t - 1800 + 300 * i, "kitchen") for i in range(6)]
           + [motion(t, "living_room"), seated])
    due = d.detector.due(d.state, d.view)
    assert due == t + 60 + 8 * 3600  # twice the 4 h limit from the last activity (sitting down)
    found = d.tick(due)
    assert [(a.type, a.severity, a.time) for a in found] == [(AlertType.DAYTIME_INACTIVITY, Severity.MEDIUM, due)]


def test_no_daytime_alert_overnight_before_the_day_starts_or_when_gone_out() -> None:
    d = Driver(Inactivity(), view())
    d.feed([motion(at(2026, 5, 4, 19, 0), "living_room")])  # 19:00 + 4 h is past 22:00
    found = d.tick_until(at(2026, 5, 5, 4, 0), start=at(2026, 5, 4, 19, 0), step_s=600)
    assert found == []
    late = Driver(Inactivity(), view())  # asleep: not counted before the morning check's deadline
    late.feed([motion(at(2026, 5, 4, 23, 0), "bedroom")])
    late.feed(alive(at(2026, 5, 4, 23, 0), at(2026, 5, 5, 14, 0)), tick=False)
    found = late.tick_until(at(2026, 5, 5, 14, 0), start=at(2026, 5, 5, 4, 0), step_s=300)
    assert [a.type for a in found] == [AlertType.NO_MORNING_ACTIVITY]
    out = Driver(Inactivity(), view())
    t = at(2026, 5, 4, 10, 0)
    out.feed([motion(t, "hallway"), door(t + 10, "open"), door(t + 20, "closed")])
    assert out.tick_until(at(2026, 5, 4, 21, 0), start=t, step_s=600) == []


# -- silence and supervision ---------------------------------------------------------------
def test_every_sensor_offline_pauses_inactivity_and_coverage_says_so() -> None:
    """Only a proven fault (every activity sensor missed its heartbeats) holds the checks back,
    and the coverage report says they are paused."""
    inact, dev = Driver(Inactivity(), view()), Driver(DeviceHealth(), view())
    t = at(2026, 5, 4, 9, 0)
    events = [*alive(t - 3 * 3600, t), motion(t, "kitchen"), motion(t + 60, "living_room")]
    inact.feed(events)
    dev.feed(events)
    end = t + 8 * 3600
    assert inact.tick_until(end, start=t, step_s=300) == []
    cov = coverage.INACTIVITY.assess(inact.home, inact.view, end)
    assert cov.status is coverage.Status.PAUSED and "missed its supervision heartbeats" in cov.reason_en
    found = dev.tick_until(end, start=t, step_s=300)
    blind = [a for a in found if a.episode_key == "blind"]
    assert len(blind) == 1 and blind[0].severity is Severity.MEDIUM and "holdes tilbake" in blind[0].evidence_nb
    assert all(a.severity is not Severity.HIGH for a in found)


def test_silent_event_only_sensors_do_not_mute_inactivity() -> None:
    """Regression: event-only sensors silent during sleep or stillness made supervision 'blind' and
    muted the morning and inactivity checks."""
    d = Driver(Inactivity(), view(devices=NO_BEATS))
    last = at(2026, 5, 4, 9, 12)
    d.feed([bed(last - 7200, "vacant")] + [motion(last - 1800 + 300 * i, "kitchen") for i in range(7)])
    found = d.tick_until(last + 6 * 3600, start=last, step_s=300)
    assert [a.severity for a in found] == [Severity.MEDIUM, Severity.HIGH]
    assert coverage.INACTIVITY.assess(d.home, d.view, last + 6 * 3600).status is coverage.Status.LIVE


def test_one_offline_sensor_qualifies_the_inactivity_alert() -> None:
    d = Driver(Inactivity(), view())
    t = at(2026, 5, 4, 9, 0)
    d.feed([*alive(t - 3 * 3600, t), bed(t - 600, "vacant")] + [motion(t - 1800 + 300 * i, "kitchen") for i in range(7)])
    others = tuple(x for x in KIT.devices if x.device_id != "pir-bath")
    d.feed(alive(t, t + 6 * 3600, tuple(x.device_id for x in others)), tick=False)
    found = d.tick_until(t + 4 * 3600 + 120, start=t, step_s=60)
    assert len(found) == 1 and "pir-bath" in found[0].evidence_nb and "Note: sensor pir-bath" in found[0].evidence_en


def test_heartbeat_device_lost_after_missed_heartbeats_is_low_to_device_support() -> None:
    d = Driver(DeviceHealth(), view())
    t = at(2026, 5, 4, 12, 0)
    d.feed([heartbeat(t + 3600 * i, dev) for i in range(3) for dev in ("pir-kit", "pir-liv")])
    d.feed([heartbeat(t + 3600 * i, "pir-liv") for i in range(3, 8)], tick=False)
    found = d.tick_until(t + 8 * 3600, start=t + 2 * 3600, step_s=300)
    assert [(a.episode_key, a.severity) for a in found] == [("pir-kit", Severity.LOW)]
    assert found[0].time == t + 2 * 3600 + 3 * 3600 + 300  # three hourly heartbeats missed
    assert "sender kontrollsignal" in found[0].evidence_nb and found[0].details["supervision"] == "heartbeat"


def test_blind_for_long_goes_to_home_care_by_day_only() -> None:
    d = Driver(DeviceHealth(), view())
    t = at(2026, 5, 4, 18, 0)
    d.feed([heartbeat(t, s.device_id) for s in KIT.devices])
    found = d.tick_until(at(2026, 5, 5, 12, 0), start=t, step_s=300)
    blind = [a for a in found if a.episode_key.startswith("blind")]
    assert [(a.episode_key, a.severity, a.recipient_hint) for a in blind] == [
        ("blind", Severity.MEDIUM, None), ("blind-homecare", Severity.MEDIUM, RecipientKind.HOMECARE)
    ]
    # blind from 21:00; 12 h later is 09:00, within the day hours: home care then, not at night
    assert datetime.fromtimestamp(blind[1].time, TZ).hour == 9
    assert all(a.severity is not Severity.HIGH for a in found)


def test_event_only_device_learns_its_own_silences() -> None:
    """Without heartbeats a device is silent only against its own gaps (day and night apart), with
    a floor, and only while the home is otherwise active: a quiet or empty home is not a fault."""
    d = Driver(DeviceHealth(), view(devices=NO_BEATS))
    for y, m, dd in days(2026, 5, 1, 10):
        d.feed(normal_day(y, m, dd, random.Random(dd), heartbeats=False, outing=False))
    assert [a for a in d.alerts if a.type is AlertType.DEVICE_SILENT] == []
    gaps = d.state.gaps["pir-kit"]
    assert len(gaps.day) >= 7  # the kitchen is not used at night: no silence of its starts there
    # 11 May: the kitchen sensor dies at 06:00; the resident lives on in the other rooms
    t = at(2026, 5, 11, 6, 0)
    rest = [motion(t + 900 * i, "living_room" if i % 2 else "bedroom") for i in range(60)]
    found = d.feed(rest)
    silent = [a for a in found if a.episode_key == "pir-kit"]
    assert len(silent) == 1 and silent[0].severity is Severity.LOW
    assert silent[0].details["supervision"] == "learned" and silent[0].details["limit_min"] >= 12 * 60
    assert "may be a room not in use" in silent[0].evidence_en


def test_silence_limit_overrides_per_device_and_per_kind() -> None:
    kit = DeviceRegistry(
        devices=(_spec("door-1", "door", "hallway", "exit", beat=None).model_copy(update={"silent_after_min": 60.0}),
                 _spec("pir-kit", "motion", "kitchen", beat=None)),
        silent_after_min_by_kind={"motion": 120.0},
    )
    d = Driver(DeviceHealth(), view(devices=kit))
    t = at(2026, 5, 4, 12, 0)
    d.feed([door(t, "open"), motion(t, "kitchen")])
    found = d.tick_until(t + 5 * 3600, start=t, step_s=300)
    assert [(a.episode_key, round((a.time - t) / 60)) for a in found] == [("door-1", 65), ("pir-kit", 125)]
    assert all(a.details["supervision"] == "set" for a in found)
    d.roundtrip()
    d.feed([door(t + 6 * 3600, "closed")])  # heard again: a later silence is a new episode
    again = d.tick_until(t + 9 * 3600, start=t + 6 * 3600, step_s=300)
    assert [a.episode_start for a in again] == [t + 6 * 3600]


def test_heartbeats_keep_devices_alive_and_battery_alerts_once() -> None:
    d = Driver(DeviceHealth(), view())
    t = at(2026, 5, 4, 0, 0)
    d.feed([heartbeat(t + 1800 * i, "pir-kit") for i in range(48)])
    assert d.alerts == []
    found = d.feed([battery(t + 86400, "pir-kit", 14.0), heartbeat(t + 86500, "pir-kit", 12.0)])
    assert [a.type for a in found] == [AlertType.LOW_BATTERY]
    assert "14 % (grense 15 %)" in found[0].evidence_nb and found[0].episode_key == "pir-kit"
    assert d.feed([battery(t + 87000, "pir-kit", 17.0), battery(t + 87500, "pir-kit", 13.0)]) == []
    d.feed([battery(t + 88000, "pir-kit", 100.0)])  # replaced
    assert len(d.feed([battery(t + 90000, "pir-kit", 10.0)])) == 1
