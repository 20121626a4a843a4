"""Long bathroom stay: in the bathroom beyond a limit with no sign of the resident elsewhere."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

from agents.behaviour.evidence import clock, span_en, span_nb
from agents.behaviour.stored import load_state
from agents.behaviour.thresholds import BATHROOM_STAY_LIMIT, value
from agents.types import AlertCandidate, ResidentView
from schemas.alerts import AlertType, Severity


@dataclass(slots=True)
class BathroomState:
    entry: float = math.inf
    """When the current stay began (inf: not in the bathroom)."""
    last_elsewhere: float = -math.inf
    """Newest event showing the resident outside the bathroom."""
    fired: bool = False


def in_bathroom(event: Any) -> bool:
    """Bathroom motion or a toilet sensor places the resident in the bathroom."""
    kind = event.kind
    return kind == "toilet" or (kind == "motion" and event.room == "bathroom")


class LongBathroomStay:
    """Possible fall: in the bathroom longer than ``bathroom_stay_limit_min`` (default 45 min).

    A stay begins with the first bathroom event after any sign of the resident
    elsewhere (motion in another room, bed, chair, door, appliance) and ends
    with the next such sign. Fires once per stay from ``tick`` at entry + limit.
    Source: the long-lie literature (lying over an hour after a fall is
    dangerous) and common digital-supervision practice.
    """

    name: ClassVar[str] = "long_bathroom_stay"
    kinds: ClassVar[frozenset[str]] = frozenset({"motion", "toilet", "bed", "chair", "door", "appliance"})
    ticks: ClassVar[bool] = True

    def initial(self) -> BathroomState:
        return BathroomState()

    def step(self, state: BathroomState, event: Any, t: float, view: ResidentView) -> tuple[BathroomState, list[AlertCandidate]]:
        if in_bathroom(event):
            if t > state.last_elsewhere and t < state.entry:
                if state.entry == math.inf:
                    state.fired = False
                state.entry = t  # a new stay, or a late event moving this stay's start back
        else:
            if t > state.last_elsewhere:
                state.last_elsewhere = t
            if t >= state.entry:
                state.entry = math.inf
                state.fired = False
        return state, []

    def tick(self, state: BathroomState, now: float, view: ResidentView) -> tuple[BathroomState, list[AlertCandidate]]:
        limit_s = 60.0 * value(view, BATHROOM_STAY_LIMIT)
        if state.fired or now < state.entry + limit_s:
            return state, []
        state.fired = True
        if not view.at_home:
            return state, []
        tz = view.tz
        since, dur = clock(state.entry, tz), now - state.entry
        lim = span_nb(limit_s)
        nb = (
            f"På badet siden kl. {since}, nå i {span_nb(dur)} (grense {lim}), uten bevegelse i andre rom. "
            "Mulig fall - tilkall hjelp."
        )
        en = (
            f"In the bathroom since {since}, now for {span_en(dur)} (limit {span_en(limit_s)}), "
            "with no motion in other rooms. Possible fall - check on the resident."
        )
        return state, [
            AlertCandidate(
                AlertType.LONG_BATHROOM_STAY, Severity.HIGH, now, state.entry, nb, en,
                {"minutes_in_bathroom": round(dur / 60.0), "limit_min": limit_s / 60.0},
            )
        ]

    def due(self, state: BathroomState, view: ResidentView) -> float:
        if state.fired:
            return math.inf
        return state.entry + 60.0 * value(view, BATHROOM_STAY_LIMIT)

    def dump(self, state: BathroomState) -> Any:
        return state

    def load(self, data: Any) -> BathroomState:
        return load_state(BathroomState, data)
