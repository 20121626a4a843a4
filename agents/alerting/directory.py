"""Team directory: who a recipient team is, for FHIR messages to the national hub (VKP).

An alert names its recipient by ``team_id`` only. A VKP message must name the
receiving service by its HER-id (NHN address register) and the organisation by its
organisation number (Enhetsregisteret), with the municipality coded by its number.
``teams.yaml`` (next to this module) holds that mapping; a deployment points
``TILSYN_TEAM_DIRECTORY`` at its own file. A team missing from the directory still
renders, under tilsyn's own team identifier system, so an alert is never held back
for want of a directory entry.

Validation is strict and names the entry: a HER-id is 1-9 digits, an organisation
number 9 digits with its modulus-11 check digit (Brønnøysundregistrene), a municipality
number 4 digits.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationError

DIRECTORY_FILE = Path(__file__).with_name("teams.yaml")

_ORG_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


class DirectoryError(ValueError):
    """The team directory file is unreadable or invalid; the message names the entry."""


def _check_org_number(value: str) -> str:
    """Organisation number: 9 digits, the last a modulus-11 check digit (weights 3 2 7 6 5 4 3 2)."""
    digits = [int(c) for c in value]
    rest = sum(w * d for w, d in zip(_ORG_WEIGHTS, digits[:8], strict=True)) % 11
    check = 0 if rest == 0 else 11 - rest
    if check == 10 or check != digits[8]:
        raise ValueError("organisation number fails its modulus-11 check digit")
    return value


HerId = Annotated[str, StringConstraints(pattern=r"^[1-9]\d{0,8}$")]
OrgNumber = Annotated[str, StringConstraints(pattern=r"^\d{9}$"), AfterValidator(_check_org_number)]
MunicipalityNumber = Annotated[str, StringConstraints(pattern=r"^\d{4}$")]


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sender(_Entry):
    """tilsyn itself as the sender of VKP messages."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=200)] = "tilsyn"
    her_id: HerId | None = Field(default=None, description="HER-id of the sending service in the address register.")
    endpoint: Annotated[str, StringConstraints(min_length=1, max_length=500)] = Field(
        default="urn:tilsyn:worker", description="MessageHeader.source.endpoint (the address register's endpoint)."
    )


class Municipality(_Entry):
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    org_number: OrgNumber | None = None
    her_id: HerId | None = None
    resident_system: Annotated[str, StringConstraints(min_length=1, max_length=500)] | None = Field(
        default=None,
        description="Identifier system of the municipality's pseudonymous resident ids "
        "(default: tilsyn's urn:tilsyn:resident).",
    )


class Team(_Entry):
    """A recipient team (home-care team, response centre, specialist unit, GP office ...)."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    her_id: HerId | None = None
    org_number: OrgNumber | None = Field(default=None, description="Organisation number of the legal entity.")
    municipality: MunicipalityNumber | None = None
    resource: Literal["Organization", "CareTeam"] | None = Field(
        default=None,
        description="FHIR resource for the team (default by recipient kind: CareTeam for next-of-kin, "
        "else Organization).",
    )


class TeamDirectory(_Entry):
    """The whole directory file."""

    sender: Sender = Sender()
    municipalities: dict[MunicipalityNumber, Municipality] = Field(default_factory=dict)
    teams: dict[Annotated[str, StringConstraints(min_length=1, max_length=64)], Team] = Field(default_factory=dict)

    def team(self, team_id: str) -> Team | None:
        return self.teams.get(team_id)

    def municipality(self, number: str | None) -> Municipality | None:
        return self.municipalities.get(number) if number else None

    @classmethod
    def from_yaml(cls, text: str, source: str = "team directory") -> TeamDirectory:
        try:
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            raise DirectoryError(f"{source} is not valid YAML: {exc}") from None
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}"
                for e in exc.errors(include_input=False)
            )
            raise DirectoryError(f"{source} is invalid: {problems}") from None

    @classmethod
    def load(cls, path: Path | None = None) -> TeamDirectory:
        """The directory in ``path`` (default: the file shipped next to this module)."""
        p = path or DIRECTORY_FILE
        try:
            text = p.read_text(encoding="utf-8")
        except OSError as exc:
            raise DirectoryError(f"cannot read team directory {p}: {exc.strerror}") from None
        return cls.from_yaml(text, str(p))
