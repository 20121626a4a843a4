"""NEWS2 detector: latest readings within the window, scale 2, once per episode, escalation."""

from __future__ import annotations

from agents.clinical.early_warning import News2Detector
from schemas.alerts import AlertType, Severity
from tests.agents.clinical.helpers import acvpu, at, bp, care, feed, meas, roundtrip, view


def _medium_set(h: float = 0.0) -> list:
    # RR 22 (2) + SpO2 95 (1) + SBP 105 (1) + pulse 100 (1) = 5
    return [meas("respiratory_rate", 22, at(h)), meas("spo2", 95, at(h)), bp(105, 70, at(h)),
            meas("pulse", 100, at(h))]


def test_score_of_five_is_medium_with_parts_in_details() -> None:
    _, found = feed(News2Detector(), _medium_set(), view(care()))
    assert len(found) == 1
    c = found[0]
    assert c.type is AlertType.NEWS2 and c.severity is Severity.MEDIUM
    assert c.details["news2_score"] == 5
    assert c.details["news2_respiration"] == 2 and c.details["news2_pulse"] == 1
    assert c.details["news2_missing"] == "air_or_oxygen,consciousness,temperature"
    assert "NEWS2 5 kl. 09:00" in c.evidence_nb  # 08:00 UTC is 09:00 in Oslo in January
    assert "puls 100/min (1)" in c.evidence_nb
    assert "Not measured: supplemental oxygen, consciousness (ACVPU), temperature" in c.evidence_en


def test_score_of_four_is_silent() -> None:
    events = [meas("respiratory_rate", 22, at()), meas("spo2", 95, at()), meas("pulse", 100, at())]
    assert feed(News2Detector(), events, view(care()))[1] == []


def test_single_parameter_scoring_three_is_medium() -> None:
    _, found = feed(News2Detector(), [acvpu("C", at())], view(care()))
    assert [c.severity for c in found] == [Severity.MEDIUM]
    assert "3 points in one parameter" in found[0].evidence_en


def test_fires_once_per_episode_then_escalates_to_high_with_same_start() -> None:
    det = News2Detector()
    v = view(care())
    s, first = feed(det, _medium_set(), v)
    s, again = feed(det, [meas("pulse", 101, at(0.5))], v, s)
    assert again == []
    s, worse = feed(det, [meas("temperature", 39.5, at(1)), meas("spo2", 93, at(1))], v, s)
    assert [c.severity for c in worse] == [Severity.HIGH]
    assert worse[0].episode_start == first[0].episode_start
    assert worse[0].episode_key != first[0].episode_key


def test_episode_ends_when_score_falls_and_a_new_one_starts_later() -> None:
    det = News2Detector()
    v = view(care())
    s, first = feed(det, _medium_set(), v)
    s, _ = feed(det, [meas("respiratory_rate", 16, at(2)), meas("pulse", 70, at(2)), bp(125, 80, at(2))], v, s)
    assert s.episode.start is None
    s, same_day = feed(det, _medium_set(5), v, s)
    assert same_day == []  # one notice per abnormal day
    s, _ = feed(det, [meas("respiratory_rate", 16, at(7)), meas("pulse", 70, at(7)), bp(125, 80, at(7))], v, s)
    s, next_day = feed(det, _medium_set(24), v, s)
    assert len(next_day) == 1 and next_day[0].episode_start > first[0].episode_start


def test_readings_older_than_the_window_do_not_count() -> None:
    det = News2Detector()
    v = view(care())
    events = [meas("respiratory_rate", 22, at(0)), meas("spo2", 95, at(0)), bp(105, 70, at(0)),
              meas("pulse", 100, at(6.5))]
    assert feed(det, events, v)[1] == []
    override = view(care(overrides={"news2_window_h": 8}))
    assert len(feed(det, events, override)[1]) == 1


