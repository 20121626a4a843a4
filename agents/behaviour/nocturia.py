"""Nocturia increase: more night-time bathroom visits than the resident's own baseline."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import msgspec

from agents.behaviour import coverage
from agents.behaviour.baseline import Run, median, push
from agents.behaviour.bathroom import in_bathroom
from agents.behaviour.evidence import clock, number
from agents.behaviour.home import home_of
from agents.behaviour.periods import Period
from agents.behaviour.thresholds import (
    BASELINE_DAYS,
    BASELINE_MIN_DAYS,
    BATHROOM_VISIT_GAP,
    NIGHT_FROM,
    NIGHT_TO,
    NOCTURIA_EXCESS,
    NOCTURIA_EXCESS_FAST,
    NOCTURIA_MIN_INCREASE,
    NOCTURIA_NIGHTS,
    value,
)
from agents.statecodec import Number, Stored
from agents.types import AlertCandidate, ResidentView
from schemas.alerts import AlertType, Severity


class NocturiaState(Stored):
    night: Period = msgspec.field(default_factory=Period)
    visits: int = 0
    events: int = 0
    """Events during the night: a night without any is no data (away, sensors down)."""
    last_visit: float = -math.inf
    """Newest bathroom event (any time of day): the end of the latest visit so far."""
    last_day: float = -math.inf
    """Newest motion in a day room (kitchen, living room): lying down before it was a nap."""
    bed_down: float = -math.inf
    """Newest bed-mat 'occupied' report (the resident lay down)."""
    has_bed: bool = False
    """A bed mat has reported: visits are counted the ICS way (between two sleeps)."""
    in_bed: bool = False
    """The newest bed-mat report said occupied."""
    in_bed_at_end: bool | None = None
    """``in_bed`` when the night ended (None until an event at or after the end)."""
    pending: int = 0
    """Night visits preceded by sleep, not yet followed by lying down again."""
    away: bool = False
    ring: list[Number] = msgspec.field(default_factory=list)
    """Bathroom visits on recent valid nights."""
    run: Run = msgspec.field(default_factory=Run)


_DAY_ROOMS = frozenset({"kitchen", "living_room"})


class NocturiaIncrease:
    """MEDIUM when night bathroom visits rise above the personal level: the larger of median
    and mean of the last ``baseline_days`` nights before the rise. Every night of the run is
    at least ``nocturia_min_increase`` above the level, and together the last
    ``nocturia_nights`` (2) nights exceed it by ``nocturia_excess_fast`` (5) visits, or the last
    three by ``nocturia_excess`` (4): a strong rise is reported after two nights, a smaller
    persistent one after three. (A median + 2 MAD rule on 0-2 visits a night alerted on two
    chance nights of 2 against a median of 0 and missed +1-2 rises against a median of 1.)

    Silent during warm-up (fewer than ``baseline_min_days`` valid nights). A visit is
    bathroom motion or a toilet event; events closer than ``bathroom_visit_gap_min``
    are one visit. A night is evaluated 15 min after it ends, so late events count once.

    With a bed mat, a visit counts as nocturia the way the ICS defines it (van Kerrebroeck
    et al. 2002: each void preceded and followed by sleep): the resident lay down after the
    previous bathroom visit and lies down again after this one (by the evaluation). So the
    evening routine after 22:00 and getting up for the day before 06:00 are not counted;
    both vary with bedtime and waking and made normal nights look raised. A night without
    any event counts as 0 visits when the resident was in bed all night (a sound sleep is
    data, not a gap); without a bed mat such a night stays unjudged.
    """

    name: ClassVar[str] = "nocturia_increase"
    kinds: ClassVar[frozenset[str]] = frozenset({"motion", "toilet", "bed"})
    ticks: ClassVar[bool] = True
    state_type: ClassVar[type[NocturiaState]] = NocturiaState
    needs: ClassVar[coverage.Needs] = coverage.NOCTURIA

    def initial(self) -> NocturiaState:
        return NocturiaState()

    def step(self, state: NocturiaState, event: Any, t: float, view: ResidentView) -> tuple[NocturiaState, list[AlertCandidate]]:
        out = self._close(state, t, view) if t >= state.night.close_at else []
        if not view.at_home:
            state.away = True
        night = state.night
        if state.in_bed_at_end is None and t >= night.end:
            state.in_bed_at_end = state.in_bed
        if event.kind == "bed":
            if event.state == "occupied":
                state.has_bed = True
                if t > state.bed_down:
                    state.bed_down = t
                if state.pending and t < night.close_at:
                    state.visits += state.pending  # back to bed: the visit was a night void
                    state.pending = 0
            state.in_bed = event.state == "occupied"
        holds = night.holds(t)
        if holds:
            state.events += 1
        if event.kind == "motion" and event.room in _DAY_ROOMS and t > state.last_day:
            state.last_day = t
        if in_bathroom(event):
            slept = t > state.bed_down > max(state.last_visit, state.last_day)
            new = slept or abs(t - state.last_visit) >= 60.0 * value(view, BATHROOM_VISIT_GAP)
            if holds and new:
                if not state.has_bed:
                    state.visits += 1
                elif slept:
                    state.pending += 1
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
        if state.in_bed_at_end is None:
            state.in_bed_at_end = state.in_bed
        quiet_in_bed = state.events == 0 and state.has_bed and state.in_bed_at_end
        if night.opened and (state.events > 0 or quiet_in_bed) and not state.away and view.at_home:
            run = state.run
            rise = value(view, NOCTURIA_MIN_INCREASE)
            level = self._level(state.ring, run.length, view)
            if level is not None and state.visits >= level[0] + rise:
                run.extend(night.start, state.visits)
                if not run.fired:
                    found = self._raised([*state.ring, float(state.visits)], run.length, view)
                    if found is not None:
                        run.fired = True
                        cov = self.needs.assess(home_of(view), view, t)
                        if cov.status is not coverage.Status.OFF:
                            out.append(self._alert(state, found[0], found[1], found[2], night.close_at, view, cov))
            else:
                run.reset()
            push(state.ring, state.visits)
        state.visits = state.events = state.pending = 0
        state.away = False
        state.in_bed_at_end = None
        night.advance(t, view.tz, value(view, NIGHT_FROM), value(view, NIGHT_TO))
        return out

    def _level(self, ring: list[float], run_length: int, view: ResidentView) -> tuple[float, int] | None:
        """Usual level (max of median and mean) of the nights before the current raised run."""
        before = ring[: len(ring) - run_length] if run_length else ring
        recent = before[-int(value(view, BASELINE_DAYS)):]
        if len(recent) < max(1, int(value(view, BASELINE_MIN_DAYS))):
            return None
        return max(median(recent), sum(recent) / len(recent)), len(recent)

    def _raised(self, values: list[float], run_length: int, view: ResidentView) -> tuple[float, int, int] | None:
        """(level, baseline nights, nights) when the last raised nights carry enough excess, else None."""
        fast = int(value(view, NOCTURIA_NIGHTS))
        for n, need in ((fast, value(view, NOCTURIA_EXCESS_FAST)), (fast + 1, value(view, NOCTURIA_EXCESS))):
            if n < 1 or run_length < n:
                continue
            level = self._level(values[:-n], 0, view)
            rise = value(view, NOCTURIA_MIN_INCREASE)
            if level is None:
                continue
            last = values[-n:]
            if all(v >= level[0] + rise for v in last) and sum(last) - n * level[0] >= need:
                return level[0], level[1], n
        return None

    def _alert(
        self, state: NocturiaState, usual: float, days: int, nights: int, at: float, view: ResidentView,
        cov: coverage.Coverage,
    ) -> AlertCandidate:
        run, tz = state.run, view.tz
        counts = ", ".join(number(v) for v in run.values[-nights:])
        usual = round(usual, 1)
        window = f"{clock(state.night.start, tz)}-{clock(state.night.end, tz)}"
        nb = (
            f"Flere toalettbesøk om natten ({window}): {counts} de siste {nights} nettene, "
            f"mot vanligvis {number(usual)} (nivå siste {days} netter). Kan være tidlig tegn på "
            "urinveisinfeksjon eller annen sykdom; vurder urinprøve og tilsyn."
        )
        en = (
            f"More night-time bathroom visits ({window}): {counts} over the last {nights} nights, "
            f"against usually {number(usual)} (level of the last {days} nights). May be an early sign of "
            "urinary tract infection or other illness; consider a urine test and a visit."
        )
        severity = Severity.MEDIUM
        if cov.status is coverage.Status.DEGRADED:
            severity = Severity.LOW
            nb, en = nb + f" Merk: {cov.reason_nb}.", en + f" Note: {cov.reason_en}."
        return AlertCandidate(
            AlertType.NOCTURIA_INCREASE, severity, at, run.start, nb, en,
            {"nights": nights, "latest_visits": run.values[-1], "baseline_median": usual},
        )

    def dump(self, state: NocturiaState) -> NocturiaState:
        return state
