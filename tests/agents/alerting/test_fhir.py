"""Alerts out as VKP FHIR messages: what the hub receives for each alert and notification."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import orjson
import pytest
from fhir.resources.R4B.bundle import Bundle

from agents.alerting.directory import DirectoryError, TeamDirectory
from agents.alerting.fhir import (
    ALERT_ID_SYSTEM,
    ALERT_TYPE_SYSTEM,
    EXT_DETAILS,
    EXT_DHO_CATEGORY,
    EXT_EVIDENCE_EN,
    EXT_MUNICIPALITY_CODE,
    EXT_VKP_SEVERITY,
    HER_SYSTEM,
    MUNICIPALITY_SYSTEM,
    NOTIFICATION_ID_SYSTEM,
    ORG_NUMBER_SYSTEM,
    PROFILE_DETECTED_ISSUE,
    PROFILE_MESSAGE_HEADER,
    RESIDENT_SYSTEM,
    TEAM_SYSTEM,
    VKP_ALERT_SYSTEM,
    VKP_CODE,
    VKP_SEVERITY_SYSTEM,
    VkpRenderer,
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

OSLO_WINTER = timezone(timedelta(hours=1))
T0 = datetime(2024, 3, 1, 8, 0, tzinfo=OSLO_WINTER)

DIRECTORY = TeamDirectory.from_yaml("""
sender: {name: tilsyn Vestfold, her_id: "8000001", endpoint: "https://tilsyn.example/vkp"}
municipalities:
  "3905": {name: Larvik, org_number: "974801302", resident_system: "urn:larvik:tilsyn-resident"}
teams:
  rsc-vestfold: {name: Responssenter Vestfold, her_id: "102287", org_number: "974801302", municipality: "3905"}
  hjt-larvik-1: {name: Hjemmetjenesten Larvik sone 1, her_id: "102288", municipality: "3905"}
