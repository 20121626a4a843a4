"""Alerts as FHIR R4 messages for the national welfare-technology hub (VKP).

Each alert notification becomes one ``Bundle`` of type ``message`` (docs/FHIR.md):

    MessageHeader   vkp-MessageHeader-v090; sender/receiver by HER-id when the team
                    directory knows it; focus = the DetectedIssue
    DetectedIssue   vkp-DetectedIssue-v090; code from vkp-alert-code-v090 (the tilsyn
                    type as a second coding); severity also on vkp-severity-level-v090;
                    status from the alert's lifecycle; evidence.detail -> Observation(s)
    Observation     the measured value(s) that triggered the alert, rebuilt from the
                    alert's details (vkp-Observation-v090), for measurement alerts
    Organization    the recipient team (HER-id, organisation number, coded municipality)
                    and its municipality; a next-of-kin recipient is a CareTeam
    PractitionerRole  the team that acknowledged, resolved or dismissed the alert
                    (DetectedIssue.mitigation.author)

The resident appears only by the pseudonymous id, under the municipality's identifier
system; ``tilsyn gateway`` can put the national identity number back on the way out.
Pure and deterministic: the same alert gives the same bytes (resource ids are UUID v5).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson

from agents.alerting.directory import Team, TeamDirectory
from agents.catalogue import CATALOGUE
from schemas.alerts import Alert, AlertType, Severity
from schemas.fhir_observations import (
    DIASTOLIC_CODES,
    LOINC,
    QUANTITY_OF,
    SNOMED,
    SYSTOLIC_CODES,
    UCUM,
    Quantity,
)

BASE = "https://tilsyn.example/fhir"
RESIDENT_SYSTEM = "urn:tilsyn:resident"
"""Default identifier system of pseudonymous resident ids (never a national identity number)."""
ALERT_ID_SYSTEM = "urn:tilsyn:alert"
"""Business identifier of an alert: the original alert's id, shared by all its notifications."""
NOTIFICATION_ID_SYSTEM = "urn:tilsyn:alert-notification"
"""Identifier of one notification (escalation, reminder, status ...) of an alert."""
TEAM_SYSTEM = "urn:tilsyn:team"
ALERT_TYPE_SYSTEM = f"{BASE}/CodeSystem/alert-type"
CATEGORY_SYSTEM = f"{BASE}/CodeSystem/alert-category"
VKP_SERVICE_SYSTEM = f"{BASE}/CodeSystem/vkp-service"
DHO_CATEGORY_SYSTEM = f"{BASE}/CodeSystem/dho-alert-category"
ALERT_STATUS_SYSTEM = f"{BASE}/CodeSystem/alert-status"
MESSAGE_EVENT_SYSTEM = f"{BASE}/CodeSystem/message-event"
OBSERVATION_TAG_SYSTEM = f"{BASE}/CodeSystem/observation-origin"

# national systems and profiles (HL7Norway/Velferdsteknologi VKP-R4; HL7 Norway basis profiles)
VKP_ALERT_SYSTEM = "http://ehelse.no/fhir/CodeSystem/vkp-alert-code-v090"
VKP_SEVERITY_SYSTEM = "http://ehelse.no/fhir/CodeSystem/vkp-severity-level-v090"
EXT_VKP_SEVERITY = "http://ehelse.no/fhir/StructureDefinition/vkp-severity-level-v090"
PROFILE_DETECTED_ISSUE = "http://ehelse.no/fhir/StructureDefinition/vkp-DetectedIssue-v090"
PROFILE_MESSAGE_HEADER = "http://ehelse.no/fhir/StructureDefinition/vkp-MessageHeader-v090"
PROFILE_OBSERVATION = "http://ehelse.no/fhir/StructureDefinition/vkp-Observation-v090"
HER_SYSTEM = "urn:oid:2.16.578.1.12.4.1.2"
ORG_NUMBER_SYSTEM = "urn:oid:2.16.578.1.12.4.1.4.101"
MUNICIPALITY_SYSTEM = "urn:oid:2.16.578.1.12.4.1.1.3402"
EXT_MUNICIPALITY_CODE = "http://hl7.no/fhir/StructureDefinition/no-basis-municipalitycode"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"

