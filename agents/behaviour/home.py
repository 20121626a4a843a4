"""The shared per-resident home model: what the home can sense, and what the resident is doing.

The engine keeps one :class:`HomeState` per resident, updates it with every home-sensor event
before any detector sees that event, stores it with the resident's state, and hands it to the
detectors through ``ResidentView.home``. Detectors read it (:func:`home_of`); only
:class:`HomeModel` writes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agents.behaviour import activity
from agents.behaviour.activity import Activity
from agents.behaviour.capabilities import HEALTH_KINDS, Capabilities, apply_registry, observe
from agents.behaviour.stored import load_state
from agents.types import ResidentView


@dataclass(slots=True)
class HomeState:
    caps: Capabilities = field(default_factory=Capabilities)
    act: Activity = field(default_factory=Activity)


class HomeModel:
    """Updates a resident's :class:`HomeState` (pure; the engine owns the copy)."""

    kinds_ignored = frozenset({"fall", "alarm_button"})

    def initial(self) -> HomeState:
        return HomeState()

    def step(self, home: HomeState, event: Any, t: float, view: ResidentView) -> None:
        """One accepted home-sensor event at ``t``."""
        caps = home.caps
        if caps.registry_at != (view.care.updated_at.timestamp() if view.care is not None else float("-inf")):
            apply_registry(caps, view.care)
        kind = event.kind
        if kind == "social":
            activity.step(home.act, event, None, t, view)
            return
        dev = observe(caps, event, t)
        if kind in HEALTH_KINDS:
            return
        activity.step(home.act, event, dev, t, view, soft_exits=not _has_exit_door(caps))

    def dump(self, home: HomeState) -> Any:
        return home

    def load(self, data: Any) -> HomeState:
        return load_state(HomeState, data) if data is not None else HomeState()


def _has_exit_door(caps: Capabilities) -> bool:
    return any(dev.kind == "door" and dev.purpose == "exit" for dev in caps.devices.values())


def home_of(view: ResidentView) -> HomeState:
    """The home model the engine attached to ``view``."""
    home = view.home
    if not isinstance(home, HomeState):
        raise TypeError("behaviour detectors need the home model: run them through agents.engine.Engine")
    return home
