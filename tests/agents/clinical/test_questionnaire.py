"""Questionnaire codes and limits (applied by the triage detector, see test_triage.py)."""

from __future__ import annotations

from agents.clinical.questionnaire import limit_of, questionnaire_code
from tests.agents.clinical.helpers import care, view


def test_code_normalisation() -> None:
    assert questionnaire_code("PHQ-9") == "phq9"
    assert questionnaire_code("CAT") == "cat"


def test_default_limits_and_bands() -> None:
    v = view(care())
    assert limit_of("cat", v) == (21.0, 1)  # CAT > 20: yellow, to the weekly review
    assert limit_of("phq9", v) == (15.0, 2)  # moderately severe depression: red
    assert limit_of("gad7", v) == (15.0, 2)
    assert limit_of("eq5d", v) is None


def test_overrides_set_limit_and_band_even_for_unknown_questionnaires() -> None:
    v = view(care(overrides={"questionnaire_phq9_alert": 10, "questionnaire_phq9_severity": 3,
                             "questionnaire_kccq12_alert": 5}))
    assert limit_of("phq9", v) == (10, 3)
    assert limit_of("kccq12", v) == (5, 2)
