"""Night wandering: a resident with dementia leaves by the front door at night and does not return."""

from __future__ import annotations

import math
from typing import Any, ClassVar

from agents.behaviour import coverage
from agents.behaviour.capabilities import ACTIVITY_KINDS
from agents.behaviour.evidence import clock, span_en, span_nb
from agents.behaviour.home import home_of
from agents.behaviour.thresholds import NIGHT_FROM, NIGHT_TO, VISIT_DOOR_WINDOW, WANDERING_RETURN, value
from agents.localtime import local_hour
from agents.statecodec import Stored
from agents.types import AlertCandidate, ResidentView
from schemas.alerts import AlertType, Severity
from schemas.care import Programme


class WanderingState(Stored):
    done: float = -math.inf
    """Departure (first exit-door event) already judged."""


class NightWandering:
    """HIGH when, for a resident in the DEMENTIA programme, the resident leaves by the exit door at
    night (``night_from_h``-``night_to_h``, local) and is not back inside within ``wandering_return_min``.

    Leaving is told apart from arriving by the activity model: the resident was seen moving
    indoors just before the door (``exit_lookback_min``) and was not out already (coming home late
    is an arrival), nor lying in bed (someone else at the door). A door within
    ``visit_door_window_min`` after a home-care or visitor check-in is the visitor leaving.
    Back inside means any indoor activity after the door's passage time.
    Needs (``coverage.WANDERING``): an exit-door sensor and an indoor sensor.
    """

    name: ClassVar[str] = "night_wandering"
    kinds: ClassVar[frozenset[str]] = ACTIVITY_KINDS | frozenset({"social"})
    ticks: ClassVar[bool] = True
    state_type: ClassVar[type[WanderingState]] = WanderingState
    needs: ClassVar[coverage.Needs] = coverage.WANDERING

    def initial(self) -> WanderingState:
        return WanderingState()

    def step(self, state: WanderingState, event: Any, t: float, view: ResidentView) -> tuple[WanderingState, list[AlertCandidate]]:
        return state, []

    @staticmethod
    def _at_night(t: float, view: ResidentView) -> bool:
        h = local_hour(t, view.tz)
        start, end = value(view, NIGHT_FROM), value(view, NIGHT_TO)
        return h >= start or h < end if start > end else start <= h < end

    def _pending(self, state: WanderingState, view: ResidentView) -> float:
        """The departure this pattern waits on, or inf."""
        act = home_of(view).act
        left = act.leave_first
        if left == math.inf or left <= state.done or not act.leave_seen or act.leave_bed:
            return math.inf
        if act.indoor_after > -math.inf:
            return math.inf  # seen inside again
        return left

    def due(self, state: WanderingState, view: ResidentView) -> float:
        left = self._pending(state, view)
        if left == math.inf or not view.follows(Programme.DEMENTIA) or not self._at_night(left, view):
            return math.inf
        return left + 60.0 * value(view, WANDERING_RETURN)

    def tick(self, state: WanderingState, now: float, view: ResidentView) -> tuple[WanderingState, list[AlertCandidate]]:
        left = self._pending(state, view)
        limit_s = 60.0 * value(view, WANDERING_RETURN)
        if left == math.inf or now < left + limit_s:
            return state, []
        state.done = left
        home = home_of(view)
        act = home.act
        cov = self.needs.assess(home, view, now)
        visitor = act.visit_at > left - 60.0 * value(view, VISIT_DOOR_WINDOW)
        if cov.status is not coverage.Status.LIVE or not view.at_home or not self._at_night(left, view) or visitor:
            return state, []
        tz = view.tz
        opened, gone = clock(left, tz), now - left
        if act.door_open:
            door_nb, door_en = "døren står fortsatt åpen", "the door is still open"
        else:
            door_nb = f"døren ble lukket kl. {clock(act.door_at, tz)}, men ingen aktivitet inne etterpå"
            door_en = f"the door closed at {clock(act.door_at, tz)} but no indoor activity followed"
        nb = (
            f"Beboeren (demens) gikk ut av ytterdøren kl. {opened} i natt og er ikke registrert inne igjen "
            f"etter {span_nb(gone)} (grense {span_nb(limit_s)}; {door_nb}). Mulig vandring - sjekk straks."
        )
        en = (
            f"The resident (dementia) left by the front door at {opened} tonight and has not been seen "
            f"inside again after {span_en(gone)} (limit {span_en(limit_s)}; {door_en}). Possible wandering - check now."
        )
        return state, [
            AlertCandidate(
                AlertType.NIGHT_WANDERING, Severity.HIGH, now, left, nb, en,
                {"minutes_since_door": round(gone / 60.0), "door_closed": not act.door_open},
            )
        ]

    def dump(self, state: WanderingState) -> WanderingState:
        return state
