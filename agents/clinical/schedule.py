"""Absence patterns of digital home follow-up: missed measurement, missed questionnaire, inactive patient.

The care plan's schedule names what is expected by which local time on which
weekdays. An item not received on its local day by ``due_by`` + grace is a low
alert ("manglende måling" / "manglende skjemabesvarelse"), once per item per day.
A resident with a schedule or a DHO programme who sends nothing at all for
several days (default 3) is an "inaktiv pasient": medium, call them.

Deadlines are local wall-clock times (Europe/Oslo by default) resolved through
:mod:`agents.localtime`, so they stay right across daylight-saving changes.
Away or in hospital, nothing is expected; watching starts afresh on return.
"""

from __future__ import annotations

import math
from datetime import date
from itertools import pairwise
from typing import Any, ClassVar

import msgspec

from agents.clinical.questionnaire import questionnaire_code
from agents.clinical.thresholds import (
    INACTIVE_DAYS,
    MISSED_MEASUREMENT_GRACE,
    MISSED_QUESTIONNAIRE_GRACE,
    value,
)
from agents.clinical.wording import day_clock_en, day_clock_nb
from agents.localtime import at_local, local_day_number
from agents.statecodec import Stored
from agents.types import AlertCandidate, ResidentView
from schemas.alerts import AlertType, Severity
from schemas.care import Programme, ScheduledItem

DHO_PROGRAMMES = frozenset({Programme.HEART_FAILURE, Programme.COPD, Programme.DIABETES, Programme.HYPERTENSION})
"""Programmes followed through home measurements: silence from them is inactivity."""

MAX_CODES = 16
"""Codes whose newest reading time is remembered."""

_NAMES = {
    "weight": ("vekt", "weight"),
    "spo2": ("oksygenmetning (SpO2)", "oxygen saturation (SpO2)"),
    "pulse": ("puls", "pulse"),
    "respiratory_rate": ("respirasjonsfrekvens", "respiration rate"),
    "temperature": ("temperatur", "temperature"),
    "blood_glucose": ("blodsukker", "blood glucose"),
    "blood_pressure": ("blodtrykk", "blood pressure"),
    "consciousness": ("bevissthetsnivå", "level of consciousness"),
}
_WEEKDAY_NB = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")


def received_key(event: Any) -> str:
    """The key a DHO event satisfies: ``m:<measurement code>`` or ``q:<questionnaire code>``."""
    kind = event.kind
    if kind == "measurement":
        return f"m:{event.code}"
    if kind == "questionnaire":
        return f"q:{questionnaire_code(event.questionnaire)}"
    return f"m:{kind}"  # blood_pressure, consciousness


def _item_keys(item: ScheduledItem) -> tuple[str, str]:
    """(key of the item itself, key of the readings that satisfy it)."""
    rx = f"q:{questionnaire_code(item.code)}" if item.kind == "questionnaire" else f"m:{item.code}"
    return f"{rx}@{item.due_by.strftime('%H:%M')}", rx


def _hours(item: ScheduledItem) -> float:
    d = item.due_by
    return d.hour + d.minute / 60.0 + d.second / 3600.0


class ScheduleState(Stored):
    """Newest reading per code, the schedule's progress per item, and the silence already alerted."""

    received: dict[str, float] = msgspec.field(default_factory=dict)
    last_data: float = 0.0
    """Newest DHO reading of any kind (0: none yet)."""
    anchor: float = 0.0
    """When watching began or resumed (first tick under this plan, or return home)."""
    checked: dict[str, int] = msgspec.field(default_factory=dict)
    """Item key → last local day (ordinal) whose deadline was judged."""
    inactive_from: float = 0.0
    """Start of the silence already alerted as inactive patient (0: none)."""
    plan: float = 0.0
    """``updated_at`` of the care context the state was set up for; another one forces a tick."""
    away: bool = False
    next_at: float | None = None
    """Earliest deadline still to judge (None: nothing pending)."""


