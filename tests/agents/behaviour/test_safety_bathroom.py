"""Safety pass-through and long bathroom stay."""

from __future__ import annotations

from agents.behaviour.bathroom import LongBathroomStay
from agents.behaviour.safety import SafetyPassThrough
from schemas.alerts import AlertType, Severity
from schemas.devices import DeviceRegistry
from schemas.events import Door, Room
from tests.agents.behaviour.scenario import (
    KIT,
    Driver,
    _base,
    _spec,
    alarm,
    at,
    bed,
    fall,
    motion,
    toilet,
    view,
)


def test_alarm_and_fall_each_raise_one_high_alert() -> None:
    d = Driver(SafetyPassThrough(), view())
    t1, t2 = at(2026, 5, 4, 14, 3), at(2026, 5, 4, 14, 4)
    found = d.feed([alarm(t1), fall(t2, 0.9), alarm(t2 + 5)])
    assert [a.type for a in found] == [AlertType.SAFETY_ALARM, AlertType.FALL_DETECTED, AlertType.SAFETY_ALARM]
    assert all(a.severity is Severity.HIGH for a in found)
    assert found[0].episode_start == t1
    assert "14:03" in found[0].evidence_nb and "halssmykke" in found[0].evidence_nb
    assert "90 %" in found[1].evidence_en


def _walk_in(entry: float) -> list[object]:
    """From the kitchen through the hallway into the bathroom: presence confirmed on arrival."""
    return [motion(entry - 600, "kitchen"), motion(entry - 60, "hallway"), motion(entry, "bathroom")]


def test_long_bathroom_stay_fires_once_at_the_limit() -> None:
    d = Driver(LongBathroomStay(), view())
    entry = at(2026, 5, 4, 7, 42)
    d.feed([*_walk_in(entry), toilet(entry + 60)])
    d.feed([motion(entry + 60 * m, "bathroom") for m in range(2, 44, 5)])  # moving, but stays
    assert d.tick_until(entry + 44 * 60, start=entry) == []
    found = d.tick_until(entry + 90 * 60, start=entry + 45 * 60)
    assert len(found) == 1
    a = found[0]
    assert a.type is AlertType.LONG_BATHROOM_STAY and a.severity is Severity.HIGH
    assert a.episode_start == entry and a.time == entry + 45 * 60
    assert "siden kl. 07:42" in a.evidence_nb and "45 min (grense 45 min)" in a.evidence_nb
    assert "limit 45 min" in a.evidence_en and a.details["coverage"] == "live"


def test_a_lone_report_during_sleep_is_not_a_stay() -> None:
    """Regression: a one-second bathroom motion blip during sleep started a stay, and the silence
    of sleep then counted as 'still in the bathroom' (a high alert at night)."""
    d = Driver(LongBathroomStay(), view())
    night = at(2026, 5, 4, 23, 0)
    d.feed([motion(night - 1800, "bedroom"), bed(night, "occupied"), motion(night + 3 * 3600, "bathroom")])
    assert d.tick_until(night + 8 * 3600, start=night, step_s=300) == []


def test_at_night_a_lone_report_needs_the_resident_seen_up_first() -> None:
    """Without a bed mat, sleep is known only from the clock and the quiet: a lone bathroom report at
    03:00 after hours of silence is not presence; by day one report is (the resident is up)."""
    kit = DeviceRegistry(devices=tuple(s for s in KIT.devices if s.device_id != "bed-1"))
    night = Driver(LongBathroomStay(), view(devices=kit))
    t = at(2026, 5, 4, 23, 0)
    night.feed([motion(t, "bedroom"), motion(t + 4 * 3600, "bathroom")])
    assert night.tick_until(t + 7 * 3600, start=t, step_s=300) == []
    day = Driver(LongBathroomStay(), view(devices=kit))
    t = at(2026, 5, 4, 11, 0)
    day.feed([motion(t - 3600, "living_room"), motion(t, "bathroom")])
    assert [a.episode_start for a in day.tick_until(t + 3600, start=t, step_s=300)] == [t]


def test_a_second_report_confirms_presence_without_a_walk_seen() -> None:
    d = Driver(LongBathroomStay(), view())
    entry = at(2026, 5, 4, 10, 0)
    d.feed([motion(entry, "bathroom"), motion(entry + 120, "bathroom")])
    found = d.tick_until(entry + 50 * 60, start=entry)
    assert [a.episode_start for a in found] == [entry]


def test_flush_at_bedtime_then_bed_is_no_stay() -> None:
    """Regression: a toilet flush at bedtime started a stay that the night's silence kept open."""
    d = Driver(LongBathroomStay(), view())
    t = at(2026, 5, 4, 22, 30)
    d.feed([motion(t - 120, "hallway"), motion(t, "bathroom"), toilet(t + 60), motion(t + 180, "bedroom"),
            bed(t + 240, "occupied")])
    assert d.tick_until(t + 8 * 3600, start=t, step_s=300) == []
    flush_only = Driver(LongBathroomStay(), view())
    flush_only.feed([toilet(t)])
    assert flush_only.tick_until(t + 3 * 3600, start=t, step_s=300) == []


