"""Home-sensor events (digital supervision, "digitalt tilsyn").

Every event carries an event id, a pseudonymous resident id, a timezone-aware
event time and the id of the device that produced it. ``kind`` selects the
model; the union :data:`SensorEvent` validates any of them.

The kinds follow what ordinary home-sensor kits (and the public research homes:
Kasteren, Ordóñez, CASAS) actually contain: passive-infrared motion, door contacts
with the room they belong to, generic reed contacts on cupboards, fridges and
windows, bed and seat pressure mats, toilet flushes, light switches and smart plugs.
Where a field is optional and absent, the device registry (care context) or the
device's history supplies it; detectors never guess a room from a device id.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from schemas.base import DeviceId, EventId, ResidentId, StrictModel


class Room(StrEnum):
    """Rooms of a home. ``bathroom`` has a toilet and a shower or bath; ``wc`` is a separate
    toilet room; both are wet rooms where a fall may leave the resident lying unseen."""

    BEDROOM = "bedroom"
    BATHROOM = "bathroom"
    WC = "wc"
    KITCHEN = "kitchen"
    LIVING_ROOM = "living_room"
    DINING_ROOM = "dining_room"
    OFFICE = "office"
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
    """A door contact (reed switch) opened or closed.

    ``door`` is the door's role: ``exit`` the flat's front door (leaving and arriving),
    ``balcony`` a door to a balcony or garden, ``interior`` a door between rooms.
    ``room`` is the room the door belongs to: for an interior door the room it closes
    off (the bathroom door has ``room: bathroom``), for the exit and balcony doors the
    room they open from (hallway, entrance, living room).

    ``fridge`` is kept for producers written before :class:`Contact` existed and means
    ``kind: contact, purpose: fridge``; new producers send a contact.
    """

    kind: Literal["door"] = "door"
    door: Literal["exit", "balcony", "fridge", "interior"]
    state: Literal["open", "closed"]
    room: Room | None = Field(default=None, description="Room the door belongs to; None: from the device registry.")


ContactPurpose = Literal["cupboard", "fridge", "freezer", "appliance_door", "medicine_cabinet", "window", "other"]
"""What a generic contact sensor is fitted to. ``cupboard`` includes drawers; ``appliance_door``
is the door or lid of a microwave, oven, washing machine or similar."""


class Contact(_SensorBase):
    """A generic contact sensor (reed switch) on something that is not a door of the home:
    a cupboard, the fridge or freezer, an appliance door, the medicine cabinet, a window.
    Opening one is a sign of the resident in ``room`` (a window may also be wind or a visitor)."""

    kind: Literal["contact"] = "contact"
    room: Room
    purpose: ContactPurpose
    state: Literal["open", "closed"]


class Bed(_SensorBase):
    """Bed occupancy: a pressure mat under the mattress or sheet, occupied or vacant.

    Mats report each change; a mat that flickers while the sleeper turns over is normal."""

    kind: Literal["bed"] = "bed"
    state: Literal["occupied", "vacant"]
    room: Room | None = Field(default=None, description="Room of the bed; None: the bedroom.")


class Chair(_SensorBase):
    """Seat occupancy: a pressure mat on a chair, armchair or couch, occupied or vacant."""

    kind: Literal["chair"] = "chair"
    state: Literal["occupied", "vacant"]
    seat: Literal["chair", "armchair", "couch", "other"] = "chair"
    room: Room | None = Field(default=None, description="Room of the seat; None: from the device registry.")


class Toilet(_SensorBase):
    """Toilet flush or seat sensor (in the bathroom, or in a separate ``wc``)."""

    kind: Literal["toilet"] = "toilet"
    room: Room | None = Field(default=None, description="Room of the toilet; None: the bathroom.")


class Appliance(_SensorBase):
    """Power use of a household appliance switched on or off (smart plug)."""

    kind: Literal["appliance"] = "appliance"
    appliance: Literal["stove", "kettle", "coffee_maker", "microwave", "tv", "other"]
    state: Literal["on", "off"]
    room: Room | None = Field(default=None, description="Room of the appliance; None: from the device registry.")


class Light(_SensorBase):
    """A light switched on or off in a room (wall switch or smart bulb reporting its state)."""

    kind: Literal["light"] = "light"
    room: Room
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
    """Periodic device health (supervision) report; battery in percent when the device knows it.

    ``interval_s`` is the supervision interval the device promises, when it says so; the
    device registry in the care context may state it instead."""

    kind: Literal["heartbeat"] = "heartbeat"
    battery_pct: float | None = Field(default=None, ge=0.0, le=100.0)
    interval_s: float | None = Field(
        default=None, gt=0.0, le=86400.0, description="Promised supervision interval in seconds (at most a day)."
    )


class Battery(_SensorBase):
    """Battery level report."""

    kind: Literal["battery"] = "battery"
    battery_pct: float = Field(ge=0.0, le=100.0)


class SocialContact(_SensorBase):
    """A social contact: home-care visit check-in, visitor, call, day-centre attendance."""

    kind: Literal["social"] = "social"
    channel: Literal["homecare_visit", "visitor", "phone_call", "video_call", "day_centre"]


SensorEventUnion = (
    Motion | Door | Contact | Bed | Chair | Toilet | Appliance | Light | Fall | AlarmButton | Medication | Heartbeat
    | Battery | SocialContact
)
"""Every home-sensor event model (the one list; :data:`SensorEvent` and ``schemas.inbound.ResidentEvent`` use it)."""

SensorEvent = Annotated[SensorEventUnion, Field(discriminator="kind")]
"""Any home-sensor event, selected by ``kind``."""

SENSOR_KINDS: tuple[str, ...] = (
    "motion", "door", "contact", "bed", "chair", "toilet", "appliance", "light", "fall",
    "alarm_button", "medication", "heartbeat", "battery", "social",
)
