"""Missed measurements and questionnaires from the care-plan schedule, across DST; inactive patients."""

from __future__ import annotations

import math
from datetime import UTC, datetime, time

from agents.clinical.schedule import Schedule, ScheduleState
from agents.types import ResidentView
from schemas.alerts import AlertType, Severity
from schemas.care import Programme, ScheduledItem
from tests.agents.clinical.helpers import care, meas, questionnaire, roundtrip, view


def _utc(y: int, mo: int, d: int, h: int) -> float:
    return datetime(y, mo, d, h, tzinfo=UTC).timestamp()


WEIGHT_10 = ScheduledItem(kind="measurement", code="weight", due_by=time(10, 0))


def _started(items: tuple[ScheduledItem, ...], start: float, overrides: dict[str, float] | None = None
             ) -> tuple[Schedule, ScheduleState, ResidentView]:
    det = Schedule()
    v = view(care(Programme.HEART_FAILURE, schedule=items, overrides=overrides))
    s = det.initial()
    assert det.due(s, v) == -math.inf  # a new plan is set up at the first chance
    s, found = det.tick(s, start, v)
    assert found == []
    return det, s, v


def test_spring_forward_deadline_is_local_time() -> None:
    # Saturday 28 March 2026 noon local; clocks go forward on Sunday 29 March at 02:00
    det, s, v = _started((WEIGHT_10,), _utc(2026, 3, 28, 11))
    deadline = _utc(2026, 3, 29, 9)  # 10:00 CEST (UTC+2) + 60 min grace
    assert det.due(s, v) == deadline
    s, found = det.tick(s, deadline - 1, v)
    assert found == []
    s, found = det.tick(s, deadline, v)
    assert len(found) == 1
    c = found[0]
    assert c.type is AlertType.MISSED_MEASUREMENT and c.severity is Severity.LOW
    assert c.episode_start == _utc(2026, 3, 29, 8)
    assert "Manglende måling: vekt var ventet innen kl. 10:00 søndag 29.03." in c.evidence_nb
    assert det.due(s, v) == _utc(2026, 3, 30, 9)
    assert det.tick(s, deadline + 3600, v)[1] == []  # once per item per day


def test_fall_back_deadline_is_local_time() -> None:
    det, s, v = _started((WEIGHT_10,), _utc(2026, 10, 24, 11))
    deadline = _utc(2026, 10, 25, 10)  # 10:00 CET (UTC+1) + 60 min
    assert det.due(s, v) == deadline
    s, found = det.tick(s, deadline, v)
    assert [c.details["day"] for c in found] == ["2026-10-25"]


def test_measurement_received_that_day_satisfies_the_item() -> None:
    det, s, v = _started((WEIGHT_10,), _utc(2026, 3, 28, 11))
    s, _ = det.step(s, meas("weight", 80, datetime(2026, 3, 29, 6, tzinfo=UTC)), _utc(2026, 3, 29, 6), v)
    s, found = det.tick(s, _utc(2026, 3, 29, 9), v)
    assert found == []
    # yesterday's reading does not count for the next day
    s, found = det.tick(s, _utc(2026, 3, 30, 9), v)
    assert len(found) == 1


def test_weekdays_and_questionnaire_items() -> None:
    cat_mon = ScheduledItem(kind="questionnaire", code="CAT", due_by=time(12, 0), weekdays=(0,))
    det, s, v = _started((cat_mon,), _utc(2026, 1, 13, 12), overrides={"inactive_patient_days": 30})  # Tuesday
    assert det.due(s, v) == _utc(2026, 1, 19, 12)  # next Monday 12:00 CET + 60 min
    s, _ = det.step(s, questionnaire("cat", 12, datetime(2026, 1, 19, 8, tzinfo=UTC)), _utc(2026, 1, 19, 8), v)
    assert det.tick(s, _utc(2026, 1, 19, 12), v)[1] == []
    s, found = det.tick(s, _utc(2026, 1, 26, 12), v)
    assert [c.type for c in found] == [AlertType.MISSED_QUESTIONNAIRE]
    assert "CAT was expected by 12:00 on Monday 26 Jan" in found[0].evidence_en


