"""No morning activity, daytime inactivity, device health and their interplay."""

from __future__ import annotations

import random
from datetime import datetime

from agents.behaviour.devices import DeviceHealth
from agents.behaviour.inactivity import Inactivity
from schemas.alerts import AlertType, Severity
from tests.agents.behaviour.scenario import (
    TZ,
    Driver,
    alive,
    at,
    battery,
    bed,
    days,
    door,
    heartbeat,
    motion,
    normal_day,
    toilet,
    view,
)


def _learned(d: Driver, y: int, mo: int, first: int, n: int, wake: float = 7.0) -> None:
    for yy, mm, dd in days(y, mo, first, n):
        d.feed(normal_day(yy, mm, dd, random.Random(dd), wake=wake))


def test_no_morning_activity_after_learned_usual_time_plus_margin() -> None:
    d = Driver(Inactivity(), view())
    _learned(d, 2026, 5, 1, 14)
    assert d.alerts == []
    # 15 May: nothing at all after last night's bedtime (night visit trimmed away)
    # the day starts in the kitchen ~07:25 (bedroom and bathroom visits do not count)
    deadline = at(2026, 5, 15, 8, 25)
    d.feed(alive(at(2026, 5, 15, 0, 0), at(2026, 5, 15, 11, 0)), tick=False)
    assert d.tick_until(deadline - 15 * 60, start=at(2026, 5, 15, 4, 0), step_s=300) == []
    found = d.tick_until(deadline + 3600, start=deadline - 300, step_s=60)
    morning = [a for a in found if a.type is AlertType.NO_MORNING_ACTIVITY]
    assert len(morning) == 1
    a = morning[0]
    assert a.severity is Severity.HIGH
    assert abs(a.time - deadline) < 6 * 60  # usual ~07:25 learned, + 60 min
    assert "vanlig første aktivitet" in a.evidence_nb and "sengen" in a.evidence_nb
    assert d.tick_until(at(2026, 5, 15, 11, 0), start=deadline + 3600, step_s=600) == []


def test_fallback_morning_time_during_warm_up() -> None:
    d = Driver(Inactivity(), view())
    d.feed([motion(at(2026, 5, 1, 21, 0), "living_room")])
    d.feed(alive(at(2026, 5, 1, 21, 0), at(2026, 5, 2, 12, 0)), tick=False)
    assert d.tick_until(at(2026, 5, 2, 10, 58), start=at(2026, 5, 2, 4, 0), step_s=600) == []
    found = d.tick(at(2026, 5, 2, 11, 0))
    assert [a.type for a in found] == [AlertType.NO_MORNING_ACTIVITY]
    assert "standard morgentid kl. 10:00 + 60 min" in found[0].evidence_nb


def test_morning_override_and_presence() -> None:
    d = Driver(Inactivity(), view(morning_fallback_h=8.0, morning_margin_min=30))
    d.feed([motion(at(2026, 5, 1, 21, 0), "living_room")])
    d.feed(alive(at(2026, 5, 1, 21, 0), at(2026, 5, 2, 12, 0)), tick=False)
    assert d.tick(at(2026, 5, 2, 8, 31))[0].type is AlertType.NO_MORNING_ACTIVITY
    away = Driver(Inactivity(), view(presence="hospital"))
    away.feed([motion(at(2026, 5, 1, 21, 0), "living_room")])
    assert away.tick_until(at(2026, 5, 2, 20, 0), start=at(2026, 5, 2, 4, 0), step_s=900) == []


def test_morning_across_spring_dst_change() -> None:
    """On the spring-forward morning the body clock wakes an hour later by the wall clock:
    the deadline moves by the jump (08:00 usual deadline -> 09:00 CEST), so a resident who
    gets up at the usual body-clock time is not alarmed on (regression: one false high alert
    per resident on that Sunday)."""
    d = Driver(Inactivity(), view())
    _learned(d, 2026, 3, 15, 14)  # up to and including Saturday 28 March
    d.feed(alive(at(2026, 3, 29, 0, 0), at(2026, 3, 29, 10, 0)), tick=False)
    assert d.tick_until(at(2026, 3, 29, 8, 55), start=at(2026, 3, 29, 4, 0), step_s=60) == []
    found = d.tick_until(at(2026, 3, 29, 10, 0), start=at(2026, 3, 29, 8, 56), step_s=60)
    morning = [a for a in found if a.type is AlertType.NO_MORNING_ACTIVITY]
    assert len(morning) == 1
    local = datetime.fromtimestamp(morning[0].time, TZ)
    assert (local.hour, local.utcoffset().total_seconds()) == (9, 7200)  # type: ignore[union-attr]