def test_door_and_flush_alone_are_not_presence_sensing() -> None:
    """A home with a bathroom door contact and a flush but no motion sensor there: the pattern is
    off (door + flush show that a visit began, not that the resident is still in there)."""
    d = Driver(LongBathroomStay(), view(devices=None))
    t = at(2026, 5, 4, 10, 0)
    bath_door = Door(**_base(t, "door-bath"), door="interior", room=Room.BATHROOM, state="open")
    d.feed([motion(t - 60, "kitchen"), bath_door, toilet(t + 60)])
    assert d.tick_until(t + 3 * 3600, start=t, step_s=300) == []
    cov = d.detector.needs.assess(d.home, d.view, t)
    assert cov.status.value == "off" and "no presence sensor in the bathroom" in cov.reason_en


def test_without_bedroom_sensing_the_stay_is_daytime_and_medium() -> None:
    kit = DeviceRegistry(devices=tuple(s for s in KIT.devices if s.device_id not in ("pir-bed", "bed-1")))
    day = Driver(LongBathroomStay(), view(devices=kit))
    entry = at(2026, 5, 4, 10, 0)
    day.feed(_walk_in(entry))
    found = day.tick_until(entry + 50 * 60, start=entry)
    assert [(a.severity, a.details["coverage"]) for a in found] == [(Severity.MEDIUM, "degraded")]
    assert "return to bed is not seen" in found[0].evidence_en
    night = Driver(LongBathroomStay(), view(devices=kit))
    entry = at(2026, 5, 4, 23, 30)
    night.feed(_walk_in(entry))
    assert night.tick_until(entry + 3 * 3600, start=entry, step_s=300) == []


def test_motion_elsewhere_or_back_to_bed_ends_the_stay() -> None:
    d = Driver(LongBathroomStay(), view())
    entry = at(2026, 5, 4, 7, 42)
    d.feed([*_walk_in(entry), motion(entry + 20 * 60, "living_room")])
    assert d.tick_until(entry + 3 * 3600, step_s=300, start=entry) == []
    # a new stay later fires on its own episode
    later = entry + 4 * 3600
    d.feed(_walk_in(later))
    found = d.tick_until(later + 3600, step_s=300, start=later)
    assert [a.episode_start for a in found] == [later]
    night = Driver(LongBathroomStay(), view())
    t = at(2026, 5, 5, 2, 0)
    night.feed([bed(t - 60, "vacant"), motion(t, "bathroom"), bed(t + 300, "occupied")])
    assert night.tick_until(t + 4 * 3600, step_s=300, start=t) == []


def test_the_bathroom_door_opening_ends_the_stay() -> None:
    kit = DeviceRegistry(devices=(*KIT.devices, _spec("door-bath", "door", "bathroom", "interior")))
    d = Driver(LongBathroomStay(), view(devices=kit))
    entry = at(2026, 5, 4, 10, 0)
    opened = Door(**_base(entry + 600, "door-bath"), door="interior", room=Room.BATHROOM, state="open")
    d.feed([*_walk_in(entry), opened])
    assert d.tick_until(entry + 2 * 3600, start=entry, step_s=300) == []


def test_override_and_late_event_before_entry() -> None:
    d = Driver(LongBathroomStay(), view(bathroom_stay_limit_min=30))
    entry = at(2026, 5, 4, 9, 0)
    d.feed([motion(entry - 60, "hallway"), motion(entry, "bathroom")])
    # a kitchen event from before the stay arrives late: it must not end the stay
    d.feed([motion(entry - 120, "kitchen")])
    found = d.tick_until(entry + 40 * 60, start=entry)
    assert len(found) == 1 and found[0].time == entry + 30 * 60
    assert "grense 30 min" in found[0].evidence_nb


def test_state_survives_a_restart_mid_stay() -> None:
    d = Driver(LongBathroomStay(), view())
    entry = at(2026, 5, 4, 7, 42)
    d.feed(_walk_in(entry))
    d.roundtrip()
    assert d.tick(entry + 46 * 60)[0].episode_start == entry
    d.roundtrip()
    assert d.tick(entry + 60 * 60) == []


def test_away_resident_gets_no_bathroom_alert() -> None:
    d = Driver(LongBathroomStay(), view(presence="hospital"))
    entry = at(2026, 5, 4, 7, 42)
    d.feed(_walk_in(entry))
    assert d.tick_until(entry + 2 * 3600, start=entry, step_s=600) == []
