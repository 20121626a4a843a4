"""Routing rules and lifecycle settings, read from ``routing.yaml`` and validated.

The file is the one place a municipality edits to change who gets what. It is
validated by pydantic at start-up: an unknown alert type, recipient or field
stops the worker with a readable message instead of routing alerts wrongly.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from agents.catalogue import CATALOGUE
from schemas.alerts import AlertType, Category, RecipientKind, Severity
from schemas.base import TeamId
from schemas.care import Programme

ROUTING_FILE = Path(__file__).with_name("routing.yaml")


class RulesError(ValueError):
    """The routing file is missing, not YAML, or does not validate."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Match(_Strict):
    """Which alerts a rule applies to; an empty field matches anything."""

    types: frozenset[AlertType] = frozenset()
    categories: frozenset[Category] = frozenset()
    severities: frozenset[Severity] = frozenset()
    programmes: frozenset[Programme] = frozenset()
    hints: frozenset[RecipientKind] = frozenset()

    def fits(
        self,
        type_: AlertType,
        severity: Severity,
        programmes: frozenset[Programme],
        hint: RecipientKind | None,
    ) -> bool:
        return (
            (not self.types or type_ in self.types)
            and (not self.categories or CATALOGUE[type_].category in self.categories)
            and (not self.severities or severity in self.severities)
            and (not self.programmes or not self.programmes.isdisjoint(programmes))
            and (not self.hints or hint in self.hints)
        )


class Rule(_Strict):
    name: Annotated[str, Field(min_length=1)]
    match: Match
    to: Annotated[tuple[RecipientKind, ...], Field(min_length=1)]


class Lifecycle(_Strict):
    escalate_high_after_min: Annotated[float, Field(gt=0)] = 5
    remind_medium_after_min: Annotated[float, Field(gt=0)] = 60
    max_reminders: Annotated[int, Field(ge=0, le=24)] = 3
    cooldown_min: dict[str, Annotated[float, Field(ge=0)]] = Field(default_factory=lambda: {"default": 60.0})
    group_window_min: Annotated[float, Field(ge=0)] = 30
    groups: tuple[tuple[AlertType, ...], ...] = ()

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
    defaults: dict[RecipientKind, TeamId]
    lifecycle: Lifecycle = Lifecycle()

    @model_validator(mode="after")
    def _complete(self) -> RoutingRules:
        missing = sorted(k.value for k in RecipientKind if k not in self.defaults)
        if missing:
            raise ValueError(f"defaults lacks a team for: {', '.join(missing)}")
        if self.rules[-1].match != Match():
            raise ValueError("the last rule must match everything (`match: {}`), so no alert is unrouted")
        return self

    def recipients(
        self,
        type_: AlertType,
        severity: Severity,
        programmes: frozenset[Programme],
        hint: RecipientKind | None,
    ) -> tuple[RecipientKind, ...]:
        """Recipient kinds of the first rule that fits."""
        for rule in self.rules:
            if rule.match.fits(type_, severity, programmes, hint):
                return rule.to
        raise AssertionError("unreachable: the last rule matches everything")  # pragma: no cover

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
