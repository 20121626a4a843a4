"""Care contexts, candidates and a clock in Oslo time for the alert-desk tests."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from agents.alerting.desk import AlertBook, AlertDesk
from agents.types import AlertCandidate, ResidentView
from schemas.alerts import Acknowledgement, Alert, AlertType, Severity
from schemas.care import CareContext

OSLO = ZoneInfo("Europe/Oslo")
RID = "r-000777"


def at(y: int, mo: int, d: int, h: int, mi: int = 0) -> float:
    """Event time of an Oslo local clock time."""
    return datetime(y, mo, d, h, mi, tzinfo=OSLO).timestamp()


def drammen(**kw: object) -> CareContext:
    """A resident in Drammen (3301): own day team, the Buskerud response centre."""
    base: dict[str, object] = dict(
        resident_id=RID, municipality="3301", home_care_team="hjt-3301-2", response_centre="rsp-buskerud",
        updated_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    base.update(kw)
    return CareContext.model_validate(base)


def view(care: CareContext | None) -> ResidentView:
    return ResidentView.of(RID, care)


def cand(type_: AlertType, sev: Severity, t: float, key: str = "", **kw: object) -> AlertCandidate:
    return AlertCandidate(
        type=type_, severity=sev, time=t, episode_start=t, evidence_nb=f"{type_.value} nb",
        evidence_en=f"{type_.value} en", episode_key=key, **kw,  # type: ignore[arg-type]
    )


def ack(alert_id: str, by: str, t: float, action: str = "acknowledged", reason: str | None = None) -> Acknowledgement:
    return Acknowledgement(
        alert_id=alert_id, resident_id=RID, action=action, by=by,  # type: ignore[arg-type]
        time=datetime.fromtimestamp(t, UTC), reason=reason,
    )


def send(desk: AlertDesk, book: AlertBook, v: ResidentView, *cands: AlertCandidate) -> list[Alert]:
    _, alerts = desk.on_candidates(book, v, list(cands), max(c.time for c in cands))
    return alerts


def run(desk: AlertDesk, book: AlertBook, v: ResidentView, start: float, minutes: int, step_s: float = 60.0) -> list[Alert]:
    """Tick the desk every ``step_s`` from ``start`` for ``minutes``; every notification sent."""
    out: list[Alert] = []
    t = start
    while t <= start + minutes * 60:
        out += desk.tick(book, v, t)[1]
        t += step_s
    return out


def who(alerts: list[Alert]) -> list[tuple[str, str, str, int]]:
    """(notification, kind, team, step) of each notification, in order."""
    return [(a.notification, a.recipient.kind.value, a.recipient.team_id, a.step) for a in alerts]
