"""FHIR at tilsyn's edges: alerts out as VKP-style DetectedIssue bundles, LOINC observations in."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import orjson
import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.detectedissue import DetectedIssue

from agents.alerting.fhir import (
    ALERT_ID_SYSTEM,
    ALERT_TYPE_SYSTEM,
    EXT_DETAILS,
    EXT_DHO_CATEGORY,
    EXT_EVIDENCE_EN,
    EXT_VKP_SERVICE,
    RESIDENT_SYSTEM,
    render_bundle,
    render_bundle_dict,
)
from agents.catalogue import CATALOGUE
from schemas.alerts import (
    Alert,
    AlertType,
    Category,
    DhoCategory,
    Evidence,
    Recipient,
    RecipientKind,
    Severity,
    VkpService,
)
from schemas.fhir_observations import FhirMappingError, measurements_from_bundle
from schemas.measurements import BloodPressure, Measurement
from streams.codec import DecodeError, Limits
from streams.processor import Record

OSLO_WINTER = timezone(timedelta(hours=1))
T0 = datetime(2024, 3, 1, 8, 0, tzinfo=OSLO_WINTER)


# -- alerts out ---------------------------------------------------------------


def _alert(**over: Any) -> Alert:
    fields: dict[str, Any] = {
        "alert_id": "fall_detected-r-001-20240301",
        "resident_id": "r-001",
        "type": AlertType.FALL_DETECTED,
        "category": Category.SAFETY,
        "severity": Severity.HIGH,
        "recipient": Recipient(kind=RecipientKind.RESPONSE_CENTRE, team_id="rsc-vestfold"),
        "municipality": "3905",
        "vkp_service": VkpService.TA,
        "episode_start": T0,
        "time": T0 + timedelta(seconds=20),
        "evidence": (
            Evidence(nb="Falldetektor meldte fall på badet kl. 08:00", en="Fall detector reported a fall at 08:00"),
        ),
        "details": {"confidence": 0.93},
    }
    fields.update(over)
    return Alert(**fields)


def _issue(alert: Alert) -> Any:
    """Render, then parse with the FHIR library: the output must be a valid R4 Bundle.

    Typed Any: every FHIR element is optional in the library's types, and the asserts check presence.
    """
    bundle = Bundle.model_validate_json(render_bundle(alert))
    assert bundle.type == "collection"
    assert bundle.entry is not None and len(bundle.entry) == 1
    issue = bundle.entry[0].resource
    assert isinstance(issue, DetectedIssue)
    return issue


def _ext(resource: Any, url: str) -> Any:
    found = [e for e in resource.extension or () if e.url == url]
    assert len(found) == 1, f"expected one extension {url}"
    return found[0]


def test_safety_alert_renders_high_severity_detected_issue_for_the_pseudonymous_resident() -> None:
    alert = _alert()
    issue = _issue(alert)
    assert issue.status == "preliminary"
    assert issue.severity == "high"
    coding = issue.code.coding[0]
    assert (coding.system, coding.code) == (ALERT_TYPE_SYSTEM, "fall_detected")
    assert coding.display == CATALOGUE[AlertType.FALL_DETECTED].title_nb == "Fall oppdaget"
    assert issue.patient.identifier.system == RESIDENT_SYSTEM
    assert issue.patient.identifier.value == "r-001"
    assert issue.identifier[0].system == ALERT_ID_SYSTEM
    assert issue.identifier[0].value == alert.alert_id
    assert issue.identifiedDateTime == alert.time
    assert issue.detail == "Falldetektor meldte fall på badet kl. 08:00"
    assert _ext(issue, EXT_VKP_SERVICE).valueCoding.code == "TA"
    assert not [e for e in issue.extension if e.url == EXT_DHO_CATEGORY]
    assert issue.implicated is None


def test_dho_measurement_alert_carries_dho_category_and_details() -> None:
    alert = _alert(
        alert_id="weight_gain-r-002-20240301",
        resident_id="r-002",
        type=AlertType.WEIGHT_GAIN,
        category=Category.DETERIORATION,
        severity=Severity.MEDIUM,
        recipient=Recipient(kind=RecipientKind.SPECIALIST, team_id="ahus-hjertesvikt"),
        vkp_service=VkpService.DHO,
        dho_category=DhoCategory.MEASUREMENT,
        evidence=(
            Evidence(nb="Vekt opp 2,1 kg på 3 dager", en="Weight up 2.1 kg in 3 days"),
            Evidence(nb="Ankelødem meldt i skjema", en="Ankle oedema reported"),
        ),
        details={"gain_kg": 2.1, "days": 3, "above_limit": True, "baseline": "7-day median"},
    )
    issue = _issue(alert)
    assert issue.severity == "moderate"
    assert issue.code.coding[0].code == "weight_gain"
    assert _ext(issue, EXT_VKP_SERVICE).valueCoding.code == "DHO"
    assert _ext(issue, EXT_DHO_CATEGORY).valueCoding.code == "measurement_alert"
    assert [e.code[0].text for e in issue.evidence] == ["Vekt opp 2,1 kg på 3 dager", "Ankelødem meldt i skjema"]
    assert _ext(issue.evidence[0], EXT_EVIDENCE_EN).valueString == "Weight up 2.1 kg in 3 days"
    details = _details(issue.evidence[0])
    assert set(details) == {"gain_kg", "days", "above_limit", "baseline"}
    assert float(details["gain_kg"].valueDecimal) == 2.1
    assert details["days"].valueInteger == 3
    assert details["above_limit"].valueBoolean is True
    assert details["baseline"].valueString == "7-day median"


def _details(evidence: Any) -> dict[str, Any]:
    """Detail name -> its value extension."""
    out = {}
    for ext in evidence.extension or ():
        if ext.url == EXT_DETAILS:
            parts = {p.url: p for p in ext.extension}
            out[parts["name"].valueString] = parts["value"]
    return out


def test_free_text_detail_names_and_large_integers_stay_valid_fhir() -> None:
    issue = _issue(_alert(details={"time since last motion": 2**40, "note": "ok"}))
    details = _details(issue.evidence[0])
    assert int(details["time since last motion"].valueDecimal) == 2**40  # beyond FHIR integer range
    assert details["note"].valueString == "ok"


def test_escalation_refers_to_the_original_alert() -> None:
    alert = _alert(
        alert_id="fall_detected-r-001-20240301-esc1",
        notification="escalation",
        escalation_of="fall_detected-r-001-20240301",
        details={"unacknowledged_s": 600, "repeats": 1},
    )
    issue = _issue(alert)
    assert issue.implicated is not None and len(issue.implicated) == 1
    ref = issue.implicated[0]
    assert ref.type == "DetectedIssue"
    assert (ref.identifier.system, ref.identifier.value) == (ALERT_ID_SYSTEM, "fall_detected-r-001-20240301")


@pytest.mark.parametrize(("severity", "fhir"), [(Severity.LOW, "low"), (Severity.MEDIUM, "moderate"), (Severity.HIGH, "high")])
def test_severity_maps_to_fhir_detectedissue_severity(severity: Severity, fhir: str) -> None:
    assert _issue(_alert(severity=severity)).severity == fhir


def test_resolved_is_final_and_false_alarm_entered_in_error() -> None:
    closed = {"notification": "status", "escalation_of": "fall_detected-r-001-20240301", "status_by": "rsc-vestfold",
              "status_at": T0 + timedelta(minutes=3)}
    assert _issue(_alert(**closed, status="resolved")).status == "final"
    assert _issue(_alert(**closed, status="false_alarm")).status == "entered-in-error"


@pytest.mark.parametrize("alert_type", list(AlertType))
def test_every_alert_type_renders_valid_fhir(alert_type: AlertType) -> None:
    kind = CATALOGUE[alert_type]
    issue = _issue(
        _alert(type=alert_type, category=kind.category, vkp_service=kind.service, dho_category=kind.dho_category)
    )
    assert issue.code.coding[0].display == kind.title_nb


def test_one_alert_to_two_recipients_gives_two_resource_ids_but_one_identifier() -> None:
    a = _alert()
    b = a.model_copy(update={"recipient": Recipient(kind=RecipientKind.HOMECARE, team_id="hjt-sandefjord")})
    da, db = render_bundle_dict(a), render_bundle_dict(b)
    assert da["id"] != db["id"]
    assert render_bundle_dict(a) == da  # deterministic
    assert da["entry"][0]["resource"]["identifier"] == db["entry"][0]["resource"]["identifier"]


def test_render_bundle_bytes_equal_the_dict_form() -> None:
    alert = _alert()
    assert orjson.loads(render_bundle(alert)) == render_bundle_dict(alert)


# -- observations in ------------------------------------------------------------


def _obs(oid: str, loinc: str, display: str, **value: Any) -> dict[str, Any]:
    return {
        "fullUrl": f"urn:uuid:00000000-0000-4000-8000-{oid.rjust(12, '0')[-12:]}",
        "resource": {
            "resourceType": "Observation",
            "id": oid,
            "meta": {"profile": ["http://hl7.org/fhir/StructureDefinition/vitalsigns"]},
            "status": "final",
            "category": [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                            "code": "vital-signs",
                        }
                    ]
                }
            ],
            "code": {"coding": [{"system": "http://loinc.org", "code": loinc, "display": display}]},
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
        oid, "85354-9", "Blood pressure panel",
        component=[
            {"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]}, "valueQuantity": _qty(sys_v, "mm[Hg]")},
            {"code": {"coding": [{"system": "http://loinc.org", "code": "8462-4"}]}, "valueQuantity": _qty(dia_v, "mm[Hg]")},
        ],
    )


def _bundle(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "id": "b-1", "type": "collection", "entry": list(entries)}


REALISTIC = _bundle(
    _bp("bp-1", 142, 88),
    _obs("spo2-1", "59408-5", "Oxygen saturation by pulse oximetry", valueQuantity=_qty(93, "%")),
    _obs("wt-kg", "29463-7", "Body weight", valueQuantity=_qty(81.4, "kg")),
    _obs("wt-lb", "29463-7", "Body weight", valueQuantity=_qty(180, "[lb_av]")),
    _obs("hr-1", "8867-4", "Heart rate", valueQuantity=_qty(71, "/min")),
    _obs("t-1", "8310-5", "Body temperature", valueQuantity=_qty(100.4, "[degF]")),
    _obs("rr-1", "9279-1", "Respiratory rate", valueQuantity=_qty(18, "/min")),
    _obs("glu-1", "15074-8", "Glucose [Moles/volume] in Blood", valueQuantity=_qty(6.2, "mmol/L")),
    _obs("glu-2", "2339-0", "Glucose [Mass/volume] in Blood", valueQuantity=_qty(126, "mg/dL")),
)


def test_realistic_bundle_maps_to_measurements_in_canonical_units() -> None:
    events = measurements_from_bundle(orjson.dumps(REALISTIC))
    by_id = {e.event_id: e for e in events}
    assert list(by_id) == ["bp-1", "spo2-1", "wt-kg", "wt-lb", "hr-1", "t-1", "rr-1", "glu-1", "glu-2"]
    bp = by_id["bp-1"]
    assert isinstance(bp, BloodPressure)
    assert (bp.systolic, bp.diastolic, bp.unit) == (142, 88, "mm[Hg]")
    assert all(e.resident_id == "r-042" for e in events)
    assert all(e.time == datetime(2024, 3, 1, 7, 15, tzinfo=UTC) for e in events)
    assert bp.device_id == "cuff-17"
    measured = {k: v for k, v in by_id.items() if isinstance(v, Measurement)}
    got = {k: (m.code, m.value, m.unit) for k, m in measured.items()}
    assert got == {
        "spo2-1": ("spo2", 93, "%"),
        "wt-kg": ("weight", 81.4, "kg"),
        "wt-lb": ("weight", 81.65, "kg"),  # 180 lb = 81.65 kg
        "hr-1": ("pulse", 71, "/min"),
        "t-1": ("temperature", 38.0, "Cel"),
        "rr-1": ("respiratory_rate", 18, "/min"),
        "glu-1": ("blood_glucose", 6.2, "mmol/L"),
        "glu-2": ("blood_glucose", 6.99, "mmol/L"),
    }


def test_mapped_events_round_trip_through_the_measurements_topic_contract() -> None:
    from schemas.inbound import RESIDENT_EVENT

    for ev in measurements_from_bundle(REALISTIC):
        assert RESIDENT_EVENT.validate_json(ev.model_dump_json()) == ev


def test_spo2_on_supplemental_oxygen_is_read_from_the_flow_component() -> None:
    entry = _obs(
        "spo2-o2", "2708-6", "Oxygen saturation in Arterial blood", valueQuantity=_qty(90, "%"),
        component=[
            {"code": {"coding": [{"system": "http://loinc.org", "code": "3151-8"}]}, "valueQuantity": _qty(2, "L/min")}
        ],
    )
    (ev,) = measurements_from_bundle(_bundle(entry))
    assert isinstance(ev, Measurement)
    assert (ev.code, ev.on_oxygen) == ("spo2", True)


def test_entered_in_error_observations_are_skipped() -> None:
    wrong = _obs("hr-x", "8867-4", "Heart rate", valueQuantity=_qty(71, "/min"))
    wrong["resource"]["status"] = "entered-in-error"
    assert measurements_from_bundle(_bundle(wrong)) == []


def test_observation_without_id_gets_a_stable_event_id() -> None:
    entry = _obs("hr-1", "8867-4", "Heart rate", valueQuantity=_qty(71, "/min"))
    del entry["resource"]["id"], entry["fullUrl"]
    first = measurements_from_bundle(_bundle(entry))[0].event_id
    assert first.startswith("fhir-")
    assert measurements_from_bundle(_bundle(copy.deepcopy(entry)))[0].event_id == first


def _rejected(bundle: Any) -> str:
    raw = bundle if isinstance(bundle, bytes) else orjson.dumps(bundle)
    with pytest.raises(FhirMappingError) as info:
        measurements_from_bundle(raw)
    assert isinstance(info.value, ValueError)  # the processor dead-letters ValueErrors with code "fhir"
    return str(info.value)


def test_not_json_is_rejected() -> None:
    assert "not valid JSON" in _rejected(b"{not json")


def test_not_a_bundle_is_rejected() -> None:
    assert "resourceType must be 'Bundle'" in _rejected({"resourceType": "Observation"})


def test_structurally_invalid_bundle_is_rejected_with_the_location() -> None:
    entry = _obs("hr-1", "8867-4", "Heart rate", valueQuantity=_qty(71, "/min"))
    del entry["resource"]["code"]
    msg = _rejected(_bundle(entry))
    assert "not a valid FHIR R4 Bundle" in msg
    assert "entry.0.resource.code" in msg


def test_unknown_resource_type_in_an_entry_is_rejected() -> None:
    assert "unknown resource type" in _rejected(_bundle({"resource": {"resourceType": "NoSuchThing"}}))


def test_non_observation_resource_is_rejected() -> None:
    patient = {"resource": {"resourceType": "Patient", "id": "p1"}}
    assert "only Observation resources are accepted" in _rejected(_bundle(patient))


def test_unknown_loinc_code_is_rejected_naming_the_code() -> None:
    bmi = _obs("bmi-1", "39156-5", "Body mass index", valueQuantity=_qty(24.1, "kg/m2"))
    msg = _rejected(_bundle(_bp("bp-1", 130, 80), bmi))
    assert "entry 1" in msg
    assert "unsupported code ('39156-5')" in msg
    assert "85354-9" in msg  # lists what is supported


@pytest.mark.parametrize("subject", ["01017012345", "010170-12345", "010170.12345"])
def test_national_id_like_subject_is_rejected_without_echoing_it(subject: str) -> None:
    entry = _obs("hr-1", "8867-4", "Heart rate", valueQuantity=_qty(71, "/min"))
    entry["resource"]["subject"]["identifier"]["value"] = subject
    msg = _rejected(_bundle(entry))
    assert "national identity number" in msg
    assert subject not in msg and "12345" not in msg


def test_national_id_system_is_rejected_whatever_the_value() -> None:
    entry = _obs("hr-1", "8867-4", "Heart rate", valueQuantity=_qty(71, "/min"))
    entry["resource"]["subject"]["identifier"] = {"system": "urn:oid:2.16.578.1.12.4.1.4.1", "value": "r-042"}
    assert "national identity number" in _rejected(_bundle(entry))


def test_subject_by_reference_only_is_rejected() -> None:
    entry = _obs("hr-1", "8867-4", "Heart rate", valueQuantity=_qty(71, "/min"))
    entry["resource"]["subject"] = {"reference": "Patient/123"}
    assert "no subject.identifier.value" in _rejected(_bundle(entry))


def test_date_without_time_is_rejected() -> None:
    entry = _obs("wt-1", "29463-7", "Body weight", valueQuantity=_qty(80, "kg"))
    entry["resource"]["effectiveDateTime"] = "2024-03-01"
    assert "effectiveDateTime" in _rejected(_bundle(entry))


def test_implausible_value_is_rejected_with_the_range() -> None:
    entry = _obs("spo2-1", "59408-5", "SpO2", valueQuantity=_qty(976, "%"))
    msg = _rejected(_bundle(entry))
    assert "LOINC 59408-5" in msg and "implausible" in msg and "50-100" in msg


def test_unit_not_accepted_for_the_code_is_rejected() -> None:
    entry = _obs("t-1", "8310-5", "Body temperature", valueQuantity=_qty(310, "K"))
    assert "unit 'K' is not accepted for temperature" in _rejected(_bundle(entry))


def test_bp_panel_without_diastolic_is_rejected() -> None:
    entry = _bp("bp-1", 130, 80)
    entry["resource"]["component"].pop()
    assert "lacks component(s) 8462-4" in _rejected(_bundle(entry))


def test_swapped_blood_pressure_is_rejected() -> None:
    assert "not below systolic" in _rejected(_bundle(_bp("bp-1", 80, 130)))


def test_processor_dead_letters_a_bad_bundle_with_code_fhir() -> None:
    """The mapper's errors surface as the processor's DecodeError("fhir", ...)."""
    from streams.processor import ResidentProcessor

    proc = ResidentProcessor.__new__(ResidentProcessor)
    proc.fhir_bundle_to_events = measurements_from_bundle
    proc.limits = Limits()
    proc.clock = "event"
    bad = orjson.dumps(_bundle(_obs("bmi-1", "39156-5", "BMI", valueQuantity=_qty(24.1, "kg/m2"))))
    rec = Record("measurements.fhir", 0, 0, None, b"r-042", bad)
    with pytest.raises(DecodeError) as info:
        proc._one(rec, 0.0, None)  # type: ignore[arg-type]
    assert info.value.code == "fhir"
    assert info.value.reason.startswith("FHIR bundle rejected: entry 0")


def test_worker_hooks_have_the_shapes_the_processor_calls() -> None:
    """streams.app wires these in: bundle bytes -> events, alert -> bytes."""
    from streams.app import fhir_hooks

    to_events, render = fhir_hooks()
    assert [e.event_id for e in to_events(orjson.dumps(REALISTIC))][:2] == ["bp-1", "spo2-1"]
    out = render(_alert())
    assert isinstance(out, bytes)
    assert Bundle.model_validate_json(out).type == "collection"
