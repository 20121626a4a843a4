"""The alert desk: turns one resident's alert candidates into routed alerts and runs their lifecycle.

What it does with the candidates a detector step or tick produced:

1. **De-duplication**: an episode already alerted (same deterministic id) is dropped.
2. **Grouping**: candidates of one group (``routing.yaml``: e.g. fall + long bathroom stay)
   found by the same event or tick become one alert that carries every finding. Alerts of
   different types found separately are never merged, so nothing is lost and the order in
   which records arrive does not matter.
3. **Repeats and cool-down**: a new episode of a type whose high alert is still
   unacknowledged re-notifies everyone who has it (``repeat``: "pressed again at 14:07")
   without resetting the escalation clock; after an acknowledgement it is a new alert.
   Below high severity, a new episode shortly after the previous alert of its type is
   counted into it (reported in its next reminder) instead of sent again.
4. **Routing**: the first fitting rule of ``routing.yaml`` names the recipient kinds and the
   escalation chain; :mod:`agents.alerting.recipients` turns kinds into teams (care context,
   municipality, roster, consent of next of kin).
5. **Lifecycle**: unacknowledged alerts climb their chain (a step never goes to a team that
   already has the alert), then are reminded at the chain's pace; at a change of shift the
   incoming home-care team gets open alerts handed over; an acknowledgement from a team that
   has the alert stops the chain, and every change of status is told to everyone who has it.
   Acknowledgements that name no open alert exactly, come from another team, or carry an
   implausible time are refused with a reason (the shell dead-letters them).

All times are event time; the book is plain data kept in the resident's table row, so a
restarted worker continues escalation timers where they were.
"""

from __future__ import annotations

import base64
import math
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import msgspec

from agents.alerting.ids import alert_id
from agents.alerting.recipients import Directory, contact, for_next_of_kin, in_scope
from agents.alerting.rules import Chain, RoutingRules
from agents.catalogue import CATALOGUE, consent_of_type
from agents.statecodec import Stored, from_v1, id_hash, unpack_hashes
from agents.types import AlertCandidate, ResidentView
from schemas.alerts import (
    Acknowledgement,
    Alert,
    AlertType,
    DetailValue,
    Evidence,
    Recipient,
    RecipientKind,
    Severity,
)
from schemas.care import CareService

RECENT_IDS = 24
"""Alert ids remembered per resident (as 48-bit hashes) for exact de-duplication; older
episodes are kept from re-alerting by the cool-down."""

EVIDENCE_KEPT = 2
"""Evidence texts kept with an open alert for its escalation and reminders (state size)."""

EVIDENCE_CHARS = 280

MAX_OPEN = 8
"""Open alerts kept per resident; beyond this the oldest least severe is dropped from the book."""

OPEN_MAX_AGE_S = 7 * 86400.0
"""An alert nobody acknowledged for a week leaves the book (it stays on the team's list)."""

CLOSED_BY_CONSENT = "care-context"
"""``status_by`` of the notice that closes an alert because its service lost its legal basis."""

_RANK = {Severity.LOW.value: 0, Severity.MEDIUM.value: 1, Severity.HIGH.value: 2}
_HIGH = Severity.HIGH.value
_NOK = RecipientKind.NEXT_OF_KIN.value

_KIND_NB = {
    "homecare": "hjemmetjenesten på vakt", "response-centre": "responssenteret", "specialist": "spesialisthelsetjenesten",
    "gp": "fastlegen", "out-of-hours": "legevakten", "technical": "teknisk support", "next-of-kin": "pårørende",
}
_KIND_EN = {
    "homecare": "the home-care team on duty", "response-centre": "the response centre",
    "specialist": "the specialist unit", "gp": "the GP", "out-of-hours": "the out-of-hours service (legevakt)",
    "technical": "device support", "next-of-kin": "next of kin",
}
_STATUS_NB = {"acknowledged": "Kvittert", "resolved": "Avsluttet", "false_alarm": "Markert som falsk alarm"}
_STATUS_EN = {"acknowledged": "Acknowledged", "resolved": "Resolved", "false_alarm": "Marked as a false alarm"}
_SERVICE_NB = {
    CareService.DIGITAL_SUPERVISION: "digitalt tilsyn", CareService.HOME_FOLLOW_UP: "digital hjemmeoppfølging",
    CareService.NEXT_OF_KIN_NOTICES: "varsler til pårørende",
}
_SERVICE_EN = {
    CareService.DIGITAL_SUPERVISION: "digital supervision", CareService.HOME_FOLLOW_UP: "digital home follow-up",
    CareService.NEXT_OF_KIN_NOTICES: "next-of-kin notices",
}