def _inactive_limit_days(view: ResidentView) -> float:
    """Days of silence that make a patient inactive: ``inactive_patient_days``, but never less
    than the longest gap the care plan itself allows plus a day (a twice-weekly blood
    pressure is not three days of inactivity)."""
    days = value(view, INACTIVE_DAYS)
    care = view.care
    if care is None or not care.schedule:
        return days
    weekdays = sorted({d for item in care.schedule for d in item.weekdays})
    if not weekdays:
        return days
    gaps = [b - a for a, b in pairwise(weekdays)] + [weekdays[0] + 7 - weekdays[-1]]
    return max(days, max(gaps) + 1.0)


def _watched(view: ResidentView) -> bool:
    care = view.care
    return care is not None and (bool(care.schedule) or not view.programmes.isdisjoint(DHO_PROGRAMMES))


class Schedule:
    """Missed scheduled measurements and questionnaires (low), and inactive patients (medium)."""

    name: ClassVar[str] = "dho_schedule"
    kinds: ClassVar[frozenset[str]] = frozenset({"measurement", "blood_pressure", "consciousness", "questionnaire"})
    ticks: ClassVar[bool] = True
    state_type: ClassVar[type[ScheduleState]] = ScheduleState

    def initial(self) -> ScheduleState:
        return ScheduleState()

    def step(self, state: ScheduleState, event: Any, t: float, view: ResidentView
             ) -> tuple[ScheduleState, list[AlertCandidate]]:
        s = state
        key = received_key(event)
        rx = s.received
        if t > rx.get(key, 0.0):
            rx[key] = t
            if len(rx) > MAX_CODES:
                del rx[min(rx, key=rx.__getitem__)]
        if t > s.last_data:
            s.last_data = t
        return s, []

    def due(self, state: ScheduleState, view: ResidentView) -> float:
        care = view.care
        if care is None or not _watched(view):
            return math.inf
        if state.plan != care.updated_at.timestamp():
            return -math.inf  # a new plan (or presence): set it up at the next chance
        return math.inf if state.next_at is None else state.next_at

    def tick(self, state: ScheduleState, now: float, view: ResidentView
             ) -> tuple[ScheduleState, list[AlertCandidate]]:
        s = state
        care = view.care
        if care is None or not _watched(view):
            return s, []
        tz = view.tz
        today = local_day_number(now, tz)
        plan = care.updated_at.timestamp()
        if plan != s.plan:
            s.plan = plan
            if not view.at_home:
                s.away = True
                s.next_at = None
                return s, []
            restart = s.away or s.anchor == 0.0
            if restart:
                s.anchor, s.away = now, False
            keys = set()
            for item in care.schedule:
                key, _ = _item_keys(item)
                keys.add(key)
                if restart or key not in s.checked:
                    # nothing before now is expected of a plan or item that starts now
                    due_today = at_local(today, _hours(item), tz) + 60.0 * self._grace(item, view)
                    s.checked[key] = today if due_today <= now else today - 1
            for key in [k for k in s.checked if k not in keys]:
                del s.checked[key]
        out: list[AlertCandidate] = []
        self._inactive(s, now, view, out)
        next_at = math.inf
        for item in care.schedule:
            nxt = self._judge(s, item, now, today, view, out)
            if nxt < next_at:
                next_at = nxt
        silence = max(s.last_data, s.anchor)
        if s.inactive_from != silence:
            next_at = min(next_at, silence + 86400.0 * _inactive_limit_days(view))
        s.next_at = None if next_at == math.inf else next_at
        return s, out

    @staticmethod
    def _grace(item: ScheduledItem, view: ResidentView) -> float:
        p = MISSED_QUESTIONNAIRE_GRACE if item.kind == "questionnaire" else MISSED_MEASUREMENT_GRACE
        return value(view, p)

    def _judge(self, s: ScheduleState, item: ScheduledItem, now: float, today: int, view: ResidentView,
               out: list[AlertCandidate]) -> float:
        """Judge the item's deadlines up to ``now``; return its next deadline."""
        tz = view.tz
        key, rx = _item_keys(item)
        hours = _hours(item)
        grace = 60.0 * self._grace(item, view)
        checked = s.checked.get(key, today - 1)
        d = max(checked + 1, today - 1)  # after a long gap only yesterday and today still matter
        while d <= today + 8:
            if date.fromordinal(d).weekday() in item.weekdays:
                due = at_local(d, hours, tz)
                if due + grace > now:
                    return due + grace
                if s.received.get(rx, 0.0) < at_local(d, 0.0, tz):
                    out.append(_missed(item, d, due, now))
            s.checked[key] = d
            d += 1
        return math.inf  # no weekdays at all

    def _inactive(self, s: ScheduleState, now: float, view: ResidentView, out: list[AlertCandidate]) -> None:
        days = _inactive_limit_days(view)
        silence = max(s.last_data, s.anchor)
        if s.inactive_from == silence or now < silence + 86400.0 * days:
            return
        s.inactive_from = silence
        tz = view.tz
        if s.last_data >= s.anchor:
            nb_since = f"siden siste måling {day_clock_nb(silence, tz)}"
            en_since = f"since the last reading on {day_clock_en(silence, tz)}"
        else:
            nb_since = f"siden oppfølgingen startet {day_clock_nb(silence, tz)}"
            en_since = f"since follow-up started on {day_clock_en(silence, tz)}"
        n = (now - silence) / 86400.0
        out.append(AlertCandidate(
            type=AlertType.INACTIVE_PATIENT, severity=Severity.MEDIUM, time=now, episode_start=silence,
            evidence_nb=(f"Inaktiv pasient: ingen målinger eller skjemasvar {nb_since} "
                         f"({n:.0f} døgn; grense {days:g} døgn). Kontakt pasienten i dag."),
            evidence_en=(f"Inactive patient: no measurements or questionnaire responses {en_since} "
                         f"({n:.0f} days; limit {days:g} days). Contact the patient today."),
            details={"silent_days": round(n, 1), "limit_days": days},
        ))

    def dump(self, state: ScheduleState) -> ScheduleState:
        return state


