"""Graded blood pressure, fever and pulse with personal baselines."""

from __future__ import annotations

import pytest

from agents.clinical.blood_pressure import BloodPressure
from agents.clinical.fever import Fever
from agents.clinical.pulse import Pulse
from schemas.alerts import AlertType, Severity
from tests.agents.clinical.helpers import at, bp, care, feed, meas, roundtrip, view


@pytest.mark.parametrize(("sys_", "dia", "severity"), [
    (179, 100, None), (180, 100, Severity.MEDIUM), (150, 110, Severity.MEDIUM), (220, 100, Severity.HIGH),
    (91, 60, None), (90, 60, Severity.MEDIUM), (80, 50, Severity.HIGH), (200, 130, Severity.HIGH),
])
def test_blood_pressure_bands(sys_: float, dia: float, severity: Severity | None) -> None:
    _, found = feed(BloodPressure(), [bp(sys_, dia, at())], view(care()))
    assert [c.severity for c in found] == ([severity] if severity else [])


def test_grade_1_alone_is_silent_but_three_in_a_row_is_low() -> None:
    det = BloodPressure()
    v = view(care())
    s, found = feed(det, [bp(150, 85, at(0)), bp(148, 88, at(24))], v)
    assert found == []
    s, found = feed(det, [bp(152, 92, at(48))], v, s)
    assert [c.severity for c in found] == [Severity.LOW]
    assert "3 readings in a row" in found[0].evidence_en and "next round" in found[0].evidence_en


def test_grade_1_departing_from_personal_baseline_is_low() -> None:
    v = view(care())
    normal = [bp(x, 80, at(days=i)) for i, x in enumerate([118, 120, 122, 119, 121])]
    _, found = feed(BloodPressure(), [*normal, bp(145, 85, at(days=6))], v)
    assert found[0].severity is Severity.LOW and found[0].details["baseline_systolic"] == 120


def test_crisis_after_low_escalates_within_one_episode() -> None:
    det = BloodPressure()
    v = view(care())
    s, low = feed(det, [bp(150, 85, at(h)) for h in (0, 1, 2)], v)
    s, crisis = feed(det, [bp(185, 100, at(3))], v, s)
    s2 = roundtrip(det, s)
    assert s2 == s
    assert crisis[0].severity is Severity.MEDIUM and crisis[0].episode_start == low[0].episode_start


def test_fever_single_reading() -> None:
    assert feed(Fever(), [meas("temperature", 37.8, at())], view(care()))[1] == []
    _, found = feed(Fever(), [meas("temperature", 37.9, at())], view(care()))
    assert found[0].type is AlertType.FEVER and found[0].severity is Severity.MEDIUM
    assert "Temperatur 37,9 °C kl. 09:00: over 37,8 °C" in found[0].evidence_nb


def test_fever_repeated_readings_within_24_hours() -> None:
    v = view(care())
    assert feed(Fever(), [meas("temperature", 37.3, at(0)), meas("temperature", 37.3, at(25))], v)[1] == []
    _, found = feed(Fever(), [meas("temperature", 37.3, at(0)), meas("temperature", 37.4, at(20))], v)
    assert len(found) == 1 and found[0].details["raised_readings"] == 2


def test_fever_rise_over_personal_baseline() -> None:
    v = view(care())
    low = [meas("temperature", 36.0, at(days=i)) for i in range(5)]
    s, found = feed(Fever(), [*low, meas("temperature", 37.1, at(days=5))], v)
    assert found == []  # exactly 1.1
    _, found = feed(Fever(), [meas("temperature", 37.2, at(days=6))], v, s)
    assert "1.2 °C above the patient's usual 36.0 °C" in found[0].evidence_en


def test_fever_in_fahrenheit() -> None:
    _, found = feed(Fever(), [meas("temperature", 100.4, at(), unit="[degF]")], view(care()))  # 38.0 °C
    assert found[0].details["temperature_c"] == 38.0


@pytest.mark.parametrize(("pulse", "severity"), [
    (131, Severity.HIGH), (130, Severity.MEDIUM), (111, Severity.MEDIUM), (110, Severity.LOW),
    (41, Severity.MEDIUM), (40, Severity.HIGH), (50, Severity.MEDIUM), (51, None), (90, None),
    (91, Severity.LOW),  # 16 above the population default of 75 while the baseline warms up
])
def test_pulse_bands_with_population_baseline(pulse: float, severity: Severity | None) -> None:
    _, found = feed(Pulse(), [meas("pulse", pulse, at())], view(care()))
    assert [c.severity for c in found] == ([severity] if severity else [])


def test_pulse_outside_normal_but_usual_for_the_patient_is_silent() -> None:
    v = view(care())
    usual = [meas("pulse", x, at(days=i)) for i, x in enumerate([98, 100, 97, 99, 101])]
    s, _ = feed(Pulse(), usual, v)  # warm-up against the population default may flag once
    s, found = feed(Pulse(), [meas("pulse", 104, at(days=5))], v, s)
    assert found == []
    _, found = feed(Pulse(), [meas("pulse", 80, at(days=6)), meas("pulse", 120, at(days=7))], v, s)
    assert [c.severity for c in found] == [Severity.MEDIUM]
