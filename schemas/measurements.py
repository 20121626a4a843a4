"""Digital home follow-up (DHO, digital hjemmeoppfølging) data.

Patient-reported or device-reported vital signs and questionnaire responses.
Measurements are normalised to one canonical UCUM unit per code at the edge
(see :mod:`schemas.units`); implausible values are rejected.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, model_validator

from schemas.base import DeviceId, EventId, ResidentId, StrictModel
from schemas.units import UNITS, canonical_unit, normalise

VitalCode = Literal["spo2", "pulse", "respiratory_rate", "temperature", "weight", "blood_glucose", "body_water"]
"""``body_water``: total body water from a bioimpedance scale, in % of body weight."""


class _DhoBase(StrictModel):
    event_id: EventId
    resident_id: ResidentId
    time: AwareDatetime = Field(description="When the measurement was taken (event time), with offset.")
    device_id: DeviceId | None = None
    time_precision: Literal["instant", "day"] = Field(
        default="instant",
        description="day: the source gave only a date (FHIR date-only effectiveDateTime); time is local noon.",
    )


class Measurement(_DhoBase):
    """One vital-sign measurement, stored in its canonical unit."""

    kind: Literal["measurement"] = "measurement"
    code: VitalCode
    value: float
    unit: str = Field(description="UCUM unit; converted to the canonical unit of the code on ingest.")
    on_oxygen: bool | None = Field(
        default=None, description="SpO2 only: the patient was on supplemental oxygen (NEWS2)."
    )

    @model_validator(mode="after")
    def _to_canonical_unit(self) -> Measurement:
        if self.on_oxygen is not None and self.code != "spo2":
            raise ValueError("on_oxygen is only meaningful with an spo2 measurement")
        canonical = normalise(self.code, self.value, self.unit)
        spec_unit = UNITS[self.code].canonical
        if canonical != self.value or spec_unit != self.unit:
            # in place: pydantic ignores a copy returned from an after-validator on direct construction
            object.__setattr__(self, "value", canonical)
            object.__setattr__(self, "unit", spec_unit)
        return self


class BloodPressure(_DhoBase):
    """A blood-pressure cuff reading (systolic and diastolic in mm[Hg])."""

    kind: Literal["blood_pressure"] = "blood_pressure"
    systolic: float
    diastolic: float
    unit: str = Field(default="mm[Hg]", description='UCUM "mm[Hg]"; "mmHg" and "mm Hg" are read as the same.')

    @model_validator(mode="after")
    def _plausible(self) -> BloodPressure:
        normalise("systolic_bp", self.systolic, self.unit)
        normalise("diastolic_bp", self.diastolic, self.unit)
        ucum = canonical_unit("systolic_bp", self.unit)
        if ucum != self.unit:
            object.__setattr__(self, "unit", ucum)
        if self.diastolic >= self.systolic:
            raise ValueError(
                f"diastolic {self.diastolic:g} is not below systolic {self.systolic:g}: "
                "values swapped or mistyped"
            )
        return self


class Consciousness(_DhoBase):
    """Level of consciousness on the ACVPU scale (NEWS2), reported by a carer."""

    kind: Literal["consciousness"] = "consciousness"
    level: Literal["A", "C", "V", "P", "U"]


class QuestionnaireResponse(_DhoBase):
    """A scored questionnaire response (for example CAT for COPD, UCLA-3 for loneliness)."""

    kind: Literal["questionnaire"] = "questionnaire"
    questionnaire: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,32}$")]
    score: float = Field(ge=0.0, le=1000.0)
    max_score: float | None = Field(default=None, gt=0.0, le=1000.0)
    items: tuple[Annotated[float, Field(ge=0.0, le=100.0)], ...] | None = Field(
        default=None, max_length=100,
        description="Item scores in questionnaire order, when the platform sends them (PHQ-9 item 9 is items[8]).",
    )

    @model_validator(mode="after")
    def _score_within_max(self) -> QuestionnaireResponse:
        if self.max_score is not None and self.score > self.max_score:
            raise ValueError(f"score {self.score:g} exceeds max_score {self.max_score:g}")
        return self

    def item(self, number: int) -> float | None:
        """Score of item ``number`` (counted from 1), or None when items were not sent."""
        if self.items is None or not 1 <= number <= len(self.items):
            return None
        return self.items[number - 1]


DhoEventUnion = Measurement | BloodPressure | Consciousness | QuestionnaireResponse
"""Every digital home follow-up model (the one list; :data:`DhoEvent` and ``schemas.inbound.ResidentEvent`` use it)."""

DhoEvent = Annotated[DhoEventUnion, Field(discriminator="kind")]
"""Any digital home follow-up record, selected by ``kind``."""

DHO_KINDS: tuple[str, ...] = ("measurement", "blood_pressure", "consciousness", "questionnaire")
