"""The shared per-resident home model: what the home can sense, and what the resident is doing.

The engine keeps one :class:`HomeState` per resident, updates it with every home-sensor event
before any detector sees that event, stores it with the resident's state, and hands it to the
detectors through ``ResidentView.home``. Detectors read it (:func:`home_of`); only
:class:`HomeModel` writes it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from agents.behaviour import activity
from agents.behaviour.activity import Activity
from agents.behaviour.capabilities import HEALTH_KINDS, Capabilities, Device, apply_registry, observe
from agents.statecodec import Number, Stored, from_v1
from agents.types import ResidentView
from schemas.care import CareContext


@dataclass(slots=True)
class HomeState:
    caps: Capabilities = field(default_factory=Capabilities)
    act: Activity = field(default_factory=Activity)


class HomeModel:
    """Updates a resident's :class:`HomeState` (pure; the engine owns the copy)."""

    def initial(self) -> HomeState:
        return HomeState()

    def on_care(self, home: HomeState, care: CareContext | None) -> None:
        """A new care context: its device registry declares the kit."""
        apply_registry(home.caps, care)

    def step(self, home: HomeState, event: Any, t: float, view: ResidentView) -> None:
        """One accepted home-sensor event at ``t``."""
        caps = home.caps
        if caps.registry_at != (view.care.updated_at.timestamp() if view.care is not None else -math.inf):
            apply_registry(caps, view.care)
        kind = event.kind
        if kind == "social":
            activity.step(home.act, event, None, t, view)
            return
        dev = observe(caps, event, t)
        if kind in HEALTH_KINDS:
            return
        activity.step(home.act, event, dev, t, view, soft_exits=not caps.exit_door)

    def dump(self, home: HomeState) -> StoredHome:
        """Compact stored form: each device as a short record; what the registry declares is not
        stored but applied again from the care context after loading."""
        return StoredHome(
            {d: StoredDevice(dev.kind, dev.room, dev.purpose, _compact(dev.beat_s), dev.beat_gaps, _compact(dev.last),
                             None if dev.last_beat == dev.last else _compact(dev.last_beat))
             for d, dev in home.caps.devices.items()},
            home.act,
        )

    def load(self, stored: StoredHome | None) -> HomeState:
        if stored is None:
            return HomeState()
        caps = Capabilities()
        for d, s in stored.devices.items():
            caps.devices[d] = Device(
                kind=s.kind, room=s.room, purpose=s.purpose, beat_s=s.beat_s, beat_gaps=s.beat_gaps,
                last=s.last, last_beat=s.last if s.last_beat is None else s.last_beat,
            )
            if s.kind == "door" and s.purpose == "exit":
                caps.exit_door = True
        caps.registry_at = math.nan  # the registry is applied again from the care context
        return HomeState(caps, stored.act)

    def from_v1(self, data: Any) -> StoredHome | None:
        """The stored home model of state format 1 (JSON: devices as lists, ``null`` for -inf)."""
        if data is None:
            return None
        return StoredHome(
            {d: StoredDevice(kind, room, purpose, float(beat_s), [float(g) for g in gaps],
                             -math.inf if last is None else float(last),
                             -math.inf if last_beat is None else float(last_beat))
             for d, (kind, room, purpose, beat_s, gaps, last, last_beat) in data["d"].items()},
            from_v1(Activity, data["a"]),
        )


class StoredDevice(Stored):
    """What is stored of one device: its facts and liveness (what only the registry declares is applied
    again from the care context). Whole seconds are stored as ints: 3 to 5 bytes instead of 9."""

    kind: str
    room: str
    purpose: str
    beat_s: Number
    beat_gaps: list[float]
    last: Number
    last_beat: Number | None
    """None: the same as ``last`` (the newest message was a heartbeat, as it mostly is)."""


def _compact(t: float) -> Number:
    """``t`` as an int when it is a whole number (exact either way: the int reads back equal)."""
    return int(t) if type(t) is float and t.is_integer() else t


class StoredHome(Stored):
    """The stored home model: devices by id, and the activity model."""

    devices: dict[str, StoredDevice]
    act: Activity


def home_of(view: ResidentView) -> HomeState:
    """The home model the engine attached to ``view``."""
    home = view.home
    if not isinstance(home, HomeState):
        raise TypeError("behaviour detectors need the home model: run them through agents.engine.Engine")
    return home
