"""Absence of activity at home: no morning activity, and prolonged daytime inactivity.

Both patterns read the activity model (:mod:`agents.behaviour.activity`): when the resident's
day started, whether the morning found them out, whether they are out now, in bed, and their
newest activity. This detector keeps what is its own: the learned usual start of the day and
which mornings and quiet spells it has already judged.

Sensor silence does not mute these checks. Only when every activity sensor sends heartbeats and
all have missed them (the hub is down: a proven fault) are they held back; the coverage report
then says ``paused`` and device support has the device alert. The silence of event-only sensors
is exactly what these checks exist to notice.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any, ClassVar

import msgspec

from agents.behaviour import activity, coverage
from agents.behaviour.baseline import MAD_SCALE, median, push
from agents.behaviour.capabilities import ACTIVITY_KINDS
from agents.behaviour.evidence import PLACE_EN, PLACE_NB, clock, day_clock, span_en, span_nb
from agents.behaviour.home import HomeState, home_of
from agents.behaviour.supervision import offline
from agents.behaviour.thresholds import (
    ACTIVE_FROM,
    ACTIVE_TO,
    BASELINE_DAYS,
    BASELINE_MIN_DAYS,
    INACTIVITY_HIGH_FACTOR,
    INACTIVITY_LIMIT,
    INACTIVITY_RESTING_FACTOR,
    MORNING_BED_RETURN,
    MORNING_FALLBACK,
    MORNING_FROM,
    MORNING_MAD_K,
    MORNING_MARGIN,
    MORNING_UP_GRACE,
    MORNING_UP_RECENT,
    value,
)
from agents.localtime import at_local, local_day_number, local_hour
from agents.statecodec import Stored
from agents.types import AlertCandidate, ResidentView
from schemas.alerts import AlertType, Severity


class InactivityState(Stored):
    away_mark: float = -math.inf
    """Newest time the care context said away or in hospital."""
    learned_day: int = -1
    """Newest day whose start has been considered for the baseline."""
    firsts: list[float] = msgspec.field(default_factory=list)
    """Local hour the day started on recent days at home."""
    weekend_firsts: list[float] = msgspec.field(default_factory=list)
    """Local hour the day started on recent Saturdays and Sundays (people sleep in)."""
    usual_h: float = -1.0
    """Median of ``firsts`` once warm, else -1 (use the fallback)."""
    spread_h: float = 0.0
    """Scaled median absolute deviation of ``firsts`` (hours)."""
    morning_day: int = -1
    """Newest day whose morning is settled (alerted or let go)."""
    quiet_done: float = -math.inf
    """Inactivity run (by its start) whose medium stage is settled."""
    quiet_high_done: float = -math.inf
    due_day: int = -1
    due_h: float = -1.0
    due_at: float = math.inf
    """Cached morning deadline of ``due_day`` at local hour ``due_h``."""
    alerted_day: int = -1
    """Newest day whose morning alert fired: it does not enter the baseline."""
    hold_day: int = -1
    """Day whose morning check was postponed because the resident was seen up at the deadline."""
    hold_until: float = math.inf
    awake_for: float = math.nan
    """Quiet-spell start whose counting start is cached in ``awake_at`` (``_awake_from`` converts to local time)."""
    awake_at: float = math.nan


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


def _first_departure(act: activity.Activity, start: float, end: float) -> float:
    """First time the resident left home in [start, end) (a completed outing or the current one)."""
    times = [d for d, _ in activity.outings_between(act, start, end)]
    if activity.is_out(act, end) and start <= act.leave_first < end:
        times.append(act.leave_first)
    return min(times, default=math.inf)


def _in_hours(t: float, view: ResidentView, from_h: float, to_h: float) -> bool:
    h = local_hour(t, view.tz)
    return from_h <= h < to_h if from_h <= to_h else (h >= from_h or h < to_h)


class Inactivity:
    """No morning activity (HIGH) and prolonged daytime inactivity (MEDIUM, HIGH when much longer).

    Morning: the day has not started (first sustained activity, see the activity model) by the
    resident's usual start (median of the last ``baseline_days`` days that began at home; during
    warm-up the latest start seen so far, at least ``morning_fallback_h``) plus
    ``morning_margin_min`` or, for a resident with an irregular routine, ``morning_mad_k`` robust
    spreads. Days that started away from home, and mornings that were alerted, do
    not enter the baseline. Daytime: no activity for ``inactivity_limit_min`` where the limit is
    reached within active hours; ``inactivity_high_factor`` times the limit is HIGH. Both only
    while at home and not gone out. Needs: ``coverage.MORNING`` and ``coverage.INACTIVITY``.
    """

    name: ClassVar[str] = "inactivity"
    kinds: ClassVar[frozenset[str]] = ACTIVITY_KINDS | frozenset({"heartbeat", "battery"})
    ticks: ClassVar[bool] = True
    state_type: ClassVar[type[InactivityState]] = InactivityState
    needs: ClassVar[tuple[coverage.Needs, ...]] = (coverage.MORNING, coverage.INACTIVITY)

    def initial(self) -> InactivityState:
        return InactivityState()

    # -- events -------------------------------------------------------------------
    def step(self, state: InactivityState, event: Any, t: float, view: ResidentView) -> tuple[InactivityState, list[AlertCandidate]]:
        if not view.at_home and t > state.away_mark:
            state.away_mark = t
        act = home_of(view).act
        if act.prev_day > state.learned_day:
            self._learn(state, act, view)
        return state, []

    def _learn(self, state: InactivityState, act: activity.Activity, view: ResidentView) -> None:
        """Put the day that just ended into the baseline, unless it started away or is unknown."""
        day = act.prev_day
        state.learned_day = day
        tz = view.tz
        watched = act.first_seen <= at_local(day, value(view, MORNING_FROM), tz)
        away = act.prev_away or state.away_mark >= at_local(day, 0.0, tz)
        # the usual morning is anchored on the first sustained activity in the day rooms (the
        # kitchen after the morning routine); a day without one is anchored on leaving the bed
        start = act.prev_day_rooms if act.prev_day_rooms < math.inf else act.prev_up
        # a resident who gets up and goes out (to work, a walk) before any sustained activity in the
        # day rooms is anchored on the departure, the day's first activity beyond the morning
        # routine: anchoring that day on the evening's kitchen made the learned morning the
        # late afternoon
        gone = _first_departure(act, at_local(day, value(view, MORNING_FROM), tz), at_local(day + 1, 0.0, tz))
        if gone < act.prev_day_rooms:
            start = gone
        # a morning that needed an alert is not the routine: the day began late because something
        # was wrong (or the team came by); learning it would move the deadline later for the
        # mornings after, when the resident is most at risk
        if start < math.inf and watched and not away and day != state.alerted_day:
            h = local_hour(start, tz)
            push(state.firsts, h)
            if _weekend(day):
                push(state.weekend_firsts, h, WEEKEND_DAYS_KEPT)
        recent = state.firsts[-int(value(view, BASELINE_DAYS)):]
        if len(recent) >= value(view, BASELINE_MIN_DAYS):
            state.usual_h = median(recent)
            state.spread_h = MAD_SCALE * median([abs(v - state.usual_h) for v in recent])
        else:
            state.usual_h, state.spread_h = -1.0, 0.0

    # -- deadlines ----------------------------------------------------------------
    def _usual(self, state: InactivityState, view: ResidentView, day: int) -> float:
        if state.usual_h < 0.0:
            # warm-up: the latest start seen so far (a late riser is not alarmed every morning of
            # the first week), never earlier than the default morning time
            return max([value(view, MORNING_FALLBACK), *state.firsts])
        if _weekend(day) and len(state.weekend_firsts) >= 2:
            # a later weekend routine moves the weekend deadline, never an earlier one
            return max(state.usual_h, median(state.weekend_firsts))
        return state.usual_h

    def _margin_h(self, state: InactivityState, view: ResidentView) -> float:
        """The margin after the usual start: the set margin, or more for an irregular routine."""
        margin = value(view, MORNING_MARGIN) / 60.0
        if state.usual_h < 0.0:
            return margin
        return max(margin, min(MORNING_MARGIN.maximum / 60.0, value(view, MORNING_MAD_K) * state.spread_h))

    def _deadline(self, state: InactivityState, day: int, view: ResidentView) -> float:
        h = self._usual(state, view, day) + self._margin_h(state, view)
        if day != state.due_day or h != state.due_h:
            state.due_day, state.due_h = day, h
            state.due_at = at_local(day, h, view.tz) + _body_clock_lag(day, view)
        if day == state.hold_day:
            return max(state.due_at, state.hold_until)
        return state.due_at

    def _seen_up(self, act: activity.Activity, deadline: float, day: int, view: ResidentView) -> bool:
        """Out of bed and moving (bedroom, hallway, bathroom) just before the deadline: the morning
        routine is under way, not yet in the kitchen or living room."""
        recent = max(at_local(day, value(view, MORNING_FROM), view.tz), deadline - 60.0 * value(view, MORNING_UP_RECENT))
        return not activity.in_bed(act) and act.last >= recent

    def _morning_due(self, state: InactivityState, act: activity.Activity, view: ResidentView) -> float:
        if act.last == -math.inf:
            return math.inf
        day = max(act.day, state.morning_day + 1)
        if day == act.day and act.up_at < math.inf:
            day += 1
        return self._deadline(state, day, view)

    def _quiet_start(self, state: InactivityState, act: activity.Activity) -> float:
        return act.last if act.last > state.away_mark else state.away_mark

    def due(self, state: InactivityState, view: ResidentView) -> float:
        act = home_of(view).act
        due = self._morning_due(state, act, view)
        start = self._quiet_start(state, act)
        if start > -math.inf:
            counted = self._counted_from(state, act, start, view)
            # the limit the tick will apply: resting (seat or bed mat occupied) lengthens it, and
            # only an event can change that. A due left at the shorter limit would be re-checked
            # only when the next record moves time on, so a sparse home heard the alert late.
            resting = activity.seated(act) or activity.in_bed(act)
            limit_s = 60.0 * value(view, INACTIVITY_LIMIT) * (value(view, INACTIVITY_RESTING_FACTOR) if resting else 1.0)
            if state.quiet_done != start:
                due = min(due, counted + limit_s)
            elif state.quiet_high_done != start:
                due = min(due, counted + value(view, INACTIVITY_HIGH_FACTOR) * limit_s)
        return due

    def _counted_from(self, state: InactivityState, act: activity.Activity, start: float, view: ResidentView) -> float:
        """When a quiet spell begins to count as daytime inactivity: within active hours, and not
        before the day has started (before that it is the morning check's, not this pattern's)."""
        if start != state.awake_for:
            state.awake_for, state.awake_at = start, _awake_from(start, view)
        counted = state.awake_at
        day = local_day_number(counted, view.tz)
        if activity.day_started(act, math.inf, day, view) < math.inf:
            return counted
        return max(counted, self._deadline(state, day, view))

    # -- absence ------------------------------------------------------------------
    def tick(self, state: InactivityState, now: float, view: ResidentView) -> tuple[InactivityState, list[AlertCandidate]]:
        if not view.at_home:
            state.away_mark = now
        home = home_of(view)
        out: list[AlertCandidate] = []
        if now >= self._morning_due(state, home.act, view):
            self._morning(state, home, now, view, out)
        self._daytime(state, home, now, view, out)
        return state, out

    def _morning(self, state: InactivityState, home: HomeState, now: float, view: ResidentView, out: list[AlertCandidate]) -> None:
        act = home.act
        tz = view.tz
        today = local_day_number(now, tz)
        if today <= state.morning_day:
            return
        deadline = self._deadline(state, today, view)
        if now < deadline:
            return
        if activity.day_started(act, now, today, view) < math.inf:
            state.morning_day = today  # settled: a later retraction of an early start changes nothing
            return
        cov = coverage.MORNING.assess(home, view, now)
        if cov.status is coverage.Status.PAUSED:
            return  # held back while every sensor is proven offline; re-checked when one reports
        held = state.hold_day == today
        if not held and self._seen_up(act, deadline, today, view):
            # up and about in the bedroom/bathroom at the deadline: give the routine time to finish
            state.hold_day, state.hold_until = today, deadline + 60.0 * value(view, MORNING_UP_GRACE)
            return
        left = activity.bed_exit_pending(act, today)
        if left < math.inf and not activity.in_bed(act):
            confirmed = left + 60.0 * value(view, MORNING_BED_RETURN)
            if now < confirmed:
                # out of bed and not back: wait until that counts as the start of the day
                state.hold_day, state.hold_until = today, confirmed
                return
        state.morning_day = today
        morning_from = at_local(today, value(view, MORNING_FROM), tz)
        if (
            cov.status is coverage.Status.OFF
            or not view.at_home
            or activity.is_out(act, now)
            or activity.started_away(act, today) is True
            or state.away_mark >= at_local(today, 0.0, tz)
            or act.first_seen > morning_from
        ):
            return
        usual = self._usual(state, view, today)
        margin = round(self._margin_h(state, view) * 60.0)
        usual_txt = f"{int(usual):02d}:{round((usual % 1) * 60) % 60:02d}"
        learned = state.usual_h >= 0.0
        grace = value(view, MORNING_UP_GRACE)
        nb = (
            f"Dagen har ikke startet: ingen vedvarende aktivitet utenfor soverom, gang og bad i dag innen kl. "
            f"{clock(deadline, tz)} ({'vanlig start' if learned else 'standard morgentid'} kl. {usual_txt} + {margin} min"
            f"{f', + {grace:.0f} min fordi beboeren var oppe' if held else ''}). "
            f"Sist registrert aktivitet {day_clock(act.last, tz)} ({PLACE_NB.get(act.last_place, act.last_place)})."
        )
        en = (
            f"The day has not started: no sustained activity outside bedroom, hallway and bathroom today by "
            f"{clock(deadline, tz)} ({'usual start' if learned else 'default morning time'} {usual_txt} + {margin} min"
            f"{f', + {grace:.0f} min as the resident was up' if held else ''}). "
            f"Last activity {day_clock(act.last, tz)} ({PLACE_EN.get(act.last_place, act.last_place)})."
        )
        severity = Severity.HIGH
        if cov.status is coverage.Status.DEGRADED:
            severity = Severity.MEDIUM
            nb, en = nb + f" Merk: {cov.reason_nb}.", en + f" Note: {cov.reason_en}."
        if not learned:
            # an urgent alert needs the resident's own routine; until it is learned the team that
            # knows the resident judges a late morning
            severity = Severity.MEDIUM
            nb += " Beboerens morgenrutine er ennå ikke lært."
            en += " The resident's morning routine is not learned yet."
        nb, en = _qualify(nb, en, home, now, view)
        state.alerted_day = today
        out.append(
            AlertCandidate(
                AlertType.NO_MORNING_ACTIVITY, severity, deadline, act.last, nb, en,
                {"usual_first_activity_h": round(usual, 2), "margin_min": margin, "learned": learned,
                 "coverage": cov.status.value},
            )
        )

    def _daytime(self, state: InactivityState, home: HomeState, now: float, view: ResidentView, out: list[AlertCandidate]) -> None:
        act = home.act
        start = self._quiet_start(state, act)
        if start == -math.inf:
            return
        resting = activity.seated(act) or activity.in_bed(act)
        limit_s = 60.0 * value(view, INACTIVITY_LIMIT) * (value(view, INACTIVITY_RESTING_FACTOR) if resting else 1.0)
        high_s = value(view, INACTIVITY_HIGH_FACTOR) * limit_s
        counted = self._counted_from(state, act, start, view)
        if now < counted + limit_s:
            return
        cov = coverage.INACTIVITY.assess(home, view, now)
        if cov.status is coverage.Status.PAUSED:
            return
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
            cov.status is coverage.Status.OFF
            or ((cov.status is coverage.Status.DEGRADED or resting) and stage is Severity.HIGH)
            or not view.at_home
            or activity.is_out(act, now)
            or not _in_hours(reached, view, from_h, to_h)
        ):
            return
        tz = view.tz
        dur = now - start
        nb = (
            f"Ingen aktivitet registrert siden kl. {clock(start, tz)} "
            f"(sist: {PLACE_NB.get(act.last_place, act.last_place)}); nå {span_nb(dur)} uten aktivitet "
            f"(grense {span_nb(limit_s)}{'' if stage is Severity.MEDIUM else f', høy ved {span_nb(high_s)}'})."
        )
        en = (
            f"No activity recorded since {clock(start, tz)} "
            f"(last: {PLACE_EN.get(act.last_place, act.last_place)}); now {span_en(dur)} without activity "
            f"(limit {span_en(limit_s)}{'' if stage is Severity.MEDIUM else f', high at {span_en(high_s)}'})."
        )
        if resting:
            where_nb = "i stolen" if activity.seated(act) else "i sengen"
            where_en = "in the chair" if activity.seated(act) else "in bed"
            nb += f" Beboeren er registrert {where_nb} (ikke på gulvet); grensen er {value(view, INACTIVITY_RESTING_FACTOR):g} ganger lengre."
            en += f" The resident is registered {where_en} (not on the floor); the limit is {value(view, INACTIVITY_RESTING_FACTOR):g} times longer."
        if cov.status is coverage.Status.DEGRADED:
            nb, en = nb + f" Merk: {cov.reason_nb}.", en + f" Note: {cov.reason_en}."
        nb, en = _qualify(nb, en, home, now, view)
        out.append(
            AlertCandidate(
                AlertType.DAYTIME_INACTIVITY, stage, now, start, nb, en,
                {"minutes_inactive": round(dur / 60.0), "limit_min": limit_s / 60.0, "coverage": cov.status.value},
                episode_key="" if stage is Severity.MEDIUM else "long",
            )
        )

    def dump(self, state: InactivityState) -> InactivityState:
        return state


def _qualify(nb: str, en: str, home: HomeState, now: float, view: ResidentView) -> tuple[str, str]:
    """Say which sensors are proven offline: the resident may be active where no sensor sees."""
    quiet = [d for d in offline(home.caps, now, view) if home.caps.devices[d].kind in ACTIVITY_KINDS]
    if not quiet:
        return nb, en
    since = min(home.caps.devices[d].last for d in quiet)
    names = ", ".join(quiet)
    return (
        nb + f" Merk: sensor {names} har ikke svart siden {day_clock(since, view.tz)}; "
        "aktivitet der kan ha blitt oversett.",
        en + f" Note: sensor {names} silent since {day_clock(since, view.tz)}; "
        "activity there may have been missed.",
    )
