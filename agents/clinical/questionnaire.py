"""Questionnaire limits (CAT, PHQ-9, GAD-7, ...): which score alerts, and in which band.

Each questionnaire has a limit and a band (1 yellow, 2 red, 3 critical) as parameters
named ``questionnaire_<code>_alert`` and ``questionnaire_<code>_severity`` (defaults
and sources in :mod:`agents.clinical.thresholds`). A care context may set a limit for a
questionnaire without a default by overriding those names. The triage detector
(:mod:`agents.clinical.triage`) applies them.
"""

from __future__ import annotations

from agents.clinical.episode import severity_rank
from agents.clinical.thresholds import QUESTIONNAIRES
from agents.types import ResidentView


def questionnaire_code(name: str) -> str:
    """Questionnaire id as used in parameter names: lower case letters and digits (``PHQ-9`` → ``phq9``)."""
    return "".join(c for c in name.lower() if c.isalnum())


def limit_of(code: str, view: ResidentView) -> tuple[float, int] | None:
    """Alert limit and severity rank for questionnaire ``code``, or None when it has no limit."""
    known = QUESTIONNAIRES.get(code)
    o = view.overrides
    alert_name, sev_name = f"questionnaire_{code}_alert", f"questionnaire_{code}_severity"
    if known is not None:
        lim = o.get(alert_name, known[0].default)
        sev = o.get(sev_name, known[1].default)
    elif alert_name in o:
        lim, sev = o[alert_name], o.get(sev_name, 2.0)
    else:
        return None
    return lim, severity_rank(sev)
