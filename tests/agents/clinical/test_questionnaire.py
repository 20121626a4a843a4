"""Questionnaire score above its limit, with per-questionnaire overrides."""

from __future__ import annotations

from agents.clinical.questionnaire import QuestionnaireScore, questionnaire_code
from schemas.alerts import AlertType, Severity
from tests.agents.clinical.helpers import at, care, feed, questionnaire, view


def test_code_normalisation() -> None:
    assert questionnaire_code("PHQ-9") == "phq9"
    assert questionnaire_code("CAT") == "cat"


def test_cat_limit_boundary_and_once_per_episode() -> None:
    det = QuestionnaireScore()
    v = view(care())
    s, found = feed(det, [questionnaire("CAT", 20, at(0), max_score=40)], v)
    assert found == []
    s, found = feed(det, [questionnaire("CAT", 21, at(days=7), max_score=40)], v, s)
    assert [(c.type, c.severity) for c in found] == [(AlertType.QUESTIONNAIRE_SCORE, Severity.MEDIUM)]
    assert "CAT: skår 21 av 40 kl. 09:00, over grensen (≥ 21)" in found[0].evidence_nb
    assert found[0].episode_key == "cat:medium"
    s, again = feed(det, [questionnaire("CAT", 25, at(days=14))], v, s)
    assert again == []


def test_overrides_set_limit_and_severity_even_for_unknown_questionnaires() -> None:
    v = view(care(overrides={"questionnaire_phq9_alert": 10, "questionnaire_phq9_severity": 3,
                             "questionnaire_kccq12_alert": 5}))
    _, found = feed(QuestionnaireScore(), [questionnaire("PHQ-9", 11, at()), questionnaire("KCCQ-12", 6, at())], v)
    assert [c.severity for c in found] == [Severity.HIGH, Severity.MEDIUM]
    assert feed(QuestionnaireScore(), [questionnaire("EQ5D", 99, at())], v)[1] == []
