"""Fever in frail elderly people, by the updated McGeer criteria (Stone et al. 2012).

Older people often mount a smaller fever, so any of these counts: a single
temperature above 37.8 °C, repeated temperatures above 37.2 °C (two within 24 h),
or a rise of more than 1.1 °C above the resident's own baseline. Medium: act today.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from agents.clinical.baseline import baseline, push
from agents.clinical.episode import MEDIUM, NONE, Episode
from agents.clinical.reading import ReadingDetector, graded_candidate
from agents.clinical.thresholds import (
    BASELINE_MIN,
    FEVER_REPEAT,
    FEVER_REPEAT_WINDOW,
    FEVER_RISE,
    FEVER_SINGLE,
    POPULATION_TEMPERATURE,
    value,
)
from agents.clinical.wording import clock, num_en, num_nb
from agents.types import AlertCandidate, ResidentView
from schemas.alerts import AlertType, DetailValue

RAISED_MAX = 4


@dataclass(slots=True)
class FeverState:
    """Temperature baseline (normal readings), times of recent raised readings, newest time, episode."""

    ring: list[float] = field(default_factory=list)
    raised: list[float] = field(default_factory=list)
    latest: float = 0.0
    episode: Episode = field(default_factory=Episode)


class Fever(ReadingDetector[FeverState]):
    """Temperature > 37.8 °C, repeatedly > 37.2 °C, or > 1.1 °C above baseline (McGeer 2012)."""

    name: ClassVar[str] = "fever"
    kinds: ClassVar[frozenset[str]] = frozenset({"measurement"})
    state_type = FeverState

    def step(self, state: FeverState, event: Any, t: float, view: ResidentView
             ) -> tuple[FeverState, list[AlertCandidate]]:
        if event.code != "temperature":
            return state, []
        s = state
        if t <= s.latest:
            return s, []
        s.latest = t
        temp = round(float(event.value), 1)
        single_lim, rep_lim, rise_lim = value(view, FEVER_SINGLE), value(view, FEVER_REPEAT), value(view, FEVER_RISE)
        window = 3600.0 * value(view, FEVER_REPEAT_WINDOW)
        base = baseline(s.ring, value(view, BASELINE_MIN), POPULATION_TEMPERATURE)
        s.raised = [r for r in s.raised if r >= t - window]
        if temp > rep_lim:
            s.raised.append(t)
            del s.raised[:-RAISED_MAX]
        why_nb: list[str] = []
        why_en: list[str] = []
        if temp > single_lim:
            why_nb.append(f"over {num_nb(single_lim, 1)} °C")
            why_en.append(f"above {num_en(single_lim, 1)} °C")
        if temp > rep_lim and len(s.raised) >= 2:
            hours = (t - s.raised[0]) / 3600.0
            why_nb.append(f"{len(s.raised)} målinger over {num_nb(rep_lim, 1)} °C siste {num_nb(hours)} timer")
            why_en.append(f"{len(s.raised)} readings above {num_en(rep_lim, 1)} °C in the last {num_en(hours)} h")
        rise = round(temp - base, 2) if base is not None else 0.0
        if base is not None and rise > rise_lim:
            why_nb.append(f"{num_nb(rise, 1)} °C over pasientens vanlige {num_nb(base, 1)} °C")
            why_en.append(f"{num_en(rise, 1)} °C above the patient's usual {num_en(base, 1)} °C")
        if not why_nb:
            push(s.ring, temp)
            s.episode.update(NONE, t)
            return s, []
        at = clock(t, view.tz)
        nb = (f"Temperatur {num_nb(temp, 1)} °C kl. {at}: {', '.join(why_nb)}. "
              "Mulig infeksjon hos skrøpelig eldre: vurder i dag.")
        en = (f"Temperature {num_en(temp, 1)} °C at {at}: {', '.join(why_en)}. "
              "Possible infection in a frail older person: act today.")
        details: dict[str, DetailValue] = {"temperature_c": temp, "raised_readings": len(s.raised)}
        if base is not None:
            details["baseline_c"] = base
        return s, graded_candidate(AlertType.FEVER, s.episode, MEDIUM, t, nb, en, details)
