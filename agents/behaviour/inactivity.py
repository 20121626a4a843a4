"""Absence of activity at home: no morning activity, and prolonged daytime inactivity.

Both patterns read the same facts (the newest activity, whether the resident
went out, whether the motion sensors are alive), so they share one state.
A motion sensor that is silent (no event, no heartbeat) cannot see the
resident: when every motion sensor is silent these alerts are held back and
the device alert stands; when some are silent, the alert says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

from agents.behaviour.baseline import median, push
from agents.behaviour.evidence import PLACE_EN, PLACE_NB, clock, day_clock, span_en, span_nb
from agents.behaviour.liveness import saw, silent
from agents.behaviour.stored import load_state
from agents.behaviour.thresholds import (
    ACTIVE_FROM,
    ACTIVE_TO,
    BASELINE_DAYS,
    BASELINE_MIN_DAYS,
    DEVICE_SILENT_AFTER,
    INACTIVITY_HIGH_FACTOR,
    INACTIVITY_LIMIT,
    MORNING_CONFIRM,
    MORNING_FALLBACK,
    MORNING_FROM,
    MORNING_MARGIN,
    MORNING_UP_GRACE,
    MORNING_UP_RECENT,
    WANDERING_PASSAGE_S,
    value,
)
from agents.localtime import at_local, local_day_number, local_hour
from agents.types import AlertCandidate, ResidentView
from schemas.alerts import AlertType, Severity

_SIGNS_OF_LIFE = frozenset({"heartbeat", "battery"})


@dataclass(slots=True)
class InactivityState:
    last: float = -math.inf
    """Newest activity event time."""
    first_seen: float = math.inf
    """Earliest activity ever seen: a morning before the resident was watched is not judged."""
    where: str = ""
    """Where that activity was (room or sensor), for the evidence."""
    out_since: float = -math.inf
    """Exit-door event with no indoor activity after it: the resident is probably out."""
    away_mark: float = -math.inf
    """Newest time the care context said away or in hospital."""
    motion_devices: dict[str, float] = field(default_factory=dict)
    """Motion sensor -> last sign of life."""
    day: int = -1
    day_start: float = math.inf
    day_end: float = -math.inf
    morning_start: float = math.inf
    first: float = math.inf
    """First activity of ``day`` at or after ``morning_from_h`` outside bedroom and bathroom (inf: none yet)."""
    lone: float = math.inf
    """Newest such event of ``day`` not yet confirmed by a second one (a lone report may be sensor noise)."""
    firsts: list[float] = field(default_factory=list)
    """Local hour of the first activity on recent days."""
    usual_h: float = -1.0
    """Median of ``firsts`` once warm, else -1 (use the fallback)."""
    weekend_firsts: list[float] = field(default_factory=list)
    """Local hour of the first activity on recent Saturdays and Sundays (people sleep in)."""
    morning_day: int = -1
    """Newest day whose morning is settled (alerted or suppressed)."""
    quiet_done: float = -math.inf
    """Inactivity run (by its start) whose medium stage is settled."""
    quiet_high_done: float = -math.inf
    due_day: int = -1
    due_h: float = -1.0
    due_at: float = math.inf
    """Cached morning deadline of ``due_day`` at local hour ``due_h``."""
    in_bed: bool = False
    """The newest bed-mat report said occupied."""
    bed_at: float = -math.inf
    """Time of that report."""
    hold_day: int = -1
    """Day whose morning check was postponed because the resident was seen up at the deadline."""
    hold_until: float = math.inf
    """The postponed deadline of ``hold_day``."""


_NIGHT_PLACES = frozenset({"bedroom", "bathroom", "bed", "hallway", "entrance"})
"""Where night-time toilet trips happen (bed, bedroom, the hallway on the way, bathroom):
activity there does not start the day. Counting it made a 04:30 toilet visit the 'usual
first activity' and a normal lie-in an alarm."""


def _place(event: Any) -> str:
    kind = event.kind
    if kind == "motion":
        return str(event.room)
    if kind == "toilet":
        return "bathroom"
    if kind == "door":
        return "exit" if event.door == "exit" else "door"
    return str(kind)


WEEKEND_DAYS_KEPT = 8
"""Four weekends of first-activity times."""


def _weekend(day: int) -> bool:
    return date.fromordinal(day).weekday() >= 5


