"""Traffic-light bands at the published boundary values (ESH 2023, RCP NEWS2 2017, McGeer, ADA)."""

from __future__ import annotations

import pytest

from agents.clinical import bands
from agents.clinical.bands import SEVERITY_OF_LEVEL, VKP_SEVERITY_CODE, Level
from schemas.alerts import Severity
from schemas.care import BandLimits, Programme
from tests.agents.clinical.helpers import care, view

G, Y, R, C = Level.GREEN, Level.YELLOW, Level.RED, Level.CRITICAL


def test_colours_map_onto_alert_severity_and_the_hub_codes() -> None:
    assert SEVERITY_OF_LEVEL == {Y: Severity.LOW, R: Severity.MEDIUM, C: Severity.HIGH}
    assert VKP_SEVERITY_CODE == {G: 10, Y: 20, R: 30, C: 40}


@pytest.mark.parametrize(("sys_", "dia", "name", "level"), [
    (139, 89, "green", G),
    (140, 80, "esh_grade1", Y), (130, 90, "esh_grade1", Y), (159, 99, "esh_grade1", Y),
    (160, 80, "esh_grade2", R), (150, 100, "esh_grade2", R), (179, 109, "esh_grade2", R),
    (180, 80, "esh_grade3", R), (150, 110, "esh_grade3", R), (219, 100, "esh_grade3", R),
    (220, 100, "severe_systolic", C), (170, 130, "severe_diastolic", C),
    (101, 60, "green", G), (100, 60, "lowish_systolic", Y), (91, 60, "lowish_systolic", Y),
    (90, 60, "low_systolic", R), (81, 50, "low_systolic", R), (80, 50, "very_low_systolic", C),
])
def test_blood_pressure_bands_esh_2023_the_higher_of_systolic_and_diastolic(
    sys_: float, dia: float, name: str, level: Level
) -> None:
    v = view(care(Programme.HYPERTENSION))
    b = bands.worse(bands.systolic(v).classify(sys_), bands.diastolic(v).classify(dia))
    assert (b.name, b.level) == (name, level)


def test_grade_2_is_its_own_band_above_grade_1() -> None:
    t = bands.systolic(view(care()))
    g1, g2, g3 = t.classify(150), t.classify(166), t.classify(185)
    assert g1.rank < g2.rank < g3.rank
    assert (g1.level, g2.level, g3.level) == (Y, R, R)
    assert "ESH" in g2.source and "2023" in g2.source


@pytest.mark.parametrize(("pulse", "name", "level"), [
    (40, "news2_3_low", R), (41, "news2_1_low", Y), (50, "news2_1_low", Y), (51, "green", G), (90, "green", G),
    (91, "news2_1_high", Y), (110, "news2_1_high", Y), (111, "news2_2_high", R), (130, "news2_2_high", R),
    (131, "news2_3_high", R),
])
def test_pulse_bands_are_the_news2_chart(pulse: float, name: str, level: Level) -> None:
    b = bands.pulse(view(care())).classify(pulse)
    assert (b.name, b.level) == (name, level)


def test_pulse_41_to_50_ranks_like_91_to_110_one_news2_point() -> None:
    t = bands.pulse(view(care()))
    assert t.classify(45).rank == t.classify(100).rank == 1
    assert t.classify(40).rank == t.classify(131).rank > t.classify(120).rank


@pytest.mark.parametrize(("temp", "level"), [
    (35.0, R), (35.1, Y), (36.0, Y), (36.1, G), (37.9, G), (38.0, R), (39.0, R), (39.1, R),
])
def test_temperature_bands_outside_the_frail_programmes(temp: float, level: Level) -> None:
    assert bands.temperature(view(care(Programme.COPD))).classify(temp).level is level


@pytest.mark.parametrize(("temp", "level"), [(37.2, G), (37.3, Y), (37.8, Y), (37.9, R), (39.1, R)])
def test_temperature_bands_mcgeer_for_frail_elderly_and_dementia(temp: float, level: Level) -> None:
    for p in (Programme.FRAIL_ELDERLY, Programme.DEMENTIA):
        assert bands.temperature(view(care(p))).classify(temp).level is level


def test_high_fever_ranks_above_fever() -> None:
    t = bands.temperature(view(care()))
    assert t.classify(39.1).rank > t.classify(38.5).rank


@pytest.mark.parametrize(("glucose", "name", "level"), [
    (2.9, "hypo_level2", C), (3.0, "hypo_level1", R), (3.8, "hypo_level1", R), (3.9, "green", G),
    (10.0, "green", G), (10.1, "hyper_level1", Y), (13.9, "hyper_level1", Y), (14.0, "hyper_level2", Y),
])
def test_glucose_bands_ada_hypoglycaemia_levels_and_time_in_range(glucose: float, name: str, level: Level) -> None:
    b = bands.blood_glucose(view(care(Programme.DIABETES))).classify(glucose)
    assert (b.name, b.level) == (name, level)


def test_every_default_band_names_its_source() -> None:
    v = view(care(Programme.FRAIL_ELDERLY))
    for table in (bands.systolic(v), bands.diastolic(v), bands.pulse(v), bands.temperature(v),
                  bands.blood_glucose(v)):
        assert table.bands and all(b.source for b in table.bands)
        assert not table.personal and "default" in table.set_by_en


def test_who_set_the_bands_names_the_programme() -> None:
    assert bands.systolic(view(care(Programme.HYPERTENSION))).set_by_en == "default of the hypertension programme"
    assert bands.blood_glucose(view(care(Programme.DIABETES))).set_by_nb == "standard for programmet diabetes"
    assert bands.pulse(view(care())).set_by_en == "default for all programmes"


def test_the_nurses_bands_replace_the_default() -> None:
    limits = BandLimits(green_low=50, green_high=100, yellow_low=45, yellow_high=115, red_low=35, red_high=140)
    c = care().model_copy(update={"bands": {"pulse": limits}})
    t = bands.pulse(view(c))
    assert t.personal and t.set_by_en == "set in the patient's plan"
    assert [t.classify(x).level for x in (100, 101, 115, 116, 140, 141, 50, 49, 45, 44, 35, 34)] == [
        G, Y, Y, R, R, C, G, Y, Y, R, R, C]
    assert bands.systolic(view(c)).personal is False  # only the parameters the nurse set


@pytest.mark.parametrize("limits", [
    {"green_low": 60, "yellow_low": 70},
    {"green_high": 100, "yellow_high": 90},
    {"green_low": 120, "green_high": 100},
    {},
])
def test_band_limits_must_nest(limits: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="band limits"):
        BandLimits(**limits)