def test_spring_dst_morning_body_clock_riser_is_not_alarmed() -> None:
    d = Driver(Inactivity(), view())
    _learned(d, 2026, 3, 15, 14)
    # usual ~07:25 kitchen; on 29 March the resident gets up at 07:00 body clock = 08:00 CEST
    day = normal_day(2026, 3, 29, random.Random(29), wake=8.0)
    d.feed(day)
    assert [a for a in d.alerts if a.type is AlertType.NO_MORNING_ACTIVITY] == []


def test_resident_up_in_bathroom_at_deadline_gets_grace_not_alarm() -> None:
    """Regression: a resident out of bed and in the bathroom at the deadline (a slow morning
    routine) was alarmed on; the check now waits ``morning_up_grace_min`` more."""
    d = Driver(Inactivity(), view())
    _learned(d, 2026, 5, 1, 14)  # kitchen from about 07:25
    deadline = at(2026, 5, 15, 8, 25)
    d.feed([bed(deadline - 20 * 60, "vacant"), motion(deadline - 18 * 60, "bedroom"),
            motion(deadline - 10 * 60, "bathroom"), toilet(deadline - 8 * 60), motion(deadline - 3 * 60, "bathroom")])
    d.feed(alive(at(2026, 5, 15, 0, 0), at(2026, 5, 15, 12, 0)), tick=False)
    assert d.tick_until(deadline + 25 * 60, start=deadline - 60, step_s=60) == []
    d.feed([motion(deadline + 26 * 60, "kitchen"), door(deadline + 27 * 60, "open", "fridge")])
    assert d.tick_until(at(2026, 5, 15, 11, 0), start=deadline + 28 * 60, step_s=60) == []
    assert [a for a in d.alerts if a.type is AlertType.NO_MORNING_ACTIVITY] == []


def test_resident_up_but_never_leaves_bedroom_and_bathroom_alerts_after_grace() -> None:
    d = Driver(Inactivity(), view())
    _learned(d, 2026, 5, 1, 14)
    deadline = at(2026, 5, 15, 8, 25)
    d.feed([bed(deadline - 20 * 60, "vacant"), motion(deadline - 5 * 60, "bathroom")])
    d.feed(alive(at(2026, 5, 15, 0, 0), at(2026, 5, 15, 12, 0)), tick=False)
    found = d.tick_until(deadline + 60 * 60, start=deadline - 60, step_s=60)
    morning = [a for a in found if a.type is AlertType.NO_MORNING_ACTIVITY]
    assert len(morning) == 1
    assert abs(morning[0].time - (deadline + 30 * 60)) < 6 * 60
    assert "fordi beboeren var oppe" in morning[0].evidence_nb


def test_lone_spurious_kitchen_motion_does_not_start_the_day() -> None:
    """Regression: one passive-infrared false trigger in the kitchen at 06:57 counted as the
    day's first activity and hid a resident who stayed in bed until 13:00."""
    d = Driver(Inactivity(), view())
    _learned(d, 2026, 5, 1, 14)
    deadline = at(2026, 5, 15, 8, 25)
    d.feed([motion(at(2026, 5, 15, 6, 57), "kitchen")])
    d.feed(alive(at(2026, 5, 15, 0, 0), at(2026, 5, 15, 12, 0)), tick=False)
    found = d.tick_until(deadline + 30 * 60, start=at(2026, 5, 15, 7, 0), step_s=60)
    morning = [a for a in found if a.type is AlertType.NO_MORNING_ACTIVITY]
    assert len(morning) == 1 and abs(morning[0].time - deadline) < 6 * 60


def test_back_in_bed_at_deadline_is_not_up() -> None:
    """An early toilet trip ending back in bed is no reason to wait: the alert is on time."""
    d = Driver(Inactivity(), view())
    _learned(d, 2026, 5, 1, 14)
    deadline = at(2026, 5, 15, 8, 25)
    d.feed([bed(deadline - 15 * 60, "vacant"), motion(deadline - 14 * 60, "bathroom"),
            motion(deadline - 8 * 60, "bedroom"), bed(deadline - 7 * 60, "occupied")])
    d.feed(alive(at(2026, 5, 15, 0, 0), at(2026, 5, 15, 12, 0)), tick=False)
    found = d.tick_until(deadline + 10 * 60, start=deadline - 60, step_s=60)
    morning = [a for a in found if a.type is AlertType.NO_MORNING_ACTIVITY]
    assert len(morning) == 1 and abs(morning[0].time - deadline) < 6 * 60


