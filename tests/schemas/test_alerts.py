"""Alerts tilsyn publishes and the acknowledgements care systems send back."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter

from schemas.alerts import Acknowledgement, Alert, AlertType, DhoCategory, Severity, VkpService
from tests.schemas.rejection import rejected, wire

ALERT: TypeAdapter[Alert] = TypeAdapter(Alert)
ACK: TypeAdapter[Acknowledgement] = TypeAdapter(Acknowledgement)

VALID_ALERT: dict[str, Any] = {
    "alert_id": "weight_gain-r-001-e1",
    "resident_id": "r-001",
    "type": "weight_gain",
    "category": "deterioration",
    "severity": "medium",
    "recipient": {"kind": "specialist", "team_id": "sthf-hjertesvikt"},
    "municipality": "3905",
    "vkp_service": "DHO",
    "dho_category": "measurement_alert",
    "episode_start": "2024-03-01T07:00:00+01:00",
    "time": "2024-03-01T08:00:00+01:00",
    "evidence": [{"nb": "Vekt opp 2,1 kg på 3 dager", "en": "Weight up 2.1 kg in 3 days"}],
    "details": {"gain_kg": 2.1, "days": 3, "above_limit": True, "baseline": "median"},
    "grouped": ["news2"],
}


def alert(**over: Any) -> dict[str, Any]:
    return {**VALID_ALERT, **over}


def test_valid_alert_is_accepted_and_round_trips() -> None:
    a = ALERT.validate_json(wire(VALID_ALERT))
    assert a.type is AlertType.WEIGHT_GAIN
    assert a.severity is Severity.MEDIUM
    assert a.vkp_service is VkpService.DHO
    assert a.dho_category is DhoCategory.MEASUREMENT
    assert a.notification == "initial"
    assert a.escalation_of is None
    assert ALERT.validate_json(a.model_dump_json()) == a


def test_detail_values_keep_their_json_types() -> None:
    a = ALERT.validate_json(wire(VALID_ALERT))
    back = ALERT.validate_json(a.model_dump_json())
    assert [type(v) for v in back.details.values()] == [float, int, bool, str]


@pytest.mark.parametrize("notification", ["escalation", "reminder"])
def test_escalation_and_reminder_refer_to_the_original(notification: str) -> None:
    a = ALERT.validate_json(
        wire(alert(alert_id="weight_gain-r-001-e1-esc", notification=notification, escalation_of="weight_gain-r-001-e1"))
    )
    assert a.escalation_of == "weight_gain-r-001-e1"


@pytest.mark.parametrize("notification", ["escalation", "reminder"])
def test_escalation_without_original_is_refused(notification: str) -> None:
    assert "escalation_of is set exactly for notifications after the initial one" in rejected(
        ALERT, alert(notification=notification)
    )


@pytest.mark.parametrize("notification", ["initial"])
def test_escalation_of_on_a_first_alert_is_refused(notification: str) -> None:
    assert "escalation_of is set exactly for notifications after the initial one" in rejected(
        ALERT, alert(notification=notification, escalation_of="weight_gain-r-001-e0")
    )


def test_unknown_notification_is_refused() -> None:
    assert "notification: Input should be 'initial', 'escalation', 'reminder', 'repeat', 'handover' or 'status'" in rejected(
        ALERT, alert(notification="cancel")
    )


@pytest.mark.parametrize(
    ("over", "why"),
    [
        ({"alert_id": "Short"}, "alert_id: String should match pattern"),
        ({"alert_id": "has space in it"}, "alert_id: String should match pattern"),
        ({"alert_id": "a" * 81}, "alert_id: String should match pattern"),
        ({"type": "earthquake"}, "type: Input should be 'safety_alarm'"),
        ({"category": "other"}, "category: Input should be 'safety', 'deterioration', 'isolation', 'technical' or 'operational'"),
        ({"severity": "critical"}, "severity: Input should be 'low', 'medium' or 'high'"),
        ({"severity": 3}, "severity: Input should be 'low', 'medium' or 'high'"),
        ({"vkp_service": "XX"}, "vkp_service: Input should be 'TA', 'GPS', 'MD', 'DT', 'DHO' or 'RT'"),
        ({"dho_category": "alert"}, "dho_category: Input should be 'measurement_alert'"),
        ({"recipient": {"kind": "pårørende", "team_id": "x"}}, "recipient.kind: Input should be 'homecare'"),
        ({"recipient": {"kind": "homecare"}}, "recipient.team_id: Field required"),
        ({"evidence": []}, "evidence: Tuple should have at least 1 item after validation, not 0"),
        ({"evidence": [{"nb": "", "en": "x"}]}, "evidence.0.nb: String should have at least 1 character"),
        ({"evidence": [{"nb": "x" * 2001, "en": "x"}]}, "evidence.0.nb: String should have at most 2000 characters"),
        ({"evidence": [{"nb": "bare norsk"}]}, "evidence.0.en: Field required"),
        ({"details": {"x": float("nan")}}, "Input should be a finite number"),
        ({"details": {"x": [1, 2]}}, "details.x"),
        ({"details": {"x": None}}, "details.x"),
        ({"grouped": ["nope"]}, "grouped.0: Input should be"),
        ({"time": "2024-03-01T08:00:00"}, "time: Input should have timezone info"),
        ({"episode_start": "2024-03-01T07:00:00"}, "episode_start: Input should have timezone info"),
        ({"resident_id": "01017012345"}, "resident_id: Value error, resident_id looks like a national identity number"),
        ({"resident_id": "010170-12345"}, "looks like a national identity number"),
        ({"resident_id": "010170 12345"}, "resident_id: String should match pattern"),
        ({"priority": 1}, "priority: Extra inputs are not permitted"),
    ],
)
def test_invalid_alerts_are_refused(over: dict[str, Any], why: str) -> None:
    assert why in rejected(ALERT, alert(**over))


@pytest.mark.parametrize("field", ["alert_id", "resident_id", "type", "category", "severity", "recipient",
                                   "vkp_service", "episode_start", "time", "evidence"])
def test_alert_required_fields(field: str) -> None:
    data = alert()
    del data[field]
    assert f"{field}: Field required" in rejected(ALERT, data)


def test_escalation_of_must_look_like_an_alert_id() -> None:
    rejected(ALERT, alert(notification="escalation", escalation_of=""))


# -- acknowledgements -----------------------------------------------------------

VALID_ACK: dict[str, Any] = {
    "alert_id": "weight_gain-r-001-e1",
    "resident_id": "r-001",
    "action": "acknowledged",
    "by": "sthf-hjertesvikt",
    "time": "2024-03-01T08:05:00+01:00",
}


@pytest.mark.parametrize("action", ["acknowledged", "resolved"])
def test_acknowledgement_without_reason_is_accepted(action: str) -> None:
    ack = ACK.validate_json(wire({**VALID_ACK, "action": action}))
    assert ack.reason is None
    assert ACK.validate_json(ack.model_dump_json()) == ack


def test_false_alarm_with_reason_is_accepted() -> None:
    ack = ACK.validate_json(wire({**VALID_ACK, "action": "false_alarm", "reason": "Katten utløste sensoren"}))
    assert ack.reason == "Katten utløste sensoren"


@pytest.mark.parametrize("reason", [None, ""])
def test_false_alarm_without_reason_is_refused(reason: str | None) -> None:
    data = {**VALID_ACK, "action": "false_alarm"}
    if reason is not None:
        data["reason"] = reason
    assert "a false_alarm acknowledgement needs a reason" in rejected(ACK, data)


def test_false_alarm_with_blank_reason_is_refused() -> None:
    rejected(ACK, {**VALID_ACK, "action": "false_alarm", "reason": "   "})


@pytest.mark.parametrize(
    ("over", "why"),
    [
        ({"action": "ignored"}, "action: Input should be 'acknowledged', 'resolved' or 'false_alarm'"),
        ({"reason": "x" * 501}, "reason: String should have at most 500 characters"),
        ({"by": "Ola Nordmann"}, "by: String should match pattern"),
        ({"time": "2024-03-01T08:05:00"}, "time: Input should have timezone info"),
        ({"time": 1709276700}, "time: Input should be a valid datetime"),
        ({"alert_id": "x"}, "alert_id: String should match pattern"),
        ({"resident_id": "01017012345"}, "looks like a national identity number"),
        ({"user": "nurse"}, "user: Extra inputs are not permitted"),
    ],
)
def test_invalid_acknowledgements_are_refused(over: dict[str, Any], why: str) -> None:
    assert why in rejected(ACK, {**VALID_ACK, **over})


@pytest.mark.parametrize("field", ["alert_id", "resident_id", "action", "by", "time"])
def test_acknowledgement_required_fields(field: str) -> None:
    data = dict(VALID_ACK)
    del data[field]
    assert f"{field}: Field required" in rejected(ACK, data)


def test_a_status_notification_names_who_set_it_and_when() -> None:
    assert "status_by and status_at are set exactly when the status is not open" in rejected(
        ALERT, alert(notification="status", escalation_of="weight_gain-r-001-e0", status="resolved")
    )
    assert "status_by and status_at are set exactly when the status is not open" in rejected(
        ALERT, alert(status_by="hc-1", status_at="2026-01-01T00:00:00+00:00")
    )
