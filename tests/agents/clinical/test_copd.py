"""COPD: low or falling SpO2 and rising CAT."""

from __future__ import annotations

from agents.clinical.copd import Copd
from schemas.alerts import AlertType, Severity
from schemas.care import Programme
from tests.agents.clinical.helpers import at, care, feed, meas, view

COPD = Programme.COPD


def test_spo2_below_88_is_medium_and_88_is_not() -> None:
    v = view(care(COPD))
    assert feed(Copd(), [meas("spo2", 88, at())], v)[1] == []
    _, found = feed(Copd(), [meas("spo2", 87, at())], v)
    assert found[0].type is AlertType.COPD_SPO2 and found[0].severity is Severity.MEDIUM
    assert "under grensen 88 %" in found[0].evidence_nb


def test_only_in_the_copd_programme() -> None:
    assert feed(Copd(), [meas("spo2", 80, at())], view(care()))[1] == []


def test_drop_of_four_from_personal_baseline() -> None:
    v = view(care(COPD))
    warm = [meas("spo2", x, at(days=i)) for i, x in enumerate([94, 95, 94, 93, 94])]
    s, found = feed(Copd(), [*warm, meas("spo2", 91, at(days=5))], v)  # 3 below median 94
    assert found == []
    s, found = feed(Copd(), [meas("spo2", 90, at(days=6))], v, s)  # 4 below
    assert found[0].details["drop_pct"] == 4.0
    assert "4 points below the patient's usual 94 %" in found[0].evidence_en


def test_no_drop_rule_during_warm_up_or_on_oxygen() -> None:
    v = view(care(COPD))
    assert feed(Copd(), [meas("spo2", 96, at(0)), meas("spo2", 90, at(1))], v)[1] == []
    warm = [meas("spo2", 95, at(days=i)) for i in range(5)]
    assert feed(Copd(), [*warm, meas("spo2", 90, at(days=6), on_oxygen=True)], v)[1] == []




def test_hypercapnic_patients_are_low_below_86_as_on_news2_scale_2() -> None:
    v = view(care(Programme.COPD, hypercapnic=True))
    assert feed(Copd(), [meas("spo2", 86, at())], v)[1] == []
    _, found = feed(Copd(), [meas("spo2", 85, at())], v)
    assert found and "below the limit of 86 %" in found[0].evidence_en


def test_below_88_at_the_patients_usual_level_is_not_an_exacerbation() -> None:
    v = view(care(Programme.COPD))
    usual = [meas("spo2", x, at(days=d)) for d, x in enumerate([88, 89, 88, 89, 88])]
    assert feed(Copd(), [*usual, meas("spo2", 87, at(days=5))], v)[1] == []
    _, found = feed(Copd(), [*usual, meas("spo2", 85, at(days=5))], v)
    assert [c.type for c in found] == [AlertType.COPD_SPO2]
