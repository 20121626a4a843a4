"""Digital home follow-up (DHO): the day's measurements and questionnaires of one patient.

The patient takes the care plan's measurements in one morning session. Values
are the patient's baseline plus day-to-day variation of the size seen in home
measurements (weight ±0.3 kg, SpO2 ±1 point, pulse ±4/min, temperature ±0.15 °C,
blood pressure ±7/5 mmHg, glucose ±0.9 mmol/L, body water ±0.4 points) plus what an
episode adds. Patients skip a whole day now and then (1 %) and single items more
rarely (0.4 %).

Stable patients vary the way real ones do (``Home.habits``): many take two cuff
readings a minute apart and some have a first reading that runs high (white coat);
some thermometers read low now and then (a single reading 1.6-3 °C below the
truth); and when a device shows an unusual value the patient often measures again a
few minutes later, which confirms a true value and corrects a device slip.
"""

from __future__ import annotations

import random

from sim.effects import DayEffects
from sim.episodes import Episode, EpisodeKind, Lapse
from sim.homes import MINUTE, Home
from sim.records import Recorder
from sim.routine import DayClock

SKIP_DAY = 0.01
SKIP_ITEM = 0.004
LB_PER_KG = 2.20462262

UNITS = {"spo2": "%", "pulse": "/min", "respiratory_rate": "/min", "temperature": "Cel", "blood_glucose": "mmol/L"}
ORDER = ("weight", "blood_pressure", "spo2", "pulse", "respiratory_rate", "temperature", "blood_glucose")
LOW_READING = 0.08
"""Share of readings a low-reading thermometer gets wrong."""
ACUTE = frozenset({
    EpisodeKind.HYPERTENSIVE_CRISIS, EpisodeKind.TACHYCARDIA, EpisodeKind.BRADYCARDIA, EpisodeKind.HYPOGLYCAEMIA,
})
"""One- to three-day episodes whose readings a random skip would make undetectable (and their truth wrong)."""
PULSE_UNITS = ("/min", "/min", "/min", "{beats}/min", "beats/min", "bpm")
"""Spellings pulse devices send (all read as /min)."""


def _absolute(episodes: list[Episode], day: int) -> dict[str, float]:
    """Values an episode sets outright on ``day`` (a crisis pressure, an arrhythmia, a glucose, a PHQ-9)."""
    out: dict[str, float] = {}
    for ep in episodes:
        if day < ep.day:
            continue
        if ep.kind is EpisodeKind.WEIGHT_LOSS:  # the weight stays down after the loss
            out["weight_factor"] = 1.0 - ep.magnitude / 100.0 * min(1.0, (day - ep.day + 1) / ep.days)
            continue
        if day > ep.last_day:
            continue
        k = ep.kind
        if k is EpisodeKind.HYPERTENSIVE_CRISIS:
            out["systolic"] = ep.magnitude
        elif k in (EpisodeKind.TACHYCARDIA, EpisodeKind.BRADYCARDIA):
            out["pulse"] = ep.magnitude
        elif k in (EpisodeKind.HYPOGLYCAEMIA, EpisodeKind.HYPERGLYCAEMIA):
            out["glucose"] = ep.magnitude
        elif k is EpisodeKind.DEPRESSION:
            out["phq9"] = ep.magnitude
            out["item9"] = float(ep.duration)
        elif k is EpisodeKind.DEHYDRATION:
            frac = (day - ep.day + 1) / ep.days
            out["body_water"] = -ep.magnitude * frac
            out["weight_factor"] = 1.0 - 0.009 * ep.magnitude * frac
    return out


