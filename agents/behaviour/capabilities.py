"""What a home can sense: each device with its kind, room, purpose and supervision.

The device registry in the care context (``CareContext.devices``) declares the kit. Where it is
absent, or silent about a device, the facts are inferred from what the device sends:

- kind: the kind of its events (a device that has only sent heartbeats has no kind yet);
- room: the event's own ``room`` (motion, contact, light, door, seat, toilet, appliance); a bed
  without a room is in the bedroom, a seat in the living room, a toilet in the bathroom, a fridge
  contact in the kitchen (the old ``door: fridge`` form is read as a fridge contact);
- purpose: the door's role, the contact's purpose, the seat type, the appliance;
- supervision: a device that sends heartbeats is supervised; its interval is the one it promises
  (``Heartbeat.interval_s``), else the median of its last three heartbeat gaps.

A declared fact always wins over an inferred one. Liveness (newest message, newest heartbeat and
the silence the newest message ended) is kept here too, so that the activity model, the device
supervision and the coverage report read one record per device.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from agents.behaviour.baseline import median
from schemas.care import CareContext

WET_ROOMS = frozenset({"bathroom", "wc"})
"""Rooms with a toilet, bath or shower: where a fall leaves the resident lying unseen."""
NIGHT_ROOMS = frozenset({"bedroom", "bathroom", "wc", "hallway", "entrance"})
"""Where night-time toilet trips happen: activity there does not start the day."""
PRESENCE_KINDS = frozenset({"motion", "bed", "chair"})
"""Kinds that sense the resident's body where they are (not only an object being used)."""
USE_KINDS = frozenset({"door", "contact", "toilet", "appliance", "light", "medication"})
"""Kinds that sense the resident using something: a sign of activity, a weaker sign of place."""
ACTIVITY_KINDS = PRESENCE_KINDS | USE_KINDS
HEALTH_KINDS = frozenset({"heartbeat", "battery"})

MAX_DEVICES = 48
"""Devices remembered per resident; the longest-silent undeclared one is forgotten beyond this."""
BEAT_GAPS = 3
"""Heartbeat gaps kept to infer an undeclared supervision interval (their median)."""

_APPLIANCE_ROOM = {"stove": "kitchen", "kettle": "kitchen", "coffee_maker": "kitchen", "microwave": "kitchen", "tv": "living_room"}


@dataclass(slots=True)
class Device:
    """One device as far as it is known (declared by the registry, or inferred)."""

    kind: str = ""
    room: str = ""
    purpose: str = ""
    declared: bool = False
    """Listed in the care context's device registry."""
    beat_s: float = 0.0
    """Supervision heartbeat interval (0: event-only, or not yet known)."""
    beat_declared: bool = False
    beat_gaps: list[float] = field(default_factory=list)
    silent_after_s: float = 0.0
    """The registry's silence limit for this device (0: none)."""
    first: float = math.inf
    last: float = -math.inf
    """Newest message of any kind (a sign of life)."""
    last_beat: float = -math.inf
    gap: float = 0.0
    """The silence the newest message ended (seconds; 0 for the first message)."""
    gap_start: float = -math.inf
    """When that silence began (the previous message)."""

    @property
    def supervised(self) -> bool:
        """Sends supervision heartbeats: its silence is a fault, not a quiet room."""
        return self.beat_s > 0.0


@dataclass(slots=True)
class Capabilities:
    """Every device of one home, by device id."""

    devices: dict[str, Device] = field(default_factory=dict)
    registry_at: float = -math.inf
    """``updated_at`` of the care context whose registry was applied (-inf: none applied)."""
    by_kind_s: dict[str, float] = field(default_factory=dict)
    """Silence limits per kind from the registry (seconds)."""
    exit_door: bool = False
    """An exit-door sensor is known (declared or seen)."""

    # -- questions the detectors and the coverage report ask ----------------------------
    def sensing(self, kinds: frozenset[str], rooms: frozenset[str] | None = None) -> list[str]:
        """Ids of devices of one of ``kinds`` (in one of ``rooms`` when given), sorted."""
        return sorted(
            d for d, dev in self.devices.items()
            if dev.kind in kinds and (rooms is None or dev.room in rooms)
        )

    def has(self, kinds: frozenset[str], rooms: frozenset[str] | None = None) -> bool:
        return any(dev.kind in kinds and (rooms is None or dev.room in rooms) for dev in self.devices.values())

    def exit_doors(self) -> list[str]:
        return sorted(d for d, dev in self.devices.items() if dev.kind == "door" and dev.purpose == "exit")

    def bed_mats(self) -> list[str]:
        return sorted(d for d, dev in self.devices.items() if dev.kind == "bed")


