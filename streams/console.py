"""Alerts as a person reads them on a console (demo, `tilsyn alerts`)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from agents.catalogue import CATALOGUE
from schemas.alerts import Alert

_SEVERITY = {"high": "\x1b[1;31mHIGH  \x1b[0m", "medium": "\x1b[33mMEDIUM\x1b[0m", "low": "\x1b[36mLOW   \x1b[0m"}
_PLAIN = {"high": "HIGH  ", "medium": "MEDIUM", "low": "LOW   "}
_OSLO = ZoneInfo("Europe/Oslo")


def format_alert(alert: Alert, lang: str = "en", colour: bool = True) -> str:
    """One or two lines: local time, resident, severity, what, to whom, why."""
    kind = CATALOGUE[alert.type]
    title = kind.title_nb if lang == "nb" else kind.title_en
    when = alert.time.astimezone(_OSLO).strftime("%a %H:%M")
    sev = (_SEVERITY if colour else _PLAIN)[alert.severity.value]
    note = {"escalation": " [ESCALATED]", "reminder": " [REMINDER]", "repeat": " [REPEAT]", "handover": " [HANDOVER]", "status": " [STATUS]"}.get(
        alert.notification, ""
    )
    evidence = alert.evidence[0].nb if lang == "nb" else alert.evidence[0].en
    extra = f" (+{len(alert.evidence) - 1} related)" if len(alert.evidence) > 1 else ""
    return (
        f"{when}  {sev}  {alert.resident_id:<8} {title}{note} -> {alert.recipient.kind.value}"
        f" [{alert.recipient.team_id}]\n                 {evidence}{extra}"
    )
