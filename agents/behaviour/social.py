"""Social isolation: fewer outings and social contacts than usual, or none at all for a week.

Outings come from the activity model (departure to return). Contacts are visits by family,
friends and volunteers, calls, and day-centre attendance. A home-care visit is a care contact,
not social contact: the main target group of home care would otherwise rarely look isolated.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import msgspec

from agents.behaviour import activity, coverage
from agents.behaviour.baseline import Run, push
from agents.behaviour.capabilities import ACTIVITY_KINDS
from agents.behaviour.evidence import day_clock, number
from agents.behaviour.home import home_of
from agents.behaviour.periods import Period
from agents.behaviour.thresholds import (
    BASELINE_MIN_DAYS,
    OUTING_MIN,
    SOCIAL_DROP,
    SOCIAL_MIN_BASELINE,
    SOCIAL_NONE_DAYS,
    SOCIAL_WINDOW,
    UCLA3_LONELY,
    value,
)
from agents.localtime import at_local
from agents.statecodec import Number, Stored
from agents.types import AlertCandidate, ResidentView
from schemas.alerts import AlertType, Severity

SOCIAL_RING = 42
"""Daily outings+contacts kept: a 14-day window and up to 28 days before it."""
LONELINESS_CODES = frozenset({"ucla3", "ucla-3", "ucla_3", "loneliness"})
LONELINESS_VALID_S = 30 * 86400.0
"""A loneliness questionnaire answer older than this no longer qualifies the alert."""
SOCIAL_CHANNELS = frozenset({"visitor", "phone_call", "video_call", "day_centre"})
"""Contacts that count as social; ``homecare_visit`` is care, not company."""


class SocialState(Stored):
    day: Period = msgspec.field(default_factory=Period)
    outings: int = 0
    contacts: int = 0
    events: int = 0
    away: bool = False
    scores: list[Number] = msgspec.field(default_factory=list)
    """Outings + contacts on recent valid days."""
    none_run: Run = msgspec.field(default_factory=Run)
    drop_start: float = -math.inf
    drop_fired: bool = False
    lonely_score: float = -1.0
    lonely_at: float = -math.inf


class SocialIsolation:
    """Signs of social isolation (home-care team decides; no recipient hint).

    MEDIUM: no outing and no social contact (visit, call, day centre) on
    ``social_none_days`` consecutive days at home (no warm-up needed).
    LOW: outings+contacts in the last ``social_window_days`` fell by ``social_drop_frac``
    against the days before (needs the window plus ``baseline_min_days`` days of history).
    A recent UCLA-3 loneliness score at or above ``social_ucla3_lonely`` raises LOW to MEDIUM.
    An outing runs from the departure to the return (the activity model) and lasts at least
    ``outing_min_min``; it counts on the day of the departure. Needs (``coverage.SOCIAL``): an
    exit-door sensor; with contact check-ins only the pattern runs degraded (LOW).
    """

    name: ClassVar[str] = "social_isolation"
    kinds: ClassVar[frozenset[str]] = ACTIVITY_KINDS | frozenset({"social", "questionnaire"})
    needs: ClassVar[coverage.Needs] = coverage.SOCIAL
    ticks: ClassVar[bool] = True
    state_type: ClassVar[type[SocialState]] = SocialState

    def initial(self) -> SocialState:
        return SocialState()

    def step(self, state: SocialState, event: Any, t: float, view: ResidentView) -> tuple[SocialState, list[AlertCandidate]]:
        kind = event.kind
        if kind == "questionnaire":
            if event.questionnaire.lower() in LONELINESS_CODES and t >= state.lonely_at:
                state.lonely_score, state.lonely_at = event.score, t
            return state, []
        out = self._close(state, t, view) if t >= state.day.close_at else []
        if not view.at_home:
            state.away = True
        holds = state.day.holds(t)
        if holds:
            state.events += 1
        if kind == "social" and holds and event.channel in SOCIAL_CHANNELS:
            state.contacts += 1
        return state, out

    def tick(self, state: SocialState, now: float, view: ResidentView) -> tuple[SocialState, list[AlertCandidate]]:
        if not state.day.opened or now < state.day.close_at:
            return state, []
        return state, self._close(state, now, view)

    def due(self, state: SocialState, view: ResidentView) -> float:
        return state.day.close_at if state.day.opened else math.inf

    def _close(self, state: SocialState, t: float, view: ResidentView) -> list[AlertCandidate]:
        out: list[AlertCandidate] = []
        day = state.day
        home = home_of(view)
        cov = self.needs.assess(home, view, t)
        if day.opened:
            state.outings = self._outings(home.act, day.start, day.end, t, view)
        if day.opened and state.events > 0 and not state.away and view.at_home and cov.status is not coverage.Status.OFF:
            score = state.outings + state.contacts
            run = state.none_run
            if score == 0:
                run.extend(day.start, 0)
                if run.length >= value(view, SOCIAL_NONE_DAYS) and not run.fired:
                    run.fired = True
                    out.append(self._none_alert(state, day.close_at, view))
            else:
                run.reset()
            push(state.scores, score, SOCIAL_RING)
            drop = self._drop(state, view)
            if drop is None:
                state.drop_start, state.drop_fired = -math.inf, False
            else:
                if state.drop_start == -math.inf:
                    window = int(value(view, SOCIAL_WINDOW))
                    state.drop_start = at_local(day.number - window + 1, 0.0, view.tz)
                if not state.drop_fired:
                    state.drop_fired = True
                    if not out:  # a week with nothing at all already says it
                        out.append(self._drop_alert(state, drop[0], drop[1], day.close_at, view))
            if cov.status is coverage.Status.DEGRADED:
                out = [_lowered(a, cov) for a in out]
        state.outings = state.contacts = state.events = 0
        state.away = False
        day.advance(t, view.tz, 0.0, 0.0)
        return out

    @staticmethod
    def _outings(act: activity.Activity, start: float, end: float, now: float, view: ResidentView) -> int:
        """Outings of at least ``outing_min_min`` that departed in [start, end), one still under way included."""
        least = 60.0 * value(view, OUTING_MIN)
        n = sum(1 for d, r in activity.outings_between(act, start, end) if r - d >= least)
        gone = activity.out_since(act, now)
        if start <= gone < end and now - gone >= least:
            n += 1
        return n

    def _drop(self, state: SocialState, view: ResidentView) -> tuple[float, float] | None:
        """(recent, usual) outings+contacts per window when they fell enough, else None."""
        window = int(value(view, SOCIAL_WINDOW))
        scores = state.scores
        if window <= 0 or len(scores) < window + value(view, BASELINE_MIN_DAYS):
            return None
        recent = sum(scores[-window:])
        before = scores[:-window]
        usual = sum(before) / len(before) * window
        if usual >= SOCIAL_MIN_BASELINE and recent <= (1.0 - value(view, SOCIAL_DROP)) * usual:
            return recent, usual
        return None

    def _lonely(self, state: SocialState, at: float, view: ResidentView) -> tuple[bool, str, str]:
        if state.lonely_score < 0 or at - state.lonely_at > LONELINESS_VALID_S:
            return False, "", ""
        when = day_clock(state.lonely_at, view.tz)
        score = number(state.lonely_score)
        if state.lonely_score >= value(view, UCLA3_LONELY):
            return (
                True,
                f" Ensomhetsskjema (UCLA-3) {when}: {score} av 9, tyder på ensomhet.",
                f" Loneliness questionnaire (UCLA-3) {when}: {score} of 9, indicating loneliness.",
            )
        return False, f" Ensomhetsskjema (UCLA-3) {when}: {score} av 9.", f" Loneliness questionnaire (UCLA-3) {when}: {score} of 9."

    def _none_alert(self, state: SocialState, at: float, view: ResidentView) -> AlertCandidate:
        run = state.none_run
        _, q_nb, q_en = self._lonely(state, at, view)
        nb = (
            f"Ingen turer ut og ingen besøk, samtaler eller dagsenter registrert på {run.length} dager "
            f"(siden {day_clock(run.start, view.tz)})." + q_nb
        )
        en = (
            f"No outings and no visits, calls or day-centre attendance recorded for {run.length} days "
            f"(since {day_clock(run.start, view.tz)})." + q_en
        )
        return AlertCandidate(
            AlertType.SOCIAL_ISOLATION, Severity.MEDIUM, at, run.start, nb, en,
            {"days_without_contact": run.length}, episode_key="none",
        )

    def _drop_alert(self, state: SocialState, recent: float, usual: float, at: float, view: ResidentView) -> AlertCandidate:
        window = int(value(view, SOCIAL_WINDOW))
        lonely, q_nb, q_en = self._lonely(state, at, view)
        nb = (
            f"Færre turer ut og sosiale kontakter: {number(recent)} de siste {window} dagene, mot vanligvis "
            f"{number(round(usual, 1))} per {window} dager." + q_nb
        )
        en = (
            f"Fewer outings and social contacts: {number(recent)} in the last {window} days, against usually "
            f"{number(round(usual, 1))} per {window} days." + q_en
        )
        return AlertCandidate(
            AlertType.SOCIAL_ISOLATION, Severity.MEDIUM if lonely else Severity.LOW, at, state.drop_start, nb, en,
            {"recent": recent, "usual": round(usual, 2), "window_days": window}, episode_key="drop",
        )

    def dump(self, state: SocialState) -> SocialState:
        return state


def _lowered(a: AlertCandidate, cov: coverage.Coverage) -> AlertCandidate:
    """The alert graded LOW with the coverage reason in its evidence (degraded mode)."""
    return AlertCandidate(
        a.type, Severity.LOW, a.time, a.episode_start, a.evidence_nb + f" Merk: {cov.reason_nb}.",
        a.evidence_en + f" Note: {cov.reason_en}.", a.details, a.episode_key, a.dho_category, a.recipient_hint,
    )