def test_item_due_later_today_when_the_plan_starts_is_expected_today() -> None:
    det, s, v = _started((WEIGHT_10,), _utc(2026, 1, 12, 7))  # 08:00 local, before 10:00
    assert det.due(s, v) == _utc(2026, 1, 12, 10)


def test_inactive_patient_after_three_days_of_silence() -> None:
    start = _utc(2026, 1, 12, 7)
    det, s, v = _started((), start)
    s, _ = det.step(s, meas("pulse", 70, datetime(2026, 1, 12, 8, tzinfo=UTC)), _utc(2026, 1, 12, 8), v)
    s, _ = det.tick(s, _utc(2026, 1, 12, 9), v)
    assert det.due(s, v) == _utc(2026, 1, 15, 8)
    s = roundtrip(det, s)
    s, found = det.tick(s, _utc(2026, 1, 15, 8), v)
    assert [(c.type, c.severity) for c in found] == [(AlertType.INACTIVE_PATIENT, Severity.MEDIUM)]
    assert found[0].episode_start == _utc(2026, 1, 12, 8)
    assert "ingen målinger eller skjemasvar siden siste måling 12.01. kl. 09:00" in found[0].evidence_nb
    assert det.tick(s, _utc(2026, 1, 16, 8), v)[1] == []
    assert det.due(s, v) == math.inf


def test_a_twice_weekly_plan_is_not_inactivity_after_three_days() -> None:
    bp = ScheduledItem(kind="measurement", code="blood_pressure", due_by=time(10, 0), weekdays=(0, 3))
    start = _utc(2026, 1, 12, 7)  # Monday
    det, s, v = _started((bp,), start)
    s, _ = det.step(s, meas("pulse", 70, datetime(2026, 1, 12, 8, tzinfo=UTC)), _utc(2026, 1, 12, 8), v)
    # Thursday's reading is due 3 days later; silence only counts as inactivity after 4 + 1 days
    s, found = det.tick(s, _utc(2026, 1, 15, 8), v)
    assert [c.type for c in found] == []
    s, found = det.tick(s, _utc(2026, 1, 17, 8), v)
    assert AlertType.INACTIVE_PATIENT in [c.type for c in found]
    assert "grense 5 døgn" in next(c for c in found if c.type is AlertType.INACTIVE_PATIENT).evidence_nb


def test_nothing_expected_while_away_and_watching_restarts_on_return() -> None:
    det, s, _v = _started((WEIGHT_10,), _utc(2026, 1, 12, 11))
    away = view(care(Programme.HEART_FAILURE, schedule=(WEIGHT_10,), presence="hospital",
                     updated=datetime(2026, 1, 12, 12, tzinfo=UTC)))
    s, _ = det.tick(s, _utc(2026, 1, 12, 12), away)
    assert det.due(s, away) == math.inf
    home = view(care(Programme.HEART_FAILURE, schedule=(WEIGHT_10,),
                     updated=datetime(2026, 1, 20, 14, tzinfo=UTC)))
    assert det.due(s, home) == -math.inf
    s, found = det.tick(s, _utc(2026, 1, 20, 14), home)
    assert found == []  # days in hospital are not missed measurements
    assert det.due(s, home) == _utc(2026, 1, 21, 10)


def test_not_watched_without_schedule_or_programme() -> None:
    det = Schedule()
    v = view(care())
    assert det.due(det.initial(), v) == math.inf
    assert det.due(det.initial(), view(None)) == math.inf


def test_long_gap_alerts_only_recent_days() -> None:
    det, s, v = _started((WEIGHT_10,), _utc(2026, 1, 12, 11))
    s, found = det.tick(s, _utc(2026, 1, 22, 11), v)
    missed = [c for c in found if c.type is AlertType.MISSED_MEASUREMENT]
    assert [c.details["day"] for c in missed] == ["2026-01-21", "2026-01-22"]
