"""Home-sensor events: every kind accepted when valid, every class of bad input refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from schemas.events import (
    SENSOR_KINDS,
    AlarmButton,
    Chair,
    Contact,
    Door,
    Fall,
    Heartbeat,
    Light,
    Motion,
    Room,
    Toilet,
)
from schemas.inbound import SENSOR_EVENT
from tests.schemas.rejection import rejected, wire

BASE: dict[str, Any] = {
    "event_id": "ev-1",
    "resident_id": "r-001",
    "time": "2024-03-01T08:00:00+01:00",
    "device_id": "pir-kitchen",
}

VALID: dict[str, dict[str, Any]] = {
    "motion": {"room": "kitchen"},
    "door": {"door": "exit", "state": "open"},
    "contact": {"room": "kitchen", "purpose": "fridge", "state": "open"},
    "bed": {"state": "occupied"},
    "chair": {"state": "vacant"},
    "toilet": {},
    "appliance": {"appliance": "stove", "state": "on"},
    "light": {"room": "living_room", "state": "on"},
    "fall": {"confidence": 0.9},
    "alarm_button": {"source": "wristband"},
    "medication": {"dose_id": "morning", "status": "missed", "scheduled_time": "2024-03-01T08:00:00+01:00"},
    "heartbeat": {"battery_pct": 80},
    "battery": {"battery_pct": 12.5},
    "social": {"channel": "homecare_visit"},
}


def event(kind: str, **over: Any) -> dict[str, Any]:
    return {**BASE, "kind": kind, **VALID[kind], **over}


def test_every_sensor_kind_has_a_valid_example() -> None:
    assert set(VALID) == set(SENSOR_KINDS)


@pytest.mark.parametrize("kind", SENSOR_KINDS)
def test_valid_event_of_every_kind_is_accepted_and_round_trips(kind: str) -> None:
    ev = SENSOR_EVENT.validate_json(wire(event(kind)))
    assert ev.kind == kind
    assert ev.time == datetime(2024, 3, 1, 7, 0, tzinfo=UTC)
    assert SENSOR_EVENT.validate_json(ev.model_dump_json()) == ev


def test_optional_fields_have_their_defaults() -> None:
    fall = SENSOR_EVENT.validate_json(wire(event("fall", confidence=None)))
    assert isinstance(fall, Fall) and fall.confidence is None
    alarm = SENSOR_EVENT.validate_json(wire({**BASE, "kind": "alarm_button"}))
    assert isinstance(alarm, AlarmButton) and alarm.source == "pendant"
    beat = SENSOR_EVENT.validate_json(wire({**BASE, "kind": "heartbeat"}))
    assert isinstance(beat, Heartbeat) and beat.battery_pct is None and beat.interval_s is None
    door = SENSOR_EVENT.validate_json(wire(event("door")))
    assert isinstance(door, Door) and door.room is None
    chair = SENSOR_EVENT.validate_json(wire(event("chair")))
    assert isinstance(chair, Chair) and chair.seat == "chair" and chair.room is None


def test_ordinary_kit_is_described_with_rooms() -> None:
    """A door with its room, contacts by purpose, a couch mat, a light, a toilet in a separate WC."""
    door = SENSOR_EVENT.validate_json(wire(event("door", door="interior", room="bathroom")))
    assert isinstance(door, Door) and door.room is Room.BATHROOM
    freezer = SENSOR_EVENT.validate_json(wire(event("contact", room="kitchen", purpose="freezer", state="closed")))
    assert isinstance(freezer, Contact) and freezer.purpose == "freezer" and freezer.room is Room.KITCHEN
    couch = SENSOR_EVENT.validate_json(wire(event("chair", seat="couch", room="living_room")))
    assert isinstance(couch, Chair) and couch.seat == "couch"
    light = SENSOR_EVENT.validate_json(wire(event("light", room="bedroom", state="off")))
    assert isinstance(light, Light) and light.room is Room.BEDROOM and light.state == "off"
    wc = SENSOR_EVENT.validate_json(wire(event("toilet", room="wc")))
    assert isinstance(wc, Toilet) and wc.room is Room.WC
    beat = SENSOR_EVENT.validate_json(wire(event("heartbeat", interval_s=3600)))
    assert isinstance(beat, Heartbeat) and beat.interval_s == 3600


@pytest.mark.parametrize("kind", ["contact", "light"])
def test_new_kinds_need_their_room(kind: str) -> None:
    data = event(kind)
    del data["room"]
    assert f"{kind}.room: Field required" in rejected(SENSOR_EVENT, data)


@pytest.mark.parametrize("kind", SENSOR_KINDS)
def test_unknown_field_is_refused(kind: str) -> None:
    msg = rejected(SENSOR_EVENT, event(kind, note="hello"))
    assert f"{kind}.note: Extra inputs are not permitted" in msg


@pytest.mark.parametrize("field", ["event_id", "resident_id", "time", "device_id"])
def test_missing_common_field_is_refused(field: str) -> None:
    data = event("motion")
    del data[field]
    assert f"motion.{field}: Field required" in rejected(SENSOR_EVENT, data)


def test_missing_kind_specific_field_is_refused() -> None:
    data = event("door")
    del data["state"]
    assert "door.state: Field required" in rejected(SENSOR_EVENT, data)


def test_unknown_kind_is_refused_naming_the_tag() -> None:
    msg = rejected(SENSOR_EVENT, {**BASE, "kind": "teleport"})
    assert "Input tag 'teleport' found using 'kind' does not match any of the expected tags" in msg


def test_missing_kind_is_refused() -> None:
    assert "Unable to extract tag using discriminator 'kind'" in rejected(SENSOR_EVENT, dict(BASE))


@pytest.mark.parametrize(
    ("kind", "field", "bad", "why"),
    [
        ("battery", "battery_pct", "12", "Input should be a valid number"),
        ("battery", "battery_pct", True, "Input should be a valid number"),
        ("fall", "confidence", "0.9", "Input should be a valid number"),
        ("motion", "event_id", 17, "Input should be a valid string"),
        ("motion", "resident_id", 1001, "Input should be a valid string"),
        ("motion", "time", 1709276400, "Input should be a valid datetime"),
        ("motion", "room", "attic", "Input should be 'bedroom', 'bathroom'"),
        ("door", "door", "window", "Input should be 'exit', 'balcony', 'fridge' or 'interior'"),
        ("door", "room", "attic", "Input should be 'bedroom', 'bathroom'"),
        ("contact", "purpose", "door", "Input should be 'cupboard', 'fridge', 'freezer', 'appliance_door'"),
        ("contact", "state", "ajar", "Input should be 'open' or 'closed'"),
        ("chair", "seat", "bench", "Input should be 'chair', 'armchair', 'couch' or 'other'"),
        ("light", "state", True, "Input should be 'on' or 'off'"),
        ("light", "room", None, "Input should be 'bedroom', 'bathroom'"),
        ("heartbeat", "interval_s", "3600", "Input should be a valid number"),
        ("appliance", "state", True, "Input should be 'on' or 'off'"),
    ],
)
def test_wrong_type_is_refused_without_coercion(kind: str, field: str, bad: Any, why: str) -> None:
    assert why in rejected(SENSOR_EVENT, event(kind, **{field: bad}))


@pytest.mark.parametrize("naive", ["2024-03-01T08:00:00", "2024-03-01 08:00"])
def test_naive_event_time_is_refused(naive: str) -> None:
    assert "motion.time: Input should have timezone info" in rejected(SENSOR_EVENT, event("motion", time=naive))


def test_naive_scheduled_time_is_refused() -> None:
    msg = rejected(SENSOR_EVENT, event("medication", scheduled_time="2024-03-01T08:00:00"))
    assert "medication.scheduled_time: Input should have timezone info" in msg


def test_date_without_time_is_refused() -> None:
    assert "Input should be a valid datetime" in rejected(SENSOR_EVENT, event("motion", time="2024-03-01"))


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_nan_and_infinity_are_refused(value: float) -> None:
    assert "battery.battery_pct: Input should be a finite number" in rejected(
        SENSOR_EVENT, event("battery", battery_pct=value)
    )
    assert "fall.confidence: Input should be a finite number" in rejected(SENSOR_EVENT, event("fall", confidence=value))


@pytest.mark.parametrize(
    ("kind", "field", "bad", "why"),
    [
        ("battery", "battery_pct", 100.5, "less than or equal to 100"),
        ("battery", "battery_pct", -1, "greater than or equal to 0"),
        ("heartbeat", "battery_pct", 101, "less than or equal to 100"),
        ("heartbeat", "interval_s", 0, "greater than 0"),
        ("heartbeat", "interval_s", 86401, "less than or equal to 86400"),
        ("fall", "confidence", 1.01, "less than or equal to 1"),
        ("fall", "confidence", -0.1, "greater than or equal to 0"),
        ("medication", "dose_id", "", "at least 1 character"),
        ("medication", "dose_id", "d" * 65, "at most 64 characters"),
    ],
)
def test_out_of_range_values_are_refused(kind: str, field: str, bad: Any, why: str) -> None:
    assert why in rejected(SENSOR_EVENT, event(kind, **{field: bad}))


@pytest.mark.parametrize("rid", ["01017012345", "010170-12345", "010170.12345"])
def test_national_id_like_resident_is_refused(rid: str) -> None:
    msg = rejected(SENSOR_EVENT, event("motion", resident_id=rid))
    assert "motion.resident_id: Value error, resident_id looks like a national identity number" in msg


def test_national_id_with_space_is_refused() -> None:
    assert "motion.resident_id: String should match pattern" in rejected(
        SENSOR_EVENT, event("motion", resident_id="010170 12345")
    )


def test_events_are_frozen() -> None:
    ev = Motion(
        event_id="e", resident_id="r-001", time=datetime(2024, 3, 1, tzinfo=UTC), device_id="d", room=Room.HALLWAY
    )
    with pytest.raises(ValidationError, match="Instance is frozen"):
        ev.room = Room.KITCHEN  # type: ignore[misc]


def test_python_construction_is_strict_too() -> None:
    with pytest.raises(ValidationError, match="Input should be a valid number"):
        Fall(
            event_id="e", resident_id="r-001", time=datetime(2024, 3, 1, tzinfo=UTC), device_id="d",
            confidence="0.5",  # type: ignore[arg-type]
        )
    with pytest.raises(ValidationError, match="Input should have timezone info"):
        Fall(event_id="e", resident_id="r-001", time=datetime(2024, 3, 1), device_id="d")


def test_offsets_are_kept_as_instants() -> None:
    summer = SENSOR_EVENT.validate_json(wire(event("motion", time="2024-07-01T08:00:00+02:00")))
    assert summer.time - datetime(2024, 7, 1, 6, 0, tzinfo=UTC) == timedelta(0)
    zulu = SENSOR_EVENT.validate_json(wire(event("motion", time="2024-07-01T06:00:00Z")))
    assert zulu.time == summer.time
