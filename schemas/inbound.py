"""Validators for every input topic, built once (pydantic TypeAdapters are costly to create)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, TypeAdapter

from schemas.alerts import Acknowledgement
from schemas.care import CareContext
from schemas.events import SensorEvent, SensorEventUnion
from schemas.measurements import DhoEvent, DhoEventUnion

ResidentEvent = Annotated[SensorEventUnion | DhoEventUnion, Field(discriminator="kind")]
"""Any sensor or DHO event about one resident (the detectors' input)."""

SENSOR_EVENT: TypeAdapter[SensorEvent] = TypeAdapter(SensorEvent)
DHO_EVENT: TypeAdapter[DhoEvent] = TypeAdapter(DhoEvent)
RESIDENT_EVENT: TypeAdapter[ResidentEvent] = TypeAdapter(ResidentEvent)
CARE_CONTEXT: TypeAdapter[CareContext] = TypeAdapter(CareContext)
ACKNOWLEDGEMENT: TypeAdapter[Acknowledgement] = TypeAdapter(Acknowledgement)