def episode_changes(episodes: list[Episode], day: int) -> tuple[dict[str, float], float | None, bool]:
    """Additive changes to vitals on ``day``, a fever temperature if any, and whether a CAT is due extra."""
    d: dict[str, float] = {}
    fever: float | None = None
    extra_cat = False

    def add(key: str, value: float) -> None:
        d[key] = d.get(key, 0.0) + value

    for ep in episodes:
        if day < ep.day:
            continue
        since_end = day - ep.last_day
        if ep.kind is EpisodeKind.HF_DECOMPENSATION:
            # Fluid builds up day by day, then diuretics bring it off over about three days.
            k = day - ep.day + 1 if since_end <= 0 else ep.days * max(0.0, 1 - since_end / 3)
            add("weight", ep.magnitude * k)
            add("pulse", 2.5 * k)
            add("respiratory_rate", 0.6 * k)
        elif ep.kind is EpisodeKind.COPD_EXACERBATION:
            frac = (day - ep.day + 1) / ep.days if since_end <= 0 else max(0.0, 1 - since_end / 4)
            add("spo2", -ep.magnitude * frac)
            add("respiratory_rate", 1.3 * ep.magnitude * frac)
            add("pulse", 3.0 * ep.magnitude * frac)
            add("temperature", 0.4 * frac)
            add("cat", 1.5 * ep.magnitude * frac)
            extra_cat = extra_cat or day == ep.last_day
        elif ep.kind is EpisodeKind.FEVER and since_end <= 1:
            # an infection: fever, about 10 beats a minute per degree, faster breathing, a little less SpO2
            fever = ep.magnitude - 0.25 * (day - ep.day) if since_end <= 0 else 37.4
            add("pulse", 10.0 * (fever - 37.0))
            add("respiratory_rate", 4.0 if since_end <= 0 else 0.0)
            add("spo2", -2.0 if since_end <= 0 else 0.0)
    return d, fever, extra_cat


def session_time(clock: DayClock, episodes: list[Episode], day: int, fx: DayEffects, rng: random.Random) -> int:
    """When the patient measures on ``day``."""
    for ep in episodes:
        if ep.session_at is not None and ep.last_day == day:
            return ep.session_at
    if fx.get_up is not None:
        return fx.get_up + rng.randint(20, 40) * MINUTE
    return clock.session


