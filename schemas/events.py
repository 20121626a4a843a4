"""Home-sensor events (digital supervision, "digitalt tilsyn").

Every event carries an event id, a pseudonymous resident id, a timezone-aware
event time and the id of the device that produced it. ``kind`` selects the
model; the union :data:`SensorEvent` validates any of them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from schemas.base import DeviceId, EventId, ResidentId, StrictModel


class Room(StrEnum):
    """Rooms with a motion or presence sensor."""

    BEDROOM = "bedroom"
    BATHROOM = "bathroom"
    KITCHEN = "kitchen"
    LIVING_ROOM = "living_room"
    HALLWAY = "hallway"
    ENTRANCE = "entrance"
    OTHER = "other"


class _SensorBase(StrictModel):
    event_id: EventId
    resident_id: ResidentId
    time: AwareDatetime = Field(description="When the sensor observed it (event time), with offset.")
    device_id: DeviceId


class Motion(_SensorBase):
    """A passive-infrared motion sensor saw movement in a room."""

    kind: Literal["motion"] = "motion"
    room: Room


class Door(_SensorBase):
    """A door contact opened or closed. ``exit`` is the flat's front door."""

    kind: Literal["door"] = "door"
    door: Literal["exit", "balcony", "fridge", "interior"]
    state: Literal["open", "closed"]


class Bed(_SensorBase):
    """Bed occupancy sensor (pressure mat)."""

    kind: Literal["bed"] = "bed"
    state: Literal["occupied", "vacant"]


class Chair(_SensorBase):
    """Chair occupancy sensor."""

    kind: Literal["chair"] = "chair"
    state: Literal["occupied", "vacant"]


class Toilet(_SensorBase):
    """Toilet flush or seat sensor in the bathroom."""

    kind: Literal["toilet"] = "toilet"


class Appliance(_SensorBase):
    """Power use of a household appliance switched on or off (smart plug)."""

    kind: Literal["appliance"] = "appliance"
    appliance: Literal["stove", "kettle", "coffee_maker", "microwave", "tv", "other"]
    state: Literal["on", "off"]


class Fall(_SensorBase):
    """A fall detector (worn or radar) reports a fall."""

    kind: Literal["fall"] = "fall"
    confidence: float | None = Field(default=None, ge=0.0, le=1.0)


class AlarmButton(_SensorBase):
    """The resident pressed the safety alarm (trygghetsalarm) button."""

    kind: Literal["alarm_button"] = "alarm_button"
    source: Literal["pendant", "wristband", "wall", "pull_cord"] = "pendant"


class Medication(_SensorBase):
    """Medication dispenser (medisindispenser) report for one scheduled dose."""

    kind: Literal["medication"] = "medication"
    dose_id: Annotated[str, Field(min_length=1, max_length=64)]
    status: Literal["offered", "taken", "missed"]
    scheduled_time: AwareDatetime


class Heartbeat(_SensorBase):
    """Periodic device health report; battery in percent when the device knows it."""

    kind: Literal["heartbeat"] = "heartbeat"
    battery_pct: float | None = Field(default=None, ge=0.0, le=100.0)


class Battery(_SensorBase):
    """Battery level report."""

    kind: Literal["battery"] = "battery"
    battery_pct: float = Field(ge=0.0, le=100.0)


class SocialContact(_SensorBase):
    """A social contact: home-care visit check-in, visitor, call, day-centre attendance."""

    kind: Literal["social"] = "social"
    channel: Literal["homecare_visit", "visitor", "phone_call", "video_call", "day_centre"]


SensorEvent = Annotated[
    Motion
    | Door
    | Bed
    | Chair
    | Toilet
    | Appliance
    | Fall
    | AlarmButton
    | Medication
    | Heartbeat
    | Battery
    | SocialContact,
    Field(discriminator="kind"),
]
"""Any home-sensor event, selected by ``kind``."""

SENSOR_KINDS: tuple[str, ...] = (
    "motion", "door", "bed", "chair", "toilet", "appliance", "fall",
    "alarm_button", "medication", "heartbeat", "battery", "social",
)
