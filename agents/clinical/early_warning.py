"""NEWS2 from home measurements: the latest value of each vital sign within a window, scored.

Source: Royal College of Physicians, National Early Warning Score (NEWS) 2, 2017.
Aggregate 5-6 or a single parameter scoring 3 is red (act today); 7 or more is
critical (act now). SpO2 scale 2 is used when the care context records hypercapnic
respiratory failure; supplemental oxygen counts when the SpO2 reading reports it.

Two home-care refinements, both stated in the evidence:

- An SpO2 at the patient's own usual level (within 2 points of the median of their
  readings that did not trigger, at least 5 of them) scores as charted but does not
  count towards the trigger: a chronic low saturation on scale 1 is the patient's
  normal, not deterioration (RCP 2017 leaves chronic hypoxaemia to clinical judgement).
- A temperature far below the thermometer's own median
  (``temperature_out_of_character_c``) is not scored until a second reading within
  the measuring occasion agrees with it (``temperature_confirm_c``).

Like every measured parameter, NEWS2 notifies once per local day and again when the
risk band gets worse.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import msgspec

from agents.clinical import news2
from agents.clinical.baseline import median
from agents.clinical.episode import HIGH, MEDIUM, NONE, SEVERITY_OF, Episode, local_day
from agents.clinical.thresholds import (
    NEWS2_HIGH,
    NEWS2_MEDIUM,
    NEWS2_WINDOW_H,
    OCCASION_MIN,
    POPULATION_TEMPERATURE,
    TEMP_CONFIRM,
    TEMP_SURPRISE,
    value,
)
from agents.clinical.wording import clock, num_en, num_nb
from agents.statecodec import Stored
from agents.types import AlertCandidate, ResidentView
from schemas.alerts import AlertType, DetailValue
from schemas.care import Programme

_CODES = frozenset({"respiratory_rate", "spo2", "pulse", "temperature"})

_LABEL = {
    "respiration": ("respirasjonsfrekvens", "respiration rate"),
    "spo2": ("SpO2", "SpO2"),
    "air_or_oxygen": ("oksygentilskudd", "supplemental oxygen"),
    "systolic": ("systolisk blodtrykk", "systolic pressure"),
    "pulse": ("puls", "pulse"),
    "consciousness": ("bevissthet (ACVPU)", "consciousness (ACVPU)"),
    "temperature": ("temperatur", "temperature"),
}


class News2State(Stored):
    """Latest reading of each NEWS2 parameter (time 0.0: never measured) and the open episode."""

    rr_t: float = 0.0
    rr: float = 0.0
    spo2_t: float = 0.0
    spo2: float = 0.0
    o2: int = -1
    """-1 not reported, 0 air, 1 supplemental oxygen (belongs to the SpO2 reading)."""
    sbp_t: float = 0.0
    sbp: float = 0.0
    pulse_t: float = 0.0
    pulse: float = 0.0
    acvpu_t: float = 0.0
    acvpu: str = "A"
    temp_t: float = 0.0
    temp: float = 0.0
    latest: float = 0.0
    spo2_recent: list[float] = msgspec.field(default_factory=list)
    """The resident's last SpO2 readings at their usual level (all of the first five): the median is that level."""
    temp_recent: list[float] = msgspec.field(default_factory=list)
    """The thermometer's last readings (confirmed or ordinary): their median judges an odd one."""
    temp_odd_t: float = 0.0
    temp_odd: float = 0.0
    """An out-of-character temperature waiting for a confirming reading."""
    episode: Episode = msgspec.field(default_factory=Episode)


SPO2_BASELINE_READINGS = 10
TEMP_RING = 10
SPO2_BASELINE_MIN = 5
SPO2_USUAL_WITHIN = 2.0
"""A single red SpO2 score within this many points of the resident's own median is their
usual level, not a change: reviewed at the next round (low) instead of today (medium).
Two points is the stated accuracy of home pulse oximeters (ISO 80601-2-61: ±2 % at 70-100 %)."""


def _usual_spo2(s: News2State, spo2: float | None) -> float | None:
    """The personal SpO2 median when ``spo2`` is the resident's usual level, else None."""
    if spo2 is None or len(s.spo2_recent) < SPO2_BASELINE_MIN:
        return None
    xs = sorted(s.spo2_recent)
    mid = len(xs) // 2
    median = xs[mid] if len(xs) % 2 else (xs[mid - 1] + xs[mid]) / 2
    return median if abs(spo2 - median) <= SPO2_USUAL_WITHIN else None


