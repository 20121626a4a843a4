"""Injected episodes (what goes wrong in a home) and the ground truth they leave.

An episode is decided before any event is drawn: its kind, its onset (local day
and second) and its parameters. Daily life and the DHO generator then bend the
day around it, and :func:`truth` states what a perfect detector would report:
the alert type, the clinically meaningful onset and the end.

Magnitudes follow the clinical picture rather than the detectors: a heart-failure
decompensation adds 0.7-1.0 kg a day (ESC 2021 heart-failure guideline: >2 kg in
3 days calls for action), a COPD exacerbation lowers SpO2 by 3-7 points and raises
the CAT score by 4-10 (a rise of 2 is the minimal important difference), a fall
leaves a person on the bathroom floor for 50-150 minutes before help arrives.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from schemas.alerts import AlertType
from schemas.care import Programme
from sim.calendar import Calendar
from sim.fastjson import iso_utc
from sim.homes import HOUR, MINUTE, Home
from sim.routine import day_clock


class EpisodeKind(StrEnum):
    BATHROOM_FALL = "bathroom_fall"
    SAFETY_ALARM = "safety_alarm"
    NO_MORNING_ACTIVITY = "no_morning_activity"
    NIGHT_WANDERING = "night_wandering"
    NOCTURIA = "nocturia"
    ACTIVITY_DECLINE = "activity_decline"
    SOCIAL_WITHDRAWAL = "social_withdrawal"
    HF_DECOMPENSATION = "hf_decompensation"
    COPD_EXACERBATION = "copd_exacerbation"
    FEVER = "fever"  # an infection: fever with a rising NEWS2 (pulse, respiration, SpO2)
    HYPERTENSIVE_CRISIS = "hypertensive_crisis"
    TACHYCARDIA = "tachycardia"
    BRADYCARDIA = "bradycardia"
    HYPOGLYCAEMIA = "hypoglycaemia"
    HYPERGLYCAEMIA = "hyperglycaemia"
    DEPRESSION = "depression"
    WEIGHT_LOSS = "weight_loss"
    DEHYDRATION = "dehydration"
    MISSED_MEDICATION = "missed_medication"
    MISSED_MEASUREMENTS = "missed_measurements"
    DEAD_SENSOR = "dead_sensor"
    BATTERY_DEATH = "battery_death"


@dataclass(frozen=True, slots=True)
class Episode:
    """One injected episode of one resident.

    ``day``/``at``: local day index and second of the onset. ``days``: days
    affected (gradual and clinical episodes). ``duration``: seconds (fall lie
    time, wandering, device silence, time to help). ``magnitude``: kind-specific
    size (kg a day, SpO2 points, degrees, activity factor at the end).
    """

    kind: EpisodeKind
    day: int
    at: int = 0
    days: int = 1
    duration: int = 0
    magnitude: float = 0.0
    device: str | None = None
    detected: bool = False  # fall: the fall detector reports it
    alarm_after: int | None = None  # fall: seconds until the resident presses the alarm
    session_at: int | None = None  # clinical: time of the last day's measurement session

    @property
    def last_day(self) -> int:
        return self.day + self.days - 1


@dataclass(frozen=True, slots=True)
class Lapse:
    """An everyday lapse on one day worth a ground-truth line (a forgotten dose, a skipped measurement).

    ``kind`` is an AlertType value; ``at`` the local second it became a lapse (dose or due time).
    """

    kind: str
    at: int


@dataclass(frozen=True, slots=True)
class TruthRecord:
    """What a perfect detector reports for an episode (one row of truth.jsonl)."""

    resident_id: str
    type: AlertType
    start: int
    end: int
    episode: str
    also: tuple[AlertType, ...] = ()
    incidental: bool = False  # a small everyday lapse, not an injected episode
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        row: dict[str, Any] = {
            "resident_id": self.resident_id,
            "type": self.type.value,
            "start": iso_utc(self.start),
            "end": iso_utc(self.end),
            "episode": self.episode,
            "also": [a.value for a in self.also],
        }
        if self.incidental:
            row["incidental"] = True
        if self.details:
            row["details"] = self.details
        return row


SESSION_SPAN = 15 * MINUTE  # a measurement session's readings lie within this after its start
OCCASION_SLACK = 45 * MINUTE  # a session's last occasion is judged up to 30 min after its first reading
RECOVERY_DAYS: dict[str, int] = {"hf_decompensation": 3, "copd_exacerbation": 4}
"""Days an episode's measurements take to return to the usual level after its last day (see vitals.py)."""

