"""Safety pass-through and long bathroom stay."""

from __future__ import annotations

from agents.behaviour.bathroom import LongBathroomStay
from agents.behaviour.safety import SafetyPassThrough
from schemas.alerts import AlertType, Severity
from tests.agents.behaviour.scenario import Driver, alarm, at, fall, motion, toilet, view


def test_alarm_and_fall_each_raise_one_high_alert() -> None:
    d = Driver(SafetyPassThrough(), view())
    t1, t2 = at(2026, 5, 4, 14, 3), at(2026, 5, 4, 14, 4)
    found = d.feed([alarm(t1), fall(t2, 0.9), alarm(t2 + 5)])
    assert [a.type for a in found] == [AlertType.SAFETY_ALARM, AlertType.FALL_DETECTED, AlertType.SAFETY_ALARM]
    assert all(a.severity is Severity.HIGH for a in found)
    assert found[0].episode_start == t1
    assert "14:03" in found[0].evidence_nb and "halssmykke" in found[0].evidence_nb
    assert "90 %" in found[1].evidence_en


def test_long_bathroom_stay_fires_once_at_the_limit() -> None:
    d = Driver(LongBathroomStay(), view())
    entry = at(2026, 5, 4, 7, 42)
    d.feed([motion(entry - 600, "kitchen"), motion(entry, "bathroom"), toilet(entry + 60)])
    d.feed([motion(entry + 60 * m, "bathroom") for m in range(2, 44, 5)])  # moving, but stays
    assert d.tick_until(entry + 44 * 60, start=entry) == []
    found = d.tick_until(entry + 90 * 60, start=entry + 45 * 60)
    assert len(found) == 1
    a = found[0]
    assert a.type is AlertType.LONG_BATHROOM_STAY and a.severity is Severity.HIGH
    assert a.episode_start == entry and a.time == entry + 45 * 60
    assert "siden kl. 07:42" in a.evidence_nb and "45 min (grense 45 min)" in a.evidence_nb
    assert "limit 45 min" in a.evidence_en


def test_motion_elsewhere_ends_the_stay() -> None:
    d = Driver(LongBathroomStay(), view())
    entry = at(2026, 5, 4, 7, 42)
    d.feed([motion(entry, "bathroom"), motion(entry + 20 * 60, "living_room")])
    assert d.tick_until(entry + 3 * 3600, step_s=300, start=entry) == []
    # a new stay later fires on its own episode
    d.feed([motion(entry + 4 * 3600, "bathroom")])
    found = d.tick_until(entry + 5 * 3600, step_s=300, start=entry + 4 * 3600)
    assert [a.episode_start for a in found] == [entry + 4 * 3600]


def test_override_and_late_event_before_entry() -> None:
    d = Driver(LongBathroomStay(), view(bathroom_stay_limit_min=30))
    entry = at(2026, 5, 4, 9, 0)
    d.feed([motion(entry, "bathroom")])
    # a kitchen event from before the stay arrives late: it must not end the stay
    d.feed([motion(entry - 120, "kitchen")])
    found = d.tick_until(entry + 40 * 60, start=entry)
    assert len(found) == 1 and found[0].time == entry + 30 * 60
    assert "grense 30 min" in found[0].evidence_nb


def test_state_survives_a_restart_mid_stay() -> None:
    d = Driver(LongBathroomStay(), view())
    entry = at(2026, 5, 4, 7, 42)
    d.feed([motion(entry, "bathroom")])
    d.roundtrip()
    assert d.tick(entry + 46 * 60)[0].episode_start == entry
    d.roundtrip()
    assert d.tick(entry + 60 * 60) == []


def test_away_resident_gets_no_bathroom_alert() -> None:
    d = Driver(LongBathroomStay(), view(presence="hospital"))
    entry = at(2026, 5, 4, 7, 42)
    d.feed([motion(entry, "bathroom")])
    assert d.tick_until(entry + 2 * 3600, start=entry, step_s=600) == []
