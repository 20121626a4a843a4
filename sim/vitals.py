"""Digital home follow-up (DHO): the day's measurements and questionnaires of one patient.

The patient takes the care plan's measurements in one morning session. Values
are the patient's baseline plus day-to-day variation of the size seen in home
measurements (weight ±0.3 kg, SpO2 ±1 point, pulse ±4/min, temperature ±0.15 °C,
blood pressure ±7/5 mmHg) plus what an episode adds. Patients skip a whole day
now and then (1 %) and single items more rarely (0.4 %).
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
            fever = ep.magnitude - 0.25 * (day - ep.day) if since_end <= 0 else 37.4
            add("pulse", 10.0 * (fever - 37.0))  # about 10 beats a minute per degree
            add("respiratory_rate", 2.0 if since_end <= 0 else 0.0)
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
    if extra_cat and not any(e.code == "CAT" for e in due):
        due += [e for e in home.schedule if e.code == "CAT"]
    if not due or fx.skip_dho:
        return []
    if rng.random() < SKIP_DAY:
        return [Lapse("missed_measurement", min(e.due_by for e in due))]
    lapses: list[Lapse] = []
    b = home.baseline
    s = session_time(clock, episodes, day, fx, rng)
    codes = {e.code for e in due}
    gauss = rng.gauss
    for code in ORDER:
        if code not in codes:
            continue
        if rng.random() < SKIP_ITEM:
            lapses.append(Lapse("missed_measurement", next(e.due_by for e in due if e.code == code)))
            continue
        s += rng.randint(40, 150)
        if code == "weight":
            kg = b.weight + changes.get("weight", 0.0) + gauss(0, 0.3)
            if b.weight_unit == "kg":
                rec.measurement(s, "scale", "weight", round(kg, 1), "kg")
            else:
                rec.measurement(s, "scale", "weight", round(kg * LB_PER_KG, 1), "[lb_av]")
        elif code == "blood_pressure":
            sys_ = round(b.systolic + gauss(0, 7))
            dia = round(min(sys_ - 25, b.diastolic + gauss(0, 5)))
            rec.blood_pressure(s, float(sys_), float(dia))
        elif code == "spo2":
            v = min(100, round(b.spo2 + changes.get("spo2", 0.0) + gauss(0, 0.8)))
            rec.measurement(s, "oximeter", "spo2", float(v), "%")
        elif code == "pulse":
            device = "bp-cuff" if "blood_pressure" in codes else "oximeter" if "spo2" in codes else "pulse-meter"
            v = round(b.pulse + changes.get("pulse", 0.0) + gauss(0, 4))
            rec.measurement(s, device, "pulse", float(v), "/min")
        elif code == "respiratory_rate":
            v = round(b.respiratory_rate + changes.get("respiratory_rate", 0.0) + gauss(0, 1.2))
            rec.measurement(s, "tablet", "respiratory_rate", float(v), "/min")
        elif code == "temperature":
            base = fever if fever is not None else b.temperature + changes.get("temperature", 0.0)
            rec.measurement(s, "thermometer", "temperature", round(base + gauss(0, 0.15), 1), "Cel")
        elif code == "blood_glucose":
            rec.measurement(s, "glucometer", "blood_glucose", round(max(3.0, b.glucose + gauss(0, 0.9)), 1), "mmol/L")
    if "CAT" in codes:
        if rng.random() < SKIP_ITEM * 3:
            lapses.append(Lapse("missed_questionnaire", next(e.due_by for e in due if e.code == "CAT")))
        else:
            score = round(min(40.0, max(0.0, b.cat + changes.get("cat", 0.0) + gauss(0, 1.5))))
            rec.questionnaire(s + rng.randint(5, 30) * MINUTE, "CAT", float(score), 40.0)
    return lapses
