"""Builders for clinical detector tests: validated DHO events, care contexts and views."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from agents.types import AlertCandidate, Detector, ResidentView
from schemas.care import CareContext, Programme, ScheduledItem
from schemas.events import Medication
from schemas.measurements import BloodPressure, Consciousness, Measurement, QuestionnaireResponse

T0 = datetime(2026, 1, 12, 8, 0, tzinfo=UTC)
"""A Monday morning in winter (Oslo is UTC+1)."""

_ids = itertools.count()


def at(hours: float = 0.0, days: float = 0.0, start: datetime = T0) -> datetime:
    return start + timedelta(hours=hours, days=days)


def care(
    *programmes: Programme,
    schedule: Iterable[ScheduledItem] = (),
    overrides: dict[str, float] | None = None,
    hypercapnic: bool = False,
    specialist: str | None = "hf-clinic",
    presence: str = "home",
    updated: datetime = T0 - timedelta(days=30),
) -> CareContext:
    return CareContext.model_validate({
        "resident_id": "res-001", "municipality": "0301", "home_care_team": "hc-team",
        "response_centre": "rc-oslo", "specialist_unit": specialist, "programmes": tuple(programmes),
        "hypercapnic_respiratory_failure": hypercapnic, "presence": presence,
        "overrides": overrides or {}, "schedule": tuple(schedule), "updated_at": updated,
    })


def view(c: CareContext | None = None) -> ResidentView:
    return ResidentView.of("res-001", c)


def _eid() -> str:
    return f"ev-{next(_ids)}"


def meas(code: str, value: float, when: datetime, unit: str | None = None, on_oxygen: bool | None = None
         ) -> Measurement:
    units = {"spo2": "%", "pulse": "/min", "respiratory_rate": "/min", "temperature": "Cel", "weight": "kg",
             "blood_glucose": "mmol/L", "body_water": "%"}
    data: dict[str, Any] = {"event_id": _eid(), "resident_id": "res-001", "time": when, "code": code,
                            "value": value, "unit": unit or units[code]}
    if on_oxygen is not None:
        data["on_oxygen"] = on_oxygen
    return Measurement.model_validate(data)


def bp(systolic: float, diastolic: float, when: datetime) -> BloodPressure:
    return BloodPressure.model_validate({"event_id": _eid(), "resident_id": "res-001", "time": when,
                                         "systolic": systolic, "diastolic": diastolic})


def acvpu(level: str, when: datetime) -> Consciousness:
    return Consciousness.model_validate({"event_id": _eid(), "resident_id": "res-001", "time": when,
                                         "level": level})


def questionnaire(name: str, score: float, when: datetime, max_score: float | None = None,
                  items: tuple[float, ...] | None = None) -> QuestionnaireResponse:
    return QuestionnaireResponse.model_validate({"event_id": _eid(), "resident_id": "res-001", "time": when,
                                                 "questionnaire": name, "score": score, "max_score": max_score,
                                                 "items": items})


def medication(dose: str, status: str, when: datetime, scheduled: datetime) -> Medication:
    return Medication.model_validate({"event_id": _eid(), "resident_id": "res-001", "time": when,
                                      "device_id": "disp-1", "dose_id": dose, "status": status,
                                      "scheduled_time": scheduled})


def feed(det: Detector[Any], events: Iterable[Any], v: ResidentView, state: Any = None
         ) -> tuple[Any, list[AlertCandidate]]:
    """Step ``det`` through ``events`` (only the kinds it wants), as the engine would."""
    s = det.initial() if state is None else state
    out: list[AlertCandidate] = []
    for e in events:
        if e.kind in det.kinds:
            s, found = det.step(s, e, e.time.timestamp(), v)
            out.extend(found)
    return s, out


def run(det: Detector[Any], events: Iterable[Any], v: ResidentView, state: Any = None, until: datetime | None = None
        ) -> tuple[Any, list[AlertCandidate]]:
    """Feed ``events`` in the given (arrival) order, ticking event time on as the engine does.

    Event time only moves forward: each event ticks the detector to the newest time seen
    before it is stepped, and a last tick runs at ``until`` (default: an hour after the last event).
    """
    s = det.initial() if state is None else state
    out: list[AlertCandidate] = []
    now = -1.0
    for e in events:
        t = e.time.timestamp()
        if now >= 0:
            s, found = det.tick(s, now, v)
            out.extend(found)
        if e.kind in det.kinds:
            s, found = det.step(s, e, t, v)
            out.extend(found)
        now = max(now, t)
    end = until.timestamp() if until is not None else now + 3600.0
    s, found = det.tick(s, end, v)
    out.extend(found)
    return s, out


def roundtrip(det: Detector[Any], state: Any) -> Any:
    """dump → encode → decode, as the state table does."""
    from agents.statecodec import decode, encode

    return decode(encode(det.dump(state)), det.state_type)
