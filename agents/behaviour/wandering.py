"""Night wandering: a resident with dementia goes out of the front door at night and does not return."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

from agents.behaviour.evidence import clock, span_en, span_nb
from agents.behaviour.stored import load_state
from agents.behaviour.thresholds import NIGHT_FROM, NIGHT_TO, WANDERING_PASSAGE_S, WANDERING_RETURN, value
from agents.localtime import local_hour
from agents.types import AlertCandidate, ResidentView
from schemas.alerts import AlertType, Severity
from schemas.care import Programme

_DOORWAY = frozenset({"hallway", "entrance"})


@dataclass(slots=True)
class WanderingState:
    opened: float = math.inf
    """Exit door opened at night, resident not yet seen back inside (inf: nothing pending)."""
    closed: float = -math.inf
    """Exit door closed after ``opened``."""
    fired: bool = False


class NightWandering:
    """HIGH when, for a resident in the DEMENTIA programme, the exit door opens at night
    (``night_from_h``-``night_to_h``, local) and the resident is not back inside within
    ``wandering_return_min``.

    Back inside means indoor activity after the door closed again, or activity in a
    room away from the door (the door was left open but the resident went back in).
    Motion at the door itself while it stands open is the resident leaving.
    """

    name: ClassVar[str] = "night_wandering"
    kinds: ClassVar[frozenset[str]] = frozenset({"door", "motion", "bed", "chair", "toilet", "appliance"})
    ticks: ClassVar[bool] = True

    def initial(self) -> WanderingState:
        return WanderingState()

    def step(self, state: WanderingState, event: Any, t: float, view: ResidentView) -> tuple[WanderingState, list[AlertCandidate]]:
        kind = event.kind
        if kind == "door":
            if event.door != "exit":
                return state, []
            if event.state == "open":
                if state.opened == math.inf and view.follows(Programme.DEMENTIA) and self._at_night(t, view):
                    state.opened, state.closed, state.fired = t, -math.inf, False
            elif t > state.opened and t > state.closed:
                state.closed = t
            return state, []
        if state.opened == math.inf or t <= state.opened:
            return state, []
        at_door = kind == "motion" and event.room in _DOORWAY
        if state.closed > -math.inf:
            # motion at the door just after it closed is the sensor still seeing the resident leave
            back = t > state.closed + (WANDERING_PASSAGE_S if at_door else 0.0)
        else:
            back = not at_door
        if back:
            state.opened, state.closed, state.fired = math.inf, -math.inf, False
        return state, []

    @staticmethod
    def _at_night(t: float, view: ResidentView) -> bool:
        h = local_hour(t, view.tz)
        start, end = value(view, NIGHT_FROM), value(view, NIGHT_TO)
        return h >= start or h < end if start > end else start <= h < end

    def due(self, state: WanderingState, view: ResidentView) -> float:
        if state.fired:
            return math.inf
        return state.opened + 60.0 * value(view, WANDERING_RETURN)

    def tick(self, state: WanderingState, now: float, view: ResidentView) -> tuple[WanderingState, list[AlertCandidate]]:
        limit_s = 60.0 * value(view, WANDERING_RETURN)
        if state.fired or now < state.opened + limit_s:
            return state, []
        state.fired = True
        if not view.at_home or not view.follows(Programme.DEMENTIA):
            return state, []
        tz = view.tz
        opened, gone = clock(state.opened, tz), now - state.opened
        if state.closed > -math.inf:
            door_nb = f"døren ble lukket kl. {clock(state.closed, tz)}, men ingen bevegelse inne etterpå"
            door_en = f"the door closed at {clock(state.closed, tz)} but no indoor motion followed"
        else:
            door_nb, door_en = "døren står fortsatt åpen", "the door is still open"
        nb = (
            f"Ytterdøren ble åpnet kl. {opened} i natt, og beboeren (demens) er ikke registrert inne igjen "
            f"etter {span_nb(gone)} (grense {span_nb(limit_s)}; {door_nb}). Mulig vandring - sjekk straks."
        )
        en = (
            f"The front door opened at {opened} tonight and the resident (dementia) has not been seen "
            f"inside again after {span_en(gone)} (limit {span_en(limit_s)}; {door_en}). Possible wandering - check now."
        )
        return state, [
            AlertCandidate(
                AlertType.NIGHT_WANDERING, Severity.HIGH, now, state.opened, nb, en,
                {"minutes_since_door": round(gone / 60.0), "door_closed": state.closed > -math.inf},
            )
        ]

    def dump(self, state: WanderingState) -> Any:
        return state

    def load(self, data: Any) -> WanderingState:
        return load_state(WanderingState, data)
