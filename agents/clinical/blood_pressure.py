"""Blood pressure, graded by the ESH 2023 classification and NEWS2.

- high (act now): systolic ≥ 220 (NEWS2 3 points) or diastolic ≥ 130, or systolic ≤ 80;
- medium (act today): grade 3 hypertension, systolic ≥ 180 or diastolic ≥ 110 (ESH 2023),
  or systolic ≤ 90 (NEWS2 3 points);
- low (review at the next round): grade 1-2 (systolic 140-179 or diastolic 90-109) only
  when it departs from the resident's own baseline or persists over several readings:
  one raised home reading alone is not a finding. There is no population default
  here: until the resident has a baseline, only persistence counts (ESH 2023 bases
  the diagnosis on repeated readings).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from agents.clinical.baseline import baseline, push
from agents.clinical.episode import HIGH, LOW, MEDIUM, NONE, Episode
from agents.clinical.reading import ReadingDetector, graded_candidate
from agents.clinical.thresholds import (
    BASELINE_MIN,
    BP_BASELINE_RISE,
    BP_CRISIS_DIA,
    BP_CRISIS_SYS,
    BP_GRADE1_DIA,
    BP_GRADE1_SYS,
    BP_LOW_SYS,
    BP_PERSIST,
    BP_SEVERE_DIA,
    BP_SEVERE_SYS,
    BP_VERY_LOW_SYS,
    value,
)
from agents.clinical.wording import clock, num_en, num_nb
from agents.types import AlertCandidate, ResidentView
from schemas.alerts import AlertType, DetailValue

_ACTION = {
    HIGH: ("Vurder nå.", "Act now."),
    MEDIUM: ("Vurder i dag.", "Act today."),
    LOW: ("Vurder ved neste besøk.", "Review at the next round."),
}


@dataclass(slots=True)
class BloodPressureState:
    """Systolic baseline (readings below grade 3), newest reading time, raised-reading run, episode."""

    ring: list[float] = field(default_factory=list)
    latest: float = 0.0
    run: int = 0
    """Consecutive grade 1-2 readings up to the newest."""
    episode: Episode = field(default_factory=Episode)


class BloodPressure(ReadingDetector[BloodPressureState]):
    """Graded blood pressure: crisis or low pressure medium/high, persistent or unusual grade 1-2 low (ESH 2023)."""

    name: ClassVar[str] = "blood_pressure"
    kinds: ClassVar[frozenset[str]] = frozenset({"blood_pressure"})
    state_type = BloodPressureState

    def step(self, state: BloodPressureState, event: Any, t: float, view: ResidentView
             ) -> tuple[BloodPressureState, list[AlertCandidate]]:
        s = state
        if t <= s.latest:
            return s, []
        s.latest = t
        sys_, dia = float(event.systolic), float(event.diastolic)
        why_nb: list[str] = []
        why_en: list[str] = []
        base: float | None = None
        if sys_ >= value(view, BP_SEVERE_SYS) or dia >= value(view, BP_SEVERE_DIA):
            rank = HIGH
            why_nb.append("svært høyt blodtrykk")
            why_en.append("severely raised pressure")
        elif sys_ <= value(view, BP_VERY_LOW_SYS):
            rank = HIGH
            why_nb.append(f"systolisk {num_nb(value(view, BP_VERY_LOW_SYS))} eller lavere")
            why_en.append(f"systolic {num_en(value(view, BP_VERY_LOW_SYS))} or lower")
        elif sys_ >= value(view, BP_CRISIS_SYS) or dia >= value(view, BP_CRISIS_DIA):
            rank = MEDIUM
            why_nb.append(
                f"grad 3-hypertensjon (≥ {num_nb(value(view, BP_CRISIS_SYS))}/{num_nb(value(view, BP_CRISIS_DIA))})"
            )
            why_en.append(
                f"grade 3 hypertension (≥ {num_en(value(view, BP_CRISIS_SYS))}/{num_en(value(view, BP_CRISIS_DIA))})"
            )
        elif sys_ <= value(view, BP_LOW_SYS):
            rank = MEDIUM
            why_nb.append(f"lavt blodtrykk (systolisk ≤ {num_nb(value(view, BP_LOW_SYS))})")
            why_en.append(f"low pressure (systolic ≤ {num_en(value(view, BP_LOW_SYS))})")
        elif sys_ >= value(view, BP_GRADE1_SYS) or dia >= value(view, BP_GRADE1_DIA):
            s.run += 1
            base = baseline(s.ring, value(view, BASELINE_MIN), None)
            rise = value(view, BP_BASELINE_RISE)
            persist = value(view, BP_PERSIST)
            rank = NONE
            if s.run >= persist:
                rank = LOW
                why_nb.append(f"forhøyet (grad 1-2) ved {s.run} målinger på rad")
                why_en.append(f"raised (grade 1-2) in {s.run} readings in a row")
            if base is not None and sys_ - base >= rise:
                rank = LOW
                why_nb.append(f"systolisk {num_nb(sys_ - base)} over pasientens vanlige {num_nb(base)}")
                why_en.append(f"systolic {num_en(sys_ - base)} above the patient's usual {num_en(base)}")
            push(s.ring, sys_)
        else:
            rank = NONE
            s.run = 0
            push(s.ring, sys_)
        if rank >= MEDIUM:
            s.run = 0
        if rank == NONE:
            s.episode.update(NONE, t)
            return s, []
        act_nb, act_en = _ACTION[rank]
        at = clock(t, view.tz)
        nb = f"Blodtrykk {num_nb(sys_)}/{num_nb(dia)} mmHg kl. {at}: {' og '.join(why_nb)}. {act_nb}"
        en = f"Blood pressure {num_en(sys_)}/{num_en(dia)} mmHg at {at}: {' and '.join(why_en)}. {act_en}"
        details: dict[str, DetailValue] = {"systolic": sys_, "diastolic": dia}
        if base is not None:
            details["baseline_systolic"] = base
        return s, graded_candidate(AlertType.BLOOD_PRESSURE, s.episode, rank, t, nb, en, details)