Fold = Literal["new", "repeat", "counted"]


def _short(text: str) -> str:
    return text if len(text) <= EVIDENCE_CHARS else text[: EVIDENCE_CHARS - 1] + "…"


def _ts(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC)


def _min(seconds: float) -> str:
    return f"{seconds / 60:.0f}"


def _clock(t: float, view: ResidentView) -> str:
    d = datetime.fromtimestamp(t, view.tz)
    return f"{d.hour:02d}:{d.minute:02d}"


class OpenAlert(Stored):
    """An alert sent and not yet resolved: what escalation, handover and acknowledgement need."""

    alert_id: str
    type: str
    severity: str
    holders: list[list[str]]
    """[kind, team] of everyone it went to so far (first recipients, chain steps, handovers, next of kin)."""
    episode_start: float
    sent_at: float
    evidence: list[list[str]] = msgspec.field(default_factory=list)
    """[nb, en] pairs, main reason first (kept for medium and high alerts only)."""
    chain: str = ""
    """Escalation chain name ("": reminders only, or nothing for low alerts)."""
    step: int = 0
    """Chain steps done after the first recipients."""
    next_at: float = math.inf
    """Event time of the next escalation step or reminder (inf: none pending)."""
    handover_at: float = math.inf
    """Event time of the next change of the home-care shift that has it (inf: none to follow)."""
    reminders: int = 0
    notices: int = 0
    """Notifications after the initial one; the n-th has the id ``<alert_id>-n<n>``."""
    repeats: int = 0
    """Later episodes counted into this alert (repeat notices, cool-down)."""
    ack_by: str | None = None
    ack_at: float | None = None
    closed: str = ""
    """The care service whose legal basis was withdrawn: the alert is closed, with a notice, at the next tick."""

    def care_teams(self) -> set[str]:
        return {team for kind, team in self.holders if kind != _NOK}


class AlertBook(Stored):
    """One resident's alert history the desk needs."""

    sent: list[int] = msgspec.field(default_factory=list)
    """Hashes of recently sent alert ids."""
    last: dict[str, float] = msgspec.field(default_factory=dict)
    """Alert type → event time of its latest alert (cool-down)."""
    last_rank: dict[str, int] = msgspec.field(default_factory=dict)
    """Alert type → severity rank of its latest alert: a more severe finding is not cooled down."""
    open: list[OpenAlert] = msgspec.field(default_factory=list)
    municipality: str | None = None
    """Municipality of the latest care context seen: routes alerts to its intake if the context goes."""


def _unpack(packed: str) -> list[int]:
    """Sent-id hashes of format 1: base64 of 6-byte words."""
    return unpack_hashes(base64.b64decode(packed))


@dataclass(slots=True, frozen=True)
class AckOutcome:
    """What an acknowledgement did (for metrics), or why it was refused."""

    matched: bool
    severity: str | None = None
    latency_s: float | None = None
    refused: str | None = None
    """Why the acknowledgement was not accepted (the shell dead-letters it with this reason)."""


