"""NEWS2 scoring against the RCP 2017 chart: every band boundary and worked examples."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agents.clinical import news2
from agents.clinical.news2 import Vitals


@pytest.mark.parametrize(("rate", "points"), [
    (8, 3), (9, 1), (11, 1), (12, 0), (20, 0), (21, 2), (24, 2), (25, 3), (3, 3), (70, 3),
])
def test_respiration_bands(rate: float, points: int) -> None:
    assert news2.respiration_points(rate) == points


@pytest.mark.parametrize(("spo2", "points"), [(91, 3), (92, 2), (93, 2), (94, 1), (95, 1), (96, 0), (100, 0)])
def test_spo2_scale1_bands(spo2: float, points: int) -> None:
    assert news2.spo2_scale1_points(spo2) == points


@pytest.mark.parametrize(("spo2", "o2", "points"), [
    (83, False, 3), (84, False, 2), (85, False, 2), (86, False, 1), (87, False, 1),
    (88, False, 0), (92, False, 0), (93, False, 0), (99, False, 0),
    (88, True, 0), (92, True, 0), (93, True, 1), (94, True, 1), (95, True, 2), (96, True, 2), (97, True, 3),
])
def test_spo2_scale2_bands(spo2: float, o2: bool, points: int) -> None:
    assert news2.spo2_scale2_points(spo2, o2) == points


@pytest.mark.parametrize(("sbp", "points"), [
    (90, 3), (91, 2), (100, 2), (101, 1), (110, 1), (111, 0), (219, 0), (220, 3),
])
def test_systolic_bands(sbp: float, points: int) -> None:
    assert news2.systolic_points(sbp) == points


@pytest.mark.parametrize(("pulse", "points"), [
    (40, 3), (41, 1), (50, 1), (51, 0), (90, 0), (91, 1), (110, 1), (111, 2), (130, 2), (131, 3),
])
def test_pulse_bands(pulse: float, points: int) -> None:
    assert news2.pulse_points(pulse) == points


@pytest.mark.parametrize(("temp", "points"), [
    (35.0, 3), (35.1, 1), (36.0, 1), (36.1, 0), (38.0, 0), (38.1, 1), (39.0, 1), (39.1, 2),
    (35.04, 3), (38.04, 0), (38.05, 1),
])
def test_temperature_bands(temp: float, points: int) -> None:
    assert news2.temperature_points(temp) == points


def test_consciousness_and_oxygen() -> None:
    assert news2.consciousness_points("A") == 0
    assert all(news2.consciousness_points(x) == 3 for x in "CVPU")
    with pytest.raises(ValueError):
        news2.consciousness_points("X")
    assert news2.oxygen_points(True) == 2
    assert news2.oxygen_points(False) == 0


def test_worked_example_all_normal_scores_zero() -> None:
    s = news2.score(Vitals(16, 97, False, 125, 72, "A", 36.8))
    assert s.total == 0
    assert s.missing == ()
    assert news2.risk(s) == 0


def test_worked_example_medium() -> None:
    # RR 22 (2) + SpO2 95 (1) + air (0) + SBP 105 (1) + pulse 100 (1) + A (0) + 37.0 (0) = 5
    s = news2.score(Vitals(22, 95, False, 105, 100, "A", 37.0))
    assert s.total == 5
    assert s.parts == {"respiration": 2, "spo2": 1, "air_or_oxygen": 0, "systolic": 1, "pulse": 1,
                       "consciousness": 0, "temperature": 0}
    assert news2.risk(s) == 2


def test_worked_example_high() -> None:
    # RR 26 (3) + SpO2 91 on O2 (3 + 2) + SBP 95 (2) + pulse 120 (2) + C (3) + 39.5 (2) = 17
    s = news2.score(Vitals(26, 91, True, 95, 120, "C", 39.5))
    assert s.total == 17
    assert news2.risk(s) == 3


def test_four_is_low_but_single_three_is_medium() -> None:
    four = news2.score(Vitals(respiratory_rate=21, pulse=95, temperature=38.5))  # 2 + 1 + 1
    assert four.total == 4 and news2.risk(four) == 0
    single = news2.score(Vitals(respiratory_rate=16, pulse=135))  # 0 + 3
    assert single.total == 3 and news2.risk(single) == 2


def test_exactly_seven_is_high_and_six_medium() -> None:
    six = news2.score(Vitals(respiratory_rate=22, spo2=93, pulse=112))  # 2 + 2 + 2
    assert six.total == 6 and news2.risk(six) == 2
    seven = news2.score(Vitals(respiratory_rate=22, spo2=93, pulse=112, temperature=38.5))
    assert seven.total == 7 and news2.risk(seven) == 3


def test_scale2_spares_a_copd_patient_at_target() -> None:
    v = Vitals(spo2=89, on_oxygen=False)
    assert news2.score(v).parts["spo2"] == 3
    assert news2.score(v, scale2=True).parts["spo2"] == 0
    assert news2.score(v, scale2=True).scale == 2


def test_missing_parameters_are_reported_and_oxygen_only_when_reported() -> None:
    s = news2.score(Vitals(spo2=96, pulse=80))
    assert s.missing == ("respiration", "air_or_oxygen", "systolic", "consciousness", "temperature")
    assert "air_or_oxygen" not in s.parts


_vitals = st.builds(
    Vitals,
    st.none() | st.floats(3, 70), st.none() | st.floats(50, 100), st.none() | st.booleans(),
    st.none() | st.floats(50, 300), st.none() | st.floats(20, 250), st.none() | st.sampled_from("ACVPU"),
    st.none() | st.floats(30, 44),
)


@given(_vitals, st.booleans())
def test_total_is_sum_of_parts_and_parts_are_bounded(v: Vitals, scale2: bool) -> None:
    s = news2.score(v, scale2)
    assert s.total == sum(s.parts.values())
    assert all(0 <= p <= 3 for p in s.parts.values())
    assert len(s.parts) + len(s.missing) == 7


@given(_vitals)
def test_adding_a_parameter_never_lowers_the_score(v: Vitals) -> None:
    partial = Vitals(v.respiratory_rate, v.spo2, v.on_oxygen, None, v.pulse, v.consciousness, v.temperature)
    assert news2.score(partial).total <= news2.score(v).total
