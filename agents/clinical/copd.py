"""COPD: low or falling oxygen saturation (the rising CAT score is triaged in :mod:`agents.clinical.triage`).

GOLD 2024: in COPD a resting SpO2 below 88 % calls for assessment (and is the
oxygen-therapy threshold); a fall of 4 points or more from the patient's usual
level is an early sign of an exacerbation. The CAT (COPD Assessment Test, 0-40)
has a minimal clinically important difference of 2 points (Kon et al. 2014): a
rise of 2 or more above the patient's own baseline is worth a call today.
Readings on supplemental oxygen are judged against the absolute limit only,
since the room-air baseline does not apply to them. A reading below 88 % within 2
points of the patient's own room-air baseline (at least 5 normal readings) is their
usual level, not a change: no notice (a nurse who wants one lowers the limit). For
patients with hypercapnic respiratory failure (a prescribed 88-92 % target, NEWS2 scale
2) the low limit is 86 %, where scale 2 starts giving 2 points.
"""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec

from agents.clinical.baseline import baseline, push
from agents.clinical.early_warning import SPO2_USUAL_WITHIN
from agents.clinical.episode import MEDIUM, NONE, Episode
from agents.clinical.reading import ReadingDetector, graded_candidate
from agents.clinical.thresholds import (
    BASELINE_MIN,
    COPD_SPO2_DROP,
    COPD_SPO2_LOW,
    COPD_SPO2_LOW_SCALE2,
    value,
)
from agents.clinical.wording import clock, num_en, num_nb
from agents.statecodec import Stored
from agents.types import AlertCandidate, ResidentView
from schemas.alerts import AlertType, DetailValue
from schemas.care import Programme


class CopdState(Stored):
    """Room-air SpO2 baseline (normal readings only), newest reading time, the daily-notice episode."""

    spo2_ring: list[float] = msgspec.field(default_factory=list)
    spo2_t: float = 0.0
    spo2_episode: Episode = msgspec.field(default_factory=Episode)


class Copd(ReadingDetector[CopdState]):
    """SpO2 < 88 % or ≥ 4 points below baseline in the COPD programme (GOLD 2024)."""

    name: ClassVar[str] = "copd"
    kinds: ClassVar[frozenset[str]] = frozenset({"measurement"})
    state_type = CopdState

    def step(self, state: CopdState, event: Any, t: float, view: ResidentView
             ) -> tuple[CopdState, list[AlertCandidate]]:
        if not view.follows(Programme.COPD):
            return state, []
        if event.code != "spo2" or t <= state.spo2_t:
            return state, []
        state.spo2_t = t
        return state, self._spo2(state, float(event.value), bool(event.on_oxygen), t, view)

    def _spo2(self, s: CopdState, spo2: float, on_o2: bool, t: float, view: ResidentView
              ) -> list[AlertCandidate]:
        care = view.care
        scale2 = care is not None and care.hypercapnic_respiratory_failure
        low_lim = value(view, COPD_SPO2_LOW_SCALE2 if scale2 else COPD_SPO2_LOW)
        drop_lim = value(view, COPD_SPO2_DROP)
        base = None if on_o2 else baseline(s.spo2_ring, value(view, BASELINE_MIN), None)
        # below the GOLD limit but at the patient's own usual level (within the oximeter's ±2 points,
        # ISO 80601-2-61) is the patient's normal, as for NEWS2 (early_warning.py), not an exacerbation
        usual = base is not None and abs(spo2 - base) <= SPO2_USUAL_WITHIN
        low = spo2 < low_lim and not usual
        drop = round(base - spo2, 1) if base is not None else 0.0
        dropped = base is not None and drop >= drop_lim
        rank = MEDIUM if low or dropped else NONE
        if rank == NONE:
            if not on_o2:
                push(s.spo2_ring, spo2)
            s.spo2_episode.update(NONE, t, 0)
            return []
        at = clock(t, view.tz)
        o2_nb, o2_en = (" på oksygen", " on oxygen") if on_o2 else ("", "")
        why_nb, why_en = [], []
        if low:
            why_nb.append(f"under grensen {num_nb(low_lim)} %")
            why_en.append(f"below the limit of {num_en(low_lim)} %")
        if dropped and base is not None:
            why_nb.append(f"{num_nb(drop)} prosentpoeng under pasientens vanlige {num_nb(base)} %")
            why_en.append(f"{num_en(drop)} points below the patient's usual {num_en(base)} %")
        nb = (f"SpO2 {num_nb(spo2)} %{o2_nb} kl. {at}, " + " og ".join(why_nb)
              + ". Mulig KOLS-forverring: kontakt pasienten i dag.")
        en = (f"SpO2 {num_en(spo2)} %{o2_en} at {at}, " + " and ".join(why_en)
              + ". Possible COPD exacerbation: contact the patient today.")
        details: dict[str, DetailValue] = {"spo2_pct": spo2, "limit_pct": low_lim, "on_oxygen": on_o2}
        if base is not None:
            details["baseline_pct"] = base
            details["drop_pct"] = drop
        return graded_candidate(AlertType.COPD_SPO2, s.spo2_episode, rank, t, nb, en, details, tz=view.tz)
