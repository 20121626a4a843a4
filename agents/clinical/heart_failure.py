"""Weight: gain that suggests fluid retention (heart failure), unintended loss, implausible jumps.

ESC heart failure guidelines 2021 (self-care): a weight gain of more than 2 kg in
3 days should prompt contact with the heart-failure team. A gain over the 24 h
limit (default 1.5 kg) counts the same.

Weight loss (frail elderly and dementia programmes by default, any patient whose plan
sets a loss limit): 5 % or more within 30 days, or 3 % or more within 7 days, is red.
The reference is the highest smoothed *clean* weight in the window: readings that were
themselves part of a gain or a loss are left out, so the fall back to dry weight after
a heart-failure decompensation is not read as loss. Smoothing is the median of the
clean readings within 3.5 days around each, so one heavy reading (clothes, shoes) does
not make a reference. A jump of more than 10 kg within a day is
not fluid but a device or entry error (another person on the scale, a unit
mix-up): it goes to technical support as a data-quality alert and is kept out of
the clinical history.
"""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec

from agents.clinical.bands import frail
from agents.clinical.baseline import median
from agents.clinical.episode import MEDIUM, NONE, Episode
from agents.clinical.reading import ReadingDetector, graded_candidate
from agents.clinical.thresholds import (
    BASELINE_MIN,
    HF_ABOVE_DRY,
    HF_GAIN_3D,
    HF_GAIN_24H,
    WEIGHT_JUMP,
    WEIGHT_LOSS_7D,
    WEIGHT_LOSS_30D,
    value,
)
from agents.clinical.wording import clock, day_clock_en, day_clock_nb, num_en, num_nb
from agents.statecodec import Stored
from agents.types import AlertCandidate, ResidentView
from schemas.alerts import AlertType, DetailValue, RecipientKind, Severity
from schemas.care import Programme

DAY = 86400.0
HISTORY_S = 31 * DAY
"""Readings kept: enough for the 30-day loss and the 3-day gain comparisons."""
HISTORY_MAX = 48
SMOOTH_S = 3.5 * DAY
AGREE_KG = 2.0
"""Two suspect readings within this of each other are the new truth (e.g. the scale was replaced)."""


class WeightState(Stored):
    """Accepted weight readings (time-ordered), a pending suspect reading and the gain episode."""

    ts: list[float] = msgspec.field(default_factory=list)
    kg: list[float] = msgspec.field(default_factory=list)
    clean: list[bool] = msgspec.field(default_factory=list)
    """Per reading: neither gain nor loss (a reference for loss)."""
    suspect_t: float = 0.0
    suspect_kg: float = 0.0
    episode: Episode = msgspec.field(default_factory=Episode)
    loss_episode: Episode = msgspec.field(default_factory=Episode)


def _reference(s: WeightState, t: float) -> float | None:
    """Latest accepted weight within 24 h before ``t`` (or after it, for a late reading)."""
    best: float | None = None
    best_gap = DAY
    for ti, ki in zip(s.ts, s.kg, strict=True):
        gap = abs(t - ti)
        if gap <= best_gap:
            best, best_gap = ki, gap
    return best


