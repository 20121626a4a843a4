"""Activity decline: fewer activity events and fewer rooms used than the resident's own baseline."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import msgspec

from agents.behaviour import activity, coverage
from agents.behaviour.baseline import Run, baseline, push
from agents.behaviour.capabilities import ACTIVITY_KINDS
from agents.behaviour.evidence import number
from agents.behaviour.home import home_of
from agents.behaviour.periods import Period
from agents.behaviour.thresholds import (
    AWAY_DAY,
    BASELINE_DAYS,
    BASELINE_MAD_K,
    BASELINE_MIN_DAYS,
    DECLINE_DAYS,
    DECLINE_FRAC,
    DECLINE_ROOMS,
    value,
)
from agents.statecodec import Number, Stored
from agents.types import AlertCandidate, ResidentView
from schemas.alerts import AlertType, Severity

_ROOM_BIT = {
    "bedroom": 1, "bathroom": 2, "kitchen": 4, "living_room": 8, "hallway": 16, "entrance": 32, "other": 64,
    "wc": 128, "dining_room": 256, "office": 512,
}


def _room_bit(event: Any, view: ResidentView) -> int:
    """The room of an activity event, from the home's device record (declared or inferred)."""
    dev = home_of(view).caps.devices.get(event.device_id)
    return _ROOM_BIT.get(dev.room, 0) if dev is not None else 0


def _time_out(act: activity.Activity, start: float, end: float, now: float) -> float:
    """Seconds of [start, end) the resident spent out of the home (outings, one under way included)."""
    spans = [(d, r) for d, r in act.outings if r > start and d < end]
    gone = activity.out_since(act, now)
    if gone < end:
        spans.append((gone, now))
    return sum(max(0.0, min(r, end) - max(d, start)) for d, r in spans)


class DeclineState(Stored):
    day: Period = msgspec.field(default_factory=Period)
    count: int = 0
    rooms: int = 0
    """Bit set of rooms with activity today."""
    away: bool = False
    counts: list[Number] = msgspec.field(default_factory=list)
    room_counts: list[Number] = msgspec.field(default_factory=list)
    run: Run = msgspec.field(default_factory=Run)
    run_rooms: list[Number] = msgspec.field(default_factory=list)


class ActivityDecline:
    """MEDIUM when ``activity_decline_days`` consecutive days (default 3) are low against the
    resident's baseline (median of the last ``baseline_days`` days).

    A low day has an activity count at least ``activity_decline_frac`` below the median and
    beyond ``baseline_mad_k`` robust spreads, or uses ``activity_rooms_drop`` fewer distinct
    rooms than usual. Days away (care context), days with ``away_day_h`` or more out of the home
    (activity model) and days without any event are not judged. Silent during warm-up.
    Needs (``coverage.DECLINE``): activity sensors; fewer than 3 sensed rooms: LOW.
    """

    name: ClassVar[str] = "activity_decline"
    kinds: ClassVar[frozenset[str]] = ACTIVITY_KINDS
    ticks: ClassVar[bool] = True
    state_type: ClassVar[type[DeclineState]] = DeclineState
    needs: ClassVar[coverage.Needs] = coverage.DECLINE

    def initial(self) -> DeclineState:
        return DeclineState()

    def step(self, state: DeclineState, event: Any, t: float, view: ResidentView) -> tuple[DeclineState, list[AlertCandidate]]:
        out = self._close(state, t, view) if t >= state.day.close_at else []
        if not view.at_home:
            state.away = True
        if state.day.holds(t):
            state.count += 1
            state.rooms |= _room_bit(event, view)
        return state, out

    def tick(self, state: DeclineState, now: float, view: ResidentView) -> tuple[DeclineState, list[AlertCandidate]]:
        if not state.day.opened or now < state.day.close_at:
            return state, []
        return state, self._close(state, now, view)

    def due(self, state: DeclineState, view: ResidentView) -> float:
        return state.day.close_at if state.day.opened else math.inf

    def _close(self, state: DeclineState, t: float, view: ResidentView) -> list[AlertCandidate]:
        out: list[AlertCandidate] = []
        day = state.day
        home = home_of(view)
        mostly_out = day.opened and _time_out(home.act, day.start, day.end, t) >= 3600.0 * value(view, AWAY_DAY)
        if day.opened and state.count > 0 and not state.away and view.at_home and not mostly_out:
            days, min_days = value(view, BASELINE_DAYS), value(view, BASELINE_MIN_DAYS)
            bc = baseline(state.counts, days, min_days)
            br = baseline(state.room_counts, days, min_days)
            rooms = state.rooms.bit_count()
            run = state.run
            low = bc is not None and br is not None and (
                bc.below(state.count, value(view, BASELINE_MAD_K), value(view, DECLINE_FRAC))
                or rooms <= br.median - value(view, DECLINE_ROOMS)
            )
            if low and bc is not None and br is not None:
                run.extend(day.start, state.count)
                state.run_rooms.append(rooms)
                del state.run_rooms[: -len(run.values)]
                if run.length >= value(view, DECLINE_DAYS) and not run.fired:
                    run.fired = True
                    cov = self.needs.assess(home, view, t)
                    if cov.status is not coverage.Status.OFF:
                        out.append(self._alert(state, bc.median, br.median, bc.days, day.close_at, cov))
            else:
                run.reset()
                state.run_rooms.clear()
            push(state.counts, state.count)
            push(state.room_counts, rooms)
        state.count = state.rooms = 0
        state.away = False
        day.advance(t, view.tz, 0.0, 0.0)
        return out

    def _alert(
        self, state: DeclineState, usual: float, usual_rooms: float, days: int, at: float, cov: coverage.Coverage
    ) -> AlertCandidate:
        run = state.run
        counts = ", ".join(number(v) for v in run.values)
        rooms = ", ".join(number(v) for v in state.run_rooms)
        nb = (
            f"Redusert aktivitet {run.length} dager på rad: {counts} registreringer per dag i {rooms} rom, "
            f"mot vanligvis {number(usual)} registreringer i {number(usual_rooms)} rom (median siste {days} dager). "
            "Kan tyde på sykdom, smerter eller funksjonsfall; vurder tilsyn."
        )
        en = (
            f"Reduced activity {run.length} days in a row: {counts} sensor events per day in {rooms} rooms, "
            f"against usually {number(usual)} events in {number(usual_rooms)} rooms (median of the last {days} days). "
            "May indicate illness, pain or functional decline; consider a visit."
        )
        severity = Severity.MEDIUM
        if cov.status is coverage.Status.DEGRADED:
            severity = Severity.LOW
            nb, en = nb + f" Merk: {cov.reason_nb}.", en + f" Note: {cov.reason_en}."
        return AlertCandidate(
            AlertType.ACTIVITY_DECLINE, severity, at, run.start, nb, en,
            {"days": run.length, "latest_count": run.values[-1], "baseline_count": usual,
             "baseline_rooms": usual_rooms},
        )

    def dump(self, state: DeclineState) -> DeclineState:
        return state