""")


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


def _message(alert: Alert, directory: TeamDirectory = DIRECTORY) -> tuple[Any, dict[str, list[Any]]]:
    """Render, parse with the FHIR library (must be a valid R4 Bundle), return it and its resources by type."""
    bundle = Bundle.model_validate_json(VkpRenderer(directory).render(alert))
    assert bundle.type == "message"
    by_type: dict[str, list[Any]] = {}
    for e in bundle.entry:
        assert e.fullUrl == f"urn:uuid:{e.resource.id}"
        by_type.setdefault(e.resource.get_resource_type(), []).append(e.resource)
    assert bundle.entry[0].resource.get_resource_type() == "MessageHeader", "a message starts with its header"
    return bundle, by_type


def _issue(alert: Alert, directory: TeamDirectory = DIRECTORY) -> Any:
    return _message(alert, directory)[1]["DetectedIssue"][0]


def _ext(resource: Any, url: str) -> Any:
    found = [e for e in resource.extension or () if e.url == url]
    assert len(found) == 1, f"expected one extension {url}"
    return found[0]


def _ref(bundle: Any, reference: str) -> Any:
    (res,) = [e.resource for e in bundle.entry if e.fullUrl == reference]
    return res


def test_fall_is_a_vkp_message_with_header_first_and_the_issue_in_focus() -> None:
    bundle, res = _message(_alert())
    header, issue = res["MessageHeader"][0], res["DetectedIssue"][0]
    assert header.meta.profile == [PROFILE_MESSAGE_HEADER]
    assert issue.meta.profile == [PROFILE_DETECTED_ISSUE]
    assert _ref(bundle, header.focus[0].reference) is issue
    assert header.sender.identifier.system == HER_SYSTEM and header.sender.identifier.value == "8000001"
    assert header.source.endpoint == "https://tilsyn.example/vkp"
    # the receiving service by its HER-id, as VKP routes messages
    receiver = header.destination[0].receiver
    assert (receiver.identifier.system, receiver.identifier.value) == (HER_SYSTEM, "102287")
    assert receiver.display == "Responssenter Vestfold"


def test_code_is_the_vkp_alert_code_with_the_tilsyn_type_second() -> None:
    issue = _issue(_alert())
    first, second = issue.code.coding
    assert (first.system, first.code, first.display) == (VKP_ALERT_SYSTEM, "4.1", "Fall")
    assert (second.system, second.code) == (ALERT_TYPE_SYSTEM, "fall_detected")
    assert second.display == CATALOGUE[AlertType.FALL_DETECTED].title_nb


@pytest.mark.parametrize(
    ("alert_type", "code"),
    [(AlertType.LONG_BATHROOM_STAY, "4.23"), (AlertType.NO_MORNING_ACTIVITY, "4.19"),
     (AlertType.DAYTIME_INACTIVITY, "4.9"), (AlertType.NIGHT_WANDERING, "4.21"), (AlertType.SAFETY_ALARM, "3"),
     (AlertType.MISSED_MEASUREMENT, "5.3.2"), (AlertType.MISSED_QUESTIONNAIRE, "5.3.1"),
     (AlertType.INACTIVE_PATIENT, "5.3"), (AlertType.MISSED_MEDICATION, "1.1")],
)
def test_specific_vkp_codes(alert_type: AlertType, code: str) -> None:
    kind = CATALOGUE[alert_type]
    issue = _issue(_alert(type=alert_type, category=kind.category, vkp_service=kind.service,
                          dho_category=kind.dho_category))
    assert issue.code.coding[0].code == code


def test_a_parent_code_is_used_only_with_a_reason() -> None:
    for t, vkp in VKP_CODE.items():
        if vkp.code in ("1", "2", "3", "4", "5", "6", "7") and t is not AlertType.SAFETY_ALARM:
            assert vkp.why_parent, f"{t.value} uses parent code {vkp.code} without a reason"
        if vkp.why_parent:
            assert vkp.code in ("4", "5"), f"{t.value}: a reason is given but the code {vkp.code} is specific"


@pytest.mark.parametrize(
    ("severity", "fhir", "vkp"),
    [(Severity.LOW, "low", "20"), (Severity.MEDIUM, "moderate", "30"), (Severity.HIGH, "high", "40")],
)
def test_severity_on_fhir_and_on_the_vkp_severity_level(severity: Severity, fhir: str, vkp: str) -> None:
    issue = _issue(_alert(severity=severity))
    assert issue.severity == fhir
    coding = _ext(issue, EXT_VKP_SEVERITY).valueCodeableConcept.coding[0]
    assert (coding.system, coding.code) == (VKP_SEVERITY_SYSTEM, vkp)


def test_patient_is_the_pseudonym_under_the_municipality_system() -> None:
    issue = _issue(_alert())
    assert issue.patient.identifier.system == "urn:larvik:tilsyn-resident"
    assert issue.patient.identifier.value == "r-001"
    # a municipality without its own system: tilsyn's
    other = _issue(_alert(municipality="0301"))
    assert other.patient.identifier.system == RESIDENT_SYSTEM


def test_recipient_team_is_an_organization_with_her_id_org_number_and_coded_municipality() -> None:
    bundle, res = _message(_alert())
    header = res["MessageHeader"][0]
    team = _ref(bundle, header.extension[0].valueReference.reference)
    assert team.get_resource_type() == "Organization"
    ids = {(i.system, i.value) for i in team.identifier}
    assert ids == {(HER_SYSTEM, "102287"), (ORG_NUMBER_SYSTEM, "974801302"), (TEAM_SYSTEM, "rsc-vestfold")}
    municipality = _ref(bundle, team.partOf.reference)
    assert municipality.name == "Larvik kommune"
    code = municipality.address[0].district__ext.extension[0]
    assert code.url == EXT_MUNICIPALITY_CODE
    assert (code.valueCoding.system, code.valueCoding.code) == (MUNICIPALITY_SYSTEM, "3905")


def test_unknown_team_still_renders_under_tilsyns_team_system() -> None:
    bundle, res = _message(_alert(recipient=Recipient(kind=RecipientKind.HOMECARE, team_id="hjt-ukjent-9")))
    header = res["MessageHeader"][0]
    team = _ref(bundle, header.extension[0].valueReference.reference)
    assert [(i.system, i.value) for i in team.identifier] == [(TEAM_SYSTEM, "hjt-ukjent-9")]
    # no HER-id: the receiver is the team resource itself
    assert header.destination[0].receiver.reference == f"urn:uuid:{team.id}"


def test_next_of_kin_recipient_is_a_care_team(monkeypatch: pytest.MonkeyPatch) -> None:
    """Recipient kinds render generically: a next-of-kin kind (if the contract has it) is a CareTeam."""
    kind = next((k for k in RecipientKind if k.value == "next-of-kin"), None)
    alert = _alert(recipient=Recipient(kind=RecipientKind.HOMECARE, team_id="nok-r-001"))
    if kind is not None:
        alert = _alert(recipient=Recipient(kind=kind, team_id="nok-r-001"))
    else:
        from agents.alerting import fhir

        monkeypatch.setitem(fhir.KIND_RESOURCE, "homecare", "CareTeam")
    _bundle, res = _message(alert)
    (team,) = res["CareTeam"]
    assert [(i.system, i.value) for i in team.identifier] == [(TEAM_SYSTEM, "nok-r-001")]
    assert res["MessageHeader"][0].destination[0].receiver is None


def test_measurement_alert_references_the_triggering_observation_in_the_bundle() -> None:
    alert = _alert(
        alert_id="weight_gain-r-002-20240301", resident_id="r-002", type=AlertType.WEIGHT_GAIN,
        category=Category.DETERIORATION, severity=Severity.MEDIUM,
        recipient=Recipient(kind=RecipientKind.SPECIALIST, team_id="ahus-hjertesvikt"),
        vkp_service=VkpService.DHO, dho_category=DhoCategory.MEASUREMENT,
        evidence=(Evidence(nb="Vekt opp 2,1 kg på 3 dager", en="Weight up 2.1 kg in 3 days"),
                  Evidence(nb="Ankelødem meldt i skjema", en="Ankle oedema reported")),
        details={"weight_kg": 83.6, "gain_3d_kg": 2.1, "limit_3d_kg": 2.0, "above_limit": True},
    )
    _bundle, res = _message(alert)
    issue = res["DetectedIssue"][0]
    (obs,) = res["Observation"]
    assert [d.reference for d in issue.evidence[0].detail] == [f"urn:uuid:{obs.id}"]
    assert {(c.system, c.code) for c in obs.code.coding} == {("http://loinc.org", "29463-7"),
                                                             ("http://snomed.info/sct", "27113001")}
    assert (float(obs.valueQuantity.value), obs.valueQuantity.code) == (83.6, "kg")
    assert obs.subject.identifier.value == "r-002"
    assert obs.effectiveDateTime == alert.time
    assert _ext(issue, EXT_DHO_CATEGORY).valueCoding.code == "measurement_alert"
    assert [e.code[0].text for e in issue.evidence] == ["Vekt opp 2,1 kg på 3 dager", "Ankelødem meldt i skjema"]
    assert _ext(issue.evidence[0], EXT_EVIDENCE_EN).valueString == "Weight up 2.1 kg in 3 days"
    details = _details(issue.evidence[0])
    assert float(details["gain_3d_kg"].valueDecimal) == 2.1 and details["above_limit"].valueBoolean is True


def test_blood_pressure_alert_carries_a_panel_with_both_components() -> None:
    alert = _alert(type=AlertType.BLOOD_PRESSURE, category=Category.DETERIORATION, vkp_service=VkpService.DHO,
                   details={"systolic": 186.0, "diastolic": 112.0})
    (obs,) = _message(alert)[1]["Observation"]
    assert obs.code.coding[0].code == "85354-9"
    values = {c.code.coding[0].code: float(c.valueQuantity.value) for c in obs.component}
    assert values == {"8480-6": 186.0, "8462-4": 112.0}


def test_sensor_alert_has_no_observation_and_text_evidence_only() -> None:
    _bundle, res = _message(_alert())
    assert "Observation" not in res
    assert res["DetectedIssue"][0].evidence[0].detail is None


def _details(evidence: Any) -> dict[str, Any]:
    out = {}
    for ext in evidence.extension or ():
        if ext.url == EXT_DETAILS:
            parts = {p.url: p for p in ext.extension}
            out[parts["name"].valueString] = parts["value"]
    return out


def test_escalation_links_to_the_original_by_identifier_not_implicated() -> None:
    alert = _alert(alert_id="fall_detected-r-001-20240301-esc1", notification="escalation",
                   escalation_of="fall_detected-r-001-20240301")
    issue = _issue(alert)
    assert issue.implicated is None
    ids = {(i.use, i.system, i.value) for i in issue.identifier}
    assert ids == {("official", ALERT_ID_SYSTEM, "fall_detected-r-001-20240301"),
                   ("secondary", NOTIFICATION_ID_SYSTEM, "fall_detected-r-001-20240301-esc1")}
    assert issue.status == "preliminary"


def _closed(status: str) -> Alert:
    return _alert(alert_id="fall_detected-r-001-20240301-st1", notification="status",
                  escalation_of="fall_detected-r-001-20240301", status=status, status_by="hjt-larvik-1",
                  status_at=T0 + timedelta(minutes=3))


@pytest.mark.parametrize(("status", "fhir", "vkp"),
                         [("resolved", "final", "10"), ("false_alarm", "entered-in-error", "10"),
                          ("acknowledged", "preliminary", "40")])
def test_lifecycle_sets_status_and_mitigation_by_the_acting_team(status: str, fhir: str, vkp: str) -> None:
    bundle, res = _message(_closed(status))
    issue = res["DetectedIssue"][0]
    assert issue.status == fhir
    assert _ext(issue, EXT_VKP_SEVERITY).valueCodeableConcept.coding[0].code == vkp
    (m,) = issue.mitigation
    assert m.action.coding[0].code == status
    assert m.date == T0 + timedelta(minutes=3)
    role = _ref(bundle, m.author.reference)
    assert role.get_resource_type() == "PractitionerRole"
    assert [(i.system, i.value) for i in role.identifier] == [(TEAM_SYSTEM, "hjt-larvik-1")]
    team = _ref(bundle, role.organization.reference)
    assert (HER_SYSTEM, "102288") in {(i.system, i.value) for i in team.identifier}
    assert res["MessageHeader"][0].eventCoding.code == "alert-status"
    # the status message is about the original alert
    assert issue.identifier[0].value == "fall_detected-r-001-20240301"


@pytest.mark.parametrize("alert_type", list(AlertType))
def test_every_alert_type_renders_a_valid_message_with_a_vkp_code(alert_type: AlertType) -> None:
    kind = CATALOGUE[alert_type]
    issue = _issue(
        _alert(type=alert_type, category=kind.category, vkp_service=kind.service, dho_category=kind.dho_category)
    )
    assert issue.code.coding[0].system == VKP_ALERT_SYSTEM
    assert issue.code.coding[1].display == kind.title_nb


def test_one_alert_to_two_recipients_gives_two_messages_with_one_business_identifier() -> None:
    a = _alert()
    b = a.model_copy(update={"recipient": Recipient(kind=RecipientKind.HOMECARE, team_id="hjt-larvik-1")})
    r = VkpRenderer(DIRECTORY)
    da, db = r.bundle_dict(a), r.bundle_dict(b)
    assert da["id"] != db["id"]
    assert r.bundle_dict(a) == da  # deterministic
    assert da["entry"][1]["resource"]["identifier"] == db["entry"][1]["resource"]["identifier"]


def test_shipped_directory_renders_and_bytes_equal_the_dict_form() -> None:
    alert = _alert(municipality="0301", recipient=Recipient(kind=RecipientKind.RESPONSE_CENTRE, team_id="rsp-oslo"))
    assert orjson.loads(render_bundle(alert)) == render_bundle_dict(alert)
    bundle = Bundle.model_validate_json(render_bundle(alert))
    assert bundle.entry[0].resource.destination[0].receiver.display == "Responssenter Oslo"


def test_directory_errors_name_the_entry() -> None:
    with pytest.raises(DirectoryError) as info:
        TeamDirectory.from_yaml('teams: {t1: {name: X, org_number: "974801303"}}')
    assert "teams.t1.org_number" in str(info.value) and "check digit" in str(info.value)
    with pytest.raises(DirectoryError) as info:
        TeamDirectory.from_yaml('teams: {t1: {name: X, her_id: "abc"}}')
    assert "teams.t1.her_id" in str(info.value)
    with pytest.raises(DirectoryError):
        TeamDirectory.from_yaml('teams: {t1: {name: X, colour: red}}')


def test_docs_mapping_table_matches_the_code() -> None:
    import re
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[3] / "docs" / "FHIR.md").read_text(encoding="utf-8")
    section = doc.split("### Alert type → VKP code", 1)[1].split("\n### ", 1)[0]
    rows = {m.group(1): (m.group(2).strip(), m.group(3).strip(), m.group(4).strip())
            for m in re.finditer(r"^\| `([a-z0-9_]+)` \|([^|]*)\|([^|]*)\|([^|]*)\|$", section, re.M)}
    assert set(rows) == {t.value for t in AlertType}
    for t, vkp in VKP_CODE.items():
        assert rows[t.value] == (vkp.code, vkp.display, vkp.why_parent or ""), t.value
