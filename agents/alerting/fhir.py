"""Alerts as FHIR R4 DetectedIssue bundles, in the style of the national welfare-technology hub (VKP).

The hub reports alarms and events as FHIR R4 ``DetectedIssue`` resources in a
``Bundle``; :func:`render_bundle` produces one such bundle (type ``collection``)
per alert, for the ``alerts.fhir`` topic. The resident appears only by the
pseudonymous id (an identifier reference), never by a national identity number.

Mapping (see docs/FHIR.md):
    identifier      alert_id (system :data:`ALERT_ID_SYSTEM`)
    status          ``preliminary`` for an automated finding not yet reviewed
                    (initial, escalation, reminder); ``final`` for an update
    severity        high -> high, medium -> moderate, low -> low
    code            alert type (system :data:`ALERT_TYPE_SYSTEM`), display = catalogue title (nb)
    patient         identifier reference (system :data:`RESIDENT_SYSTEM`)
    identified      alert time (event time of detection)
    detail          main evidence text in Norwegian bokmål
    evidence        every evidence text (nb, English as extension); details as name/value extensions
    implicated      the original alert, for escalations and reminders
    extension       VKP service code, DHO category, category, notification, recipient, episode start
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson

from agents.catalogue import CATALOGUE
from schemas.alerts import Alert, Severity

BASE = "https://tilsyn.example/fhir"
RESIDENT_SYSTEM = "urn:tilsyn:resident"
"""Identifier system of pseudonymous resident ids (never a national identity number)."""
ALERT_ID_SYSTEM = "urn:tilsyn:alert"
ALERT_TYPE_SYSTEM = f"{BASE}/CodeSystem/alert-type"
CATEGORY_SYSTEM = f"{BASE}/CodeSystem/alert-category"
VKP_SERVICE_SYSTEM = f"{BASE}/CodeSystem/vkp-service"
DHO_CATEGORY_SYSTEM = f"{BASE}/CodeSystem/dho-alert-category"
RECIPIENT_SYSTEM = f"{BASE}/CodeSystem/recipient-kind"

EXT_VKP_SERVICE = f"{BASE}/StructureDefinition/vkp-service"
EXT_DHO_CATEGORY = f"{BASE}/StructureDefinition/dho-category"
EXT_CATEGORY = f"{BASE}/StructureDefinition/alert-category"
EXT_NOTIFICATION = f"{BASE}/StructureDefinition/notification"
EXT_RECIPIENT = f"{BASE}/StructureDefinition/recipient"
EXT_EPISODE_START = f"{BASE}/StructureDefinition/episode-start"
EXT_MUNICIPALITY = f"{BASE}/StructureDefinition/municipality"
EXT_EVIDENCE_EN = f"{BASE}/StructureDefinition/evidence-en"
EXT_DETAILS = f"{BASE}/StructureDefinition/alert-detail"
EXT_GROUPED = f"{BASE}/StructureDefinition/grouped-alert-type"

SEVERITY: dict[Severity, str] = {Severity.HIGH: "high", Severity.MEDIUM: "moderate", Severity.LOW: "low"}
"""tilsyn severity -> FHIR DetectedIssue severity (http://hl7.org/fhir/detectedissue-severity)."""

STATUS: dict[str, str] = {
    "open": "preliminary",
    "acknowledged": "preliminary",
    "resolved": "final",
    "false_alarm": "entered-in-error",
}
"""Alert lifecycle -> DetectedIssue status (an automated finding is preliminary until reviewed)."""

_NAMESPACE = uuid.UUID("5b0c4a4e-6f0c-4d43-9a57-3c1a1f0e2b11")
_INT32 = (-(2**31), 2**31 - 1)


def _instant(alert: Alert, which: str) -> str:
    return str(getattr(alert, which).isoformat())


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


def _resource_id(alert: Alert) -> str:
    """Deterministic FHIR id: one alert goes to several recipients under the same alert_id."""
    return str(uuid.uuid5(_NAMESPACE, f"{alert.alert_id}|{alert.recipient.kind}|{alert.recipient.team_id}"))


def detected_issue(alert: Alert) -> dict[str, Any]:
    """The alert as a FHIR R4 DetectedIssue resource (JSON-ready dict)."""
    kind = CATALOGUE[alert.type]
    ext: list[dict[str, Any]] = [
        {"url": EXT_VKP_SERVICE, "valueCoding": _coding(VKP_SERVICE_SYSTEM, alert.vkp_service.value)},
    ]
    if alert.dho_category is not None:
        ext.append(
            {"url": EXT_DHO_CATEGORY, "valueCoding": _coding(DHO_CATEGORY_SYSTEM, alert.dho_category.value)}
        )
    ext += [
        {"url": EXT_CATEGORY, "valueCoding": _coding(CATEGORY_SYSTEM, alert.category.value)},
        {"url": EXT_NOTIFICATION, "valueCode": alert.notification},
        {
            "url": EXT_RECIPIENT,
            "valueIdentifier": {
                "system": f"{RECIPIENT_SYSTEM}/{alert.recipient.kind.value}",
                "value": alert.recipient.team_id,
            },
        },
        {"url": EXT_EPISODE_START, "valueDateTime": _instant(alert, "episode_start")},
    ]
    if alert.municipality:
        ext.append({"url": EXT_MUNICIPALITY, "valueString": alert.municipality})
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
        evidence.append(item)

    issue: dict[str, Any] = {
        "resourceType": "DetectedIssue",
        "id": _resource_id(alert),
        "language": "nb",
        "extension": ext,
        "identifier": [{"system": ALERT_ID_SYSTEM, "value": alert.alert_id}],
        "status": STATUS[alert.status],
        "code": {
            "coding": [_coding(ALERT_TYPE_SYSTEM, alert.type.value, kind.title_nb)],
            "text": kind.title_nb,
        },
        "severity": SEVERITY[alert.severity],
        "patient": {
            "type": "Patient",
            "identifier": {"system": RESIDENT_SYSTEM, "value": alert.resident_id},
        },
        "identifiedDateTime": _instant(alert, "time"),
        "author": {"type": "Device", "display": "tilsyn"},
        "evidence": evidence,
        "detail": alert.evidence[0].nb,
    }
    if alert.escalation_of is not None:
        issue["implicated"] = [
            {"type": "DetectedIssue", "identifier": {"system": ALERT_ID_SYSTEM, "value": alert.escalation_of}}
        ]
    return issue


def render_bundle_dict(alert: Alert) -> dict[str, Any]:
    """The alert as a FHIR R4 Bundle (type collection) holding one DetectedIssue."""
    issue = detected_issue(alert)
    return {
        "resourceType": "Bundle",
        "id": issue["id"],
        "identifier": {"system": ALERT_ID_SYSTEM, "value": alert.alert_id},
        "type": "collection",
        "timestamp": _instant(alert, "time"),
        "entry": [{"fullUrl": f"urn:uuid:{issue['id']}", "resource": issue}],
    }


def render_bundle(alert: Alert) -> bytes:
    """The alert as FHIR JSON bytes, for the ``alerts.fhir`` topic (``render_fhir`` of the processor)."""
    return orjson.dumps(render_bundle_dict(alert))
