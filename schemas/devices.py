"""The device registry of a home: which sensors are installed, where, for what, and how they are supervised.

Why it travels in the care context (``CareContext.devices``) and not on a topic of its own:

- The care context is already the per-resident record of the service, on a compacted topic keyed
  by the resident id. The registry therefore reaches the same worker and partition as the
  resident's events, in order, with no join and no extra topic to size, secure and recover.
- In Norwegian services the installed kit is part of the service decision (the municipality
  decides on digital supervision and installs a kit for it) and is kept by the municipality's
  welfare-technology platform next to the teams and programmes this record already carries.
- One strict contract is validated once at the edge and dead-lettered with a reason when wrong.

A device registry is optional. Without one, tilsyn infers each device's kind, room and purpose
from the events it sends (``Door.room``, ``Contact.purpose`` ...) and its supervision interval from
its heartbeats (see ``agents/behaviour/capabilities.py``); the registry takes precedence where it
says something. Device ids are not personal data; nothing here identifies the resident.
"""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import Field, model_validator

from schemas.base import DeviceId, StrictModel
from schemas.events import ContactPurpose, Room

DeviceKind = Literal[
    "motion", "door", "contact", "bed", "chair", "toilet", "appliance", "light",
    "fall", "alarm_button", "medication",
]
"""The event kind a device reports (its role besides heartbeats and battery reports)."""

_PURPOSES: dict[str, frozenset[str]] = {
    "door": frozenset({"exit", "balcony", "interior"}),
    "contact": frozenset(get_args(ContactPurpose)),
    "chair": frozenset({"chair", "armchair", "couch", "other"}),
    "appliance": frozenset({"stove", "kettle", "coffee_maker", "microwave", "tv", "other"}),
}

SilenceMinutes = Annotated[float, Field(ge=30.0, le=10080.0)]
"""A silence limit in minutes: at least 30 min (shorter alarms on ordinary pauses), at most a week."""


class DeviceSpec(StrictModel):
    """One installed device.

    ``purpose`` is what the kind needs to be understood: the door's role (exit, balcony, interior),
    the contact's purpose (fridge, medicine cabinet, ...), the seat (chair, couch ...) or the
    appliance. ``heartbeat_min`` is the supervision interval the device keeps when it sends
    heartbeats; None means an event-only device (a plain reed switch or PIR), whose silence is
    judged against its own learned gaps. ``silent_after_min`` overrides the silence limit of
    this device.
    """

    device_id: DeviceId
    kind: DeviceKind
    room: Room | None = None
    purpose: str | None = Field(default=None, max_length=32)
    heartbeat_min: float | None = Field(
        default=None, ge=1.0, le=1440.0, description="Supervision heartbeat interval in minutes; None: event-only."
    )
    silent_after_min: SilenceMinutes | None = None

    @model_validator(mode="after")
    def _purpose_fits_kind(self) -> DeviceSpec:
        allowed = _PURPOSES.get(self.kind)
        if self.purpose is None:
            if self.kind in ("door", "contact"):
                raise ValueError(f"a {self.kind} device needs a purpose ({', '.join(sorted(allowed or ()))})")
            return self
        if allowed is None:
            raise ValueError(f"a {self.kind} device has no purpose")
        if self.purpose not in allowed:
            raise ValueError(f"purpose {self.purpose!r} does not fit a {self.kind} device ({', '.join(sorted(allowed))})")
        return self


class DeviceRegistry(StrictModel):
    """Every device of the home, and silence limits per kind (minutes)."""

    devices: tuple[DeviceSpec, ...] = Field(default=(), max_length=64)
    silent_after_min_by_kind: dict[DeviceKind, SilenceMinutes] = Field(
        default_factory=dict, description="Silence limit per device kind; a device's own limit wins."
    )

    @model_validator(mode="after")
    def _unique_ids(self) -> DeviceRegistry:
        ids = [d.device_id for d in self.devices]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"device listed twice: {', '.join(twice)}")
        return self

    def get(self, device_id: str) -> DeviceSpec | None:
        for d in self.devices:
            if d.device_id == device_id:
                return d
        return None