EXT_VKP_SERVICE = f"{BASE}/StructureDefinition/vkp-service"
EXT_DHO_CATEGORY = f"{BASE}/StructureDefinition/dho-category"
EXT_CATEGORY = f"{BASE}/StructureDefinition/alert-category"
EXT_NOTIFICATION = f"{BASE}/StructureDefinition/notification"
EXT_EPISODE_START = f"{BASE}/StructureDefinition/episode-start"
EXT_EVIDENCE_EN = f"{BASE}/StructureDefinition/evidence-en"
EXT_DETAILS = f"{BASE}/StructureDefinition/alert-detail"
EXT_GROUPED = f"{BASE}/StructureDefinition/grouped-alert-type"
EXT_RECIPIENT = f"{BASE}/StructureDefinition/recipient"


@dataclass(frozen=True, slots=True)
class VkpCode:
    """A code of vkp-alert-code-v090, and why a parent (service-level) code was chosen."""

    code: str
    display: str
    why_parent: str | None = None


_DT_TREND = "a trend over days; the DT codes (4.x) name single events"
_DHO_VALUE = "a measured value outside its limits; no 5.x code names one (5.2.1 is 'reported', an action)"
VKP_CODE: dict[AlertType, VkpCode] = {
    AlertType.SAFETY_ALARM: VkpCode("3", "Trygghetsalarm"),
    AlertType.FALL_DETECTED: VkpCode("4.1", "Fall"),
    AlertType.LONG_BATHROOM_STAY: VkpCode("4.23", "Inaktivitet bad"),
    AlertType.NO_MORNING_ACTIVITY: VkpCode("4.19", "Manglende bevegelse"),
    AlertType.DAYTIME_INACTIVITY: VkpCode("4.9", "Inaktivitet"),
    AlertType.NIGHT_WANDERING: VkpCode("4.21", "Forlatt bolig"),
    AlertType.NOCTURIA_INCREASE: VkpCode("4", "Digitalt tilsyn", _DT_TREND),
    AlertType.ACTIVITY_DECLINE: VkpCode("4", "Digitalt tilsyn", _DT_TREND),
    AlertType.SLEEP_DISTURBANCE: VkpCode("4", "Digitalt tilsyn", _DT_TREND + " (4.2 'forlatt sengen' is one exit)"),
    AlertType.SOCIAL_ISOLATION: VkpCode("4", "Digitalt tilsyn", _DT_TREND),
    AlertType.DEVICE_SILENT: VkpCode(
        "4", "Digitalt tilsyn", "a silent DT sensor; the technical codes (1.17-1.23) are for medication dispensers"
    ),
    AlertType.LOW_BATTERY: VkpCode(
        "4", "Digitalt tilsyn", "a DT sensor battery; 1.17 'Batteri lavt' is for medication dispensers"
    ),
    AlertType.NEWS2: VkpCode("5", "Digital hjemmeoppfølging", "a composite early-warning score; " + _DHO_VALUE),
    AlertType.WEIGHT_GAIN: VkpCode("5", "Digital hjemmeoppfølging", _DHO_VALUE),
    AlertType.COPD_SPO2: VkpCode("5", "Digital hjemmeoppfølging", _DHO_VALUE),
    AlertType.COPD_CAT_RISE: VkpCode(
        "5", "Digital hjemmeoppfølging", "a questionnaire score rising; 5.2.2 is 'answered', an action"
    ),
    AlertType.BLOOD_PRESSURE: VkpCode("5", "Digital hjemmeoppfølging", _DHO_VALUE),
    AlertType.FEVER: VkpCode("5", "Digital hjemmeoppfølging", _DHO_VALUE),
    AlertType.PULSE: VkpCode("5", "Digital hjemmeoppfølging", _DHO_VALUE),
    AlertType.MISSED_MEASUREMENT: VkpCode("5.3.2", "Måling ikke rapportert"),
    AlertType.MISSED_QUESTIONNAIRE: VkpCode("5.3.1", "Manglende skjemabesvarelse"),
    AlertType.INACTIVE_PATIENT: VkpCode("5.3", "Inaktiv pasient"),
    AlertType.QUESTIONNAIRE_SCORE: VkpCode(
        "5", "Digital hjemmeoppfølging", "a questionnaire score above its limit; 5.2.2 is 'answered', an action"
    ),
    AlertType.MISSED_MEDICATION: VkpCode("1.1", "Ikke utlevert"),
    AlertType.BLOOD_GLUCOSE: VkpCode("5", "Digital hjemmeoppfølging", _DHO_VALUE),
    AlertType.LOW_TEMPERATURE: VkpCode("5", "Digital hjemmeoppfølging", _DHO_VALUE),
    AlertType.WEIGHT_LOSS: VkpCode("5", "Digital hjemmeoppfølging", _DHO_VALUE),
    AlertType.DEHYDRATION: VkpCode("5", "Digital hjemmeoppfølging", _DHO_VALUE),
    AlertType.SELF_HARM_RISK: VkpCode(
        "5", "Digital hjemmeoppfølging", "a questionnaire item answered above its limit; 5.2.2 is 'answered', an action"
    ),
    AlertType.REVIEW_DIGEST: VkpCode(
        "5", "Digital hjemmeoppfølging", "a weekly summary of yellow findings; no code for it"
    ),
    AlertType.PATTERN_DISABLED: VkpCode(
        "4", "Digitalt tilsyn", "a notice that one pattern is switched off for the resident; no code for it"
    ),
    AlertType.DATA_QUALITY: VkpCode(
        "5", "Digital hjemmeoppfølging", "an implausible reading kept out of the clinical history; no code for it"
    ),
}
"""tilsyn alert type -> vkp-alert-code-v090 (docs/FHIR.md has the table with the reasons)."""

