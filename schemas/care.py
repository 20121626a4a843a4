"""Care context of a resident: who follows them, which programmes, which overrides.

Published by care systems on the compacted ``care-context`` topic keyed by the
resident id (a tombstone deletes it). tilsyn never holds a national identity
number, name or address: only the pseudonym and the teams responsible.
"""

from __future__ import annotations

from datetime import time
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints, model_validator

from schemas.base import ResidentId, StrictModel, TeamId, TimeZoneName
from schemas.devices import DeviceRegistry


class Programme(StrEnum):
    """Care programmes a resident is enrolled in; they select detectors and recipients."""

    HEART_FAILURE = "heart_failure"
    COPD = "copd"
    DEMENTIA = "dementia"
    FRAIL_ELDERLY = "frail_elderly"
    DIABETES = "diabetes"
    HYPERTENSION = "hypertension"
    MENTAL_HEALTH = "mental_health"


ParameterName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,63}$")]


class ScheduledItem(StrictModel):
    """An expected measurement or questionnaire from the care plan, due by a local time."""

    kind: Literal["measurement", "questionnaire"]
    code: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,32}$")] = Field(
        description="Measurement code (weight, spo2, blood_pressure, ...) or questionnaire id (CAT, ...)."
    )
    due_by: time = Field(description="Local time of day by which it is expected, for example 10:00.")
    weekdays: tuple[Annotated[int, Field(ge=0, le=6)], ...] = Field(
        default=(0, 1, 2, 3, 4, 5, 6), description="ISO weekdays counted from Monday = 0."
    )


class CareContext(StrictModel):
    """Everything tilsyn knows about a resident, none of it identifying."""

    resident_id: ResidentId
    municipality: Annotated[str, StringConstraints(pattern=r"^\d{4}$")] = Field(
        description="Municipality number (kommunenummer), four digits."
    )
    home_care_team: TeamId
    response_centre: TeamId
    specialist_unit: TeamId | None = None
    programmes: tuple[Programme, ...] = ()
    time_zone: TimeZoneName = "Europe/Oslo"
    hypercapnic_respiratory_failure: bool = Field(
        default=False, description="Use NEWS2 SpO2 scale 2 (target 88-92 %), decided by a clinician."
    )
    presence: Literal["home", "away", "hospital"] = Field(
        default="home", description="Away or in hospital suppresses absence and inactivity patterns."
    )
    overrides: dict[ParameterName, float] = Field(
        default_factory=dict, description="Per-resident threshold overrides by parameter name."
    )
    schedule: tuple[ScheduledItem, ...] = ()
    devices: DeviceRegistry | None = Field(
        default=None, description="Installed devices (kind, room, purpose, supervision); None: inferred from events."
    )
    updated_at: AwareDatetime

    @model_validator(mode="after")
    def _no_duplicate_programmes(self) -> CareContext:
        if len(set(self.programmes)) != len(self.programmes):
            raise ValueError("programmes lists a programme twice")
        return self