def _body_clock_lag(day: int, view: ResidentView) -> float:
    """Seconds the wall clock jumped forward into ``day`` (spring daylight-saving change), else 0.

    On that morning a resident who wakes by the body clock, not an alarm, gets up an hour
    later by the wall clock (circadian adjustment to DST takes days: Kantermann et al., Curr
    Biol 2007); judging the morning by the wall clock alone alarmed on almost every resident.
    In autumn the body clock wakes an hour earlier by the wall clock, so nothing moves.
    """
    tz = view.tz
    return max(0.0, 86400.0 - (at_local(day, 12.0, tz) - at_local(day - 1, 12.0, tz)))


def _awake_from(start: float, view: ResidentView) -> float:
    """When a quiet spell starting at ``start`` begins to count as daytime inactivity.

    Stillness before ``active_from_h`` is sleep, not inactivity: a resident last seen
    going to bed at 04:00 is counted from 08:00, so the limit is reached at 12:00 at
    the earliest (the morning check covers the hours before).
    """
    from_h, to_h = value(view, ACTIVE_FROM), value(view, ACTIVE_TO)
    if _in_hours(start, view, from_h, to_h):
        return start
    tz = view.tz
    day = local_day_number(start, tz)
    if local_hour(start, tz) >= to_h:
        day += 1
    return at_local(day, from_h, tz)


def _in_hours(t: float, view: ResidentView, from_h: float, to_h: float) -> bool:
    h = local_hour(t, view.tz)
    return from_h <= h < to_h if from_h <= to_h else (h >= from_h or h < to_h)