SEVERITY: dict[Severity, str] = {Severity.HIGH: "high", Severity.MEDIUM: "moderate", Severity.LOW: "low"}
"""tilsyn severity -> FHIR DetectedIssue.severity (http://hl7.org/fhir/detectedissue-severity)."""

VKP_SEVERITY: dict[str, tuple[str, str]] = {
    "low": ("20", "Moderat"),
    "medium": ("30", "Alvorlig"),
    "high": ("40", "Kritisk"),
    "cleared": ("10", "Normal"),
    "unknown": ("0", "Ikke rapportert"),
}
"""tilsyn severity (and a closed alert) -> vkp-severity-level-v090 (agreed across helpers)."""

STATUS: dict[str, str] = {
    "open": "preliminary",
    "acknowledged": "preliminary",
    "resolved": "final",
    "false_alarm": "entered-in-error",
}
"""Alert lifecycle -> DetectedIssue status (an automated finding is preliminary until closed)."""

STATUS_DISPLAY: dict[str, str] = {
    "acknowledged": "Kvittert",
    "resolved": "Løst",
    "false_alarm": "Falsk alarm",
}

KIND_RESOURCE: dict[str, str] = {"next-of-kin": "CareTeam"}
"""Recipient kind -> FHIR resource when the directory does not say (default Organization)."""

_NAMESPACE = uuid.UUID("5b0c4a4e-6f0c-4d43-9a57-3c1a1f0e2b11")
_INT32 = (-(2**31), 2**31 - 1)


def _instant(value: Any) -> str:
    return str(value.isoformat())


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "|".join(parts)))


def _value(value: float | int | str | bool) -> dict[str, Any]:
    """A detail value as the matching FHIR ``value[x]``."""
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, int) and _INT32[0] <= value <= _INT32[1]:
        return {"valueInteger": value}
    if isinstance(value, int | float):
        return {"valueDecimal": value}
    return {"valueString": value}


def _detail(name: str, value: float | int | str | bool) -> dict[str, Any]:
    """One detail as a name/value pair: detail names are free text, not valid extension urls."""
    parts: list[dict[str, Any]] = [{"url": "name", "valueString": name or "-"}]
    if value != "":  # FHIR strings may not be empty
        parts.append({"url": "value", **_value(value)})
    return {"url": EXT_DETAILS, "extension": parts}


def _coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    c = {"system": system, "code": code}
    if display:
        c["display"] = display
    return c


# -- triggering observations -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Measured:
    """A measured value among an alert's details, and the quantity it is."""

    key: str
    quantity: Quantity