def follow_up(
    home: Home, day: int, weekday: int, clock: DayClock, episodes: list[Episode], fx: DayEffects,
    rec: Recorder, rng: random.Random,
) -> list[Lapse]:
    """Record the day's DHO measurements and questionnaires; return skipped items as lapses."""
    due = [e for e in home.schedule if weekday in e.weekdays]
    changes, fever, extra_cat = episode_changes(episodes, day)
    fixed = _absolute(episodes, day)
    if extra_cat and not any(e.code == "CAT" for e in due):
        due += [e for e in home.schedule if e.code == "CAT"]
    if "phq9" in fixed and not any(e.code == "PHQ9" for e in due) and day == min(
        ep.day for ep in episodes if ep.kind is EpisodeKind.DEPRESSION
    ):
        due += [e for e in home.schedule if e.code == "PHQ9"]  # a worsening patient answers when it starts
    if not due or fx.skip_dho:
        return []
    # a patient in the middle of an acute episode measures (the draw is made all the same, so
    # every other value of the day stays as it was)
    acute = any(ep.day <= day <= ep.last_day and ep.kind in ACUTE for ep in episodes)
    if rng.random() < SKIP_DAY and not acute:
        return [Lapse("missed_measurement", min(e.due_by for e in due))]
    lapses: list[Lapse] = []
    b = home.baseline
    h = home.habits
    s = session_time(clock, episodes, day, fx, rng)
    codes = {e.code for e in due}
    gauss = rng.gauss
    for code in ORDER:
        if code not in codes:
            continue
        if rng.random() < SKIP_ITEM and not acute:
            lapses.append(Lapse("missed_measurement", next(e.due_by for e in due if e.code == code)))
            continue
        s += rng.randint(40, 150)
        if code == "weight":
            kg = b.weight * fixed.get("weight_factor", 1.0) + changes.get("weight", 0.0) + gauss(0, 0.3)
            if b.weight_unit == "kg":
                rec.measurement(s, "scale", "weight", round(kg, 1), "kg")
            else:
                rec.measurement(s, "scale", "weight", round(kg * LB_PER_KG, 1), "[lb_av]")
            if h.bia_scale:
                water = h.body_water + fixed.get("body_water", 0.0) + gauss(0, 0.4)
                rec.measurement(s + 1, "scale", "body_water", round(water, 1), "%")
        elif code == "blood_pressure":
            true_sys = fixed.get("systolic", b.systolic)
            true_dia = b.diastolic + (true_sys - b.systolic) * 0.5
            day_sys, day_dia = gauss(0, 6), gauss(0, 4)
            for i in range(2 if h.bp_repeats else 1):
                coat = h.white_coat if i == 0 else 0.0
                sys_ = round(true_sys + day_sys + coat + gauss(0, 3))
                dia = round(min(sys_ - 25, true_dia + day_dia + coat / 2 + gauss(0, 2)))
                rec.blood_pressure(s, float(sys_), float(dia))
                s += rng.randint(60, 120)
        elif code == "spo2":
            v = min(100, round(b.spo2 + changes.get("spo2", 0.0) + gauss(0, 0.8)))
            rec.measurement(s, "oximeter", "spo2", float(v), "%")
        elif code == "pulse":
            device = "bp-cuff" if "blood_pressure" in codes else "oximeter" if "spo2" in codes else "pulse-meter"
            true = fixed.get("pulse", b.pulse + changes.get("pulse", 0.0))
            unit = PULSE_UNITS[home.index % len(PULSE_UNITS)]
            v = round(true + gauss(0, 4))
            rec.measurement(s, device, "pulse", float(v), unit)
            if not 50 <= v <= 100 and rng.random() < h.remeasure:
                s += rng.randint(90, 300)
                rec.measurement(s, device, "pulse", float(round(true + gauss(0, 3))), unit)
        elif code == "respiratory_rate":
            v = round(b.respiratory_rate + changes.get("respiratory_rate", 0.0) + gauss(0, 1.2))
            rec.measurement(s, "tablet", "respiratory_rate", float(v), "/min")
        elif code == "temperature":
            true = fever if fever is not None else b.temperature + changes.get("temperature", 0.0)
            shown = true + gauss(0, 0.15)
            if h.low_thermometer and rng.random() < LOW_READING:
                shown = true - rng.uniform(1.6, 3.0)
            rec.measurement(s, "thermometer", "temperature", round(shown, 1), "Cel")
            if not 35.8 <= shown <= 37.8 and rng.random() < h.remeasure:
                s += rng.randint(120, 600)
                rec.measurement(s, "thermometer", "temperature", round(true + gauss(0, 0.15), 1), "Cel")
        elif code == "blood_glucose":
            g = fixed.get("glucose")
            value = g + gauss(0, 0.3) if g is not None else max(4.0, b.glucose + gauss(0, 0.9))
            rec.measurement(s, "glucometer", "blood_glucose", round(value, 1), "mmol/L")
            if value < 3.9:  # treats the hypo and checks again 15 minutes later (rule of 15)
                rec.measurement(s + 15 * 60, "glucometer", "blood_glucose", round(rng.uniform(4.5, 6.5), 1), "mmol/L")
    if "CAT" in codes:
        if rng.random() < SKIP_ITEM * 3:
            lapses.append(Lapse("missed_questionnaire", next(e.due_by for e in due if e.code == "CAT")))
        else:
            score = round(min(40.0, max(0.0, b.cat + changes.get("cat", 0.0) + gauss(0, 1.5))))
            rec.questionnaire(s + rng.randint(5, 30) * MINUTE, "CAT", float(score), 40.0)
    if "PHQ9" in codes:
        if rng.random() < SKIP_ITEM * 3:
            lapses.append(Lapse("missed_questionnaire", next(e.due_by for e in due if e.code == "PHQ9")))
        else:
            total = round(min(27.0, max(0.0, fixed.get("phq9", h.phq9) + gauss(0, 1.5))))
            item9 = int(fixed.get("item9", 0.0))
            rec.questionnaire(s + rng.randint(5, 30) * MINUTE, "PHQ-9", float(total), 27.0,
                              items=_phq9_items(total, item9, rng))
    return lapses


def _phq9_items(total: int, item9: int, rng: random.Random) -> tuple[float, ...]:
    """Nine item scores (0-3) that add up to ``total``, item 9 as given."""
    items = [0] * 9
    items[8] = min(item9, total)
    left = total - items[8]
    while left > 0:
        i = rng.randrange(8)
        if items[i] < 3:
            items[i] += 1
            left -= 1
        elif all(x == 3 for x in items[:8]):
            break
    return tuple(float(x) for x in items)