class Inactivity:
    """No morning activity (HIGH) and prolonged daytime inactivity (MEDIUM, HIGH when much longer).

    Morning: no activity by the resident's usual first-activity time (median of
    the last ``baseline_days`` days; ``morning_fallback_h`` during warm-up) plus
    ``morning_margin_min``. Daytime: no activity for ``inactivity_limit_min``
    where the limit is reached within active hours; ``inactivity_high_factor``
    times the limit is HIGH. Both only while at home and not gone out.
    """

    name: ClassVar[str] = "inactivity"
    kinds: ClassVar[frozenset[str]] = frozenset(
        {"motion", "door", "bed", "chair", "toilet", "appliance", "heartbeat", "battery"}
    )
    ticks: ClassVar[bool] = True

    def initial(self) -> InactivityState:
        return InactivityState()

    # -- events -------------------------------------------------------------------
    def step(self, state: InactivityState, event: Any, t: float, view: ResidentView) -> tuple[InactivityState, list[AlertCandidate]]:
        kind = event.kind
        if kind in _SIGNS_OF_LIFE:
            if event.device_id in state.motion_devices:
                saw(state.motion_devices, event.device_id, t)
            return state, []
        if kind == "motion":
            saw(state.motion_devices, event.device_id, t)
        elif kind == "bed" and t >= state.bed_at:
            state.in_bed = event.state == "occupied"
            state.bed_at = t
        if not view.at_home and t > state.away_mark:
            state.away_mark = t
        if kind == "door" and event.door == "exit":
            if t >= state.last:
                state.out_since = t
        elif t > state.out_since + WANDERING_PASSAGE_S:
            state.out_since = -math.inf
        if t < state.first_seen:
            state.first_seen = t
        if t >= state.last:
            state.last = t
            state.where = _place(event)
        if t >= state.day_end:
            self._new_day(state, t, view)
        if state.morning_start <= t < state.first and _place(event) not in _NIGHT_PLACES:
            if t != state.lone and abs(t - state.lone) <= 60.0 * value(view, MORNING_CONFIRM):
                state.first = min(t, state.lone)
            else:
                state.lone = t
        return state, []

    def _new_day(self, state: InactivityState, t: float, view: ResidentView) -> None:
        tz = view.tz
        if state.first < math.inf:
            push(state.firsts, local_hour(state.first, tz))
            if _weekend(state.day):
                push(state.weekend_firsts, local_hour(state.first, tz), WEEKEND_DAYS_KEPT)
        n = int(value(view, BASELINE_DAYS))
        recent = state.firsts[-n:]
        state.usual_h = median(recent) if len(recent) >= value(view, BASELINE_MIN_DAYS) else -1.0
        day = local_day_number(t, tz)
        state.day = day
        state.day_start = at_local(day, 0.0, tz)
        state.day_end = at_local(day + 1, 0.0, tz)
        state.morning_start = at_local(day, value(view, MORNING_FROM), tz)
        state.first = state.lone = math.inf

    # -- deadlines ----------------------------------------------------------------
    def _usual(self, state: InactivityState, view: ResidentView, day: int) -> float:
        if state.usual_h < 0.0:
            return value(view, MORNING_FALLBACK)
        if _weekend(day) and len(state.weekend_firsts) >= 2:
            # a later weekend routine moves the weekend deadline, never an earlier one
            return max(state.usual_h, median(state.weekend_firsts))
        return state.usual_h

    def _deadline(self, state: InactivityState, day: int, view: ResidentView) -> float:
        h = self._usual(state, view, day) + value(view, MORNING_MARGIN) / 60.0
        if day != state.due_day or h != state.due_h:
            state.due_day, state.due_h = day, h
            state.due_at = at_local(day, h, view.tz) + _body_clock_lag(day, view)
        if day == state.hold_day:
            return max(state.due_at, state.hold_until)
        return state.due_at

    def _seen_up(self, state: InactivityState, deadline: float, day: int, view: ResidentView) -> bool:
        """Out of bed and moving (bedroom, hallway, bathroom) just before the deadline: the morning
        routine is under way, not yet in the kitchen or living room."""
        recent = max(at_local(day, value(view, MORNING_FROM), view.tz), deadline - 60.0 * value(view, MORNING_UP_RECENT))
        return not state.in_bed and state.last >= recent

    def _morning_due(self, state: InactivityState, view: ResidentView) -> float:
        if state.last == -math.inf:
            return math.inf
        pending = state.day if state.first == math.inf else state.day + 1
        return self._deadline(state, max(pending, state.morning_day + 1), view)

    def _quiet_start(self, state: InactivityState) -> float:
        return state.last if state.last > state.away_mark else state.away_mark

    def due(self, state: InactivityState, view: ResidentView) -> float:
        due = self._morning_due(state, view)
        start = self._quiet_start(state)
        if start > -math.inf:
            start = _awake_from(start, view)
            limit_s = 60.0 * value(view, INACTIVITY_LIMIT)
            if state.quiet_done != start:
                due = min(due, start + limit_s)
            elif state.quiet_high_done != start:
                due = min(due, start + value(view, INACTIVITY_HIGH_FACTOR) * limit_s)
        return due

    # -- absence ------------------------------------------------------------------
    def tick(self, state: InactivityState, now: float, view: ResidentView) -> tuple[InactivityState, list[AlertCandidate]]:
        if not view.at_home:
            state.away_mark = now
        out: list[AlertCandidate] = []
        after_s = 60.0 * value(view, DEVICE_SILENT_AFTER)
        quiet = silent(state.motion_devices, now, after_s)
        blind = bool(quiet) and len(quiet) == len(state.motion_devices)
        if now >= self._morning_due(state, view):
            self._morning(state, now, view, quiet, blind, out)
        self._daytime(state, now, view, quiet, blind, out)
        return state, out

    def _morning(
        self, state: InactivityState, now: float, view: ResidentView, quiet: list[str], blind: bool,
        out: list[AlertCandidate],
    ) -> None:
        tz = view.tz
        today = local_day_number(now, tz)
        if today <= state.morning_day or (today == state.day and state.first < math.inf):
            return
        deadline = self._deadline(state, today, view)
        if now < deadline:
            return
        if blind:
            return  # the device alert stands; re-checked when a sensor is heard again
        held = state.hold_day == today
        if not held and self._seen_up(state, deadline, today, view):
            # up and about in the bedroom/bathroom at the deadline: give the routine time to finish
            state.hold_day, state.hold_until = today, deadline + 60.0 * value(view, MORNING_UP_GRACE)
            return
        state.morning_day = today
        if (
            not view.at_home
            or state.out_since > -math.inf
            or state.away_mark >= at_local(today, 0.0, tz)
            or state.first_seen > at_local(today, value(view, MORNING_FROM), tz)
        ):
            return
        usual = self._usual(state, view, today)
        margin = value(view, MORNING_MARGIN)
        usual_txt = f"{int(usual):02d}:{round((usual % 1) * 60) % 60:02d}"
        learned = state.usual_h >= 0.0
        grace = value(view, MORNING_UP_GRACE)
        nb = (
            f"Ingen aktivitet utenfor soverom, gang og bad registrert i dag innen kl. {clock(deadline, tz)} "
            f"({'vanlig første aktivitet' if learned else 'standard morgentid'} kl. {usual_txt} + {margin:.0f} min"
            f"{f', + {grace:.0f} min fordi beboeren var oppe' if held else ''}). "
            f"Sist registrert aktivitet {day_clock(state.last, tz)} ({PLACE_NB.get(state.where, state.where)})."
        )
        en = (
            f"No activity outside bedroom, hallway and bathroom today by {clock(deadline, tz)} "
            f"({'usual first activity' if learned else 'default morning time'} {usual_txt} + {margin:.0f} min"
            f"{f', + {grace:.0f} min as the resident was up' if held else ''}). "
            f"Last activity {day_clock(state.last, tz)} ({PLACE_EN.get(state.where, state.where)})."
        )
        nb, en = _qualify(nb, en, quiet, state, tz)
        out.append(
            AlertCandidate(
                AlertType.NO_MORNING_ACTIVITY, Severity.HIGH, deadline, state.last, nb, en,
                {"usual_first_activity_h": round(usual, 2), "learned": learned, "silent_motion_sensors": len(quiet)},
            )
        )

    def _daytime(
        self, state: InactivityState, now: float, view: ResidentView, quiet: list[str], blind: bool,
        out: list[AlertCandidate],
    ) -> None:
        start = self._quiet_start(state)
        if start == -math.inf or blind:
            return
        limit_s = 60.0 * value(view, INACTIVITY_LIMIT)
        high_s = value(view, INACTIVITY_HIGH_FACTOR) * limit_s
        counted = _awake_from(start, view)
        stage: Severity | None = None
        if state.quiet_high_done != start and now >= counted + high_s:
            state.quiet_done = state.quiet_high_done = start
            stage = Severity.HIGH
        elif state.quiet_done != start and now >= counted + limit_s:
            state.quiet_done = start
            stage = Severity.MEDIUM
        if stage is None:
            return
        reached = counted + (high_s if stage is Severity.HIGH else limit_s)
        from_h, to_h = value(view, ACTIVE_FROM), value(view, ACTIVE_TO)
        if (
            not view.at_home
            or state.out_since > -math.inf
            or not _in_hours(reached, view, from_h, to_h)
        ):
            return
        tz = view.tz
        dur = now - start
        nb = (
            f"Ingen bevegelse registrert siden kl. {clock(start, tz)} "
            f"(sist: {PLACE_NB.get(state.where, state.where)}); nå {span_nb(dur)} uten aktivitet "
            f"(grense {span_nb(limit_s)}{'' if stage is Severity.MEDIUM else f', høy ved {span_nb(high_s)}'})."
        )
        en = (
            f"No motion recorded since {clock(start, tz)} "
            f"(last: {PLACE_EN.get(state.where, state.where)}); now {span_en(dur)} without activity "
            f"(limit {span_en(limit_s)}{'' if stage is Severity.MEDIUM else f', high at {span_en(high_s)}'})."
        )
        nb, en = _qualify(nb, en, quiet, state, tz)
        out.append(
            AlertCandidate(
                AlertType.DAYTIME_INACTIVITY, stage, now, start, nb, en,
                {"minutes_inactive": round(dur / 60.0), "limit_min": limit_s / 60.0},
                episode_key="" if stage is Severity.MEDIUM else "long",
            )
        )

    def dump(self, state: InactivityState) -> Any:
        return state

    def load(self, data: Any) -> InactivityState:
        return load_state(InactivityState, data)


def _qualify(nb: str, en: str, quiet: list[str], state: InactivityState, tz: Any) -> tuple[str, str]:
    """Say which motion sensors were silent: the resident may be active where no sensor sees."""
    if not quiet:
        return nb, en
    since = min(state.motion_devices[d] for d in quiet)
    names = ", ".join(quiet)
    return (
        nb + f" Merk: bevegelsessensor {names} har ikke svart siden {day_clock(since, tz)}; "
        "aktivitet der kan ha blitt oversett.",
        en + f" Note: motion sensor {names} silent since {day_clock(since, tz)}; "
        "activity there may have been missed.",
    )


