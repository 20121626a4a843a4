"""Routing rules, escalation chains, rosters and lifecycle settings, read from ``routing.yaml`` and validated.

The file is the one place a municipality edits to change who gets what, when, and who is
next when nobody answers. It is validated by pydantic at start-up: an unknown alert type,
recipient, chain, roster, shift or field stops the worker with a readable message instead
of routing alerts wrongly.
"""

from __future__ import annotations

from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from agents.alerting.calendar import Roster, ShiftName, Window, covering
from agents.catalogue import CATALOGUE
from schemas.alerts import AlertType, Category, RecipientKind, Severity
from schemas.base import TeamId
from schemas.care import Programme

ROUTING_FILE = Path(__file__).with_name("routing.yaml")

MunicipalityNo = Annotated[str, Field(pattern=r"^\d{4}$")]
ChainName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,31}$")]


class RulesError(ValueError):
    """The routing file is missing, not YAML, or does not validate."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Match(_Strict):
    """Which alerts a rule applies to; an empty field matches anything."""

    types: frozenset[AlertType] = frozenset()
    categories: frozenset[Category] = frozenset()
    severities: frozenset[Severity] = frozenset()
    programmes: frozenset[Programme] = frozenset()
    hints: frozenset[RecipientKind] = frozenset()
    windows: frozenset[str] = frozenset()
    """Names of ``windows``: the alert's local time falls in at least one of them."""

    def fits(
        self,
        type_: AlertType,
        severity: Severity,
        programmes: frozenset[Programme],
        hint: RecipientKind | None,
        windows: frozenset[str] = frozenset(),
    ) -> bool:
        return (
            (not self.types or type_ in self.types)
            and (not self.categories or CATALOGUE[type_].category in self.categories)
            and (not self.severities or severity in self.severities)
            and (not self.programmes or not self.programmes.isdisjoint(programmes))
            and (not self.hints or hint in self.hints)
            and (not self.windows or not self.windows.isdisjoint(windows))
        )


def _care_kinds(kinds: tuple[RecipientKind, ...], where: str) -> None:
    if all(k is RecipientKind.NEXT_OF_KIN for k in kinds):
        raise ValueError(f"{where} needs a care recipient besides next-of-kin (consent may cover none)")


class Rule(_Strict):
    name: Annotated[str, Field(min_length=1)]
    match: Match
    to: Annotated[tuple[RecipientKind, ...], Field(min_length=1)]
    chain: ChainName | None = None
    """Escalation chain while nobody acknowledges (high alerts default to ``lifecycle.high_chain``)."""

    @model_validator(mode="after")
    def _someone_acts(self) -> Rule:
        _care_kinds(self.to, f"rule {self.name!r}")
        return self


