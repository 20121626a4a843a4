"""The alert desk: turns a resident's alert candidates into routed alerts.

Minimal first version: deterministic ids and routing by category. Routing rules,
de-duplication, cool-down, grouping, escalation and acknowledgements come with
the alert-lifecycle work and keep this interface.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from agents.alerting.ids import alert_id
from agents.catalogue import CATALOGUE
from agents.types import AlertCandidate, ResidentView
from schemas.alerts import Acknowledgement, Alert, Category, Evidence, Recipient, RecipientKind, Severity


@dataclass(slots=True)
class AlertBook:
    """Alert ids already sent for this resident (de-duplication within an episode)."""

    sent: list[str] = field(default_factory=list)


def _ts(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC)


class AlertDesk:
    """Routing and lifecycle of one resident's alerts."""

    @classmethod
    def from_repo(cls) -> AlertDesk:
        return cls()

    def initial(self) -> AlertBook:
        return AlertBook()

    def dump(self, book: AlertBook) -> Any:
        return book.sent

    def load(self, data: Any) -> AlertBook:
        return AlertBook(sent=list(data))

    def due(self, book: AlertBook) -> float:
        return math.inf

    def on_candidates(
        self, book: AlertBook, view: ResidentView, candidates: list[AlertCandidate], now: float
    ) -> tuple[AlertBook, list[Alert]]:
        out: list[Alert] = []
        for c in candidates:
            aid = alert_id(view.resident_id, c.type, c.episode_start, c.episode_key)
            if aid in book.sent:
                continue
            book.sent.append(aid)
            kind = CATALOGUE[c.type]
            if kind.category is Category.TECHNICAL:
                recipient = Recipient(kind=RecipientKind.TECHNICAL, team_id="device-support")
            elif c.severity is Severity.HIGH and kind.category is Category.SAFETY:
                team = view.care.response_centre if view.care else "default-response-centre"
                recipient = Recipient(kind=RecipientKind.RESPONSE_CENTRE, team_id=team)
            else:
                team = view.care.home_care_team if view.care else "default-homecare"
                recipient = Recipient(kind=RecipientKind.HOMECARE, team_id=team)
            out.append(
                Alert(
                    alert_id=aid,
                    resident_id=view.resident_id,
                    type=c.type,
                    category=kind.category,
                    severity=c.severity,
                    recipient=recipient,
                    municipality=view.care.municipality if view.care else None,
                    vkp_service=kind.service,
                    dho_category=c.dho_category or kind.dho_category,
                    episode_start=_ts(c.episode_start),
                    time=_ts(c.time),
                    evidence=(Evidence(nb=c.evidence_nb, en=c.evidence_en),),
                    details=dict(c.details),
                )
            )
        return book, out

    def on_ack(
        self, book: AlertBook, view: ResidentView, ack: Acknowledgement, now: float
    ) -> tuple[AlertBook, list[Alert]]:
        return book, []

    def tick(self, book: AlertBook, view: ResidentView, now: float) -> tuple[AlertBook, list[Alert]]:
        return book, []