MEASURED_DETAILS: tuple[_Measured, ...] = (
    _Measured("pulse_per_min", QUANTITY_OF["pulse"]),
    _Measured("spo2_pct", QUANTITY_OF["spo2"]),
    _Measured("temperature_c", QUANTITY_OF["temperature"]),
    _Measured("weight_kg", QUANTITY_OF["weight"]),
)
"""Detail keys the clinical detectors use for the reading that triggered an alert (in its canonical unit)."""

NEWS2_SNOMED = ("1104051000000101", "Royal College of Physicians NEWS2 (National Early Warning Score 2) total score")
"""SNOMED CT (UK extension) code the VKP NEWS2 score profile uses (HL7Norway/VkpObservation)."""


def _first_code(system: str, codes: tuple[str, ...]) -> list[dict[str, Any]]:
    return [_coding(system, codes[0])] if codes else []


def _measurements(alert: Alert) -> list[tuple[str, dict[str, Any]]]:
    """(name, Observation body) for each triggering reading found in the alert's details."""
    d = alert.details
    found: list[tuple[str, dict[str, Any]]] = []
    for m in MEASURED_DETAILS:
        v = d.get(m.key)
        if isinstance(v, int | float) and not isinstance(v, bool):
            q = m.quantity
            found.append((m.key, {
                "code": {"coding": _first_code(LOINC, q.loinc) + _first_code(SNOMED, q.snomed), "text": q.display},
                "valueQuantity": {"value": v, "unit": q.ucum, "system": UCUM, "code": q.ucum},
            }))
    if alert.type is AlertType.DATA_QUALITY and d.get("code") == "weight" and isinstance(d.get("value"), int | float):
        q = QUANTITY_OF["weight"]
        found.append(("value", {
            "code": {"coding": _first_code(LOINC, q.loinc) + _first_code(SNOMED, q.snomed), "text": q.display},
            "valueQuantity": {"value": d["value"], "unit": "kg", "system": UCUM, "code": "kg"},
        }))
    sys_v, dia_v = d.get("systolic"), d.get("diastolic")
    if isinstance(sys_v, int | float) and isinstance(dia_v, int | float):
        q = QUANTITY_OF["blood_pressure"]
        (sys_l, sys_s), (dia_l, dia_s) = (sorted(SYSTOLIC_CODES), sorted(DIASTOLIC_CODES))

        def comp(c1: tuple[str, str], c2: tuple[str, str], v: float) -> dict[str, Any]:
            return {"code": {"coding": [_coding(*c1), _coding(*c2)]},
                    "valueQuantity": {"value": v, "unit": "mm[Hg]", "system": UCUM, "code": "mm[Hg]"}}

        found.append(("blood_pressure", {
            "code": {"coding": _first_code(LOINC, q.loinc) + _first_code(SNOMED, q.snomed), "text": q.display},
            "component": [comp(sys_l, sys_s, sys_v), comp(dia_l, dia_s, dia_v)],
        }))
    score = d.get("news2_score")
    if alert.type is AlertType.NEWS2 and isinstance(score, int | float):
        found.append(("news2_score", {
            "code": {"coding": [_coding(SNOMED, *NEWS2_SNOMED)], "text": "NEWS2"},
            "valueQuantity": {"value": score, "unit": "{score}", "system": UCUM, "code": "{score}"},
        }))
    return found


# -- the message ------------------------------------------------------------------------