def test_morning_across_autumn_dst_change() -> None:
    d = Driver(Inactivity(), view())
    _learned(d, 2026, 10, 11, 14)
    d.feed(alive(at(2026, 10, 25, 0, 0), at(2026, 10, 25, 9, 0)), tick=False)
    found = d.tick_until(at(2026, 10, 25, 9, 0), start=at(2026, 10, 25, 4, 0), step_s=60)
    morning = [a for a in found if a.type is AlertType.NO_MORNING_ACTIVITY]
    assert len(morning) == 1
    local = datetime.fromtimestamp(morning[0].time, TZ)
    assert (local.hour, local.utcoffset().total_seconds()) == (8, 3600)  # type: ignore[union-attr]


def test_daytime_inactivity_medium_then_high_once_each() -> None:
    d = Driver(Inactivity(), view())
    last = at(2026, 5, 4, 9, 12)
    d.feed([motion(last - 3600, "bedroom"), motion(last, "kitchen")])
    d.feed(alive(last, last + 8 * 3600), tick=False)
    found = d.tick_until(at(2026, 5, 4, 16, 0), start=last, step_s=60)
    assert [(a.type, a.severity) for a in found] == [
        (AlertType.DAYTIME_INACTIVITY, Severity.MEDIUM), (AlertType.DAYTIME_INACTIVITY, Severity.HIGH)
    ]
    assert found[0].time == last + 4 * 3600 and found[1].time == last + 6 * 3600
    assert all(a.episode_start == last for a in found)
    assert found[0].episode_key != found[1].episode_key
    assert "Ingen bevegelse registrert siden kl. 09:12" in found[0].evidence_nb
    assert "kjøkkenet" in found[0].evidence_nb and "grense 4 t" in found[0].evidence_nb


def test_no_daytime_alert_overnight_or_when_gone_out() -> None:
    d = Driver(Inactivity(), view())
    d.feed([motion(at(2026, 5, 4, 19, 0), "living_room")])  # 19:00 + 4 h is past 22:00
    found = d.tick_until(at(2026, 5, 5, 4, 0), start=at(2026, 5, 4, 19, 0), step_s=600)
    assert found == []
    out = Driver(Inactivity(), view())
    t = at(2026, 5, 4, 10, 0)
    out.feed([motion(t, "hallway"), door(t + 10, "open"), door(t + 20, "closed")])
    assert out.tick_until(at(2026, 5, 4, 21, 0), start=t, step_s=600) == []


def test_all_motion_sensors_silent_holds_inactivity_back_and_device_alert_says_so() -> None:
    inact, dev = Driver(Inactivity(), view()), Driver(DeviceHealth(), view())
    t = at(2026, 5, 4, 9, 0)
    events = [motion(t, "kitchen"), motion(t + 60, "living_room")]
    inact.feed(events)
    dev.feed(events)
    end = t + 8 * 3600
    assert inact.tick_until(end, start=t, step_s=300) == []
    silent = dev.tick_until(end, start=t, step_s=300)
    assert {a.episode_key for a in silent} == {"pir-kit", "pir-liv"}
    assert all(a.type is AlertType.DEVICE_SILENT for a in silent)
    assert "holdes tilbake" in silent[-1].evidence_nb and silent[-1].severity is Severity.HIGH


def test_one_silent_motion_sensor_qualifies_the_inactivity_alert() -> None:
    d = Driver(Inactivity(), view())
    t = at(2026, 5, 4, 9, 0)
    d.feed([motion(t, "bathroom"), motion(t + 60, "kitchen")])
    d.feed(alive(t, t + 6 * 3600, ("pir-kit",)), tick=False)
    found = d.tick_until(t + 4 * 3600 + 120, start=t, step_s=60)
    assert len(found) == 1 and "pir-bath" in found[0].evidence_nb and "Note: motion sensor pir-bath" in found[0].evidence_en


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


def test_device_silence_once_per_episode_with_override() -> None:
    d = Driver(DeviceHealth(), view(device_silent_after_min=60))
    t = at(2026, 5, 4, 12, 0)
    d.feed([door(t, "open")])
    found = d.tick_until(t + 5 * 3600, start=t, step_s=300)
    assert len(found) == 1 and found[0].episode_start == t
    assert "forventet minst hver 1 t" in found[0].evidence_nb
    d.roundtrip()
    d.feed([door(t + 6 * 3600, "closed")])  # back: a later silence is a new episode
    again = d.tick_until(t + 9 * 3600, start=t + 6 * 3600, step_s=300)
    assert [a.episode_start for a in again] == [t + 6 * 3600]
