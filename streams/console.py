"""Alerts as a person reads them on a console (``tilsyn demo``), in English or Norwegian (bokmål).

Every word of a line follows the language: title, evidence, severity, notification, recipient and
weekday. Norwegian terms as the services use them: hjemmetjenesten, responssenteret,
spesialisthelsetjenesten (DESIGN.md glossary).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from agents.catalogue import CATALOGUE
from schemas.alerts import Alert

_OSLO = ZoneInfo("Europe/Oslo")

SEVERITY = {
    "en": {"high": "HIGH", "medium": "MEDIUM", "low": "LOW"},
    "nb": {"high": "HØY", "medium": "MIDDELS", "low": "LAV"},
}
NOTIFICATION = {
    "en": {"escalation": "ESCALATED", "reminder": "REMINDER", "repeat": "REPEAT", "handover": "HANDOVER",
           "status": "STATUS"},
    "nb": {"escalation": "ESKALERT", "reminder": "PÅMINNELSE", "repeat": "GJENTATT", "handover": "OVERLEVERT",
           "status": "STATUS"},
}
RECIPIENT = {
    "en": {"homecare": "home care", "response-centre": "response centre", "specialist": "specialist service",
           "technical": "technical support"},
    "nb": {"homecare": "hjemmetjenesten", "response-centre": "responssenteret",
           "specialist": "spesialisthelsetjenesten", "technical": "teknisk støtte"},
}
RELATED = {"en": "related", "nb": "relaterte"}
WEEKDAYS = {"en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
            "nb": ("man", "tir", "ons", "tor", "fre", "lør", "søn")}
_COLOUR = {"high": "\x1b[1;31m", "medium": "\x1b[33m", "low": "\x1b[36m"}


def recipient_label(kind: str, lang: str = "en") -> str:
    """A recipient kind (``response-centre``) as a person says it in ``lang``."""
    return RECIPIENT[lang].get(kind, kind)


def format_alert(alert: Alert, lang: str = "en", colour: bool = True) -> str:
    """One or two lines: local time, resident, severity, what, to whom, why."""
    kind = CATALOGUE[alert.type]
    title = kind.title_nb if lang == "nb" else kind.title_en
    local = alert.time.astimezone(_OSLO)
    when = f"{WEEKDAYS[lang][local.weekday()]} {local:%H:%M}"
    width = max(len(v) for v in SEVERITY[lang].values())
    sev = SEVERITY[lang][alert.severity.value].ljust(width)
    if colour:
        sev = f"{_COLOUR[alert.severity.value]}{sev}\x1b[0m"
    label = NOTIFICATION[lang].get(alert.notification)
    note = f" [{label}]" if label else ""
    evidence = alert.evidence[0].nb if lang == "nb" else alert.evidence[0].en
    extra = f" (+{len(alert.evidence) - 1} {RELATED[lang]})" if len(alert.evidence) > 1 else ""
    return (
        f"{when}  {sev}  {alert.resident_id:<8} {title}{note} -> {recipient_label(alert.recipient.kind.value, lang)}"
        f" [{alert.recipient.team_id}]\n                 {evidence}{extra}"
    )
