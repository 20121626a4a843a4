"""Heart failure: weight gain that suggests fluid retention, and implausible weight jumps.

ESC heart failure guidelines 2021 (self-care): a weight gain of more than 2 kg in
3 days should prompt contact with the heart-failure team. A gain over the 24 h
limit (default 1.5 kg) counts the same. A jump of more than 10 kg within a day is
not fluid but a device or entry error (another person on the scale, a unit
mix-up): it goes to technical support as a data-quality alert and is kept out of
the clinical history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from agents.clinical.episode import MEDIUM, NONE, Episode
from agents.clinical.reading import ReadingDetector, graded_candidate
from agents.clinical.thresholds import HF_GAIN_3D, HF_GAIN_24H, WEIGHT_JUMP, value
from agents.clinical.wording import clock, day_clock_en, day_clock_nb, num_en, num_nb
from agents.types import AlertCandidate, ResidentView
from schemas.alerts import AlertType, DetailValue, RecipientKind, Severity
from schemas.care import Programme

DAY = 86400.0
HISTORY_S = 4 * DAY
"""Readings kept: enough for the 3-day comparison however late the first arrives."""
HISTORY_MAX = 12
AGREE_KG = 2.0
"""Two suspect readings within this of each other are the new truth (e.g. the scale was replaced)."""


@dataclass(slots=True)
class WeightState:
    """Accepted weight readings (time-ordered), a pending suspect reading and the gain episode."""

    ts: list[float] = field(default_factory=list)
    kg: list[float] = field(default_factory=list)
    suspect_t: float = 0.0
    suspect_kg: float = 0.0
    episode: Episode = field(default_factory=Episode)


def _reference(s: WeightState, t: float) -> float | None:
    """Latest accepted weight within 24 h before ``t`` (or after it, for a late reading)."""
    best: float | None = None
    best_gap = DAY
    for ti, ki in zip(s.ts, s.kg, strict=True):
        gap = abs(t - ti)
        if gap <= best_gap:
            best, best_gap = ki, gap
    return best


class WeightGain(ReadingDetector[WeightState]):
    """Weight gain > 2 kg in 3 days or > 1.5 kg in 24 h in the heart-failure programme (ESC HF 2021)."""

    name: ClassVar[str] = "weight_gain"
    kinds: ClassVar[frozenset[str]] = frozenset({"measurement"})
    state_type = WeightState

    def step(self, state: WeightState, event: Any, t: float, view: ResidentView
             ) -> tuple[WeightState, list[AlertCandidate]]:
        if event.code != "weight":
            return state, []
        s = state
        kg = float(event.value)
        if t in s.ts:
            return s, []  # the same reading resent under another event id
        ref = _reference(s, t)
        if ref is not None and abs(kg - ref) > value(view, WEIGHT_JUMP):
            if s.suspect_t and abs(t - s.suspect_t) <= DAY and abs(kg - s.suspect_kg) <= AGREE_KG:
                # two readings agree on the new level: start the history again from them
                s.ts, s.kg = [s.suspect_t, t], [s.suspect_kg, kg]
                s.ts.sort()
                s.suspect_t = s.suspect_kg = 0.0
                s.episode = Episode()
                return s, []
            s.suspect_t, s.suspect_kg = t, kg
            return s, [_data_quality(kg, ref, t, view)]
        # insert in time order (a late reading within the allowed lateness lands in its place)
        i = len(s.ts)
        while i > 0 and s.ts[i - 1] > t:
            i -= 1
        s.ts.insert(i, t)
        s.kg.insert(i, kg)
        is_newest = i == len(s.ts) - 1
        newest = s.ts[-1]
        while s.ts and (s.ts[0] < newest - HISTORY_S or len(s.ts) > HISTORY_MAX):
            del s.ts[0], s.kg[0]
        if not is_newest or not view.follows(Programme.HEART_FAILURE):
            return s, []
        return s, self._judge(s, kg, t, view)

    def _judge(self, s: WeightState, kg: float, t: float, view: ResidentView) -> list[AlertCandidate]:
        lim3, lim1 = value(view, HF_GAIN_3D), value(view, HF_GAIN_24H)
        low3 = low1 = kg
        low3_t = low1_t = t
        for ti, ki in zip(s.ts[:-1], s.kg[:-1], strict=True):
            if ti >= t - 3 * DAY and ki < low3:
                low3, low3_t = ki, ti
            if ti >= t - DAY and ki < low1:
                low1, low1_t = ki, ti
        gain3, gain1 = round(kg - low3, 2), round(kg - low1, 2)
        over3, over1 = gain3 > lim3, gain1 > lim1
        rank = MEDIUM if over3 or over1 else NONE
        if rank == NONE:
            s.episode.update(NONE, t)
            return []
        gain, base, base_t, lim, span_nb, span_en = (
            (gain1, low1, low1_t, lim1, "ett døgn", "24 h") if over1 and not over3
            else (gain3, low3, low3_t, lim3, "3 døgn", "3 days")
        )
        tz = view.tz
        nb = (
            f"Vekt {num_nb(kg, 1)} kg kl. {clock(t, tz)}: {num_nb(gain, 1)} kg mer enn "
            f"{num_nb(base, 1)} kg {day_clock_nb(base_t, tz)} (grense: over {num_nb(lim, 1)} kg på "
            f"{span_nb}). Mulig væskeopphopning ved hjertesvikt: kontakt pasienten i dag."
        )
        en = (
            f"Weight {num_en(kg, 1)} kg at {clock(t, tz)}: {num_en(gain, 1)} kg above "
            f"{num_en(base, 1)} kg on {day_clock_en(base_t, tz)} (limit: over {num_en(lim, 1)} kg in "
            f"{span_en}). Possible fluid retention in heart failure: contact the patient today."
        )
        details: dict[str, DetailValue] = {
            "weight_kg": kg, "gain_3d_kg": gain3, "gain_24h_kg": gain1,
            "limit_3d_kg": lim3, "limit_24h_kg": lim1,
        }
        care = view.care
        hint = RecipientKind.SPECIALIST if care is not None and care.specialist_unit else RecipientKind.HOMECARE
        return graded_candidate(AlertType.WEIGHT_GAIN, s.episode, rank, t, nb, en, details, hint)


def _data_quality(kg: float, ref: float, t: float, view: ResidentView) -> AlertCandidate:
    tz = view.tz
    jump = round(kg - ref, 1)
    nb = (
        f"Vekt {num_nb(kg, 1)} kg kl. {clock(t, tz)} avviker {num_nb(abs(jump), 1)} kg fra forrige måling "
        f"({num_nb(ref, 1)} kg) innen et døgn: trolig feil på vekt eller registrering, ikke brukt klinisk. "
        "Sjekk vekten og hvem som ble veid."
    )
    en = (
        f"Weight {num_en(kg, 1)} kg at {clock(t, tz)} differs by {num_en(abs(jump), 1)} kg from the previous "
        f"reading ({num_en(ref, 1)} kg) within a day: likely a scale or entry error, not used clinically. "
        "Check the scale and who was weighed."
    )
    return AlertCandidate(
        type=AlertType.DATA_QUALITY, severity=Severity.LOW, time=t, episode_start=t,
        evidence_nb=nb, evidence_en=en,
        details={"code": "weight", "value": kg, "reference": ref, "jump_kg": jump},
        episode_key="weight", recipient_hint=RecipientKind.TECHNICAL,
    )
