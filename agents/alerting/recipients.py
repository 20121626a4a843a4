"""Which team a recipient kind means for one resident at one moment.

The routing file names kinds (``homecare``, ``out-of-hours``, ...); the care context, the
municipality's configuration and the roster turn a kind into a team. Every kind resolves to
a team that exists: a resident without a care context goes to the intake teams of the
municipality last known for them, or to the configured fallback, never to a placeholder.
Next of kin resolve to the contacts whose consent covers the alert type and the local hour,
and only if the care context records consent to next-of-kin notices.
"""

from __future__ import annotations

from datetime import datetime

from agents.alerting.rules import Municipality, RoutingRules
from agents.catalogue import CATALOGUE
from agents.types import ResidentView
from schemas.alerts import Alert, AlertType, Evidence, Recipient, RecipientKind
from schemas.care import CareService, NextOfKin

_K = RecipientKind


class Directory:
    """Resolves recipient kinds to teams with the routing file's municipalities, rosters and fallback.

    Parameters:
        rules: the validated routing file.
    """

    __slots__ = ("rules",)

    def __init__(self, rules: RoutingRules) -> None:
        self.rules = rules

    def _municipality(self, view: ResidentView, known: str | None) -> Municipality | None:
        no = view.care.municipality if view.care is not None else known
        return self.rules.municipalities.get(no) if no else None

    def shift(self, view: ResidentView, known: str | None, t: float) -> str:
        """The home-care shift on duty at ``t`` in the resident's municipality."""
        no = view.care.municipality if view.care is not None else known
        return self.rules.roster(no).shift_at(t, view.tz, self.rules.holidays)

    def next_shift_change(self, view: ResidentView, known: str | None, t: float) -> float | None:
        """When the home-care team on duty next changes for this resident (None: it never does)."""
        m = self._municipality(view, known)
        if view.care is None or m is None or not m.on_duty:
            return None
        return self.rules.roster(view.care.municipality).next_change(t, view.tz, self.rules.holidays)

    def on_duty(self, view: ResidentView, known: str | None, t: float) -> Recipient:
        """The home-care team on duty for the resident at ``t``."""
        m = self._municipality(view, known)
        if view.care is None:
            return Recipient(kind=_K.HOMECARE, team_id=(m or self.rules.fallback).intake.homecare)
        if m is not None and m.on_duty:
            team = m.on_duty.get(self.shift(view, known, t))
            if team is not None:
                return Recipient(kind=_K.HOMECARE, team_id=team)
        return Recipient(kind=_K.HOMECARE, team_id=view.care.home_care_team)

    def out_of_hours(self, view: ResidentView, known: str | None) -> Recipient:
        if view.care is not None and view.care.out_of_hours:
            return Recipient(kind=_K.OUT_OF_HOURS, team_id=view.care.out_of_hours)
        m = self._municipality(view, known)
        return Recipient(kind=_K.OUT_OF_HOURS, team_id=(m or self.rules.fallback).out_of_hours)

    def fallback(self) -> tuple[Recipient, Recipient]:
        """The region's intake response centre and emergency centre: two different teams (validated)."""
        fb = self.rules.fallback
        return (
            Recipient(kind=_K.RESPONSE_CENTRE, team_id=fb.intake.response_centre),
            Recipient(kind=_K.OUT_OF_HOURS, team_id=fb.out_of_hours),
        )

    def one(self, kind: RecipientKind, view: ResidentView, known: str | None, t: float, type_: AlertType) -> list[Recipient]:
        """The team(s) ``kind`` means for the resident at ``t`` (next of kin: possibly none)."""
        care = view.care
        if kind is _K.TECHNICAL:
            return [Recipient(kind=kind, team_id=self.rules.technical)]
        if kind is _K.NEXT_OF_KIN:
            return [Recipient(kind=kind, team_id=c.contact_id) for c in in_scope(view, type_, t)]
        if kind is _K.RESPONSE_CENTRE:
            if care is not None:
                return [Recipient(kind=kind, team_id=care.response_centre)]
            m = self._municipality(view, known)
            return [Recipient(kind=kind, team_id=(m or self.rules.fallback).intake.response_centre)]
        if kind is _K.HOMECARE:
            return [self.on_duty(view, known, t)]
        if kind is _K.SPECIALIST:
            if care is not None and care.specialist_unit is not None:
                return [Recipient(kind=kind, team_id=care.specialist_unit)]
            return [self.on_duty(view, known, t)]  # nobody in the specialist service follows them
        if kind is _K.GP:
            if care is not None and care.gp is not None:
                return [Recipient(kind=kind, team_id=care.gp)]
            return [self.out_of_hours(view, known)]
        return [self.out_of_hours(view, known)]

    def resolve(
        self, kinds: tuple[RecipientKind, ...], view: ResidentView, known: str | None, t: float, type_: AlertType
    ) -> list[Recipient]:
        """Teams of ``kinds`` in order; a team reached through two kinds is told once."""
        out: list[Recipient] = []
        teams: set[str] = set()
        for kind in kinds:
            for r in self.one(kind, view, known, t, type_):
                if r.team_id not in teams:
                    teams.add(r.team_id)
                    out.append(r)
        return out


def in_scope(view: ResidentView, type_: AlertType, t: float) -> list[NextOfKin]:
    """Contacts who may be told about an alert of ``type_`` at ``t``: consent to notices and to this type and hour."""
    care = view.care
    if care is None or not care.next_of_kin or not care.permits(CareService.NEXT_OF_KIN_NOTICES):
        return []
    d = datetime.fromtimestamp(t, view.tz)
    minute = d.hour * 60 + d.minute
    return [c for c in care.next_of_kin if c.in_scope(type_, minute)]


def contact(view: ResidentView, contact_id: str) -> NextOfKin | None:
    if view.care is None:
        return None
    return next((c for c in view.care.next_of_kin if c.contact_id == contact_id), None)


def for_next_of_kin(alert: Alert, contact_: NextOfKin, types: list[AlertType]) -> Alert:
    """The alert as a contact may see it: evidence only of types their consent covers, no details.

    ``types`` gives the alert type behind each evidence text (the same length as the evidence).
    """
    scope = set(contact_.alert_types)
    evidence = tuple(e for e, t in zip(alert.evidence, types, strict=True) if t in scope)
    if not evidence:  # only the title, which the consent to this type covers
        kind = CATALOGUE[alert.type]
        evidence = (Evidence(nb=kind.title_nb + ".", en=kind.title_en + "."),)
    return alert.model_copy(update={
        "recipient": Recipient(kind=_K.NEXT_OF_KIN, team_id=contact_.contact_id),
        "evidence": evidence,
        "details": {},
        "grouped": tuple(g for g in alert.grouped if g in scope),
    })