def apply_registry(caps: Capabilities, care: CareContext | None) -> None:
    """Fold the care context's device registry into ``caps`` (idempotent per care-context version)."""
    stamp = care.updated_at.timestamp() if care is not None else -math.inf
    if stamp == caps.registry_at:
        return
    caps.registry_at = stamp
    registry = care.devices if care is not None else None
    listed = {d.device_id for d in registry.devices} if registry is not None else set()
    for dev_id, dev in list(caps.devices.items()):
        if dev.declared and dev_id not in listed:
            # no longer declared: keep what was observed, forget what was only declared
            dev.declared = False
            dev.silent_after_s = 0.0
            if dev.beat_declared:
                dev.beat_s, dev.beat_declared = 0.0, False
            if dev.last == -math.inf:
                del caps.devices[dev_id]
    caps.by_kind_s = {}
    caps.exit_door = bool(caps.exit_doors())
    if registry is None:
        return
    caps.by_kind_s = {k: 60.0 * v for k, v in registry.silent_after_min_by_kind.items()}
    for spec in registry.devices:
        dev = caps.devices.setdefault(spec.device_id, Device())
        dev.declared = True
        dev.kind = spec.kind
        dev.room = spec.room.value if spec.room is not None else _default_room(spec.kind, spec.purpose or "")
        dev.purpose = spec.purpose or ""
        dev.silent_after_s = 60.0 * spec.silent_after_min if spec.silent_after_min is not None else 0.0
        if spec.heartbeat_min is not None:
            dev.beat_s, dev.beat_declared = 60.0 * spec.heartbeat_min, True
        elif dev.beat_declared:
            dev.beat_s, dev.beat_declared = 0.0, False
    caps.exit_door = bool(caps.exit_doors())


def _default_room(kind: str, purpose: str) -> str:
    if kind == "bed":
        return "bedroom"
    if kind == "chair":
        return "living_room"  # a seat mat is on an armchair or couch in the day rooms
    if kind == "toilet":
        return "bathroom"
    if kind == "contact" and purpose in ("fridge", "freezer"):
        return "kitchen"
    if kind == "appliance":
        return _APPLIANCE_ROOM.get(purpose, "")
    return ""


def describe(event: Any) -> tuple[str, str, str]:
    """(kind, room, purpose) an event says about its device; the old ``door: fridge`` is a fridge contact."""
    kind = event.kind
    if kind == "motion":
        return kind, str(event.room), ""
    if kind == "door":
        if event.door == "fridge":
            return "contact", "kitchen", "fridge"
        room = str(event.room) if event.room is not None else ""
        return kind, room, str(event.door)
    if kind == "contact":
        return kind, str(event.room), str(event.purpose)
    if kind == "light":
        return kind, str(event.room), ""
    if kind == "chair":
        return kind, str(event.room) if event.room is not None else _default_room(kind, ""), str(event.seat)
    if kind == "appliance":
        purpose = str(event.appliance)
        return kind, str(event.room) if event.room is not None else _default_room(kind, purpose), purpose
    if kind in ("bed", "toilet"):
        return kind, str(event.room) if event.room is not None else _default_room(kind, ""), ""
    return kind, "", ""


def observe(caps: Capabilities, event: Any, t: float) -> Device:
    """Record ``event`` from its device: liveness, heartbeats, and what it says about the device."""
    dev_id = event.device_id
    dev = caps.devices.get(dev_id)
    if dev is None:
        dev = caps.devices[dev_id] = Device()
        if len(caps.devices) > MAX_DEVICES:
            _forget_one(caps, keep=dev_id)
    kind = event.kind
    if t > dev.last:
        if dev.last > -math.inf:
            dev.gap, dev.gap_start = t - dev.last, dev.last
        dev.last = t
    else:
        dev.gap = 0.0  # a late message ends no silence
    if t < dev.first:
        dev.first = t
    if kind == "heartbeat":
        if t > dev.last_beat:
            if dev.last_beat > -math.inf and not dev.beat_declared:
                dev.beat_gaps.append(t - dev.last_beat)
                if len(dev.beat_gaps) > BEAT_GAPS:
                    del dev.beat_gaps[0]
            dev.last_beat = t
        if not dev.beat_declared:
            promised = event.interval_s
            if promised is not None:
                dev.beat_s = float(promised)
            elif dev.beat_gaps:
                dev.beat_s = median(dev.beat_gaps)
        return dev
    if kind in HEALTH_KINDS or dev.declared:
        return dev
    if kind in ACTIVITY_KINDS or kind in ("fall", "alarm_button"):
        k, room, purpose = describe(event)
        dev.kind = k
        if room:
            dev.room = room
        if purpose:
            dev.purpose = purpose
            if k == "door" and purpose == "exit":
                caps.exit_door = True
    return dev


def _forget_one(caps: Capabilities, keep: str) -> None:
    undeclared = [d for d, dev in caps.devices.items() if not dev.declared and d != keep]
    if undeclared:
        del caps.devices[min(undeclared, key=lambda d: caps.devices[d].last)]
