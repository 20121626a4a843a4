"""Nocturia increase: more night-time bathroom visits than the resident's own baseline."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

from agents.behaviour.baseline import Run, baseline, push
from agents.behaviour.bathroom import in_bathroom
from agents.behaviour.evidence import clock, number
from agents.behaviour.periods import Period
from agents.behaviour.stored import load_state
from agents.behaviour.thresholds import (
    BASELINE_DAYS,
    BASELINE_MAD_K,
    BASELINE_MIN_DAYS,
    BATHROOM_VISIT_GAP,
    NIGHT_FROM,
    NIGHT_TO,
    NOCTURIA_MIN_INCREASE,
    NOCTURIA_NIGHTS,
    value,
)
from agents.types import AlertCandidate, ResidentView
from schemas.alerts import AlertType, Severity


@dataclass(slots=True)
class NocturiaState:
    night: Period = field(default_factory=Period)
    visits: int = 0
    events: int = 0
    """Events during the night: a night without any is no data (away, sensors down)."""
    last_visit: float = -math.inf
    away: bool = False
    ring: list[float] = field(default_factory=list)
    """Bathroom visits on recent valid nights."""
    run: Run = field(default_factory=Run)


class NocturiaIncrease:
    """MEDIUM when night bathroom visits exceed the personal baseline on ``nocturia_nights``
    consecutive nights (default 2): median of the last ``baseline_days`` nights plus
    max(``baseline_mad_k`` robust spreads, ``nocturia_min_increase`` visits).

    Silent during warm-up (fewer than ``baseline_min_days`` valid nights). A visit is
    bathroom motion or a toilet event; events closer than ``bathroom_visit_gap_min``
    are one visit. A night is evaluated 15 min after it ends, so late events count once.
    """

    name: ClassVar[str] = "nocturia_increase"
    kinds: ClassVar[frozenset[str]] = frozenset({"motion", "toilet", "bed"})
    ticks: ClassVar[bool] = True

    def initial(self) -> NocturiaState:
        return NocturiaState()

    def step(self, state: NocturiaState, event: Any, t: float, view: ResidentView) -> tuple[NocturiaState, list[AlertCandidate]]:
        out = self._close(state, t, view) if t >= state.night.close_at else []
        if not view.at_home:
            state.away = True
        if state.night.holds(t):
            state.events += 1
            if in_bathroom(event):
                if abs(t - state.last_visit) >= 60.0 * value(view, BATHROOM_VISIT_GAP):
                    state.visits += 1
                if t > state.last_visit:
                    state.last_visit = t
        return state, out

    def tick(self, state: NocturiaState, now: float, view: ResidentView) -> tuple[NocturiaState, list[AlertCandidate]]:
        if not state.night.opened or now < state.night.close_at:
            return state, []
        return state, self._close(state, now, view)

    def due(self, state: NocturiaState, view: ResidentView) -> float:
        return state.night.close_at if state.night.opened else math.inf

    def _close(self, state: NocturiaState, t: float, view: ResidentView) -> list[AlertCandidate]:
        out: list[AlertCandidate] = []
        night = state.night
        if night.opened and state.events > 0 and not state.away and view.at_home:
            b = baseline(state.ring, value(view, BASELINE_DAYS), value(view, BASELINE_MIN_DAYS))
            run = state.run
            if b is not None and b.above(state.visits, value(view, BASELINE_MAD_K), value(view, NOCTURIA_MIN_INCREASE)):
                run.extend(night.start, state.visits)
                if run.length >= value(view, NOCTURIA_NIGHTS) and not run.fired:
                    run.fired = True
                    out.append(self._alert(state, b.median, b.days, night.close_at, view))
            else:
                run.reset()
            push(state.ring, state.visits)
        state.visits = state.events = 0
        state.away = False
        state.last_visit = -math.inf
        night.advance(t, view.tz, value(view, NIGHT_FROM), value(view, NIGHT_TO))
        return out

    def _alert(self, state: NocturiaState, usual: float, days: int, at: float, view: ResidentView) -> AlertCandidate:
        run, tz = state.run, view.tz
        counts = ", ".join(number(v) for v in run.values)
        window = f"{clock(state.night.start, tz)}-{clock(state.night.end, tz)}"
        nb = (
            f"Flere toalettbesøk om natten ({window}): {counts} de siste {run.length} nettene, "
            f"mot vanligvis {number(usual)} (median siste {days} netter). Kan være tidlig tegn på "
            "urinveisinfeksjon eller annen sykdom; vurder urinprøve og tilsyn."
        )
        en = (
            f"More night-time bathroom visits ({window}): {counts} over the last {run.length} nights, "
            f"against usually {number(usual)} (median of the last {days} nights). May be an early sign of "
            "urinary tract infection or other illness; consider a urine test and a visit."
        )
        return AlertCandidate(
            AlertType.NOCTURIA_INCREASE, Severity.MEDIUM, at, run.start, nb, en,
            {"nights": run.length, "latest_visits": run.values[-1], "baseline_median": usual},
        )

    def dump(self, state: NocturiaState) -> Any:
        return state

    def load(self, data: Any) -> NocturiaState:
        return load_state(NocturiaState, data)