DEVICES_THAT_FAIL = ("pir-kitchen", "pir-bathroom", "pir-living_room", "pir-bedroom", "door-exit", "bed", "toilet")

# Relative weights when a resident gets an episode, and the baseline days it needs first.
WEIGHTS: dict[EpisodeKind, float] = {
    EpisodeKind.BATHROOM_FALL: 3.0,
    EpisodeKind.SAFETY_ALARM: 2.0,
    EpisodeKind.NO_MORNING_ACTIVITY: 2.0,
    EpisodeKind.NIGHT_WANDERING: 6.0,
    EpisodeKind.NOCTURIA: 2.0,
    EpisodeKind.ACTIVITY_DECLINE: 1.5,
    EpisodeKind.SOCIAL_WITHDRAWAL: 1.5,
    EpisodeKind.HF_DECOMPENSATION: 8.0,
    EpisodeKind.COPD_EXACERBATION: 8.0,
    EpisodeKind.FEVER: 3.0,
    EpisodeKind.HYPERTENSIVE_CRISIS: 4.0,
    EpisodeKind.TACHYCARDIA: 3.0,
    EpisodeKind.BRADYCARDIA: 2.0,
    EpisodeKind.HYPOGLYCAEMIA: 5.0,
    EpisodeKind.HYPERGLYCAEMIA: 4.0,
    EpisodeKind.DEPRESSION: 6.0,
    EpisodeKind.WEIGHT_LOSS: 4.0,
    EpisodeKind.DEHYDRATION: 4.0,
    EpisodeKind.MISSED_MEDICATION: 2.0,
    EpisodeKind.MISSED_MEASUREMENTS: 2.0,
    EpisodeKind.DEAD_SENSOR: 1.5,
    EpisodeKind.BATTERY_DEATH: 1.5,
}
WARMUP_DAYS: dict[EpisodeKind, int] = {
    EpisodeKind.NOCTURIA: 7,
    EpisodeKind.ACTIVITY_DECLINE: 10,
    EpisodeKind.SOCIAL_WITHDRAWAL: 10,
    EpisodeKind.HF_DECOMPENSATION: 5,
    EpisodeKind.COPD_EXACERBATION: 5,
    EpisodeKind.NO_MORNING_ACTIVITY: 5,
    EpisodeKind.BATTERY_DEATH: 6,
    EpisodeKind.HYPERTENSIVE_CRISIS: 3,
    EpisodeKind.TACHYCARDIA: 3,
    EpisodeKind.BRADYCARDIA: 3,
    EpisodeKind.FEVER: 4,
    EpisodeKind.HYPERGLYCAEMIA: 2,
    EpisodeKind.DEPRESSION: 8,
    EpisodeKind.WEIGHT_LOSS: 2,
    EpisodeKind.DEHYDRATION: 8,
}
MIN_SPAN: dict[EpisodeKind, int] = {
    EpisodeKind.ACTIVITY_DECLINE: 12, EpisodeKind.SOCIAL_WITHDRAWAL: 12, EpisodeKind.DEPRESSION: 8,
    EpisodeKind.WEIGHT_LOSS: 22, EpisodeKind.HYPERGLYCAEMIA: 5,
    # a decompensation or an exacerbation that starts on the last day of the run never shows
    EpisodeKind.HF_DECOMPENSATION: 4, EpisodeKind.COPD_EXACERBATION: 4, EpisodeKind.DEHYDRATION: 3,
}


