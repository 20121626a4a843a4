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

from schemas.alerts import AlertType
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


class CareService(StrEnum):
    """Services that need their own legal basis before tilsyn may run them for a resident."""

    DIGITAL_SUPERVISION = "digital_supervision"
    """Home-sensor patterns (digitalt tilsyn, VKP service DT)."""
    HOME_FOLLOW_UP = "home_follow_up"
    """Measurements, questionnaires and the medication dispenser (DHO, MD)."""
    NEXT_OF_KIN_NOTICES = "next_of_kin_notices"
    """Notices to the resident's contacts (pårørende) within each contact's consent scope."""


LegalBasis = Literal["consent", "decision_4_6a"]
"""consent: the resident consented; decision_4_6a: a decision under the Patient and User Rights Act
§ 4-6 a for a person who cannot consent (the decision is the care system's record, not tilsyn's)."""


class NextOfKin(StrictModel):
    """A contact (pårørende) who may be told about some alerts, within the consent the resident gave."""

    contact_id: TeamId = Field(
        description="Pseudonymous id the notification service knows the contact by; never a name or number."
    )
    alert_types: Annotated[tuple[AlertType, ...], Field(min_length=1)] = Field(
        description="Alert types the consent covers; nothing else is sent to this contact."
    )
    notify_from: time = Field(description="Local time from which notices may be sent.")
    notify_until: time = Field(
        description="Local time until which notices may be sent; earlier than notify_from crosses midnight, "
        "equal to it means the whole day."
    )

    def in_scope(self, type_: AlertType, local_minutes: int) -> bool:
        """True when a notice of ``type_`` at local minute of day ``local_minutes`` is within the consent."""
        if type_ not in self.alert_types:
            return False
        lo = self.notify_from.hour * 60 + self.notify_from.minute
        hi = self.notify_until.hour * 60 + self.notify_until.minute
        if lo == hi:
            return True
        return lo <= local_minutes < hi if lo < hi else (local_minutes >= lo or local_minutes < hi)


BandParameter = Literal["systolic", "diastolic", "pulse", "temperature", "blood_glucose"]
"""Parameters whose traffic-light bands a nurse may set per patient."""


class BandLimits(StrictModel):
    """Traffic-light limits of one parameter, as the nurse sets them in the patient's plan (DHO practice).

    Values within ``green_low``-``green_high`` (inclusive) are green; outside green but within
    the yellow limits yellow; outside yellow but within the red limits red; beyond a red
    limit critical. A limit left out is open on that side (no red limits: no critical band).
    """

    green_low: float | None = None
    green_high: float | None = None
    yellow_low: float | None = None
    yellow_high: float | None = None
    red_low: float | None = None
    red_high: float | None = None

    @model_validator(mode="after")
    def _nested(self) -> BandLimits:
        lows = [v for v in (self.red_low, self.yellow_low, self.green_low) if v is not None]
        highs = [v for v in (self.green_high, self.yellow_high, self.red_high) if v is not None]
        if lows != sorted(lows) or highs != sorted(highs):
            raise ValueError("band limits must nest: red_low <= yellow_low <= green_low and "
                             "green_high <= yellow_high <= red_high")
        if lows and highs and max(lows) > min(highs):
            raise ValueError("band limits cross: a lower limit is above an upper one")
        if not lows and not highs:
            raise ValueError("band limits: none is set")
        return self


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
    bands: dict[BandParameter, BandLimits] = Field(
        default_factory=dict,
        description="Per-patient traffic-light bands set by the nurse; they replace the programme's default bands.",
    )
    schedule: tuple[ScheduledItem, ...] = ()
    devices: DeviceRegistry | None = Field(
        default=None, description="Installed devices (kind, room, purpose, supervision); None: inferred from events."
    )
    updated_at: AwareDatetime
    gp: TeamId | None = Field(default=None, description="The resident's GP office (fastlegekontor).")
    out_of_hours: TeamId | None = Field(
        default=None, description="Out-of-hours service (legevakt) if not the municipality's usual one."
    )
    next_of_kin: tuple[NextOfKin, ...] = Field(default=(), description="Contacts and their consent scope.")
    legal_basis: dict[CareService, LegalBasis] | None = Field(
        default=None,
        description="Legal basis per service. A service left out does not run (withdrawal: send the context "
        "without it). Not given at all: the care system does not record it, and every service runs as before.",
    )

    def permits(self, service: CareService) -> bool:
        """True when the service has a legal basis (or the care system records none at all)."""
        if service is CareService.NEXT_OF_KIN_NOTICES:
            return self.legal_basis is not None and service in self.legal_basis
        return self.legal_basis is None or service in self.legal_basis

    @model_validator(mode="after")
    def _no_duplicate_programmes(self) -> CareContext:
        if len(set(self.programmes)) != len(self.programmes):
            raise ValueError("programmes lists a programme twice")
        if len({c.contact_id for c in self.next_of_kin}) != len(self.next_of_kin):
            raise ValueError("next_of_kin lists a contact twice")
        return self
