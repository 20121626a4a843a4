"""Hand-made care contexts, alerts and acknowledgements for the indicator tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agents.catalogue import CATALOGUE
from schemas.alerts import Acknowledgement, Alert, AlertType, Evidence, Recipient, RecipientKind, Severity
from schemas.care import CareContext, ScheduledItem
from schemas.devices import DeviceRegistry, DeviceSpec

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # a Monday


def at(**delta: float) -> datetime:
    return T0 + timedelta(**delta)


def care(rid: str, municipality: str = "0301", when: datetime = T0, dho: bool = False,
         devices: int = 2, alarm: bool = True) -> CareContext:
    specs = [DeviceSpec(device_id=f"{rid}-pir{i}", kind="motion") for i in range(devices - (1 if alarm else 0))]
    if alarm:
        specs.append(DeviceSpec(device_id=f"{rid}-pendant", kind="alarm_button"))
    schedule = (ScheduledItem(kind="measurement", code="weight", due_by=datetime(2026, 1, 1, 10).time()),) if dho else ()
    return CareContext(
        resident_id=rid, municipality=municipality, home_care_team=f"hjt-{municipality}-1",
        response_centre="rsp-oslo", updated_at=when, schedule=schedule,
        devices=DeviceRegistry(devices=tuple(specs)) if devices else None,
    )


def alert(rid: str, n: int, when: datetime, type_: AlertType = AlertType.SAFETY_ALARM,
          severity: Severity = Severity.HIGH, kind: RecipientKind = RecipientKind.RESPONSE_CENTRE,
          team: str = "rsp-oslo", municipality: str | None = "0301", notification: str = "initial") -> Alert:
    aid = f"alert-{rid}-{n:04d}"
    k = CATALOGUE[type_]
    return Alert(
        alert_id=aid if notification == "initial" else f"{aid}-n{n % 7 + 1}",
        escalation_of=None if notification == "initial" else aid, notification=notification,  # type: ignore[arg-type]
        resident_id=rid, type=type_, category=k.category, severity=severity,
        recipient=Recipient(kind=kind, team_id=team), municipality=municipality, vkp_service=k.service,
        episode_start=when, time=when, evidence=(Evidence(nb="x", en="x"),),
    )


def ack(rid: str, n: int, when: datetime, action: str = "acknowledged", by: str = "rsp-oslo") -> Acknowledgement:
    return Acknowledgement(
        alert_id=f"alert-{rid}-{n:04d}", resident_id=rid, action=action, by=by, time=when,  # type: ignore[arg-type]
        reason="sensor knocked over" if action == "false_alarm" else None,
    )