def applicable(home: Home) -> list[EpisodeKind]:
    """Episode kinds that can happen to ``home`` (programmes and devices permitting)."""
    kinds = [
        EpisodeKind.BATHROOM_FALL,
        EpisodeKind.NO_MORNING_ACTIVITY,
        EpisodeKind.NOCTURIA,
        EpisodeKind.ACTIVITY_DECLINE,
        EpisodeKind.SOCIAL_WITHDRAWAL,
        EpisodeKind.DEAD_SENSOR,
        EpisodeKind.BATTERY_DEATH,
    ]
    if "pendant" in home.devices:
        kinds.append(EpisodeKind.SAFETY_ALARM)
    if Programme.DEMENTIA in home.programmes:
        kinds.append(EpisodeKind.NIGHT_WANDERING)
    if home.measures("weight") and Programme.HEART_FAILURE in home.programmes:
        kinds.append(EpisodeKind.HF_DECOMPENSATION)
    if home.measures("spo2"):
        kinds.append(EpisodeKind.COPD_EXACERBATION)
    if home.measures("temperature"):
        kinds.append(EpisodeKind.FEVER)
    if home.measures("blood_pressure"):
        kinds.append(EpisodeKind.HYPERTENSIVE_CRISIS)
    if home.measures("pulse"):
        kinds += [EpisodeKind.TACHYCARDIA, EpisodeKind.BRADYCARDIA]
    if home.measures("blood_glucose"):
        kinds += [EpisodeKind.HYPOGLYCAEMIA, EpisodeKind.HYPERGLYCAEMIA]
    if home.measures("PHQ9"):
        kinds.append(EpisodeKind.DEPRESSION)
    frail = Programme.FRAIL_ELDERLY in home.programmes or Programme.DEMENTIA in home.programmes
    if frail and home.measures("weight"):
        kinds.append(EpisodeKind.WEIGHT_LOSS)
        if home.habits.bia_scale:
            kinds.append(EpisodeKind.DEHYDRATION)
    if home.dose_times:
        kinds.append(EpisodeKind.MISSED_MEDICATION)
    if home.has_dho:
        kinds.append(EpisodeKind.MISSED_MEASUREMENTS)
    return kinds


def draw(kind: EpisodeKind, home: Home, day: int, rng: random.Random, days_left: int) -> Episode:
    """An episode of ``kind`` starting on ``day`` with realistic random parameters."""
    k = EpisodeKind
    if kind is k.BATHROOM_FALL:
        detected = "fall-radar" in home.devices and rng.random() < 0.85
        alarm = rng.randint(4, 25) * MINUTE if "pendant" in home.devices and rng.random() < 0.35 else None
        lie = rng.randint(50, 80 if detected or alarm else 150) * MINUTE
        at = rng.randint(8 * HOUR, 21 * HOUR) if rng.random() < 0.8 else rng.randint(1 * HOUR, 5 * HOUR)
        return Episode(kind, day, at, duration=lie, detected=detected, alarm_after=alarm)
    if kind is k.SAFETY_ALARM:
        return Episode(kind, day, rng.randint(9 * HOUR, 21 * HOUR), duration=rng.randint(15, 45) * MINUTE)
    if kind is k.NO_MORNING_ACTIVITY:
        return Episode(kind, day, rng.randint(11 * HOUR, 13 * HOUR + 30 * MINUTE))
    if kind is k.NIGHT_WANDERING:
        return Episode(kind, day, rng.randint(1 * HOUR, 4 * HOUR + 30 * MINUTE), duration=rng.randint(20, 90) * MINUTE)
    if kind is k.NOCTURIA:
        return Episode(kind, day, days=min(days_left, rng.randint(4, 7)), magnitude=rng.choice((2, 2, 3, 4)))
    if kind is k.ACTIVITY_DECLINE:
        return Episode(kind, day, days=days_left, magnitude=rng.uniform(0.45, 0.65))
    if kind is k.SOCIAL_WITHDRAWAL:
        return Episode(kind, day, days=days_left, magnitude=rng.uniform(0.05, 0.2))
    if kind is k.HF_DECOMPENSATION:
        return Episode(kind, day, days=min(days_left, rng.randint(3, 5)), magnitude=rng.uniform(0.7, 1.0))
    if kind is k.COPD_EXACERBATION:
        return Episode(kind, day, days=min(days_left, rng.randint(3, 6)), magnitude=rng.uniform(3, 7))
    if kind is k.FEVER:
        return Episode(kind, day, days=min(days_left, rng.randint(2, 3)), magnitude=rng.uniform(38.2, 39.3))
    if kind is k.HYPERTENSIVE_CRISIS:
        # systolic reaches 185-215 (ESH grade 3), diastolic follows at about half the rise
        return Episode(kind, day, days=min(days_left, rng.randint(1, 3)), magnitude=rng.uniform(185, 215))
    if kind is k.TACHYCARDIA:
        # e.g. atrial fibrillation with a fast ventricular rate
        return Episode(kind, day, days=min(days_left, rng.randint(1, 3)), magnitude=rng.uniform(118, 150))
    if kind is k.BRADYCARDIA:
        # e.g. heart block or beta-blocker excess
        return Episode(kind, day, days=min(days_left, rng.randint(1, 2)), magnitude=rng.uniform(32, 40))
    if kind is k.HYPOGLYCAEMIA:
        return Episode(kind, day, days=1, magnitude=rng.uniform(2.2, 3.7))
    if kind is k.HYPERGLYCAEMIA:
        return Episode(kind, day, days=min(days_left, rng.randint(4, 6)), magnitude=rng.uniform(14.5, 19.0))
    if kind is k.DEPRESSION:
        # PHQ-9 moves into the moderately severe range; with thoughts of self-harm (item 9) in about 40 %
        item9 = rng.choice((1, 2)) if rng.random() < 0.4 else 0
        return Episode(kind, day, days=days_left, magnitude=rng.uniform(15, 22), duration=item9)
    if kind is k.WEIGHT_LOSS:
        # unintended loss of 7-10 % over two to three weeks, then stays down
        return Episode(kind, day, days=min(days_left, rng.randint(14, 20)), magnitude=rng.uniform(7, 10))
    if kind is k.DEHYDRATION:
        # body water falls 2.5-4 points and weight 2-3.5 % over two days (gastroenteritis, heat)
        return Episode(kind, day, days=min(days_left, rng.randint(2, 3)), magnitude=rng.uniform(2.5, 4.0))
    if kind is k.MISSED_MEDICATION:
        return Episode(kind, day, rng.choice(home.dose_times))
    if kind is k.MISSED_MEASUREMENTS:
        return Episode(kind, day, days=min(days_left, rng.randint(2, 4)))
    if kind is k.DEAD_SENSOR:
        device = rng.choice(DEVICES_THAT_FAIL)
        return Episode(kind, day, rng.randint(0, 86399), duration=rng.randint(2, 5) * 86400, device=device)
    # battery death: a few days of low battery reports, then silence until replaced
    device = rng.choice([d for d in DEVICES_THAT_FAIL if home.devices.get(d)])
    return Episode(
        kind, day, rng.randint(0, 86399), days=rng.randint(3, 6), duration=rng.randint(1, 4) * 86400, device=device
    )


