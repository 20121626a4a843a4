"""Input-topic validators: one adapter per topic, the resident-event union covering sensor and DHO kinds."""

from __future__ import annotations

from typing import Any

import pytest

from schemas.events import SENSOR_KINDS
from schemas.inbound import ACKNOWLEDGEMENT, CARE_CONTEXT, DHO_EVENT, RESIDENT_EVENT, SENSOR_EVENT
from schemas.measurements import DHO_KINDS
from streams.codec import DecodeError, Limits, decode_event
from tests.schemas import test_events, test_measurements
from tests.schemas.rejection import rejected, wire
from tests.schemas.test_alerts import VALID_ACK
from tests.schemas.test_care import VALID as VALID_CARE


def _example(kind: str) -> dict[str, Any]:
    if kind in SENSOR_KINDS:
        return test_events.event(kind)
    return test_measurements.VALID[kind]


def test_sensor_and_dho_kinds_do_not_overlap() -> None:
    assert not set(SENSOR_KINDS) & set(DHO_KINDS)


@pytest.mark.parametrize("kind", SENSOR_KINDS + DHO_KINDS)
def test_resident_event_accepts_every_kind(kind: str) -> None:
    ev = RESIDENT_EVENT.validate_json(wire(_example(kind)))
    assert ev.kind == kind
    assert ev.resident_id == "r-001"


def test_topic_adapters_agree_with_the_union() -> None:
    for kind in SENSOR_KINDS:
        assert SENSOR_EVENT.validate_json(wire(_example(kind))) == RESIDENT_EVENT.validate_json(wire(_example(kind)))
    for kind in DHO_KINDS:
        assert DHO_EVENT.validate_json(wire(_example(kind))) == RESIDENT_EVENT.validate_json(wire(_example(kind)))


def test_resident_event_lists_every_kind_when_the_tag_is_unknown() -> None:
    msg = rejected(RESIDENT_EVENT, {**test_events.BASE, "kind": "smoke"})
    for kind in SENSOR_KINDS + DHO_KINDS:
        assert f"'{kind}'" in msg


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (b"{not json", "Invalid JSON"),
        (b"[]", "Input should be an object"),
        (b"null", "Input should be an object"),
        (b'"motion"', "Input should be an object"),
        (b"{}", "Unable to extract tag using discriminator 'kind'"),
    ],
)
def test_malformed_payloads_are_refused(raw: bytes, why: str) -> None:
    assert why in rejected(RESIDENT_EVENT, raw)


def test_care_and_ack_adapters() -> None:
    assert CARE_CONTEXT.validate_json(wire(VALID_CARE)).resident_id == "r-001"
    assert ACKNOWLEDGEMENT.validate_json(wire(VALID_ACK)).action == "acknowledged"
    assert "Extra inputs are not permitted" in rejected(ACKNOWLEDGEMENT, {**VALID_ACK, "kind": "motion"})


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({**test_events.BASE, "kind": "smoke"}, "unknown_kind"),
        (test_events.event("motion", resident_id="010170-12345"), "national_id"),
        (test_events.event("battery", battery_pct="12"), "schema"),
    ],
)
def test_decoder_classifies_schema_failures_without_echoing_input(data: dict[str, Any], code: str) -> None:
    with pytest.raises(DecodeError) as info:
        decode_event(wire(data), None, Limits())
    assert info.value.code == code
    assert "010170" not in info.value.reason
    assert "'12'" not in info.value.reason


def test_decoder_bad_json_code() -> None:
    with pytest.raises(DecodeError) as info:
        decode_event(b"{", None, Limits())
    assert info.value.code == "bad_json"
