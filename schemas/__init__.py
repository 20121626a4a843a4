"""Message contracts: strict pydantic v2 models for everything tilsyn reads or writes.

JSON Schema files generated from these models live in ``schemas/json/`` for the
care systems that consume tilsyn's topics (``tilsyn schemas --write`` refreshes them).
"""

from schemas.alerts import (
    Acknowledgement,
    Alert,
    AlertType,
    Category,
    DhoCategory,
    Evidence,
    Recipient,
    RecipientKind,
    Severity,
    VkpService,
)
from schemas.care import CareContext, Programme, ScheduledItem
from schemas.events import SENSOR_KINDS, Room, SensorEvent
from schemas.measurements import (
    DHO_KINDS,
    BloodPressure,
    Consciousness,
    DhoEvent,
    Measurement,
    QuestionnaireResponse,
)

__all__ = [
    "DHO_KINDS",
    "SENSOR_KINDS",
    "Acknowledgement",
    "Alert",
    "AlertType",
    "BloodPressure",
    "CareContext",
    "Category",
    "Consciousness",
    "DhoCategory",
    "DhoEvent",
    "Evidence",
    "Measurement",
    "Programme",
    "QuestionnaireResponse",
    "Recipient",
    "RecipientKind",
    "Room",
    "ScheduledItem",
    "SensorEvent",
    "Severity",
    "VkpService",
]