class VkpRenderer:
    """Renders alerts as VKP FHIR messages with one team directory (see :mod:`agents.alerting.directory`)."""

    __slots__ = ("directory",)

    def __init__(self, directory: TeamDirectory | None = None) -> None:
        self.directory = directory if directory is not None else TeamDirectory.load()

    # resources ------------------------------------------------------------------
    def patient(self, alert: Alert) -> dict[str, Any]:
        """Identifier reference to the resident: the pseudonym under the municipality's system."""
        m = self.directory.municipality(alert.municipality)
        system = m.resident_system if m is not None and m.resident_system else RESIDENT_SYSTEM
        return {"type": "Patient", "identifier": {"system": system, "value": alert.resident_id}}

    def _municipality_org(self, number: str) -> tuple[str, dict[str, Any]]:
        m = self.directory.municipality(number)
        rid = _uuid("municipality", number)
        ident = [{"system": ORG_NUMBER_SYSTEM, "value": m.org_number}] if m is not None and m.org_number else []
        if m is not None and m.her_id:
            ident.append({"system": HER_SYSTEM, "value": m.her_id})
        org: dict[str, Any] = {
            "resourceType": "Organization", "id": rid, "active": True,
            "type": [{"coding": [_coding("http://terminology.hl7.org/CodeSystem/organization-type", "govt")]}],
            "name": f"{m.name} kommune" if m is not None else f"Kommune {number}",
            "address": [_municipality_address(number, m.name if m is not None else None)],
        }
        if ident:
            org["identifier"] = ident
        return rid, org

    def _team(self, team_id: str, kind: str, municipality: str | None) -> tuple[str, list[dict[str, Any]]]:
        """The team as a resource (plus its municipality's Organization); returns (its id, resources)."""
        t: Team | None = self.directory.team(team_id)
        number = (t.municipality if t is not None else None) or municipality
        resources: list[dict[str, Any]] = []
        muni_id: str | None = None
        if number:
            muni_id, muni = self._municipality_org(number)
            resources.append(muni)
        rtype = (t.resource if t is not None else None) or KIND_RESOURCE.get(kind, "Organization")
        rid = _uuid("team", rtype, team_id)
        ident: list[dict[str, Any]] = []
        if t is not None and t.her_id:
            ident.append({"system": HER_SYSTEM, "value": t.her_id})
        if t is not None and t.org_number:
            ident.append({"system": ORG_NUMBER_SYSTEM, "value": t.org_number})
        ident.append({"system": TEAM_SYSTEM, "value": team_id})
        name = t.name if t is not None else team_id
        body: dict[str, Any] = {"resourceType": rtype, "id": rid, "identifier": ident, "name": name}
        if rtype == "Organization":
            body["active"] = True
            body["type"] = [{"text": kind}]
            if muni_id is not None:
                body["partOf"] = {"reference": f"urn:uuid:{muni_id}"}
                if number:
                    body["address"] = [_municipality_address(number, self._muni_name(number))]
        else:
            body["status"] = "active"
            body["category"] = [{"text": kind}]
            if muni_id is not None:
                body["managingOrganization"] = [{"reference": f"urn:uuid:{muni_id}"}]
        resources.append(body)
        return rid, resources

    def _muni_name(self, number: str) -> str | None:
        m = self.directory.municipality(number)
        return m.name if m is not None else None

    def _receiver(self, team_id: str, team_resource: dict[str, Any]) -> dict[str, Any] | None:
        """MessageHeader.receiver: by HER-id (VKP routes by it) when known, else a reference to the team.

        A CareTeam (next of kin) cannot be a receiver in FHIR R4; the header's recipient
        extension points at it instead.
        """
        if team_resource["resourceType"] != "Organization":
            return None
        t = self.directory.team(team_id)
        name = t.name if t is not None else team_id
        if t is not None and t.her_id:
            return {"identifier": {"system": HER_SYSTEM, "value": t.her_id}, "display": name}
        return {"reference": f"urn:uuid:{team_resource['id']}", "display": name}

    def observations(self, alert: Alert, issue_id: str) -> list[dict[str, Any]]:
        """Observations of the triggering reading(s), rebuilt from the alert's details."""
        out = []
        for name, body in _measurements(alert):
            obs: dict[str, Any] = {
                "resourceType": "Observation",
                "id": _uuid(issue_id, "observation", name),
                "meta": {
                    "profile": [PROFILE_OBSERVATION],
                    "tag": [_coding(OBSERVATION_TAG_SYSTEM, "alert-details", "Gjengitt fra varselets detaljer")],
                },
                "status": "final",
                "category": [{"coding": [_coding(OBSERVATION_CATEGORY, "vital-signs", "Vital Signs")]}],
                "code": body["code"],
                "subject": self.patient(alert),
                "effectiveDateTime": _instant(alert.time),
            }
            for k in ("valueQuantity", "component"):
                if k in body:
                    obs[k] = body[k]
            out.append(obs)
        return out

    def detected_issue(self, alert: Alert, issue_id: str, observation_ids: list[str],
                       acknowledger_id: str | None) -> dict[str, Any]:
        kind = CATALOGUE[alert.type]
        vkp = VKP_CODE[alert.type]
        closed = alert.status in ("resolved", "false_alarm")
        sev_code, sev_display = VKP_SEVERITY["cleared" if closed else alert.severity.value]
        ext: list[dict[str, Any]] = [
            {"url": EXT_VKP_SEVERITY, "valueCodeableConcept": {
                "coding": [_coding(VKP_SEVERITY_SYSTEM, sev_code, sev_display)]}},
            {"url": EXT_VKP_SERVICE, "valueCoding": _coding(VKP_SERVICE_SYSTEM, alert.vkp_service.value)},
        ]
        if alert.dho_category is not None:
            ext.append(
                {"url": EXT_DHO_CATEGORY, "valueCoding": _coding(DHO_CATEGORY_SYSTEM, alert.dho_category.value)}
            )
        ext += [
            {"url": EXT_CATEGORY, "valueCoding": _coding(CATEGORY_SYSTEM, alert.category.value)},
            {"url": EXT_NOTIFICATION, "valueCode": alert.notification},
            {"url": EXT_EPISODE_START, "valueDateTime": _instant(alert.episode_start)},
        ]
        ext += [
            {"url": EXT_GROUPED, "valueCoding": _coding(ALERT_TYPE_SYSTEM, g.value, CATALOGUE[g].title_nb)}
            for g in alert.grouped
        ]
        evidence: list[dict[str, Any]] = []
        for i, ev in enumerate(alert.evidence):
            item: dict[str, Any] = {
                "extension": [{"url": EXT_EVIDENCE_EN, "valueString": ev.en}],
                "code": [{"text": ev.nb}],
            }
            if i == 0:
                item["extension"] += [_detail(k, v) for k, v in sorted(alert.details.items())]
                if observation_ids:
                    item["detail"] = [{"reference": f"urn:uuid:{o}", "type": "Observation"} for o in observation_ids]
            evidence.append(item)

        original = alert.escalation_of or alert.alert_id
        identifiers = [{"use": "official", "system": ALERT_ID_SYSTEM, "value": original}]
        if alert.alert_id != original:
            identifiers.append({"use": "secondary", "system": NOTIFICATION_ID_SYSTEM, "value": alert.alert_id})
        issue: dict[str, Any] = {
            "resourceType": "DetectedIssue",
            "id": issue_id,
            "meta": {"profile": [PROFILE_DETECTED_ISSUE]},
            "language": "nb",
            "extension": ext,
            "identifier": identifiers,
            "status": STATUS[alert.status],
            "code": {
                "coding": [
                    _coding(VKP_ALERT_SYSTEM, vkp.code, vkp.display),
                    _coding(ALERT_TYPE_SYSTEM, alert.type.value, kind.title_nb),
                ],
                "text": kind.title_nb,
            },
            "severity": SEVERITY[alert.severity],
            "patient": self.patient(alert),
            "identifiedDateTime": _instant(alert.time),
            "author": {"type": "Device", "display": "tilsyn"},
            "evidence": evidence,
            "detail": alert.evidence[0].nb,
        }
        if alert.status != "open" and alert.status_at is not None and alert.status_by is not None:
            mitigation: dict[str, Any] = {
                "action": {
                    "coding": [_coding(ALERT_STATUS_SYSTEM, alert.status, STATUS_DISPLAY[alert.status])],
                    "text": STATUS_DISPLAY[alert.status],
                },
                "date": _instant(alert.status_at),
            }
            if acknowledger_id is not None:
                mitigation["author"] = {"reference": f"urn:uuid:{acknowledger_id}", "type": "PractitionerRole"}
            issue["mitigation"] = [mitigation]
        return issue

    # the bundle -------------------------------------------------------------------
    def bundle_dict(self, alert: Alert) -> dict[str, Any]:
        """The alert notification as a FHIR R4 message Bundle (JSON-ready dict)."""
        recipient = alert.recipient
        kind = recipient.kind.value
        issue_id = _uuid(alert.alert_id, kind, recipient.team_id)
        observations = self.observations(alert, issue_id)
        team_id, team_resources = self._team(recipient.team_id, kind, alert.municipality)
        resources: dict[str, dict[str, Any]] = {r["id"]: r for r in team_resources}
        acknowledger: str | None = None
        if alert.status != "open" and alert.status_by is not None:
            ack_team_id, ack_resources = self._team(alert.status_by, "acknowledging team", alert.municipality)
            for r in ack_resources:
                resources.setdefault(r["id"], r)
            acknowledger = _uuid("role", alert.status_by)
            role: dict[str, Any] = {
                "resourceType": "PractitionerRole", "id": acknowledger, "active": True,
                "identifier": [{"system": TEAM_SYSTEM, "value": alert.status_by}],
                "code": [{"text": "team that acted on the alert"}],
            }
            if resources[ack_team_id]["resourceType"] == "Organization":
                role["organization"] = {"reference": f"urn:uuid:{ack_team_id}"}
            resources[acknowledger] = role
        issue = self.detected_issue(alert, issue_id, [o["id"] for o in observations], acknowledger)
        header_id = _uuid(issue_id, "header")
        sender = self.directory.sender
        header: dict[str, Any] = {
            "resourceType": "MessageHeader",
            "id": header_id,
            "meta": {"profile": [PROFILE_MESSAGE_HEADER]},
            "extension": [{"url": EXT_RECIPIENT, "valueReference": {"reference": f"urn:uuid:{team_id}"}}],
            "eventCoding": _coding(
                MESSAGE_EVENT_SYSTEM, "alert-status" if alert.notification == "status" else "alert",
            ),
            "source": {"name": sender.name, "software": "tilsyn", "endpoint": sender.endpoint},
            "focus": [{"reference": f"urn:uuid:{issue_id}", "display": "DetectedIssue"}],
        }
        receiver = self._receiver(recipient.team_id, resources[team_id])
        # VKP's profile names MessageHeader.receiver (a DSTU2 element); R4 has it in destination
        destination: dict[str, Any] = {"name": receiver["display"] if receiver else recipient.team_id,
                                       "endpoint": f"{TEAM_SYSTEM}:{recipient.team_id}"}
        if receiver is not None:
            destination["receiver"] = receiver
        header["destination"] = [destination]
        if sender.her_id:
            header["sender"] = {"identifier": {"system": HER_SYSTEM, "value": sender.her_id}, "display": sender.name}
        bundle_id = _uuid(issue_id, "bundle")
        ordered = [header, issue, *observations, *resources.values()]
        return {
            "resourceType": "Bundle",
            "id": bundle_id,
            "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{bundle_id}"},
            "type": "message",
            "timestamp": _instant(alert.time),
            "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in ordered],
        }

    def render(self, alert: Alert) -> bytes:
        """The alert as FHIR JSON bytes, for the ``alerts.fhir`` topic (the processor's ``render_fhir``)."""
        return orjson.dumps(self.bundle_dict(alert))


def _municipality_address(number: str, name: str | None) -> dict[str, Any]:
    """Address with the municipality number coded (no-basis-municipalitycode on Address.district)."""
    coding = _coding(MUNICIPALITY_SYSTEM, number, name)
    return {
        "type": "physical",
        "district": name or number,
        "_district": {"extension": [{"url": EXT_MUNICIPALITY_CODE, "valueCoding": coding}]},
    }


@lru_cache(maxsize=1)
def default_renderer() -> VkpRenderer:
    """A renderer with the team directory shipped in the repository."""
    return VkpRenderer()


def renderer(directory: TeamDirectory | None = None) -> Callable[[Alert], bytes]:
    """``render_fhir`` hook for the processor, with ``directory`` (default: the shipped one)."""
    return (VkpRenderer(directory) if directory is not None else default_renderer()).render


def render_bundle_dict(alert: Alert) -> dict[str, Any]:
    """The alert as a VKP message Bundle with the shipped team directory."""
    return default_renderer().bundle_dict(alert)


def render_bundle(alert: Alert) -> bytes:
    """The alert as FHIR JSON bytes with the shipped team directory."""
    return default_renderer().render(alert)