def test_scale2_for_hypercapnic_failure() -> None:
    events = [meas("spo2", 88, at(), on_oxygen=False), meas("pulse", 75, at())]
    assert len(feed(News2Detector(), events, view(care()))[1]) == 1  # scale 1: 88 % scores 3
    assert feed(News2Detector(), events, view(care(hypercapnic=True)))[1] == []
    _s, found = feed(News2Detector(), [meas("spo2", 97, at(), on_oxygen=True)], view(care(hypercapnic=True)))
    assert found[0].details["news2_scale"] == 2
    assert found[0].details["news2_spo2"] == 3 and found[0].details["news2_air_or_oxygen"] == 2


def test_supplemental_oxygen_adds_two() -> None:
    events = [meas("respiratory_rate", 21, at()), meas("spo2", 96, at(), on_oxygen=True), meas("pulse", 95, at())]
    _, found = feed(News2Detector(), events, view(care()))  # 2 + 0 + 2 + 1 = 5
    assert found[0].details["news2_score"] == 5


def test_temperature_in_fahrenheit_is_scored_in_celsius() -> None:
    m = meas("temperature", 102.9, at(), unit="[degF]")  # 39.39 °C: 2 points
    assert m.unit == "Cel" and abs(m.value - 39.39) < 0.01
    events = [*_medium_set()[:3], m]  # 2 + 1 + 1 + 2 = 6
    _, found = feed(News2Detector(), events, view(care()))
    assert found[0].details["news2_temperature"] == 2 and found[0].details["news2_score"] == 6
    assert "39,4 °C" in found[0].evidence_nb


def test_late_older_reading_does_not_replace_a_newer_one() -> None:
    det = News2Detector()
    v = view(care())
    s, _ = feed(det, [meas("pulse", 70, at(1))], v)
    s, found = feed(det, [meas("pulse", 135, at(0.9))], v, s)
    assert found == [] and s.pulse == 70


def test_state_round_trips_mid_episode() -> None:
    det = News2Detector()
    v = view(care())
    s, _first = feed(det, _medium_set(), v)
    s2 = roundtrip(det, s)
    assert s2 == s
    _, again = feed(det, [meas("pulse", 102, at(0.5))], v, s2)
    assert again == []


def test_red_spo2_that_is_the_patients_usual_level_does_not_trigger() -> None:
    v = view(care())
    # mornings at 91-92 %: on scale 1 each 91 % is a red score, the chart says act today
    s, found = feed(News2Detector(), [meas("spo2", x, at(days=d)) for d, x in enumerate([91, 91, 92, 91, 91])], v)
    assert [c.severity for c in found] == [Severity.MEDIUM] * 4
    # with five readings 91 % is this patient's usual level: it scores, but does not trigger
    s, found = feed(News2Detector(), [meas("spo2", 93, at(days=5)), meas("spo2", 91, at(days=6))], v, s)
    assert found == []
    # with other parameters it counts in the total shown, and the evidence says it did not trigger
    s, found = feed(News2Detector(), [meas("respiratory_rate", 25, at(0.1, days=6))], v, s)
    assert "not counted for the trigger" in found[0].evidence_en and found[0].details["news2_spo2"] == 3
    # a real drop below the usual level triggers again
    s, found = feed(News2Detector(), [meas("spo2", 93, at(days=7)), meas("spo2", 88, at(days=8))], v, s)
    assert [c.severity for c in found] == [Severity.MEDIUM]


def test_in_the_copd_programme_spo2_alone_is_the_copd_patterns_job() -> None:
    from schemas.care import Programme

    v = view(care(Programme.COPD))
    assert feed(News2Detector(), [meas("spo2", 90, at())], v)[1] == []
    _, found = feed(News2Detector(), [meas("spo2", 90, at()), meas("respiratory_rate", 22, at())], v)
    assert [c.details["news2_score"] for c in found] == [5]


def test_unconfirmed_low_temperature_is_not_scored() -> None:
    v = view(care())
    s, found = feed(News2Detector(), [meas("temperature", 34.5, at())], v)
    assert found == [] and s.temp_t == 0.0
    s, found = feed(News2Detector(), [meas("temperature", 34.7, at(0.1))], v, s)
    assert [c.details["news2_temperature"] for c in found] == [3]  # confirmed by the second reading
