"""Sleep disturbance: more bed exits at night than the resident's own baseline."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import msgspec

from agents.behaviour import coverage
from agents.behaviour.baseline import Run, baseline, push
from agents.behaviour.evidence import clock, number
from agents.behaviour.periods import Period
from agents.behaviour.thresholds import (
    BASELINE_DAYS,
    BASELINE_MAD_K,
    BASELINE_MIN_DAYS,
    BED_EXIT_DEBOUNCE_S,
    NIGHT_FROM,
    NIGHT_TO,
    SLEEP_MIN_INCREASE,
    SLEEP_NIGHTS,
    value,
)
from agents.statecodec import Number, Stored
from agents.types import AlertCandidate, ResidentView
from schemas.alerts import AlertType, Severity


class SleepState(Stored):
    night: Period = msgspec.field(default_factory=Period)
    exits: int = 0
    bed_events: int = 0
    """Bed events in the night: none means no data (not in bed, away, mat unplugged)."""
    last_exit: float = -math.inf
    away: bool = False
    ring: list[Number] = msgspec.field(default_factory=list)
    """Bed exits on recent valid nights."""
    run: Run = msgspec.field(default_factory=Run)


class SleepDisturbance:
    """LOW (MEDIUM when exits are at least double the usual plus the minimum increase) when bed
    exits at night exceed the personal baseline on ``sleep_nights`` consecutive nights.

    Raised night: exits >= median + max(``baseline_mad_k`` spreads, ``sleep_min_increase``).
    Needs a bed mat (``coverage.SLEEP``: it only ever sees bed events); silent during warm-up.
    """

    name: ClassVar[str] = "sleep_disturbance"
    kinds: ClassVar[frozenset[str]] = frozenset({"bed"})
    ticks: ClassVar[bool] = True
    state_type: ClassVar[type[SleepState]] = SleepState
    needs: ClassVar[coverage.Needs] = coverage.SLEEP

    def initial(self) -> SleepState:
        return SleepState()

    def step(self, state: SleepState, event: Any, t: float, view: ResidentView) -> tuple[SleepState, list[AlertCandidate]]:
        out = self._close(state, t, view) if t >= state.night.close_at else []
        if not view.at_home:
            state.away = True
        if state.night.holds(t):
            state.bed_events += 1
            if event.state == "vacant":
                if abs(t - state.last_exit) >= BED_EXIT_DEBOUNCE_S:
                    state.exits += 1
                if t > state.last_exit:
                    state.last_exit = t
        return state, out

    def tick(self, state: SleepState, now: float, view: ResidentView) -> tuple[SleepState, list[AlertCandidate]]:
        if not state.night.opened or now < state.night.close_at:
            return state, []
        return state, self._close(state, now, view)

    def due(self, state: SleepState, view: ResidentView) -> float:
        return state.night.close_at if state.night.opened else math.inf

    def _close(self, state: SleepState, t: float, view: ResidentView) -> list[AlertCandidate]:
        out: list[AlertCandidate] = []
        night = state.night
        if night.opened and state.bed_events > 0 and not state.away and view.at_home:
            b = baseline(state.ring, value(view, BASELINE_DAYS), value(view, BASELINE_MIN_DAYS))
            run = state.run
            min_inc = value(view, SLEEP_MIN_INCREASE)
            if b is not None and b.above(state.exits, value(view, BASELINE_MAD_K), min_inc):
                run.extend(night.start, state.exits)
                if run.length >= value(view, SLEEP_NIGHTS) and not run.fired:
                    run.fired = True
                    mean = sum(run.values) / len(run.values)
                    sev = Severity.MEDIUM if mean >= 2.0 * max(b.median, 1.0) + min_inc else Severity.LOW
                    out.append(self._alert(state, b.median, b.days, sev, night.close_at, view))
            else:
                run.reset()
            push(state.ring, state.exits)
        state.exits = state.bed_events = 0
        state.away = False
        state.last_exit = -math.inf
        night.advance(t, view.tz, value(view, NIGHT_FROM), value(view, NIGHT_TO))
        return out

    def _alert(
        self, state: SleepState, usual: float, days: int, sev: Severity, at: float, view: ResidentView
    ) -> AlertCandidate:
        run, tz = state.run, view.tz
        counts = ", ".join(number(v) for v in run.values)
        window = f"{clock(state.night.start, tz)}-{clock(state.night.end, tz)}"
        nb = (
            f"Urolige netter: {counts} ganger ute av sengen ({window}) de siste {run.length} nettene, "
            f"mot vanligvis {number(usual)} (median siste {days} netter). Vurder smerter, medisiner, "
            "infeksjon eller uro."
        )
        en = (
            f"Restless nights: out of bed {counts} times ({window}) over the last {run.length} nights, "
            f"against usually {number(usual)} (median of the last {days} nights). Consider pain, medication, "
            "infection or agitation."
        )
        return AlertCandidate(
            AlertType.SLEEP_DISTURBANCE, sev, at, run.start, nb, en,
            {"nights": run.length, "latest_bed_exits": run.values[-1], "baseline_median": usual},
        )

    def dump(self, state: SleepState) -> SleepState:
        return state