class AlertDesk:
    """Routing and lifecycle of one resident's alerts.

    Parameters:
        rules: validated routing rules (default: ``agents/alerting/routing.yaml``).
    """

    __slots__ = ("directory", "remind_s", "rules", "tolerance_s")

    def __init__(self, rules: RoutingRules | None = None) -> None:
        self.rules = rules or RoutingRules.load()
        self.directory = Directory(self.rules)
        life = self.rules.lifecycle
        self.remind_s = 60.0 * life.remind_medium_after_min
        self.tolerance_s = 60.0 * life.ack_future_tolerance_min

    @classmethod
    def from_repo(cls) -> AlertDesk:
        return cls(RoutingRules.load())

    # -- state ------------------------------------------------------------
    def initial(self) -> AlertBook:
        return AlertBook()

    def dump(self, book: AlertBook) -> AlertBook:
        """The book as stored (an open alert's trailing default fields are left out)."""
        return book

    def from_v1(self, data: Any) -> AlertBook:
        """The book of state format 1 (JSON, sent ids as base64, older books without chains)."""
        if isinstance(data.get("sent"), str):
            data = {**data, "sent": _unpack(data["sent"])}
        for a in data.get("open", ()):  # books written before chains: rename in place
            if "holders" not in a:
                a["holders"] = a.pop("recipients", [])
                if a.pop("acked", False):
                    a["ack_by"] = a["holders"][0][1] if a["holders"] else CLOSED_BY_CONSENT
        return from_v1(AlertBook, data)

    def due(self, book: AlertBook) -> float:
        due = math.inf
        for a in book.open:
            if a.closed:
                return -math.inf
            if a.ack_by is None and a.next_at < due:
                due = a.next_at
            if a.handover_at < due:
                due = a.handover_at
        return due

    def open_counts(self, book: AlertBook) -> Counter[str]:
        """Open (unresolved) alerts by severity, for the operations dashboard."""
        return Counter(a.severity for a in book.open)

    def _remember(self, book: AlertBook, view: ResidentView) -> None:
        if view.care is not None and book.municipality != view.care.municipality:
            book.municipality = view.care.municipality

    def _chain(self, book: AlertBook, view: ResidentView, name: str) -> Chain | None:
        if not name:
            return None
        return self.rules.chain(name, view.care.municipality if view.care is not None else book.municipality)

    # -- candidates ---------------------------------------------------------
    def on_candidates(
        self, book: AlertBook, view: ResidentView, candidates: list[AlertCandidate], now: float
    ) -> tuple[AlertBook, list[Alert]]:
        self._remember(book, view)
        out: list[Alert] = []
        for primary, merged in self._merge(candidates):
            aid = alert_id(view.resident_id, primary.type, primary.episode_start, primary.episode_key)
            h = id_hash(aid)
            if h in book.sent:
                continue
            fold, into = self._fold(book, primary, 1 + len(merged))
            if fold == "new":
                out.extend(self._send(book, view, aid, h, primary, merged))
                continue
            book.sent.append(h)
            del book.sent[:-RECENT_IDS]
            if fold == "repeat" and into is not None:
                out.extend(self._repeat(view, into, primary, merged))
        self._expire(book, now)
        return book, out

    def _merge(self, candidates: list[AlertCandidate]) -> list[tuple[AlertCandidate, list[AlertCandidate]]]:
        """Candidates of one group found together become one alert led by the most severe, carrying all."""
        if len(candidates) == 1:
            return [(candidates[0], [])]
        group_of = self.rules.lifecycle.group_of
        by_group: dict[object, list[AlertCandidate]] = {}
        for c in candidates:
            by_group.setdefault(group_of.get(c.type, c.type), []).append(c)
        out = []
        for members in by_group.values():
            members.sort(key=lambda c: (-_RANK[c.severity.value], c.time, c.type.value, c.episode_key))
            out.append((members[0], members[1:]))
        return out

    def _fold(self, book: AlertBook, c: AlertCandidate, count: int) -> tuple[Fold, OpenAlert | None]:
        """Whether a new episode is a new alert, a repeat of an open high alert, or counted into one."""
        type_, rank = c.type.value, _RANK[c.severity.value]
        into = next((a for a in reversed(book.open) if a.type == type_ and not a.closed), None)
        last = book.last.get(type_)
        cooled = last is not None and c.time - last < self.rules.lifecycle.cooldown_s(c.type)
        if into is not None and into.ack_by is None and rank <= _RANK[into.severity]:
            into.repeats += count
            if into.severity == _HIGH:
                return "repeat", into
            return ("counted", into) if cooled else ("new", None)
        if cooled and c.severity is not Severity.HIGH and rank <= book.last_rank.get(type_, 2):
            if into is not None:
                into.repeats += count
            return "counted", into
        return "new", None

    def _send(
        self, book: AlertBook, view: ResidentView, aid: str, h: int, c: AlertCandidate, merged: list[AlertCandidate]
    ) -> list[Alert]:
        book.sent.append(h)
        del book.sent[:-RECENT_IDS]
        for m in (c, *merged):
            book.last[m.type.value] = c.time
            book.last_rank[m.type.value] = _RANK[m.severity.value]
        life = self.rules.lifecycle
        rule = self.rules.rule_for(
            c.type, c.severity, view.programmes, c.recipient_hint, self.rules.windows_at(c.time, view.tz)
        )
        recipients = self.directory.resolve(rule.to, view, book.municipality, c.time, c.type)
        chain_name = ""
        if c.severity is Severity.HIGH:
            chain_name = rule.chain or life.high_chain
        elif c.severity is Severity.MEDIUM and rule.chain:
            chain_name = rule.chain
        chain = self._chain(book, view, chain_name)
        if chain is not None:
            wait = 60.0 * chain.steps[0].after_min if chain.steps else (
                60.0 * chain.remind_every_min if chain.max_reminders else math.inf)
        elif c.severity is Severity.MEDIUM and life.max_reminders > 0:
            wait = self.remind_s
        else:
            wait = math.inf
        types = [c.type, *(m.type for m in merged)]
        evidence = [[c.evidence_nb, c.evidence_en], *([m.evidence_nb, m.evidence_en] for m in merged)]
        kept = [[_short(nb), _short(en)] for nb, en in evidence[:EVIDENCE_KEPT]] if c.severity is not Severity.LOW else []
        a = OpenAlert(
            alert_id=aid, type=c.type.value, severity=c.severity.value,
            holders=[[r.kind.value, r.team_id] for r in recipients],
            episode_start=c.episode_start, sent_at=c.time, evidence=kept, chain=chain_name, next_at=c.time + wait,
        )
        self._follow_shift(book, view, a, c.time)
        book.open.append(a)
        kind = CATALOGUE[c.type]
        details = dict(c.details)
        for m in merged:
            for k, v in m.details.items():
                details[k if k not in details else f"{m.type.value}.{k}"] = v
        care = next(r for r in recipients if r.kind is not RecipientKind.NEXT_OF_KIN)
        # validated on construction: the alert is the contract care systems read
        first = Alert(
            alert_id=aid,
            resident_id=view.resident_id,
            type=c.type,
            category=kind.category,
            severity=c.severity,
            notification="initial",
            escalation_of=None,
            recipient=care,
            municipality=view.care.municipality if view.care else None,
            vkp_service=kind.service,
            dho_category=c.dho_category or kind.dho_category,
            episode_start=_ts(c.episode_start),
            time=_ts(c.time),
            evidence=tuple(Evidence(nb=nb, en=en) for nb, en in evidence),
            details=details,
            grouped=tuple(m.type for m in merged),
        )
        return self._fan_out(view, first, recipients, types)

    def _fan_out(self, view: ResidentView, first: Alert, recipients: list[Recipient], types: list[AlertType]) -> list[Alert]:
        out = []
        for r in recipients:
            if r.kind is RecipientKind.NEXT_OF_KIN:
                nok = contact(view, r.team_id)
                if nok is not None:
                    out.append(for_next_of_kin(first, nok, types))
            elif r == first.recipient:
                out.append(first)
            else:
                out.append(first.model_copy(update={"recipient": r}))
        return out

    def _follow_shift(self, book: AlertBook, view: ResidentView, a: OpenAlert, t: float) -> None:
        """Arm the handover of an alert the home-care team on duty has, at the next change of shift."""
        if a.handover_at < math.inf or _RANK[a.severity] < _RANK[self.rules.lifecycle.handover_min_severity.value]:
            return
        if any(kind == RecipientKind.HOMECARE.value for kind, _ in a.holders):
            nxt = self.directory.next_shift_change(view, book.municipality, t)
            a.handover_at = nxt if nxt is not None else math.inf

    def _notice(
        self,
        view: ResidentView,
        a: OpenAlert,
        notification: Literal["escalation", "reminder", "repeat", "handover", "status"],
        recipients: list[Recipient],
        lead: tuple[str, str],
        t: float,
        details: dict[str, DetailValue] | None = None,
        status: tuple[str, str, float] | None = None,
        evidence: bool = True,
    ) -> list[Alert]:
        """One notification about open alert ``a`` (id ``<alert_id>-n<k>``) to ``recipients``."""
        if not recipients:
            return []
        a.notices += 1
        type_ = AlertType(a.type)
        kind = CATALOGUE[type_]
        acked = status if status is not None else ((
            "acknowledged", a.ack_by, a.ack_at if a.ack_at is not None else a.sent_at) if a.ack_by else None)
        texts = [Evidence(nb=lead[0], en=lead[1])]
        if evidence:
            texts += [Evidence(nb=nb, en=en) for nb, en in a.evidence]
        first = Alert(
            alert_id=f"{a.alert_id}-n{a.notices}",
            resident_id=view.resident_id,
            type=type_,
            category=kind.category,
            severity=Severity(a.severity),
            notification=notification,
            escalation_of=a.alert_id,
            status=acked[0] if acked else "open",  # type: ignore[arg-type]
            status_by=acked[1] if acked else None,
            status_at=_ts(acked[2]) if acked else None,
            recipient=recipients[0],
            municipality=view.care.municipality if view.care else None,
            vkp_service=kind.service,
            dho_category=kind.dho_category,
            episode_start=_ts(a.episode_start),
            time=_ts(t),
            evidence=tuple(texts),
            details=details or {},
            step=min(32, a.step + 1),
        )
        return [first, *(first.model_copy(update={"recipient": r}) for r in recipients[1:])]

    def _holders(self, a: OpenAlert) -> list[Recipient]:
        return [Recipient(kind=RecipientKind(k), team_id=t) for k, t in a.holders if k != _NOK]

    def _repeat(self, view: ResidentView, a: OpenAlert, c: AlertCandidate, merged: list[AlertCandidate]) -> list[Alert]:
        """The pattern happened again while its high alert is open: tell everyone who has it, now."""
        kind = CATALOGUE[c.type]
        at = _clock(c.time, view)
        nb = f"{kind.again_nb} kl. {at}. {c.evidence_nb}"
        en = f"{kind.again_en} at {at}. {c.evidence_en}"
        for m in merged:
            nb, en = f"{nb} {m.evidence_nb}", f"{en} {m.evidence_en}"
        details: dict[str, DetailValue] = {**c.details, "repeats": a.repeats}
        return self._notice(view, a, "repeat", self._holders(a), (nb, en), c.time, details)

    def _expire(self, book: AlertBook, now: float) -> None:
        book.open = [a for a in book.open if now - a.sent_at < OPEN_MAX_AGE_S]
        if len(book.open) > MAX_OPEN:
            book.open.sort(key=lambda a: (_RANK[a.severity], a.sent_at))
            del book.open[: len(book.open) - MAX_OPEN]
            book.open.sort(key=lambda a: a.sent_at)

    # -- acknowledgements ------------------------------------------------------
    def _find(self, book: AlertBook, target: str) -> tuple[int, OpenAlert] | None:
        """The open alert ``target`` names exactly: its id, or the id of a notification it was sent as."""
        for i, a in enumerate(book.open):
            if a.closed:
                continue
            if target == a.alert_id:
                return i, a
            prefix = a.alert_id + "-n"
            if target.startswith(prefix):
                n = target[len(prefix):]
                if n.isdigit() and n[0] != "0" and int(n) <= a.notices:
                    return i, a
        return None

    def on_ack(
        self, book: AlertBook, view: ResidentView, ack: Acknowledgement, now: float
    ) -> tuple[AlertBook, list[Alert], AckOutcome]:
        """Acknowledged stops the chain; resolved or false alarm closes the alert; everyone who has it is told.

        ``now`` is the resident's event time as the shell knows it. Refused (outcome ``refused``):
        an id that names no open alert or notification exactly, a ``by`` that is not a team the
        alert went to, a time before the alert or more than the tolerance ahead of ``now``.
        """
        self._remember(book, view)
        found = self._find(book, ack.alert_id)
        if found is None:
            return book, [], AckOutcome(False, refused="alert_id names no open alert of this resident "
                                        "(ids must match exactly; closed, expired or never sent)")
        i, a = found
        teams = a.care_teams()
        if ack.by not in teams:
            return book, [], AckOutcome(False, a.severity, refused=(
                f"`by` is not a team this alert went to (it went to {', '.join(sorted(teams))})"))
        t = ack.time.timestamp()
        if t < a.sent_at:
            return book, [], AckOutcome(False, a.severity, refused=(
                f"acknowledgement time is {a.sent_at - t:.0f} s before the alert"))
        ref = max(now, a.sent_at)
        if t > ref + self.tolerance_s:
            return book, [], AckOutcome(False, a.severity, refused=(
                f"acknowledgement time is {t - ref:.0f} s ahead of the resident's event time "
                f"(allowed {self.tolerance_s:.0f} s)"))
        latency = None if a.ack_by is not None else max(0.0, t - a.sent_at)
        if ack.action == "acknowledged":
            if a.ack_by is not None:
                return book, [], AckOutcome(True, a.severity, None)  # already acknowledged: nothing changes
            a.ack_by, a.ack_at = ack.by, t
        else:
            del book.open[i]
        return book, self._status(view, a, ack.action, ack.by, t), AckOutcome(True, a.severity, latency)

    def _status(self, view: ResidentView, a: OpenAlert, status: str, by: str, t: float) -> list[Alert]:
        """Tell everyone the alert went to that its status changed (next of kin: only within consent)."""
        at = _clock(t, view)
        lead = (f"{_STATUS_NB[status]} av {by} kl. {at}.", f"{_STATUS_EN[status]} by {by} at {at}.")
        out = self._notice(view, a, "status", self._holders(a), lead, t, status=(status, by, t))
        scope = {c.contact_id for c in in_scope(view, AlertType(a.type), t)}
        for kind, team in a.holders:
            if kind == _NOK and team in scope and out:
                out.append(out[0].model_copy(update={
                    "recipient": Recipient(kind=RecipientKind.NEXT_OF_KIN, team_id=team),
                    "evidence": (Evidence(nb=lead[0], en=lead[1]),), "details": {}, "grouped": (),
                }))
        return out

    # -- care context ---------------------------------------------------------
    def on_care(self, book: AlertBook, view: ResidentView) -> AlertBook:
        """A new care context: alerts of a service that lost its legal basis are closed at the next tick.

        The closing notice goes out from :meth:`tick` (the engine ticks a resident whose desk is due
        at once), so the book written with the new context already says what is still to be told.
        """
        self._remember(book, view)
        care = view.care
        if care is None:
            return book
        for a in book.open:
            service = consent_of_type(AlertType(a.type))
            if service is not None and not care.permits(service) and not a.closed:
                a.closed = service.value
        return book

    def _close(self, view: ResidentView, a: OpenAlert, now: float) -> list[Alert]:
        service = CareService(a.closed)
        lead = (
            f"Lukket: det rettslige grunnlaget for {_SERVICE_NB[service]} er trukket tilbake.",
            f"Closed: the legal basis for {_SERVICE_EN[service]} was withdrawn.",
        )
        t = max(now, a.sent_at)
        return self._notice(view, a, "status", self._holders(a), lead, t,
                            status=("resolved", CLOSED_BY_CONSENT, t), evidence=False)

    # -- time ---------------------------------------------------------------
    def tick(self, book: AlertBook, view: ResidentView, now: float) -> tuple[AlertBook, list[Alert]]:
        """Escalate, remind and hand over alerts whose time has come."""
        self._remember(book, view)
        out: list[Alert] = []
        if any(a.closed for a in book.open):
            for a in book.open:
                if a.closed:
                    out += self._close(view, a, now)
            book.open = [a for a in book.open if not a.closed]
        for a in book.open:
            if now >= a.handover_at:
                out += self._handover(book, view, a, now)
            while a.ack_by is None and now >= a.next_at:
                sent, escalated = self._advance(book, view, a, now)
                out += sent
                if not escalated:
                    break
        return book, out

    def _advance(self, book: AlertBook, view: ResidentView, a: OpenAlert, now: float) -> tuple[list[Alert], bool]:
        """The next chain step that reaches someone new, else a reminder; True when it escalated."""
        chain = self._chain(book, view, a.chain)
        pace = 60.0 * chain.remind_every_min if chain is not None else self.remind_s
        limit = chain.max_reminders if chain is not None else self.rules.lifecycle.max_reminders
        if chain is not None:
            held = a.care_teams()
            steps = chain.steps
            while a.step < len(steps):
                step = steps[a.step]
                a.step += 1
                targets = [r for r in self.directory.resolve(step.to, view, book.municipality, now, AlertType(a.type))
                           if r.team_id not in held]
                if targets:
                    a.next_at += 60.0 * steps[a.step].after_min if a.step < len(steps) else pace
                    return self._escalate(book, view, a, targets, now, len(steps) + 1), True
            if a.severity == _HIGH and len(held) < 2:
                # the chain found nobody new: an unanswered high alert still reaches a second team
                targets = [r for r in self.directory.fallback() if r.team_id not in held][:1]
                if targets:
                    a.step += 1
                    a.next_at += pace
                    return self._escalate(book, view, a, targets, now, a.step + 1), True
        if a.reminders >= limit:
            a.next_at = math.inf
            return [], False
        a.reminders += 1
        a.next_at = max(a.next_at + pace, now + pace) if a.reminders < limit else math.inf
        waited = _min(now - a.sent_at)
        nb = f"Påminnelse (trinn {a.step + 1}): fortsatt ikke kvittert etter {waited} min."
        en = f"Reminder (step {a.step + 1}): still not acknowledged after {waited} min."
        if a.repeats:
            nb += f" Mønsteret er sett {a.repeats} gang(er) til siden varselet."
            en += f" The pattern was seen {a.repeats} more time(s) since the alert."
        details: dict[str, DetailValue] = {"unacknowledged_s": round(now - a.sent_at), "repeats": a.repeats}
        return self._notice(view, a, "reminder", self._holders(a), (nb, en), now, details), False

    def _escalate(
        self, book: AlertBook, view: ResidentView, a: OpenAlert, targets: list[Recipient], now: float, total: int
    ) -> list[Alert]:
        waited = _min(now - a.sent_at)
        who_nb = ", ".join(f"{_KIND_NB[r.kind.value]} ({r.team_id})" for r in targets)
        who_en = ", ".join(f"{_KIND_EN[r.kind.value]} ({r.team_id})" for r in targets)
        step = a.step + 1
        of = f" av {total}" if step <= total else ""
        of_en = f" of {total}" if step <= total else ""
        nb = f"Trinn {step}{of}: ikke kvittert etter {waited} min. Nå varslet: {who_nb}."
        en = f"Step {step}{of_en}: not acknowledged after {waited} min. Now told: {who_en}."
        a.holders += [[r.kind.value, r.team_id] for r in targets]
        self._follow_shift(book, view, a, now)
        details: dict[str, DetailValue] = {"unacknowledged_s": round(now - a.sent_at), "repeats": a.repeats}
        return self._notice(view, a, "escalation", targets, (nb, en), now, details)

    def _handover(self, book: AlertBook, view: ResidentView, a: OpenAlert, now: float) -> list[Alert]:
        """A change of shift: the incoming home-care team gets the open alert."""
        incoming = self.directory.on_duty(view, book.municipality, now)
        nxt = self.directory.next_shift_change(view, book.municipality, now)
        a.handover_at = nxt if nxt is not None else math.inf
        if incoming.team_id in a.care_teams():
            return []
        a.holders.append([incoming.kind.value, incoming.team_id])
        at = _clock(now, view)
        nb = f"Vaktskifte kl. {at}: åpent varsel overlevert til {incoming.team_id}."
        en = f"Change of shift at {at}: open alert handed over to {incoming.team_id}."
        if a.ack_by is not None and a.ack_at is not None:
            nb += f" Kvittert av {a.ack_by} kl. {_clock(a.ack_at, view)}, ikke avsluttet."
            en += f" Acknowledged by {a.ack_by} at {_clock(a.ack_at, view)}, not resolved."
        return self._notice(view, a, "handover", [incoming], (nb, en), now)
