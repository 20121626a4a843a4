"""The alert desk: turns one resident's alert candidates into routed alerts and runs their lifecycle.

What it does, in order, for the candidates a detector step or tick produced:

1. **De-duplication**: an episode already alerted (same deterministic id) is dropped.
2. **Grouping**: candidates of one group (``routing.yaml``: e.g. fall + alarm press +
   long bathroom stay) arriving together become one alert with combined evidence; one
   arriving within the group window of an open alert of its group is counted into that
   alert instead, unless it is more severe.
3. **Cool-down**: a new episode of a type alerted shortly before is counted into the
   earlier alert rather than sent again.
4. **Routing**: the first fitting rule of ``routing.yaml`` names the recipient kinds;
   the care context names the teams; residents without one go to the default teams.
5. **Lifecycle**: open → acknowledged → resolved / false alarm, from the acknowledgement
   topic. An unacknowledged high alert escalates to the response centre (default after
   5 min); an unacknowledged medium one is re-notified (default every 60 min, 3 times).

All times are event time; the book is plain data kept in the resident's table row, so a
restarted worker continues escalation timers where they were.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from agents.alerting.ids import alert_id
from agents.alerting.rules import RoutingRules
from agents.catalogue import CATALOGUE
from agents.statecodec import from_plain
from agents.types import AlertCandidate, ResidentView
from schemas.alerts import (
    Acknowledgement,
    Alert,
    AlertType,
    Evidence,
    Recipient,
    RecipientKind,
    Severity,
)

RECENT_IDS = 24
"""Alert ids remembered per resident (as 48-bit hashes) for exact de-duplication; older
episodes are kept from re-alerting by the cool-down."""

EVIDENCE_KEPT = 2
"""Evidence texts kept with an open alert for its escalation and reminders (state size)."""

EVIDENCE_CHARS = 280


def _id_hash(aid: str) -> int:
    return int.from_bytes(hashlib.blake2b(aid.encode(), digest_size=6).digest(), "big")


def _short(text: str) -> str:
    return text if len(text) <= EVIDENCE_CHARS else text[: EVIDENCE_CHARS - 1] + "…"

MAX_OPEN = 8
"""Open alerts kept per resident; beyond this the oldest least severe is dropped from the book."""

OPEN_MAX_AGE_S = 7 * 86400.0
"""An alert nobody acknowledged for a week leaves the book (it stays on the team's list)."""

_RANK = {Severity.LOW.value: 0, Severity.MEDIUM.value: 1, Severity.HIGH.value: 2}


@dataclass(slots=True)
class OpenAlert:
    """An alert sent and not yet resolved: what escalation and acknowledgement need."""

    alert_id: str
    type: str
    severity: str
    recipients: list[list[str]]
    """[kind, team] pairs it went to."""
    episode_start: float
    sent_at: float
    evidence: list[list[str]]
    """[nb, en] pairs, main reason first."""
    next_at: float = math.inf
    """Event time of the next escalation or reminder (inf: none pending)."""
    stage: int = 0
    """Escalations and reminders sent so far."""
    acked: bool = False
    repeats: int = 0
    """Later candidates counted into this alert (cool-down, grouping)."""


@dataclass(slots=True)
class AlertBook:
    """One resident's alert history the desk needs."""

    sent: list[int] = field(default_factory=list)
    """Hashes of recently sent alert ids."""
    last: dict[str, float] = field(default_factory=dict)
    """Alert type → event time of its latest alert (cool-down)."""
    last_rank: dict[str, int] = field(default_factory=dict)
    """Alert type → severity rank of its latest alert: a more severe finding is not cooled down."""
    open: list[OpenAlert] = field(default_factory=list)


@dataclass(slots=True, frozen=True)
class AckOutcome:
    """What an acknowledgement did (for metrics)."""

    matched: bool
    severity: str | None = None
    latency_s: float | None = None


def _ts(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC)


def _fmt_min(seconds: float) -> str:
    return f"{seconds / 60:.0f}"


class AlertDesk:
    """Routing and lifecycle of one resident's alerts.

    Parameters:
        rules: validated routing rules (default: ``agents/alerting/routing.yaml``).
    """

    __slots__ = ("escalate_s", "group_window_s", "remind_s", "rules")

    def __init__(self, rules: RoutingRules | None = None) -> None:
        self.rules = rules or RoutingRules.load()
        life = self.rules.lifecycle
        self.escalate_s = 60.0 * life.escalate_high_after_min
        self.remind_s = 60.0 * life.remind_medium_after_min
        self.group_window_s = 60.0 * life.group_window_min

    @classmethod
    def from_repo(cls) -> AlertDesk:
        return cls(RoutingRules.load())

    # -- state ------------------------------------------------------------
    def initial(self) -> AlertBook:
        return AlertBook()

    def dump(self, book: AlertBook) -> Any:
        return book

    def load(self, data: Any) -> AlertBook:
        return from_plain(AlertBook, data)

    def due(self, book: AlertBook) -> float:
        due = math.inf
        for a in book.open:
            if a.next_at < due:
                due = a.next_at
        return due

    def open_counts(self, book: AlertBook) -> Counter[str]:
        """Open (unresolved) alerts by severity, for the operations dashboard."""
        return Counter(a.severity for a in book.open)

    # -- candidates ---------------------------------------------------------
    def on_candidates(
        self, book: AlertBook, view: ResidentView, candidates: list[AlertCandidate], now: float
    ) -> tuple[AlertBook, list[Alert]]:
        out: list[Alert] = []
        for primary, merged in self._merge(candidates):
            aid = alert_id(view.resident_id, primary.type, primary.episode_start, primary.episode_key)
            if _id_hash(aid) in book.sent:
                continue
            if self._absorbed(book, primary, len(merged) + 1):
                continue
            out.extend(self._send(book, view, aid, primary, merged))
        self._expire(book, now)
        return book, out

    def _merge(self, candidates: list[AlertCandidate]) -> list[tuple[AlertCandidate, list[AlertCandidate]]]:
        """Candidates of one group found together become one alert led by the most severe."""
        if len(candidates) == 1:
            return [(candidates[0], [])]
        group_of = self.rules.lifecycle.group_of
        by_group: dict[object, list[AlertCandidate]] = {}
        for c in candidates:
            by_group.setdefault(group_of.get(c.type, c.type), []).append(c)
        out = []
        for members in by_group.values():
            members.sort(key=lambda c: (-_RANK[c.severity.value], c.time))
            out.append((members[0], members[1:]))
        return out

    def _absorbed(self, book: AlertBook, c: AlertCandidate, count: int) -> bool:
        """True when the candidate is counted into an earlier alert instead of sent (cool-down, group)."""
        life = self.rules.lifecycle
        last = book.last.get(c.type.value)
        stepped_up = _RANK[c.severity.value] > book.last_rank.get(c.type.value, 2)
        if last is not None and c.time - last < life.cooldown_s(c.type) and not stepped_up:
            for a in book.open:
                if a.type == c.type.value:
                    a.repeats += count
                    break
            return True
        group = life.group_of.get(c.type)
        if group is None:
            return False
        for a in book.open:
            if (
                life.group_of.get(AlertType(a.type)) == group
                and c.time - a.sent_at < self.group_window_s
                and _RANK[c.severity.value] <= _RANK[a.severity]
            ):
                a.repeats += count
                if len(a.evidence) < EVIDENCE_KEPT:
                    a.evidence.append([_short(c.evidence_nb), _short(c.evidence_en)])
                return True
        return False

    def _recipients(self, view: ResidentView, c: AlertCandidate) -> list[Recipient]:
        kinds = self.rules.recipients(c.type, c.severity, view.programmes, c.recipient_hint)
        defaults = self.rules.defaults
        care = view.care
        out: list[Recipient] = []
        for kind in kinds:
            if care is None:
                team = defaults[kind]
            elif kind is RecipientKind.HOMECARE:
                team = care.home_care_team
            elif kind is RecipientKind.RESPONSE_CENTRE:
                team = care.response_centre
            elif kind is RecipientKind.SPECIALIST:
                if care.specialist_unit is None:  # nobody in the specialist service follows them
                    kind, team = RecipientKind.HOMECARE, care.home_care_team
                else:
                    team = care.specialist_unit
            else:
                team = defaults[RecipientKind.TECHNICAL]
            r = Recipient(kind=kind, team_id=team)
            if r not in out:
                out.append(r)
        return out

    def _send(
        self, book: AlertBook, view: ResidentView, aid: str, c: AlertCandidate, merged: list[AlertCandidate]
    ) -> list[Alert]:
        book.sent.append(_id_hash(aid))
        del book.sent[:-RECENT_IDS]
        book.last[c.type.value] = c.time
        book.last_rank[c.type.value] = _RANK[c.severity.value]
        for m in merged:
            book.last[m.type.value] = c.time
            book.last_rank[m.type.value] = _RANK[m.severity.value]
        recipients = self._recipients(view, c)
        evidence = [[c.evidence_nb, c.evidence_en], *([m.evidence_nb, m.evidence_en] for m in merged)]
        if c.severity is Severity.HIGH:
            next_at = c.time + self.escalate_s
        elif c.severity is Severity.MEDIUM and self.rules.lifecycle.max_reminders > 0:
            next_at = c.time + self.remind_s
        else:
            next_at = math.inf
        book.open.append(
            OpenAlert(
                alert_id=aid, type=c.type.value, severity=c.severity.value,
                recipients=[[r.kind.value, r.team_id] for r in recipients],
                episode_start=c.episode_start, sent_at=c.time,
                evidence=[[_short(nb), _short(en)] for nb, en in evidence[:EVIDENCE_KEPT]], next_at=next_at,
            )
        )
        kind = CATALOGUE[c.type]
        details = dict(c.details)
        for m in merged:
            for k, v in m.details.items():
                details.setdefault(k, v)
        # validated on construction: the alert is the contract care systems read
        first = Alert(
            alert_id=aid,
            resident_id=view.resident_id,
            type=c.type,
            category=kind.category,
            severity=c.severity,
            notification="initial",
            escalation_of=None,
            recipient=recipients[0],
            municipality=view.care.municipality if view.care else None,
            vkp_service=kind.service,
            dho_category=c.dho_category or kind.dho_category,
            episode_start=_ts(c.episode_start),
            time=_ts(c.time),
            evidence=tuple(Evidence(nb=nb, en=en) for nb, en in evidence),
            details=details,
            grouped=tuple(m.type for m in merged),
        )
        return [first, *(first.model_copy(update={"recipient": r}) for r in recipients[1:])]

    def _expire(self, book: AlertBook, now: float) -> None:
        book.open = [a for a in book.open if now - a.sent_at < OPEN_MAX_AGE_S]
        if len(book.open) > MAX_OPEN:
            book.open.sort(key=lambda a: (_RANK[a.severity], a.sent_at))
            del book.open[: len(book.open) - MAX_OPEN]
            book.open.sort(key=lambda a: a.sent_at)

    # -- acknowledgements ------------------------------------------------------
    def on_ack(
        self, book: AlertBook, view: ResidentView, ack: Acknowledgement, now: float
    ) -> tuple[AlertBook, list[Alert], AckOutcome]:
        """Acknowledged stops escalation; resolved or false alarm closes the alert.

        An acknowledgement may name the original alert or any of its escalations or reminders.
        """
        target = ack.alert_id
        for i, a in enumerate(book.open):
            if target == a.alert_id or target.startswith(a.alert_id + "-"):
                latency = None if a.acked else max(0.0, now - a.sent_at)
                if ack.action == "acknowledged":
                    a.acked = True
                    a.next_at = math.inf
                else:
                    del book.open[i]
                return book, [], AckOutcome(True, a.severity, latency)
        return book, [], AckOutcome(False)

    # -- time ---------------------------------------------------------------
    def tick(self, book: AlertBook, view: ResidentView, now: float) -> tuple[AlertBook, list[Alert]]:
        """Escalate and re-notify alerts nobody acknowledged in time."""
        out: list[Alert] = []
        life = self.rules.lifecycle
        for a in book.open:
            if a.acked or now < a.next_at:
                continue
            high = a.severity == Severity.HIGH.value
            waited = a.next_at - a.sent_at
            notification: Literal["escalation", "reminder"]
            a.stage += 1
            if high and a.stage == 1:
                notification = "escalation"
                recipients = [Recipient(kind=RecipientKind.RESPONSE_CENTRE, team_id=self._centre(view))]
                aid = f"{a.alert_id}-esc"
                nb = f"Ikke kvittert etter {_fmt_min(waited)} min: eskalert til responssenteret."
                en = f"Not acknowledged after {_fmt_min(waited)} min: escalated to the response centre."
            else:
                notification = "reminder"
                recipients = [Recipient(kind=RecipientKind(k), team_id=t) for k, t in a.recipients]
                if high:
                    recipients.append(Recipient(kind=RecipientKind.RESPONSE_CENTRE, team_id=self._centre(view)))
                aid = f"{a.alert_id}-r{a.stage}"
                nb = f"Påminnelse: fortsatt ikke kvittert etter {_fmt_min(waited)} min."
                en = f"Reminder: still not acknowledged after {_fmt_min(waited)} min."
            if a.repeats:
                nb += f" Mønsteret er sett {a.repeats} gang(er) til siden varselet."
                en += f" The pattern was seen {a.repeats} more time(s) since the alert."
            a.next_at = a.next_at + self.remind_s if a.stage < life.max_reminders else math.inf
            type_ = AlertType(a.type)
            kind = CATALOGUE[type_]
            first = Alert(
                alert_id=aid,
                resident_id=view.resident_id,
                type=type_,
                category=kind.category,
                severity=Severity(a.severity),
                notification=notification,
                escalation_of=a.alert_id,
                recipient=recipients[0],
                municipality=view.care.municipality if view.care else None,
                vkp_service=kind.service,
                dho_category=kind.dho_category,
                episode_start=_ts(a.episode_start),
                time=_ts(now),
                evidence=(Evidence(nb=nb, en=en), *(Evidence(nb=e[0], en=e[1]) for e in a.evidence)),
                details={"unacknowledged_s": round(now - a.sent_at), "repeats": a.repeats},
            )
            seen = {first.recipient}
            out.append(first)
            for r in recipients[1:]:
                if r not in seen:
                    seen.add(r)
                    out.append(first.model_copy(update={"recipient": r}))
        return book, out

    def _centre(self, view: ResidentView) -> str:
        if view.care is not None:
            return view.care.response_centre
        return self.rules.defaults[RecipientKind.RESPONSE_CENTRE]