def _missed(item: ScheduledItem, day: int, due: float, now: float) -> AlertCandidate:
    d = date.fromordinal(day)
    by = item.due_by.strftime("%H:%M")
    if item.kind == "questionnaire":
        type_ = AlertType.MISSED_QUESTIONNAIRE
        nb = (f"Manglende skjemabesvarelse: {item.code} var ventet innen kl. {by} {_WEEKDAY_NB[d.weekday()]} "
              f"{d:%d.%m.}, ikke mottatt. Minn pasienten på skjemaet ved neste kontakt.")
        en = (f"Missing questionnaire response: {item.code} was expected by {by} on {d:%A %d %b}, "
              "not received. Remind the patient at the next contact.")
    else:
        type_ = AlertType.MISSED_MEASUREMENT
        name_nb, name_en = _NAMES.get(item.code, (item.code, item.code))
        nb = (f"Manglende måling: {name_nb} var ventet innen kl. {by} {_WEEKDAY_NB[d.weekday()]} "
              f"{d:%d.%m.}, ikke mottatt. Sjekk med pasienten eller utstyret ved neste kontakt.")
        en = (f"Missing measurement: {name_en} was expected by {by} on {d:%A %d %b}, not received. "
              "Check with the patient or the device at the next contact.")
    return AlertCandidate(
        type=type_, severity=Severity.LOW, time=now, episode_start=due, evidence_nb=nb, evidence_en=en,
        details={"code": item.code, "due_by": by, "day": d.isoformat()},
        episode_key=f"{item.kind}:{item.code}:{by}",
    )