def _vitals(s: News2State, since: float) -> news2.Vitals:
    spo2_in = s.spo2_t > 0.0 and s.spo2_t >= since
    return news2.Vitals(
        respiratory_rate=s.rr if s.rr_t > 0.0 and s.rr_t >= since else None,
        spo2=s.spo2 if spo2_in else None,
        on_oxygen=(s.o2 == 1) if spo2_in and s.o2 >= 0 else None,
        systolic=s.sbp if s.sbp_t > 0.0 and s.sbp_t >= since else None,
        pulse=s.pulse if s.pulse_t > 0.0 and s.pulse_t >= since else None,
        consciousness=s.acvpu if s.acvpu_t > 0.0 and s.acvpu_t >= since else None,
        temperature=s.temp if s.temp_t > 0.0 and s.temp_t >= since else None,
    )


def _shown(name: str, v: news2.Vitals, nb: bool) -> str:
    n = num_nb if nb else num_en
    if name == "respiration":
        return f"{n(v.respiratory_rate or 0.0)}/min"
    if name == "spo2":
        return f"{n(v.spo2 or 0.0)} %"
    if name == "air_or_oxygen":
        return ("ja" if nb else "yes") if v.on_oxygen else ("nei" if nb else "no")
    if name == "systolic":
        return f"{n(v.systolic or 0.0)} mmHg"
    if name == "pulse":
        return f"{n(v.pulse or 0.0)}/min"
    if name == "consciousness":
        return v.consciousness or "A"
    return f"{n(v.temperature or 0.0, 1)} °C"


def _candidate(sc: news2.News2Score, v: news2.Vitals, rank: int, start: float, now: float,
               view: ResidentView, chronic_spo2: float | None = None, odd_temp: float | None = None
               ) -> AlertCandidate:
    at = clock(now, view.tz)
    parts_nb = ", ".join(f"{_LABEL[k][0]} {_shown(k, v, True)} ({p})" for k, p in sc.parts.items())
    parts_en = ", ".join(f"{_LABEL[k][1]} {_shown(k, v, False)} ({p})" for k, p in sc.parts.items())
    if rank == HIGH:
        head_nb, head_en = "høy risiko – kritisk nivå, vurder nå", "high risk – critical band, act now"
    elif sc.total >= value(view, NEWS2_MEDIUM):
        head_nb, head_en = "middels risiko, vurder i dag", "medium risk, act today"
    else:
        head_nb, head_en = "3 poeng i én parameter, vurder i dag", "3 points in one parameter, act today"
    if rank != HIGH:
        head_nb, head_en = head_nb.replace(", vurder", " – rødt nivå, vurder"), head_en.replace(", act", " – red band, act")
    nb = f"NEWS2 {sc.total} kl. {at} ({head_nb}; standard RCP 2017): {parts_nb}."
    en = f"NEWS2 {sc.total} at {at} ({head_en}; RCP 2017 default): {parts_en}."
    if chronic_spo2 is not None:
        nb += (f" SpO2 på pasientens vanlige nivå ({num_nb(chronic_spo2)} %) er ikke regnet med i utløsningen; "
               "vurder om SpO2-skala 2 gjelder.")
        en += (f" SpO2 at the patient's usual level ({num_en(chronic_spo2)} %) is not counted for the trigger; "
               "review whether SpO2 scale 2 applies.")
    if odd_temp is not None:
        nb += f" En ubekreftet lav temperatur ({num_nb(odd_temp, 1)} °C) er ikke brukt."
        en += f" An unconfirmed low temperature ({num_en(odd_temp, 1)} °C) is not used."
    if sc.scale == 2:
        nb += " SpO2-skala 2 (hyperkapnisk respirasjonssvikt)."
        en += " SpO2 scale 2 (hypercapnic respiratory failure)."
    missing = sc.missing
    if missing:
        nb += " Ikke målt: " + ", ".join(_LABEL[m][0] for m in missing) + "."
        en += " Not measured: " + ", ".join(_LABEL[m][1] for m in missing) + "."
    details: dict[str, DetailValue] = {"news2_score": sc.total, "news2_scale": sc.scale,
                                       "news2_parameters": len(sc.parts)}
    for k, p in sc.parts.items():
        details[f"news2_{k}"] = p
    if missing:
        details["news2_missing"] = ",".join(missing)
    details["band_level"] = "critical" if rank == HIGH else "red"
    details["vkp_severity"] = 40 if rank == HIGH else 30
    return AlertCandidate(
        type=AlertType.NEWS2, severity=SEVERITY_OF[rank], time=now, episode_start=start,
        evidence_nb=nb, evidence_en=en, details=details,
        episode_key=f"{local_day(now, view.tz)}:{SEVERITY_OF[rank].value}",
    )