class Step(_Strict):
    """One escalation step: who is told next, after how long without an acknowledgement."""

    after_min: Annotated[float, Field(gt=0, le=1440)]
    to: Annotated[tuple[RecipientKind, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _care_only(self) -> Step:
        if RecipientKind.NEXT_OF_KIN in self.to:
            raise ValueError("an escalation step cannot go to next-of-kin: they are told, not tasked")
        return self


class Chain(_Strict):
    """Escalation for an alert class: steps after the first recipients, then reminders at the chain's pace."""

    steps: tuple[Step, ...] = ()
    remind_every_min: Annotated[float, Field(gt=0, le=1440)]
    max_reminders: Annotated[int, Field(ge=0, le=288)] = 12


class Intake(_Strict):
    """Teams that take alerts of residents without a care context (not yet enrolled, or enrolment ended)."""

    response_centre: TeamId = Field(alias="response-centre")
    """For alerts routed to a response centre: must answer 24/7."""
    homecare: TeamId


class Municipality(_Strict):
    """One municipality's teams, roster and chain overrides."""

    name: str = ""
    intake: Intake
    out_of_hours: TeamId = Field(alias="out-of-hours")
    """The out-of-hours service (legevakt) serving the municipality."""
    on_duty: dict[ShiftName, TeamId] = Field(default_factory=dict, alias="on-duty")
    """Home-care team on duty per shift; a shift not named keeps the resident's own team."""
    roster: str = "default"
    chains: dict[ChainName, Chain] = Field(default_factory=dict)
    """Replaces the chain of the same name for this municipality."""


class Fallback(_Strict):
    """Where alerts go when not even the municipality is known: staffed teams, never a placeholder."""

    intake: Intake
    out_of_hours: TeamId = Field(alias="out-of-hours")

    @model_validator(mode="after")
    def _two_teams(self) -> Fallback:
        if self.intake.response_centre == self.out_of_hours:
            raise ValueError("fallback intake response-centre and out-of-hours must be different teams "
                             "(an unanswered alarm must reach a second team)")
        return self


class Lifecycle(_Strict):
    remind_medium_after_min: Annotated[float, Field(gt=0)] = 60
    max_reminders: Annotated[int, Field(ge=0, le=24)] = 3
    cooldown_min: dict[str, Annotated[float, Field(ge=0)]] = Field(default_factory=lambda: {"default": 60.0})
    groups: tuple[tuple[AlertType, ...], ...] = ()
    high_chain: ChainName = "safety"
    handover_min_severity: Severity = Severity.MEDIUM
    ack_future_tolerance_min: Annotated[float, Field(ge=0, le=60)] = 10

    @model_validator(mode="after")
    def _known_types(self) -> Lifecycle:
        known = {t.value for t in AlertType} | {"default"}
        unknown = sorted(set(self.cooldown_min) - known)
        if unknown:
            raise ValueError(f"cooldown_min names unknown alert types: {', '.join(unknown)}")
        seen: set[AlertType] = set()
        for group in self.groups:
            twice = seen.intersection(group)
            if twice:
                raise ValueError(f"alert type {sorted(twice)[0]} is in two groups")
            seen.update(group)
        return self

    def cooldown_s(self, type_: AlertType) -> float:
        return 60.0 * self.cooldown_min.get(type_.value, self.cooldown_min.get("default", 60.0))

    @cached_property
    def group_of(self) -> dict[AlertType, int]:
        """Group number of each grouped type (ungrouped types are their own group)."""
        return {t: i for i, group in enumerate(self.groups) for t in group}


class RoutingRules(_Strict):
    """The whole routing file."""

    rules: Annotated[tuple[Rule, ...], Field(min_length=1)]
    technical: TeamId
    """Device support: the one team for device faults of every municipality."""
    chains: dict[ChainName, Chain] = Field(default_factory=dict)
    windows: dict[str, Window] = Field(default_factory=dict)
    rosters: dict[str, Roster]
    holidays: frozenset[date] = frozenset()
    municipalities: dict[MunicipalityNo, Municipality] = Field(default_factory=dict)
    fallback: Fallback
    lifecycle: Lifecycle = Lifecycle()

    @model_validator(mode="after")
    def _complete(self) -> RoutingRules:
        if self.rules[-1].match != Match():
            raise ValueError("the last rule must match everything (`match: {}`), so no alert is unrouted")
        if "default" not in self.rosters:
            raise ValueError("rosters needs a `default` roster")
        names = [r.chain for r in self.rules if r.chain] + [self.lifecycle.high_chain]
        missing = sorted({n for n in names if n not in self.chains})
        if missing:
            raise ValueError(f"unknown chain: {', '.join(missing)}")
        for rule in self.rules:
            unknown = sorted(rule.match.windows - set(self.windows))
            if unknown:
                raise ValueError(f"rule {rule.name!r} names unknown window: {', '.join(unknown)}")
        for no, m in self.municipalities.items():
            roster = self.rosters.get(m.roster)
            if roster is None:
                raise ValueError(f"municipality {no}: unknown roster {m.roster!r}")
            shifts = sorted(set(m.on_duty) - roster.shift_names)
            if shifts:
                raise ValueError(f"municipality {no}: on-duty names shifts the roster lacks: {', '.join(shifts)}")
            extra = sorted(set(m.chains) - set(self.chains))
            if extra:
                raise ValueError(f"municipality {no}: chains overrides unknown chain: {', '.join(extra)}")
        return self

    @cached_property
    def _uses_windows(self) -> bool:
        return any(r.match.windows for r in self.rules)

    def windows_at(self, t: float, tz: ZoneInfo) -> frozenset[str]:
        """Names of the windows covering event time ``t`` in zone ``tz``."""
        if not self._uses_windows:
            return frozenset()
        return covering(self.windows.items(), t, tz, self.holidays)

    def rule_for(
        self,
        type_: AlertType,
        severity: Severity,
        programmes: frozenset[Programme],
        hint: RecipientKind | None,
        windows: frozenset[str] = frozenset(),
    ) -> Rule:
        """The first rule that fits."""
        for rule in self.rules:
            if rule.match.fits(type_, severity, programmes, hint, windows):
                return rule
        raise AssertionError("unreachable: the last rule matches everything")  # pragma: no cover

    def recipients(
        self,
        type_: AlertType,
        severity: Severity,
        programmes: frozenset[Programme],
        hint: RecipientKind | None,
        windows: frozenset[str] = frozenset(),
    ) -> tuple[RecipientKind, ...]:
        """Recipient kinds of the first rule that fits."""
        return self.rule_for(type_, severity, programmes, hint, windows).to

    def chain(self, name: str, municipality: str | None) -> Chain | None:
        """Chain ``name`` as the municipality runs it (None: unknown name, e.g. removed since it was used)."""
        m = self.municipalities.get(municipality) if municipality else None
        if m is not None and name in m.chains:
            return m.chains[name]
        return self.chains.get(name)

    def roster(self, municipality: str | None) -> Roster:
        m = self.municipalities.get(municipality) if municipality else None
        return self.rosters[m.roster if m is not None else "default"]

    @classmethod
    def from_yaml(cls, text: str, source: str = "routing file") -> RoutingRules:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise RulesError(f"{source} is not valid YAML: {exc}") from None
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors()
            )
            raise RulesError(f"{source} is invalid: {problems}") from None

    @classmethod
    def load(cls, path: Path | None = None) -> RoutingRules:
        """Rules from ``path`` (default: the file shipped in the repository)."""
        p = path or ROUTING_FILE
        try:
            text = p.read_text(encoding="utf-8")
        except OSError as exc:
            raise RulesError(f"cannot read routing file {p}: {exc.strerror}") from None
        return cls.from_yaml(text, str(p))
