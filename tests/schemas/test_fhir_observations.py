"""FHIR Observation bundles in: every usable observation used, every unusable one reported on its own."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from schemas.fhir_observations import (
    CODE_TABLE,
    NPU_NLK,
    QUANTITIES,
    SNOMED,
    FhirMappingError,
    read_bundle,
)
from schemas.measurements import BloodPressure, Measurement


def _obs(oid: str, codings: list[tuple[str, str]] | str, **value: Any) -> dict[str, Any]:
    if isinstance(codings, str):
        codings = [("http://loinc.org", codings)]
    return {
        "fullUrl": f"urn:uuid:00000000-0000-4000-8000-{oid.encode().hex().rjust(12, '0')[-12:]}",
        "resource": {
            "resourceType": "Observation",
            "id": oid,
            "status": "final",
            "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                      "code": "vital-signs"}]}],
            "code": {"coding": [{"system": s, "code": c} for s, c in codings]},
            "subject": {"identifier": {"system": "urn:tilsyn:resident", "value": "r-042"}},
            "effectiveDateTime": "2024-03-01T08:15:00+01:00",
            "device": {"identifier": {"system": "urn:example:device", "value": "cuff-17"}},
            **value,
        },
    }


def _qty(value: float, code: str) -> dict[str, Any]:
    return {"value": value, "unit": code, "system": "http://unitsofmeasure.org", "code": code}


def _bp(oid: str, sys_v: float, dia_v: float) -> dict[str, Any]:
    return _obs(
        oid, "85354-9",
        component=[
            {"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]}, "valueQuantity": _qty(sys_v, "mm[Hg]")},
            {"code": {"coding": [{"system": "http://loinc.org", "code": "8462-4"}]}, "valueQuantity": _qty(dia_v, "mm[Hg]")},
        ],
    )


def _bundle(*entries: dict[str, Any], kind: str = "collection") -> dict[str, Any]:
    return {"resourceType": "Bundle", "id": "b-1", "type": kind, "entry": list(entries)}


def _events(bundle: dict[str, Any]) -> dict[str, Any]:
    result = read_bundle(orjson.dumps(bundle))
    assert not result.rejected, [r.reason for r in result.rejected]
    return {e.event_id: e for _, e in result.events}


def _rejected(bundle: dict[str, Any]) -> list[str]:
    return [r.reason for r in read_bundle(orjson.dumps(bundle)).rejected]


REALISTIC = _bundle(
    _bp("bp-1", 142, 88),
    _obs("spo2-1", "59408-5", valueQuantity=_qty(93, "%")),
    _obs("wt-kg", "29463-7", valueQuantity=_qty(81.4, "kg")),
    _obs("wt-lb", "29463-7", valueQuantity=_qty(180, "[lb_av]")),
    _obs("hr-1", "8867-4", valueQuantity=_qty(71, "/min")),
    _obs("t-1", "8310-5", valueQuantity=_qty(100.4, "[degF]")),
    _obs("rr-1", "9279-1", valueQuantity=_qty(18, "/min")),
    _obs("glu-1", "15074-8", valueQuantity=_qty(6.2, "mmol/L")),
    _obs("glu-2", "2339-0", valueQuantity=_qty(126, "mg/dL")),
)


def test_realistic_bundle_maps_to_measurements_in_canonical_units() -> None:
    by_id = _events(REALISTIC)
    assert list(by_id) == ["bp-1", "spo2-1", "wt-kg", "wt-lb", "hr-1", "t-1", "rr-1", "glu-1", "glu-2"]
    bp = by_id["bp-1"]
    assert isinstance(bp, BloodPressure)
    assert (bp.systolic, bp.diastolic, bp.unit, bp.device_id) == (142, 88, "mm[Hg]", "cuff-17")
    assert all(e.resident_id == "r-042" and e.time_precision == "instant" for e in by_id.values())
    assert all(e.time == datetime(2024, 3, 1, 7, 15, tzinfo=UTC) for e in by_id.values())
    got = {k: (m.code, m.value, m.unit) for k, m in by_id.items() if isinstance(m, Measurement)}
    assert got == {
        "spo2-1": ("spo2", 93, "%"), "wt-kg": ("weight", 81.4, "kg"), "wt-lb": ("weight", 81.65, "kg"),
        "hr-1": ("pulse", 71, "/min"), "t-1": ("temperature", 38.0, "Cel"), "rr-1": ("respiratory_rate", 18, "/min"),
        "glu-1": ("blood_glucose", 6.2, "mmol/L"), "glu-2": ("blood_glucose", 6.99, "mmol/L"),
    }


def test_mapped_events_round_trip_through_the_measurements_topic_contract() -> None:
    from schemas.inbound import RESIDENT_EVENT

    for ev in _events(REALISTIC).values():
        assert RESIDENT_EVENT.validate_json(ev.model_dump_json()) == ev


@pytest.mark.parametrize(
    ("codings", "vital"),
    [([(SNOMED, "364075005")], "pulse"), ([(NPU_NLK, "NPU21692")], "pulse"),
     ([(SNOMED, "27113001")], "weight"), ([(NPU_NLK, "NPU03804")], "weight"),
     ([("urn:oid:1.2.208.176.2.1", "NPU03804")], "weight"), ([(SNOMED, "431314004")], "spo2"),
     ([(NPU_NLK, "NPU03011")], "spo2"), ([(SNOMED, "276885007")], "temperature"),
     ([(NPU_NLK, "NPU08676")], "temperature"), ([(SNOMED, "86290005")], "respiratory_rate"),
     ([(SNOMED, "434912009"), (NPU_NLK, "NPU02187")], "blood_glucose")],
)
def test_snomed_ct_and_npu_codes_name_the_same_quantities(codings: list[tuple[str, str]], vital: str) -> None:
    units = {"pulse": _qty(64, "/min"), "weight": _qty(80, "kg"), "spo2": _qty(95, "%"),
             "temperature": _qty(37, "Cel"), "respiratory_rate": _qty(16, "/min"), "blood_glucose": _qty(6, "mmol/L")}
    (ev,) = _events(_bundle(_obs("o-1", codings, valueQuantity=units[vital]))).values()
    assert isinstance(ev, Measurement) and ev.code == vital


def test_every_quantity_has_loinc_and_snomed_codes() -> None:
    for q in QUANTITIES:
        assert q.loinc and q.snomed, q.vital
    assert len(CODE_TABLE) == sum(len(q.loinc) + len(q.snomed) + 2 * len(q.npu) for q in QUANTITIES)


def test_blood_pressure_by_snomed_ct_components() -> None:
    entry = _obs("bp-s", [(SNOMED, "75367002")], component=[
        {"code": {"coding": [{"system": SNOMED, "code": "271649006"}]}, "valueQuantity": _qty(150, "mm[Hg]")},
        {"code": {"coding": [{"system": SNOMED, "code": "271650006"}]}, "valueQuantity": _qty(95, "mm[Hg]")},
    ])
    (bp,) = _events(_bundle(entry)).values()
    assert isinstance(bp, BloodPressure) and (bp.systolic, bp.diastolic) == (150, 95)


def test_codings_for_two_quantities_are_refused() -> None:
    (reason,) = _rejected(_bundle(_obs("x", [("http://loinc.org", "8867-4"), (SNOMED, "27113001")],
                                       valueQuantity=_qty(70, "/min"))))
    assert "different quantities" in reason


def test_date_only_time_is_local_noon_flagged_imprecise() -> None:
    entry = _obs("wt-1", "29463-7", valueQuantity=_qty(49000, "g"))
    entry["resource"]["effectiveDateTime"] = "2024-07-16"
    (ev,) = _events(_bundle(entry)).values()
    assert ev.time_precision == "day"
    assert ev.time == datetime(2024, 7, 16, 10, 0, tzinfo=UTC)  # 12:00 summer time in Oslo
    assert (ev.value, ev.unit) == (49.0, "kg")


def test_month_only_time_is_refused() -> None:
    entry = _obs("wt-1", "29463-7", valueQuantity=_qty(80, "kg"))
    entry["resource"]["effectiveDateTime"] = "2024-07"
    assert "only a year or month" in _rejected(_bundle(entry))[0]


@pytest.mark.parametrize("status", ["final", "amended", "corrected", "preliminary"])
def test_used_statuses(status: str) -> None:
    entry = _obs("hr-1", "8867-4", valueQuantity=_qty(71, "/min"))
    entry["resource"]["status"] = status
    (ev,) = _events(_bundle(entry)).values()
    assert ev.code == "pulse"


def test_an_amended_observation_is_a_new_reading_not_a_duplicate() -> None:
    first = _obs("hr-1", "8867-4", valueQuantity=_qty(171, "/min"))
    fixed = copy.deepcopy(first)
    fixed["resource"]["status"] = "amended"
    fixed["resource"]["meta"] = {"versionId": "2"}
    fixed["resource"]["valueQuantity"] = _qty(71, "/min")
    ids = list(_events(_bundle(first, fixed)))
    assert ids == ["hr-1", "hr-1#amended-2"]


@pytest.mark.parametrize("status", ["registered", "cancelled", "entered-in-error", "unknown"])
def test_unused_statuses_are_reported_not_skipped_silently(status: str) -> None:
    entry = _obs("hr-1", "8867-4", valueQuantity=_qty(71, "/min"))
    entry["resource"]["status"] = status
    (reason,) = _rejected(_bundle(entry))
    assert f"status '{status}': not used" in reason


def test_one_bad_observation_does_not_cost_the_others() -> None:
    bmi = _obs("bmi-1", "39156-5", valueQuantity=_qty(24.1, "kg/m2"))
    implausible = _obs("spo2-x", "59408-5", valueQuantity=_qty(976, "%"))
    patient = {"resource": {"resourceType": "Patient", "id": "p1"}}
    result = read_bundle(orjson.dumps(_bundle(_bp("bp-1", 130, 80), bmi, implausible, patient,
                                              _obs("hr-1", "8867-4", valueQuantity=_qty(71, "/min")))))
    assert [(i, e.event_id) for i, e in result.events] == [(0, "bp-1"), (4, "hr-1")]
    reasons = {r.index: r.reason for r in result.rejected}
    assert set(reasons) == {1, 2, 3}
    assert "unsupported code" in reasons[1] and "39156-5" in reasons[1]
    assert "implausible" in reasons[2] and "50-100" in reasons[2]
    assert "only Observation resources" in reasons[3]
    assert orjson.loads(result.rejected[0].resource)["resource"]["id"] == "bmi-1"  # the entry's own bytes


def test_message_bundle_header_is_skipped() -> None:
    header = {"resource": {"resourceType": "MessageHeader", "eventCoding": {"code": "x"}, "source": {"endpoint": "x"}}}
    assert list(_events(_bundle(header, _obs("hr-1", "8867-4", valueQuantity=_qty(71, "/min")), kind="message")))\
        == ["hr-1"]


def test_observation_without_id_gets_a_stable_event_id() -> None:
    entry = _obs("hr-1", "8867-4", valueQuantity=_qty(71, "/min"))
    del entry["resource"]["id"], entry["fullUrl"]
    (first,) = _events(_bundle(entry))
    assert first.startswith("fhir-")
    assert list(_events(_bundle(copy.deepcopy(entry)))) == [first]


@pytest.mark.parametrize(("raw", "reason"), [
    (b"{not json", "not valid JSON"), (b'{"resourceType": "Observation"}', "resourceType must be 'Bundle'"),
    (b'{"resourceType": "Bundle", "type": "document"}', "Bundle.type must be one of"),
])
def test_a_record_that_is_no_bundle_is_refused_whole(raw: bytes, reason: str) -> None:
    with pytest.raises(FhirMappingError) as info:
        read_bundle(raw)
    assert reason in str(info.value)


def test_structurally_invalid_observation_names_the_location() -> None:
    entry = _obs("hr-1", "8867-4", valueQuantity=_qty(71, "/min"))
    del entry["resource"]["code"]
    (reason,) = _rejected(_bundle(entry))
    assert "not a valid FHIR R4 Observation" in reason and "code" in reason


@pytest.mark.parametrize("subject", ["01017012345", "010170-12345", "010170.12345"])
def test_national_id_like_subject_is_rejected_without_echoing_it(subject: str) -> None:
    entry = _obs("hr-1", "8867-4", valueQuantity=_qty(71, "/min"))
    entry["resource"]["subject"]["identifier"]["value"] = subject
    (reason,) = _rejected(_bundle(entry))
    assert "national identity number" in reason
    assert subject not in reason and "12345" not in reason


def test_national_id_system_is_refused_and_its_dead_letter_value_is_redacted() -> None:
    entry = _obs("hr-1", "8867-4", valueQuantity=_qty(71, "/min"))
    entry["resource"]["subject"] = {"identifier": {"system": "urn:oid:2.16.578.1.12.4.1.4.1", "value": "15834510062"},
                                    "display": "Ærlend Sørgård"}
    (rej,) = read_bundle(orjson.dumps(_bundle(entry))).rejected
    assert "tilsyn gateway" in rej.reason
    assert rej.national_id
    assert b"15834510062" not in rej.resource and "Sørgård".encode() not in rej.resource


def test_subject_by_reference_only_is_rejected() -> None:
    entry = _obs("hr-1", "8867-4", valueQuantity=_qty(71, "/min"))
    entry["resource"]["subject"] = {"reference": "Patient/123"}
    assert "no subject.identifier.value" in _rejected(_bundle(entry))[0]


def test_unit_not_accepted_for_the_code_is_rejected() -> None:
    entry = _obs("t-1", "8310-5", valueQuantity=_qty(310, "K"))
    assert "unit 'K' is not accepted for temperature" in _rejected(_bundle(entry))[0]


def test_bp_panel_without_diastolic_and_swapped_values_are_rejected() -> None:
    entry = _bp("bp-1", 130, 80)
    entry["resource"]["component"].pop()
    assert "lacks diastolic component" in _rejected(_bundle(entry))[0]
    assert "not below systolic" in _rejected(_bundle(_bp("bp-2", 80, 130)))[0]
