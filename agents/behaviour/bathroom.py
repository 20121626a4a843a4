"""Long bathroom stay: confirmed presence in the bathroom beyond a limit, with no sign of the resident elsewhere."""

from __future__ import annotations

import math
from typing import Any, ClassVar

from agents.behaviour import coverage
from agents.behaviour.capabilities import ACTIVITY_KINDS, WET_ROOMS
from agents.behaviour.evidence import PLACE_EN, PLACE_NB, clock, span_en, span_nb
from agents.behaviour.home import home_of
from agents.behaviour.thresholds import ACTIVE_FROM, ACTIVE_TO, BATHROOM_STAY_LIMIT, value
from agents.localtime import local_hour
from agents.statecodec import Stored
from agents.types import AlertCandidate, ResidentView
from schemas.alerts import AlertType, Severity


class BathroomState(Stored):
    done: float = -math.inf
    """Entry time of the stay already alerted (or judged and let go)."""


def in_bathroom(event: Any) -> bool:
    """A toilet event, or motion in a wet room (bathroom or separate WC): a bathroom visit."""
    kind = event.kind
    if kind == "toilet":
        return True
    return kind == "motion" and event.room in WET_ROOMS


class LongBathroomStay:
    """Possible fall: in the bathroom longer than ``bathroom_stay_limit_min`` (default 45 min).

    The stay comes from the activity model: it starts on confirmed presence in a wet room (two
    presence reports within ``bathroom_confirm_min``, or one after the resident was seen moving
    elsewhere and not lying in bed) and ends on activity outside the wet rooms, on the bed, or on
    the wet room's door opening. Fires once per stay from ``tick`` at entry + limit.

    Needs (``coverage.BATHROOM``): presence sensing in the bathroom (a motion sensor; a flush or a
    door shows that a visit began, not that the resident is still there) and sensing outside it.
    Without sensing in the bedroom a return to bed is not seen: the pattern then runs degraded,
    within active hours only and at medium severity (home care). Source: the long-lie literature
    (lying over an hour after a fall is dangerous) and common digital-supervision practice.
    """

    name: ClassVar[str] = "long_bathroom_stay"
    kinds: ClassVar[frozenset[str]] = ACTIVITY_KINDS
    ticks: ClassVar[bool] = True
    state_type: ClassVar[type[BathroomState]] = BathroomState
    needs: ClassVar[coverage.Needs] = coverage.BATHROOM

    def initial(self) -> BathroomState:
        return BathroomState()

    def step(self, state: BathroomState, event: Any, t: float, view: ResidentView) -> tuple[BathroomState, list[AlertCandidate]]:
        return state, []

    def due(self, state: BathroomState, view: ResidentView) -> float:
        entry = home_of(view).act.bath_entry
        if entry == math.inf or entry <= state.done:
            return math.inf
        return entry + 60.0 * value(view, BATHROOM_STAY_LIMIT)

    def tick(self, state: BathroomState, now: float, view: ResidentView) -> tuple[BathroomState, list[AlertCandidate]]:
        home = home_of(view)
        act = home.act
        entry = act.bath_entry
        limit_s = 60.0 * value(view, BATHROOM_STAY_LIMIT)
        if entry == math.inf or entry <= state.done or now < entry + limit_s:
            return state, []
        state.done = entry
        if not view.at_home:
            return state, []
        cov = self.needs.assess(home, view, now)
        if cov.status is coverage.Status.OFF:
            return state, []
        severity = Severity.HIGH
        note_nb = note_en = ""
        if cov.status is coverage.Status.DEGRADED:
            reached = entry + limit_s
            h = local_hour(reached, view.tz)
            if not value(view, ACTIVE_FROM) <= h < value(view, ACTIVE_TO):
                return state, []
            severity = Severity.MEDIUM
            note_nb, note_en = f" Merk: {cov.reason_nb}.", f" Note: {cov.reason_en}."
        tz = view.tz
        since, dur = clock(entry, tz), now - entry
        room = act.bath_room or "bathroom"
        where_nb, where_en = PLACE_NB.get(room, room), PLACE_EN.get(room, room)
        nb = (
            f"På {where_nb} siden kl. {since}, nå i {span_nb(dur)} (grense {span_nb(limit_s)}), uten bevegelse i "
            f"andre rom (sist registrert der kl. {clock(act.bath_last, tz)}). Mulig fall - tilkall hjelp." + note_nb
        )
        en = (
            f"In the {where_en} since {since}, now for {span_en(dur)} (limit {span_en(limit_s)}), with no motion "
            f"in other rooms (last seen there at {clock(act.bath_last, tz)}). Possible fall - check on the resident."
            + note_en
        )
        return state, [
            AlertCandidate(
                AlertType.LONG_BATHROOM_STAY, severity, now, entry, nb, en,
                {"minutes_in_bathroom": round(dur / 60.0), "limit_min": limit_s / 60.0, "coverage": cov.status.value},
            )
        ]

    def dump(self, state: BathroomState) -> BathroomState:
        return state
