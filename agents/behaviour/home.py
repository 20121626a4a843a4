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
from agents.behaviour.stored import load_state
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

    def dump(self, home: HomeState) -> Any:
        """Compact stored form: each device as a short list; what the registry declares is not
        stored but applied again from the care context after loading."""
        caps = home.caps
        return {
            "d": {
                d: [dev.kind, dev.room, dev.purpose, dev.beat_s, dev.beat_gaps, _num(dev.last), _num(dev.last_beat)]
                for d, dev in caps.devices.items()
            },
            "a": home.act,
        }

    def load(self, data: Any) -> HomeState:
        if data is None:
            return HomeState()
        caps = Capabilities()
        for d, (kind, room, purpose, beat_s, gaps, last, last_beat) in data["d"].items():
            caps.devices[d] = Device(
                kind=kind, room=room, purpose=purpose, beat_s=float(beat_s), beat_gaps=[float(g) for g in gaps],
                last=-math.inf if last is None else float(last), last_beat=-math.inf if last_beat is None else float(last_beat),
            )
            if kind == "door" and purpose == "exit":
                caps.exit_door = True
        caps.registry_at = math.nan  # the registry is applied again from the care context
        return HomeState(caps, load_state(Activity, data["a"]))


def _num(t: float) -> float | None:
    return t if math.isfinite(t) else None


def home_of(view: ResidentView) -> HomeState:
    """The home model the engine attached to ``view``."""
    home = view.home
    if not isinstance(home, HomeState):
        raise TypeError("behaviour detectors need the home model: run them through agents.engine.Engine")
    return home
