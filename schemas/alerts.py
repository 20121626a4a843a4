"""Alerts tilsyn publishes and the acknowledgements care systems send back.

An alert id is deterministic in (resident, type, episode): a replay or a worker
restart produces the same id for the same episode, so consumers de-duplicate
exactly. Escalations and reminders are alerts too, referring to the original.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints, model_validator

from schemas.base import ResidentId, StrictModel, TeamId


class Severity(StrEnum):
    """low = review at the next round, medium = act today, high = act now."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Category(StrEnum):
    SAFETY = "safety"
    DETERIORATION = "deterioration"
    ISOLATION = "isolation"
    TECHNICAL = "technical"
    """No alert type has it since ``operational`` took device faults; kept so older alerts still validate."""
    OPERATIONAL = "operational"
    """Missing data, medication not taken, device faults: the service did not run as planned,
    which says nothing yet about the resident's health (kept apart from deterioration)."""


class AlertType(StrEnum):
    """Every pattern tilsyn detects. The README's pattern table documents each."""

    # home sensors (issue: behavioural detectors)
    SAFETY_ALARM = "safety_alarm"
    FALL_DETECTED = "fall_detected"
    LONG_BATHROOM_STAY = "long_bathroom_stay"
    NO_MORNING_ACTIVITY = "no_morning_activity"
    DAYTIME_INACTIVITY = "daytime_inactivity"
    NIGHT_WANDERING = "night_wandering"
    NOCTURIA_INCREASE = "nocturia_increase"
    ACTIVITY_DECLINE = "activity_decline"
    SLEEP_DISTURBANCE = "sleep_disturbance"
    SOCIAL_ISOLATION = "social_isolation"
    DEVICE_SILENT = "device_silent"
    LOW_BATTERY = "low_battery"
    # digital home follow-up (issue: clinical detectors)
    NEWS2 = "news2"
    WEIGHT_GAIN = "weight_gain"
    COPD_SPO2 = "copd_spo2"
    COPD_CAT_RISE = "copd_cat_rise"
    BLOOD_PRESSURE = "blood_pressure"
    FEVER = "fever"
    PULSE = "pulse"
    MISSED_MEASUREMENT = "missed_measurement"
    MISSED_QUESTIONNAIRE = "missed_questionnaire"
    INACTIVE_PATIENT = "inactive_patient"
    QUESTIONNAIRE_SCORE = "questionnaire_score"
    MISSED_MEDICATION = "missed_medication"
    DATA_QUALITY = "data_quality"
    # the engine itself
    PATTERN_DISABLED = "pattern_disabled"
    # home follow-up triage (issue 13)
    BLOOD_GLUCOSE = "blood_glucose"
    LOW_TEMPERATURE = "low_temperature"
    WEIGHT_LOSS = "weight_loss"
    DEHYDRATION = "dehydration"
    SELF_HARM_RISK = "self_harm_risk"
    REVIEW_DIGEST = "review_digest"


class RecipientKind(StrEnum):
    """Who acts on an alert; each kind has its own output topic."""

    HOMECARE = "homecare"
    RESPONSE_CENTRE = "response-centre"
    SPECIALIST = "specialist"
    TECHNICAL = "technical"
    NEXT_OF_KIN = "next-of-kin"
    """A contact of the resident (pårørende), within the consent scope in the care context."""
    GP = "gp"
    """The resident's general practitioner (fastlege), in office hours."""
    OUT_OF_HOURS = "out-of-hours"
    """The municipal out-of-hours service (legevakt): the acute route for a person at home."""


class VkpService(StrEnum):
    """Welfare-technology service codes of the national hub (VKP)."""

    TA = "TA"  # safety alarm (trygghetsalarm)
    GPS = "GPS"
    MD = "MD"  # medication dispenser
    DT = "DT"  # digital supervision (sensors)
    DHO = "DHO"  # digital home follow-up
    RT = "RT"  # response service


class DhoCategory(StrEnum):
    """DHO alert categories used by Norwegian follow-up services."""

    MEASUREMENT = "measurement_alert"
    MISSING_MEASUREMENT = "missing_measurement"
    QUESTIONNAIRE = "questionnaire_alert"
    MISSING_QUESTIONNAIRE = "missing_questionnaire"
    INACTIVE_PATIENT = "inactive_patient"


class Evidence(StrictModel):
    """Why the alert fired, in plain language, in Norwegian bokmål and English."""

    nb: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    en: Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class Recipient(StrictModel):
    kind: RecipientKind
    team_id: TeamId


DetailValue = float | int | str | bool


class Alert(StrictModel):
    """An alert for one recipient team about one resident."""

    alert_id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]{8,80}$")]
    resident_id: ResidentId
    type: AlertType
    category: Category
    severity: Severity
    notification: Literal["initial", "escalation", "reminder", "repeat", "handover", "status"] = Field(
        default="initial",
        description=(
            "initial: first notice; escalation: the next step of the chain after no acknowledgement; "
            "reminder: still not acknowledged; repeat: the pattern happened again while the alert is open "
            "(e.g. the alarm was pressed again); handover: an open alert handed to the incoming shift; "
            "status: the alert's lifecycle changed (see status, status_by, status_at)."
        ),
    )
    escalation_of: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]{8,80}$")] | None = Field(
        default=None, description="alert_id of the original alert (every notification but the initial one)."
    )
    status: Literal["open", "acknowledged", "resolved", "false_alarm"] = Field(
        default="open", description="Lifecycle of the original alert when this notification was made."
    )
    status_by: TeamId | None = Field(default=None, description="Team whose acknowledgement set the status.")
    status_at: AwareDatetime | None = Field(default=None, description="When that acknowledgement was made.")
    recipient: Recipient
    municipality: str | None = None
    vkp_service: VkpService
    dho_category: DhoCategory | None = None
    episode_start: AwareDatetime = Field(description="Event time the episode began.")
    time: AwareDatetime = Field(description="Event time at which the pattern was detected.")
    evidence: tuple[Evidence, ...] = Field(min_length=1, description="First is the main reason.")
    details: dict[str, DetailValue] = Field(default_factory=dict)
    grouped: tuple[AlertType, ...] = Field(
        default=(), description="Related alert types merged into this alert."
    )
    step: Annotated[int, Field(ge=1, le=32)] = Field(
        default=1,
        description="Step of the escalation chain this notification belongs to (1: the first recipients).",
    )

    @model_validator(mode="after")
    def _escalation_refers(self) -> Alert:
        if (self.notification != "initial") != (self.escalation_of is not None):
            raise ValueError("escalation_of is set exactly for notifications after the initial one")
        if (self.status == "open") != (self.status_by is None) or (self.status_by is None) != (self.status_at is None):
            raise ValueError("status_by and status_at are set exactly when the status is not open")
        return self


class Acknowledgement(StrictModel):
    """A care system's response to an alert, on the ``alert-acks`` topic keyed by resident id."""

    alert_id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]{8,80}$")]
    resident_id: ResidentId
    action: Literal["acknowledged", "resolved", "false_alarm"]
    by: TeamId = Field(description="Team or role that acted; never a person's name.")
    time: AwareDatetime
    reason: Annotated[str, StringConstraints(max_length=500)] | None = None

    @model_validator(mode="after")
    def _false_alarm_has_reason(self) -> Acknowledgement:
        if self.action == "false_alarm" and not (self.reason and self.reason.strip()):
            raise ValueError("a false_alarm acknowledgement needs a reason")
        return self
