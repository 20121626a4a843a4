"""Care context: teams, programmes, schedule, overrides, time zone."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest

from schemas.care import Programme
from schemas.inbound import CARE_CONTEXT
from tests.schemas.rejection import rejected, wire

VALID: dict[str, Any] = {
    "resident_id": "r-001",
    "municipality": "3905",
    "home_care_team": "hjt-tonsberg-sentrum",
    "response_centre": "rsc-vestfold",
    "specialist_unit": "sthf-hjertesvikt",
    "programmes": ["heart_failure", "frail_elderly"],
    "time_zone": "Europe/Oslo",
    "hypercapnic_respiratory_failure": False,
    "presence": "home",
    "overrides": {"weight_gain_kg_3d": 1.5, "bathroom_stay_min": 45},
    "schedule": [
        {"kind": "measurement", "code": "weight", "due_by": "10:00", "weekdays": [0, 2, 4]},
        {"kind": "questionnaire", "code": "CAT", "due_by": "12:30:00"},
    ],
    "updated_at": "2024-03-01T08:00:00+01:00",
}


def care(**over: Any) -> dict[str, Any]:
    return {**VALID, **over}


def test_full_care_context_is_accepted_and_round_trips() -> None:
    c = CARE_CONTEXT.validate_json(wire(VALID))
    assert c.programmes == (Programme.HEART_FAILURE, Programme.FRAIL_ELDERLY)
    assert c.schedule[0].due_by == time(10, 0)
    assert c.schedule[0].weekdays == (0, 2, 4)
    assert c.schedule[1].weekdays == (0, 1, 2, 3, 4, 5, 6)
    assert c.overrides == {"weight_gain_kg_3d": 1.5, "bathroom_stay_min": 45}
    assert CARE_CONTEXT.validate_json(c.model_dump_json()) == c


def test_minimal_care_context_has_safe_defaults() -> None:
    minimal = {k: VALID[k] for k in ("resident_id", "municipality", "home_care_team", "response_centre", "updated_at")}
    c = CARE_CONTEXT.validate_json(wire(minimal))
    assert c.time_zone == "Europe/Oslo"
    assert c.presence == "home"
    assert c.specialist_unit is None
    assert (c.programmes, c.schedule, c.overrides) == ((), (), {})
    assert c.hypercapnic_respiratory_failure is False


@pytest.mark.parametrize(
    "field", ["resident_id", "municipality", "home_care_team", "response_centre", "updated_at"]
)
def test_required_fields(field: str) -> None:
    data = care()
    del data[field]
    assert f"{field}: Field required" in rejected(CARE_CONTEXT, data)


def test_unknown_field_is_refused() -> None:
    assert "name: Extra inputs are not permitted" in rejected(CARE_CONTEXT, care(name="Kari Nordmann"))


def test_unknown_field_in_schedule_item_is_refused() -> None:
    item = {**VALID["schedule"][0], "reminder": True}
    assert "schedule.0.reminder: Extra inputs are not permitted" in rejected(CARE_CONTEXT, care(schedule=[item]))


@pytest.mark.parametrize("zone", ["Europe/Bergen", "CET+1", "Norway"])
def test_invalid_time_zone_is_refused(zone: str) -> None:
    assert f"time_zone: Value error, unknown IANA time zone {zone!r}" in rejected(CARE_CONTEXT, care(time_zone=zone))


@pytest.mark.parametrize("municipality", ["390", "39051", "oslo", 3905])
def test_municipality_is_four_digits(municipality: Any) -> None:
    assert "municipality: " in rejected(CARE_CONTEXT, care(municipality=municipality))


def test_unknown_programme_is_refused() -> None:
    assert "programmes.0: Input should be 'heart_failure'" in rejected(CARE_CONTEXT, care(programmes=["cancer"]))


def test_duplicate_programme_is_refused() -> None:
    assert "programmes lists a programme twice" in rejected(CARE_CONTEXT, care(programmes=["copd", "copd"]))


def test_unknown_presence_is_refused() -> None:
    assert "presence: Input should be 'home', 'away' or 'hospital'" in rejected(CARE_CONTEXT, care(presence="holiday"))


@pytest.mark.parametrize(
    ("overrides", "why"),
    [
        ({"weight_gain_kg_3d": "1.5"}, "Input should be a valid number"),
        ({"weight_gain_kg_3d": float("nan")}, "Input should be a finite number"),
        ({"weight_gain_kg_3d": float("inf")}, "Input should be a finite number"),
        ({"Weight": 1.0}, "String should match pattern"),
        ({"x": 1.0}, "String should match pattern"),
        ({"weight-gain": 1.0}, "String should match pattern"),
    ],
)
def test_invalid_overrides_are_refused(overrides: dict[str, Any], why: str) -> None:
    assert why in rejected(CARE_CONTEXT, care(overrides=overrides))


@pytest.mark.parametrize(
    ("item", "why"),
    [
        ({"kind": "visit", "code": "x", "due_by": "10:00"}, "Input should be 'measurement' or 'questionnaire'"),
        ({"kind": "measurement", "code": "weight", "due_by": "25:00"}, "hour value is outside expected range of 0-23"),
        ({"kind": "measurement", "code": "weight", "due_by": 36000}, "Input should be a valid time"),
        ({"kind": "measurement", "code": "weight", "due_by": "10:00", "weekdays": [7]}, "less than or equal to 6"),
        ({"kind": "measurement", "code": "weight", "due_by": "10:00", "weekdays": [-1]}, "greater than or equal to 0"),
        ({"kind": "measurement", "code": "blood pressure", "due_by": "10:00"}, "String should match pattern"),
        ({"kind": "measurement", "code": "weight"}, "due_by: Field required"),
    ],
)
def test_invalid_schedule_items_are_refused(item: dict[str, Any], why: str) -> None:
    assert why in rejected(CARE_CONTEXT, care(schedule=[item]))


def test_naive_updated_at_is_refused() -> None:
    assert "updated_at: Input should have timezone info" in rejected(CARE_CONTEXT, care(updated_at="2024-03-01T08:00:00"))


def test_hypercapnia_flag_is_not_coerced() -> None:
    assert "hypercapnic_respiratory_failure: Input should be a valid boolean" in rejected(
        CARE_CONTEXT, care(hypercapnic_respiratory_failure="true")
    )


@pytest.mark.parametrize("rid", ["01017012345", "010170-12345"])
def test_care_context_refuses_national_ids(rid: str) -> None:
    assert "resident_id: Value error, resident_id looks like a national identity number" in rejected(
        CARE_CONTEXT, care(resident_id=rid)
    )


@pytest.mark.parametrize("team_field", ["home_care_team", "response_centre", "specialist_unit"])
def test_team_ids_are_validated(team_field: str) -> None:
    assert f"{team_field}: String should match pattern" in rejected(CARE_CONTEXT, care(**{team_field: "team a"}))


def test_device_registry_describes_the_kit() -> None:
    registry = {
        "devices": [
            {"device_id": "pir-bath", "kind": "motion", "room": "bathroom", "heartbeat_min": 60},
            {"device_id": "door-front", "kind": "door", "room": "hallway", "purpose": "exit"},
            {"device_id": "c-fridge", "kind": "contact", "room": "kitchen", "purpose": "fridge", "silent_after_min": 2880},
            {"device_id": "mat-couch", "kind": "chair", "room": "living_room", "purpose": "couch"},
        ],
        "silent_after_min_by_kind": {"motion": 240},
    }
    c = CARE_CONTEXT.validate_json(wire(care(devices=registry)))
    assert c.devices is not None
    bath = c.devices.get("pir-bath")
    assert bath is not None and bath.heartbeat_min == 60 and bath.silent_after_min is None
    door = c.devices.get("door-front")
    assert door is not None and door.heartbeat_min is None and door.purpose == "exit"
    assert c.devices.silent_after_min_by_kind == {"motion": 240}
    assert CARE_CONTEXT.validate_json(c.model_dump_json()) == c


@pytest.mark.parametrize(
    ("device", "why"),
    [
        ({"device_id": "d1", "kind": "door", "room": "hallway"}, "a door device needs a purpose"),
        ({"device_id": "d1", "kind": "door", "purpose": "fridge"}, "purpose 'fridge' does not fit a door device"),
        ({"device_id": "d1", "kind": "motion", "purpose": "exit"}, "a motion device has no purpose"),
        ({"device_id": "d1", "kind": "motion", "heartbeat_min": 0.5}, "greater than or equal to 1"),
        ({"device_id": "d1", "kind": "motion", "silent_after_min": 10}, "greater than or equal to 30"),
        ({"device_id": "d1", "kind": "lamp"}, "Input should be 'motion', 'door'"),
    ],
)
def test_bad_device_is_refused(device: dict[str, Any], why: str) -> None:
    assert why in rejected(CARE_CONTEXT, care(devices={"devices": [device]}))


def test_device_listed_twice_is_refused() -> None:
    d = {"device_id": "d1", "kind": "motion", "room": "kitchen"}
    assert "device listed twice: d1" in rejected(CARE_CONTEXT, care(devices={"devices": [d, d]}))


def test_nurse_set_bands_are_validated() -> None:
    ok = CARE_CONTEXT.validate_json(wire({**VALID, "bands": {
        "systolic": {"green_high": 150, "yellow_high": 170}, "pulse": {"green_low": 45, "green_high": 95}}}))
    assert ok.bands["systolic"].yellow_high == 170
    assert "band limits must nest" in rejected(
        CARE_CONTEXT, {**VALID, "bands": {"pulse": {"green_high": 100, "yellow_high": 90}}})
    assert "bands.weight" in rejected(CARE_CONTEXT, {**VALID, "bands": {"weight": {"green_high": 90}}})