def plan(home: Home, cal: Calendar, seed: int, rate: float) -> list[Episode]:
    """Random episodes of ``home``: with probability ``rate``, one episode."""
    rng = random.Random(f"tilsyn-sim:{seed}:{home.index}:episodes")  # nosec B311
    if rng.random() >= rate:
        return []
    n_days = cal.day_count
    kinds = applicable(home)
    weights = [WEIGHTS[k] for k in kinds]
    for _ in range(8):
        kind = rng.choices(kinds, weights)[0]
        warmup = min(WARMUP_DAYS.get(kind, 2), max(1, n_days // 3))
        span = MIN_SPAN.get(kind, 1)
        if n_days - warmup < span:
            continue
        day = rng.randint(warmup, n_days - span)
        if kind is EpisodeKind.BATTERY_DEATH:
            day = max(day, warmup)
        return [draw(kind, home, day, rng, n_days - day)]
    return []


def truth(home: Home, episode: Episode, cal: Calendar, seed: int) -> list[TruthRecord]:
    """Ground-truth rows of ``episode`` (usually one; a battery death gives two)."""
    k = EpisodeKind
    rid = home.resident_id
    begin, window_end = cal.window
    onset = cal.epoch(episode.day, episode.at)
    name = episode.kind.value
    T = AlertType

    def clock(day: int) -> tuple[int, int]:
        c = day_clock(home, seed, day, cal.weekday(day))
        return c.wake, c.session

    if episode.kind is k.BATHROOM_FALL:
        also = ((T.FALL_DETECTED,) if episode.detected else ()) + (
            (T.SAFETY_ALARM,) if episode.alarm_after is not None else ()
        )
        return [TruthRecord(rid, T.LONG_BATHROOM_STAY, onset, onset + episode.duration, name, also)]
    if episode.kind is k.SAFETY_ALARM:
        return [TruthRecord(rid, T.SAFETY_ALARM, onset, onset + episode.duration, name)]
    if episode.kind is k.NO_MORNING_ACTIVITY:
        wake, _ = clock(episode.day)
        also = (T.MISSED_MEASUREMENT,) if home.has_dho else ()
        return [TruthRecord(rid, T.NO_MORNING_ACTIVITY, cal.epoch(episode.day, wake), onset, name, also)]
    if episode.kind is k.NIGHT_WANDERING:
        return [TruthRecord(rid, T.NIGHT_WANDERING, onset, onset + episode.duration, name)]
    if episode.kind is k.NOCTURIA:
        wake, _ = clock(episode.last_day)
        return [
            TruthRecord(
                rid, T.NOCTURIA_INCREASE, cal.epoch(episode.day, 0), cal.epoch(episode.last_day, wake), name,
                (T.SLEEP_DISTURBANCE,), details={"extra_visits_per_night": episode.magnitude},
            )
        ]
    if episode.kind in (k.ACTIVITY_DECLINE, k.SOCIAL_WITHDRAWAL):
        alert = T.ACTIVITY_DECLINE if episode.kind is k.ACTIVITY_DECLINE else T.SOCIAL_ISOLATION
        start = max(begin, cal.epoch(episode.day, 0))
        return [TruthRecord(rid, alert, start, window_end, name, details={"final_factor": round(episode.magnitude, 2)})]
    if episode.kind is k.DEPRESSION:
        first = cal.epoch(episode.day, 0)
        rows = [TruthRecord(rid, T.QUESTIONNAIRE_SCORE, first, window_end, name, (T.SELF_HARM_RISK,),
                            details={"phq9": round(episode.magnitude, 1), "item9": episode.duration})]
        if episode.duration:
            rows.append(TruthRecord(rid, T.SELF_HARM_RISK, first, window_end, name, (T.QUESTIONNAIRE_SCORE,)))
        return rows
    if episode.kind is k.WEIGHT_LOSS:
        return [TruthRecord(rid, T.WEIGHT_LOSS, cal.epoch(episode.day, 0), window_end, name, (T.DEHYDRATION,),
                            details={"loss_pct": round(episode.magnitude, 1)})]
    if episode.kind in (k.HF_DECOMPENSATION, k.COPD_EXACERBATION, k.FEVER, k.HYPERTENSIVE_CRISIS, k.TACHYCARDIA,
                        k.BRADYCARDIA, k.HYPOGLYCAEMIA, k.HYPERGLYCAEMIA, k.DEHYDRATION):
        last_session = episode.session_at if episode.session_at is not None else clock(episode.last_day)[1]
        last = cal.epoch(episode.last_day, last_session) + SESSION_SPAN
        first = last - SESSION_SPAN if episode.days == 1 else cal.epoch(episode.day, clock(episode.day)[1])
        # readings of one measuring occasion are judged together, half an hour after the first
        # of them; heart failure and COPD take days to come back to the usual level afterwards
        last += OCCASION_SLACK + RECOVERY_DAYS.get(episode.kind, 0) * 86400
        alert, also = {
            k.HF_DECOMPENSATION: (T.WEIGHT_GAIN, ()),
            k.COPD_EXACERBATION: (T.COPD_SPO2, (T.COPD_CAT_RISE, T.NEWS2)),
            k.FEVER: (T.FEVER, (T.NEWS2,)),
            k.HYPERTENSIVE_CRISIS: (T.BLOOD_PRESSURE, (T.NEWS2,)),
            k.TACHYCARDIA: (T.PULSE, (T.NEWS2,)),
            k.BRADYCARDIA: (T.PULSE, (T.NEWS2,)),
            k.HYPOGLYCAEMIA: (T.BLOOD_GLUCOSE, ()),
            k.HYPERGLYCAEMIA: (T.BLOOD_GLUCOSE, ()),
            k.DEHYDRATION: (T.DEHYDRATION, (T.WEIGHT_LOSS,)),
        }[episode.kind]
        return [TruthRecord(rid, alert, first, last, name, also, details={"magnitude": round(episode.magnitude, 2)})]
    if episode.kind is k.MISSED_MEDICATION:
        return [TruthRecord(rid, T.MISSED_MEDICATION, onset, onset + HOUR, name)]
    if episode.kind is k.MISSED_MEASUREMENTS:
        due = min(e.due_by for e in home.schedule)
        also = ((T.MISSED_QUESTIONNAIRE,) if any(e.kind == "questionnaire" for e in home.schedule) else ()) + (
            (T.INACTIVE_PATIENT,) if episode.days >= 3 else ()
        )
        return [
            TruthRecord(
                rid, T.MISSED_MEASUREMENT, cal.epoch(episode.day, due), cal.epoch(episode.last_day, due), name, also
            )
        ]
    if episode.kind is k.DEAD_SENSOR:
        end = min(window_end, onset + episode.duration)
        return [TruthRecord(rid, T.DEVICE_SILENT, onset, end, name, details={"device": str(episode.device)})]
    low_from = cal.epoch(max(0, episode.day - episode.days), episode.at)
    end = min(window_end, onset + episode.duration)
    device = {"device": str(episode.device)}
    return [
        TruthRecord(rid, T.LOW_BATTERY, max(begin, low_from), onset, name, details=device),
        TruthRecord(rid, T.DEVICE_SILENT, onset, end, name, details=device),
    ]
