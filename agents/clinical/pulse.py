"""Pulse, graded by the NEWS2 pulse bands (RCP 2017) and the resident's own baseline.

≥ 131 or ≤ 40 /min is high (act now); 111-130 or 41-50 is medium (act today); a
resting pulse outside 51-90 is low (review at the next round) only when it also
departs from the resident's usual pulse: many older people on beta blockers live
at 50-55, and their usual pulse is not news.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from agents.clinical.baseline import baseline, push
from agents.clinical.episode import HIGH, LOW, MEDIUM, NONE, Episode
from agents.clinical.reading import ReadingDetector, graded_candidate
from agents.clinical.thresholds import (
    BASELINE_MIN,
    POPULATION_PULSE,
    PULSE_BASELINE_DELTA,
    PULSE_HIGH_LOWER,
    PULSE_HIGH_UPPER,
    PULSE_MEDIUM_LOWER,
    PULSE_MEDIUM_UPPER,
    PULSE_NORMAL_HIGH,
    PULSE_NORMAL_LOW,
    value,
)
from agents.clinical.wording import clock, num_en, num_nb
from agents.types import AlertCandidate, ResidentView
from schemas.alerts import AlertType, DetailValue

_WORDS = {
    HIGH: ("svært avvikende puls: vurder nå", "severely abnormal pulse: act now"),
    MEDIUM: ("avvikende puls: vurder i dag", "abnormal pulse: act today"),
    LOW: ("utenfor normalområdet og uvanlig for pasienten: vurder ved neste besøk",
          "outside the normal range and unusual for the patient: review at the next round"),
}


@dataclass(slots=True)
class PulseState:
    """Pulse baseline (readings below medium), newest reading time, episode."""

    ring: list[float] = field(default_factory=list)
    latest: float = 0.0
    episode: Episode = field(default_factory=Episode)


class Pulse(ReadingDetector[PulseState]):
    """Graded pulse: NEWS2 bands for high and medium, departure from baseline for low (RCP NEWS2 2017)."""

    name: ClassVar[str] = "pulse"
    kinds: ClassVar[frozenset[str]] = frozenset({"measurement"})
    state_type = PulseState

    def step(self, state: PulseState, event: Any, t: float, view: ResidentView
             ) -> tuple[PulseState, list[AlertCandidate]]:
        if event.code != "pulse":
            return state, []
        s = state
        if t <= s.latest:
            return s, []
        s.latest = t
        pulse = float(round(event.value))
        base = baseline(s.ring, value(view, BASELINE_MIN), POPULATION_PULSE)
        if pulse >= value(view, PULSE_HIGH_UPPER) or pulse <= value(view, PULSE_HIGH_LOWER):
            rank = HIGH
        elif pulse >= value(view, PULSE_MEDIUM_UPPER) or pulse <= value(view, PULSE_MEDIUM_LOWER):
            rank = MEDIUM
        elif (
            (pulse < value(view, PULSE_NORMAL_LOW) or pulse > value(view, PULSE_NORMAL_HIGH))
            and base is not None
            and abs(pulse - base) >= value(view, PULSE_BASELINE_DELTA)
        ):
            rank = LOW
        else:
            rank = NONE
        if rank < MEDIUM:
            push(s.ring, pulse)
        if rank == NONE:
            s.episode.update(NONE, t)
            return s, []
        w_nb, w_en = _WORDS[rank]
        at = clock(t, view.tz)
        nb = f"Puls {num_nb(pulse)}/min kl. {at} ({w_nb}); pasientens vanlige puls er {num_nb(base or 0.0)}/min."
        en = f"Pulse {num_en(pulse)}/min at {at} ({w_en}); the patient's usual pulse is {num_en(base or 0.0)}/min."
        details: dict[str, DetailValue] = {"pulse_per_min": pulse, "baseline_per_min": base or 0.0}
        return s, graded_candidate(AlertType.PULSE, s.episode, rank, t, nb, en, details)