class News2Detector:
    """NEWS2 aggregate from the latest home measurements (RCP NEWS2 2017); medium at 5 or a 3, high at 7."""

    name: ClassVar[str] = "news2"
    kinds: ClassVar[frozenset[str]] = frozenset({"measurement", "blood_pressure", "consciousness"})
    ticks: ClassVar[bool] = False
    state_type: ClassVar[type[News2State]] = News2State

    def initial(self) -> News2State:
        return News2State()

    def step(self, state: News2State, event: Any, t: float, view: ResidentView
             ) -> tuple[News2State, list[AlertCandidate]]:
        s = state
        kind = event.kind
        if kind == "measurement":
            code = event.code
            if code not in _CODES:
                return s, []
            if code == "spo2":
                if t < s.spo2_t:
                    return s, []
                s.spo2_t, s.spo2 = t, event.value
                s.o2 = -1 if event.on_oxygen is None else int(event.on_oxygen)
            elif code == "pulse":
                if t < s.pulse_t:
                    return s, []
                s.pulse_t, s.pulse = t, event.value
            elif code == "respiratory_rate":
                if t < s.rr_t:
                    return s, []
                s.rr_t, s.rr = t, event.value
            else:
                if t < s.temp_t or t < s.temp_odd_t:
                    return s, []
                if not _accept_temperature(s, float(event.value), t, view):
                    return s, []
        elif kind == "blood_pressure":
            if t < s.sbp_t:
                return s, []
            s.sbp_t, s.sbp = t, event.systolic
        else:
            if t < s.acvpu_t:
                return s, []
            s.acvpu_t, s.acvpu = t, event.level
        if t > s.latest:
            s.latest = t
        now = s.latest
        v = _vitals(s, now - 3600.0 * value(view, NEWS2_WINDOW_H))
        care = view.care
        sc = news2.score(v, scale2=care is not None and care.hypercapnic_respiratory_failure)
        medium, high = value(view, NEWS2_MEDIUM), value(view, NEWS2_HIGH)
        chronic = _usual_spo2(s, v.spo2) if sc.parts.get("spo2", 0) > 0 else None
        trigger = dict(sc.parts)
        if chronic is not None:
            del trigger["spo2"]  # the patient's usual SpO2 scores as charted but does not trigger
        copd = view.follows(Programme.COPD)
        total = sum(trigger.values())
        # in the COPD programme SpO2 alone is the COPD pattern's (GOLD) to judge; it still adds to the total
        single = any(p >= 3 for k, p in trigger.items() if not (copd and k == "spo2"))
        rank = HIGH if total >= high else MEDIUM if total >= medium or single else NONE
        if kind == "measurement" and event.code == "spo2" and (
            len(s.spo2_recent) < SPO2_BASELINE_MIN or _usual_spo2(s, event.value) is not None
        ):
            s.spo2_recent.append(event.value)
            del s.spo2_recent[:-SPO2_BASELINE_READINGS]
        odd = s.temp_odd if s.temp_odd_t > 0.0 and s.temp_odd_t >= now - 3600.0 * value(view, NEWS2_WINDOW_H) else None
        ep = s.episode
        if not ep.update(rank, now, local_day(now, view.tz)) or rank == NONE:
            return s, []
        assert ep.start is not None  # nosec B101 - set by update
        return s, [_candidate(sc, v, rank, ep.start, now, view, chronic, odd)]

    def tick(self, state: News2State, now: float, view: ResidentView) -> tuple[News2State, list[AlertCandidate]]:
        return state, []

    def due(self, state: News2State, view: ResidentView) -> float:
        return math.inf

    def dump(self, state: News2State) -> News2State:
        return state


def _accept_temperature(s: News2State, temp: float, t: float, view: ResidentView) -> bool:
    """Take ``temp`` into the score unless it is an unconfirmed out-of-character low reading."""
    device = median(s.temp_recent) if len(s.temp_recent) >= 3 else POPULATION_TEMPERATURE
    confirmed = (s.temp_odd_t > 0.0 and t - s.temp_odd_t <= 60.0 * value(view, OCCASION_MIN)
                 and abs(temp - s.temp_odd) <= value(view, TEMP_CONFIRM))
    if temp <= device - value(view, TEMP_SURPRISE) and not confirmed:
        s.temp_odd_t, s.temp_odd = t, temp
        return False
    s.temp_odd_t = s.temp_odd = 0.0
    s.temp_recent.append(temp)
    del s.temp_recent[:-TEMP_RING]
    s.temp_t, s.temp = t, temp
    return True
