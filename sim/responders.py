"""Simulated care teams acknowledging alerts, each municipality with its own habits (demo and tests).

The detection side of the simulator knows nothing of how fast a response centre answers or how
often a team calls an alert false; real services differ a lot in both, and that difference is
what the quality indicators (issue 16) are for. These profiles are invented to make variation
visible in ``make demo``: they are not measurements of the municipalities named and not targets.
Deterministic per alert id.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import timedelta

from schemas.alerts import Acknowledgement, Alert, RecipientKind, Severity


@dataclass(frozen=True, slots=True)
class ResponseProfile:
    """How one municipality's teams answer: median minutes to acknowledge (by severity), spread, outcomes."""

    median_min: dict[Severity, float]
    sigma: float
    """Log-normal spread of the time to acknowledge."""
    false_alarm_share: float
    answered_share: float
    """Share of alerts acknowledged at all (the rest time out of the indicators' 7-day limit)."""


_FAST = {Severity.HIGH: 2.0, Severity.MEDIUM: 25.0, Severity.LOW: 240.0}
_SLOW = {Severity.HIGH: 7.0, Severity.MEDIUM: 90.0, Severity.LOW: 900.0}

PROFILES: dict[str, ResponseProfile] = {
    "0301": ResponseProfile(_FAST, 0.6, 0.06, 0.97),
    "4601": ResponseProfile(_SLOW, 0.8, 0.30, 0.85),  # slow, and many calls judged false
    "5001": ResponseProfile(_FAST, 0.5, 0.10, 0.95),
    "1103": ResponseProfile(_SLOW, 0.7, 0.12, 0.90),
    "3301": ResponseProfile(_FAST, 0.6, 0.08, 0.99),
    "1806": ResponseProfile({s: 1.5 * m for s, m in _SLOW.items()}, 0.9, 0.15, 0.75),  # small, stretched service
    "3403": ResponseProfile(_FAST, 0.6, 0.20, 0.95),
    "4204": ResponseProfile(_SLOW, 0.6, 0.08, 0.93),
}
DEFAULT = ResponseProfile(_SLOW, 0.7, 0.1, 0.9)


def respond(alert: Alert) -> Acknowledgement | None:
    """The acknowledgement the alert's first recipient sends, or None (not answered, or not to be answered).

    Only initial notifications to care teams are answered; next of kin do not acknowledge.
    """
    if alert.notification != "initial" or alert.recipient.kind is RecipientKind.NEXT_OF_KIN:
        return None
    p = PROFILES.get(alert.municipality or "", DEFAULT)
    rng = random.Random(f"tilsyn-sim:ack:{alert.alert_id}")  # nosec B311
    if rng.random() > p.answered_share:
        return None
    minutes = p.median_min[alert.severity] * math.exp(rng.gauss(0.0, p.sigma))
    false_alarm = rng.random() < p.false_alarm_share
    return Acknowledgement(
        alert_id=alert.alert_id, resident_id=alert.resident_id,
        action="false_alarm" if false_alarm else "acknowledged", by=alert.recipient.team_id,
        time=alert.time + timedelta(minutes=minutes),
        reason="simulert: ingen fare funnet ved tilsyn" if false_alarm else None,
    )