class Weight(ReadingDetector[WeightState]):
    """Gain > 2 kg in 3 days or > 1.5 kg in 24 h (heart failure, ESC 2021); loss ≥ 5 %/30 d or ≥ 3 %/7 d."""

    name: ClassVar[str] = "weight"
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
                pair = sorted([(s.suspect_t, s.suspect_kg), (t, kg)])
                s.ts, s.kg, s.clean = [p[0] for p in pair], [p[1] for p in pair], [True, True]
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
        s.clean.insert(i, True)
        is_newest = i == len(s.ts) - 1
        newest = s.ts[-1]
        while s.ts and (s.ts[0] < newest - HISTORY_S or len(s.ts) > HISTORY_MAX):
            del s.ts[0], s.kg[0], s.clean[0]
        if not is_newest:
            return s, []
        out: list[AlertCandidate] = []
        if view.follows(Programme.HEART_FAILURE):
            out = self._judge(s, kg, t, view)
            if s.episode.start is not None:
                s.clean[-1] = False
        if frail(view) or WEIGHT_LOSS_30D.name in view.overrides or WEIGHT_LOSS_7D.name in view.overrides:
            out.extend(self._loss(s, kg, t, view))
        return s, out

    def _loss(self, s: WeightState, kg: float, t: float, view: ResidentView) -> list[AlertCandidate]:
        found: list[tuple[float, float, float, float, str, str]] = []
        for p, span in ((WEIGHT_LOSS_7D, 7 * DAY), (WEIGHT_LOSS_30D, 30 * DAY)):
            ref = _loss_reference(s, t, span)
            if ref is None:
                continue
            ref_kg, ref_t = ref
            pct = round(100.0 * (ref_kg - kg) / ref_kg, 1)
            lim = value(view, p)
            if pct >= lim:
                days = max(1, round((t - ref_t) / DAY))
                found.append((pct, lim, ref_kg, ref_t, f"{days} døgn", f"{days} days"))
        if not found:
            s.loss_episode.update(NONE, t, 0)
            return []
        s.clean[-1] = False
        pct, lim, ref_kg, ref_t, span_nb, span_en = max(found)
        tz = view.tz
        who_nb = "standard for programmet skrøpelige eldre/demens" if frail(view) else "satt i pasientens plan"
        who_en = "default of the frail elderly/dementia programmes" if frail(view) else "set in the patient's plan"
        nb = (f"Vekt {num_nb(kg, 1)} kg kl. {clock(t, tz)}: {num_nb(pct, 1)} % lavere enn {num_nb(ref_kg, 1)} kg "
              f"{day_clock_nb(ref_t, tz)} (vekttap ≥ {num_nb(lim)} % på {span_nb}) – rødt nivå, {who_nb}. "
              "Uønsket vekttap: vurder ernæring, væske og sykdom i dag.")
        en = (f"Weight {num_en(kg, 1)} kg at {clock(t, tz)}: {num_en(pct, 1)} % below {num_en(ref_kg, 1)} kg on "
              f"{day_clock_en(ref_t, tz)} (loss ≥ {num_en(lim)} % within {span_en}) – red band, {who_en}. "
              "Unintended weight loss: assess nutrition, fluids and illness today.")
        details: dict[str, DetailValue] = {"weight_kg": kg, "loss_pct": pct, "limit_pct": lim,
                                           "reference_kg": ref_kg, "band_level": "red", "vkp_severity": 30}
        return graded_candidate(AlertType.WEIGHT_LOSS, s.loss_episode, MEDIUM, t, nb, en, details, tz=tz)

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
        clean = [k for k, ok in zip(s.kg[:-1], s.clean[:-1], strict=True) if ok]
        dry = median(clean) if len(clean) >= value(view, BASELINE_MIN) else None
        lim_dry = value(view, HF_ABOVE_DRY)
        above = round(kg - dry, 2) if dry is not None else 0.0
        over_dry = dry is not None and above > lim_dry
        rank = MEDIUM if over3 or over1 or over_dry else NONE
        if rank == NONE:
            s.episode.update(NONE, t, 0)
            return []
        tz = view.tz
        if over3 or over1:
            gain, base, base_t, lim, span_nb, span_en = (
                (gain1, low1, low1_t, lim1, "ett døgn", "24 h") if over1 and not over3
                else (gain3, low3, low3_t, lim3, "3 døgn", "3 days")
            )
            what_nb = (f"{num_nb(gain, 1)} kg mer enn {num_nb(base, 1)} kg {day_clock_nb(base_t, tz)} "
                       f"(grense: over {num_nb(lim, 1)} kg på {span_nb})")
            what_en = (f"{num_en(gain, 1)} kg above {num_en(base, 1)} kg on {day_clock_en(base_t, tz)} "
                       f"(limit: over {num_en(lim, 1)} kg in {span_en})")
        else:
            assert dry is not None  # nosec B101 - over_dry needs it
            what_nb = (f"{num_nb(above, 1)} kg over pasientens tørrvekt {num_nb(dry, 1)} kg "
                       f"(median av målinger uten økning; grense: over {num_nb(lim_dry, 1)} kg)")
            what_en = (f"{num_en(above, 1)} kg above the patient's dry weight {num_en(dry, 1)} kg "
                       f"(median of readings without gain; limit: over {num_en(lim_dry, 1)} kg)")
        nb = (f"Vekt {num_nb(kg, 1)} kg kl. {clock(t, tz)}: {what_nb} – rødt nivå, standard for programmet "
              "hjertesvikt. Mulig væskeopphopning ved hjertesvikt: kontakt pasienten i dag.")
        en = (f"Weight {num_en(kg, 1)} kg at {clock(t, tz)}: {what_en} – red band, default of the heart failure "
              "programme. Possible fluid retention in heart failure: contact the patient today.")
        details: dict[str, DetailValue] = {
            "weight_kg": kg, "gain_3d_kg": gain3, "gain_24h_kg": gain1,
            "limit_3d_kg": lim3, "limit_24h_kg": lim1, "band_level": "red", "vkp_severity": 30,
        }
        if dry is not None:
            details["dry_weight_kg"] = dry
        care = view.care
        hint = RecipientKind.SPECIALIST if care is not None and care.specialist_unit else RecipientKind.HOMECARE
        return graded_candidate(AlertType.WEIGHT_GAIN, s.episode, rank, t, nb, en, details, hint, tz=tz)


def _loss_reference(s: WeightState, t: float, span: float) -> tuple[float, float] | None:
    """Highest smoothed clean weight within ``span`` before ``t`` (at least a day before), with its time."""
    clean = [(ti, ki) for ti, ki, ok in zip(s.ts[:-1], s.kg[:-1], s.clean[:-1], strict=True) if ok]
    best: tuple[float, float] | None = None
    for ti, _ in clean:
        if not t - span <= ti <= t - DAY * 0.5:
            continue
        smooth = median([k for tj, k in clean if abs(tj - ti) <= SMOOTH_S])
        if best is None or smooth > best[0]:
            best = (smooth, ti)
    return best


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
