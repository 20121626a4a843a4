"""Triage: measuring occasions, one notice per abnormal day, worse bands, the weekly review, new signals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from agents.clinical.bands import Level
from agents.clinical.triage import Triage, next_review
from schemas.alerts import AlertType, RecipientKind, Severity
from schemas.care import BandLimits, Programme
from tests.agents.clinical.helpers import at, bp, care, meas, questionnaire, roundtrip, run, view

MIN = 1 / 60


def _types(found: list) -> list[tuple[AlertType, Severity]]:
    return [(c.type, c.severity) for c in found if c.type is not AlertType.REVIEW_DIGEST]


# -- blood pressure ------------------------------------------------------------


def test_worse_band_is_never_hidden_by_an_open_episode() -> None:
    # the case: grade 1 readings, then 166/108 (grade 2) must notify
    events = [bp(150, 92, at(days=d)) for d in range(3)] + [bp(166, 108, at(days=3))]
    _, found = run(Triage(), events, view(care(Programme.HYPERTENSION)))
    assert _types(found) == [(AlertType.BLOOD_PRESSURE, Severity.MEDIUM)]
    c = found[-1]
    assert "Blood pressure 166/108 mmHg at 09:00: ESH grade 2 (≥ 160) – red band, default of the hypertension " \
        "programme." in c.evidence_en
    assert "rødt nivå, standard for programmet hypertensjon" in c.evidence_nb
    assert c.details["band"] == "esh_grade2" and c.details["vkp_severity"] == 30
    assert c.details["band_set_by"] == "default" and "ESH" in str(c.details["band_source"])


def _usual_130(days: int = 3) -> list:
    return [bp(130, 80, at(days=d - days)) for d in range(days)]


def test_one_notice_per_abnormal_day_again_when_worse_and_again_the_next_day() -> None:
    v = view(care())
    events = [*_usual_130(), bp(165, 90, at(0)), bp(168, 92, at(2)), bp(185, 100, at(4)), bp(170, 90, at(6)),
              bp(182, 96, at(days=1))]
    _, found = run(Triage(), events, v)
    notices = [c for c in found if c.type is AlertType.BLOOD_PRESSURE]
    assert [(c.details["band"], c.severity) for c in notices] == [
        ("esh_grade2", Severity.MEDIUM), ("esh_grade3", Severity.MEDIUM), ("esh_grade3", Severity.MEDIUM)]
    assert len({c.episode_key for c in notices}) == 3
    assert notices[0].episode_start == notices[1].episode_start == notices[2].episode_start


def test_repeats_within_30_minutes_are_averaged_as_esh_advises() -> None:
    v = view(care())
    # white coat: the first reading runs high; the mean of the two is grade 1 (yellow, no notice)
    _, found = run(Triage(), [bp(166, 92, at(0)), bp(152, 86, at(2 * MIN))], v)
    assert _types(found) == []
    # a reading 40 minutes later is its own occasion
    _, found = run(Triage(), [*_usual_130(), bp(166, 92, at(0)), bp(152, 86, at(40 * MIN))], v)
    assert [c.details["readings"] for c in found if c.type is AlertType.BLOOD_PRESSURE] == [1]


def test_a_notice_waits_for_the_occasion_but_critical_does_not() -> None:
    det, v = Triage(), view(care())
    s, found = det.step(det.initial(), bp(170, 95, at()), at().timestamp(), v)
    assert found == [] and det.due(s, v) == at(30 * MIN).timestamp()
    s, found = det.step(det.initial(), bp(225, 100, at()), at().timestamp(), v)
    assert [c.severity for c in found] == [Severity.HIGH]
    s, more = det.tick(s, at(1).timestamp(), v)
    assert more == []  # the occasion is judged, but critical was already notified today


def test_grade_2_within_the_patients_own_variation_goes_to_the_weekly_review() -> None:
    v = view(care(Programme.HYPERTENSION))
    events = [bp(x, 85, at(days=d)) for d, x in enumerate([162, 150, 164, 155, 163, 161, 150, 166])]
    s, found = run(Triage(), events, v)
    assert _types(found) == []  # usual about 158: grade 2 days are this patient's spread
    review = [c.evidence_en for c in found if c.type is AlertType.REVIEW_DIGEST]
    assert "ESH grade 2 within the patient's usual variation (" in review[0]
    s, found = run(Triage(), [bp(185, 100, at(days=9))], v, s)
    assert _types(found) == [(AlertType.BLOOD_PRESSURE, Severity.MEDIUM)]  # grade 3 always notifies
    # until three occasions give a usual level, grade 2 is reviewed, and says why
    s, found = run(Triage(), [bp(166, 85, at())], v)
    assert found == [] and "usual level not known yet" in s.review["blood_pressure"].worst_en
    # a grade-2 reading 15 above a usual 145 is a change and notifies
    _, found = run(Triage(), [*(bp(145, 85, at(days=d)) for d in range(3)), bp(160, 85, at(days=3))], v)
    assert _types(found) == [(AlertType.BLOOD_PRESSURE, Severity.MEDIUM)]


def test_baseline_keeps_only_green_occasions() -> None:
    v = view(care())
    s, _ = run(Triage(), [meas("pulse", p, at(days=d)) for d, p in enumerate([70, 72, 105, 118, 71, 69])], v)
    assert s.params["pulse"].clean == [70, 72, 71, 69]
    assert s.params["pulse"].recent == [70, 72, 105, 118, 71, 69]


# -- yellow: the weekly review ----------------------------------------------------------


def test_yellow_goes_to_one_weekly_review_per_patient_not_a_notice() -> None:
    v = view(care())
    # Monday 12 Jan 2026: pulse 95 on three days, grade 1 pressure on one
    events = [meas("pulse", 95, at(days=d)) for d in range(3)] + [bp(145, 85, at(days=1))]
    s, found = run(Triage(), events, v, until=datetime(2026, 1, 19, 6, 0, tzinfo=UTC))
    assert found == []
    s, found = run(Triage(), [], v, s, until=datetime(2026, 1, 19, 7, 0, tzinfo=UTC))  # Mon 08:00 in Oslo
    assert [(c.type, c.severity) for c in found] == [(AlertType.REVIEW_DIGEST, Severity.LOW)]
    en = found[0].evidence_en
    assert "Weekly review of yellow findings" in en
    assert "Pulse 95/min" in en and "3 days" in en and "ESH grade 1" in en and "1 day" in en
    s, again = run(Triage(), [], v, s, until=datetime(2026, 1, 26, 7, 0, tzinfo=UTC))
    assert again == []  # nothing yellow since


def test_next_review_is_monday_08_local() -> None:
    v = view(care())
    sunday = datetime(2026, 1, 18, 20, 0, tzinfo=UTC).timestamp()
    assert next_review(sunday, v) == datetime(2026, 1, 19, 7, 0, tzinfo=UTC).timestamp()
    monday_noon = datetime(2026, 1, 19, 11, 0, tzinfo=UTC).timestamp()
    assert next_review(monday_noon, v) == datetime(2026, 1, 26, 7, 0, tzinfo=UTC).timestamp()


# -- temperature: confirmation ------------------------------------------------------------


def test_single_out_of_character_low_temperature_needs_confirmation() -> None:
    v = view(care(Programme.FRAIL_ELDERLY))
    usual = [meas("temperature", 36.7, at(days=d)) for d in range(4)]
    s, found = run(Triage(), [*usual, meas("temperature", 34.5, at(days=4))], v)
    assert _types(found) == []
    assert s.review["temperature"].worst_en.endswith(
        "unconfirmed: 2.2 °C below the thermometer's usual 36.7 °C, not used for NEWS2 – measure again)")
    # the re-measurement a few minutes later corrects it
    s2, found = run(Triage(), [*usual, meas("temperature", 34.5, at(days=4)),
                               meas("temperature", 36.6, at(4 * MIN, days=4))], v)
    assert _types(found) == [] and "temperature" not in s2.review
    # a second low reading that agrees confirms it: red, and the evidence says so
    _, found = run(Triage(), [*usual, meas("temperature", 34.6, at(days=4)),
                              meas("temperature", 34.8, at(5 * MIN, days=4))], v)
    assert _types(found) == [(AlertType.LOW_TEMPERATURE, Severity.MEDIUM)]
    assert "Confirmed by a second reading." in found[0].evidence_en


def test_fever_by_mcgeer_rise_above_the_usual_temperature() -> None:
    v = view(care(Programme.FRAIL_ELDERLY))
    usual = [meas("temperature", 36.2, at(days=d)) for d in range(5)]
    _, found = run(Triage(), [*usual, meas("temperature", 37.4, at(days=5))], v)
    assert _types(found) == [(AlertType.FEVER, Severity.MEDIUM)]
    assert "above the patient's usual 36.2 °C" in found[0].evidence_en


def test_fever_outside_frail_programmes_from_38() -> None:
    v = view(care(Programme.COPD))
    assert _types(run(Triage(), [meas("temperature", 37.9, at())], v)[1]) == []
    assert _types(run(Triage(), [meas("temperature", 38.0, at())], v)[1]) == [(AlertType.FEVER, Severity.MEDIUM)]


# -- glucose -------------------------------------------------------------------------------


def test_severe_hypoglycaemia_is_critical_at_once_and_the_recheck_does_not_hide_it() -> None:
    v = view(care(Programme.DIABETES))
    _, found = run(Triage(), [meas("blood_glucose", 2.8, at()), meas("blood_glucose", 5.1, at(15 * MIN))], v)
    assert _types(found) == [(AlertType.BLOOD_GLUCOSE, Severity.HIGH)]
    assert "level 2 hypoglycaemia (< 3)" in found[0].evidence_en and "critical band" in found[0].evidence_en
    _, found = run(Triage(), [meas("blood_glucose", 3.5, at()), meas("blood_glucose", 5.1, at(15 * MIN))], v)
    assert _types(found) == [(AlertType.BLOOD_GLUCOSE, Severity.MEDIUM)]


def test_persistent_hyperglycaemia_is_red_on_the_third_occasion() -> None:
    v = view(care(Programme.DIABETES))
    events = [meas("blood_glucose", g, at(days=d)) for d, g in enumerate([15.0, 16.2, 14.8, 9.0, 15.5])]
    _, found = run(Triage(), events, v)
    assert [(c.details.get("occasions_above"), c.severity) for c in found
            if c.type is AlertType.BLOOD_GLUCOSE] == [(3, Severity.MEDIUM)]


# -- body water -----------------------------------------------------------------------------


def test_body_water_drop_against_the_personal_baseline() -> None:
    v = view(care(Programme.FRAIL_ELDERLY))
    usual = [meas("body_water", x, at(days=d)) for d, x in enumerate([52.0, 51.6, 52.3, 51.9, 52.1])]
    assert _types(run(Triage(), [*usual, meas("body_water", 50.1, at(days=5))], v)[1]) == []
    _, found = run(Triage(), [*usual, meas("body_water", 49.9, at(days=5))], v)
    assert _types(found) == [(AlertType.DEHYDRATION, Severity.MEDIUM)]
    assert "2.1 points below the patient's usual 52.0 %" in found[0].evidence_en


# -- questionnaires ----------------------------------------------------------------------------


def test_phq9_item_9_is_red_the_same_day_to_the_team_that_follows() -> None:
    items = (1, 1, 1, 1, 1, 1, 1, 0, 1)
    mh = care(Programme.MENTAL_HEALTH, specialist="fact-team")
    _, found = run(Triage(), [questionnaire("PHQ-9", 8, at(), 27, items)], view(mh))
    assert _types(found) == [(AlertType.SELF_HARM_RISK, Severity.MEDIUM)]
    assert found[0].recipient_hint is RecipientKind.SPECIALIST
    assert "item 9" in found[0].evidence_en and "several days" in found[0].evidence_en
    _, found = run(Triage(), [questionnaire("PHQ-9", 8, at(), 27, items)], view(care(specialist=None)))
    assert found[0].recipient_hint is RecipientKind.HOMECARE
    zero = (1, 1, 1, 1, 1, 1, 1, 1, 0)
    assert run(Triage(), [questionnaire("PHQ-9", 8, at(), 27, zero)], view(mh))[1] == []


def test_questionnaire_limits_red_or_to_the_review() -> None:
    v = view(care())
    _, found = run(Triage(), [questionnaire("PHQ-9", 15, at(), 27)], v)
    assert _types(found) == [(AlertType.QUESTIONNAIRE_SCORE, Severity.MEDIUM)]
    assert run(Triage(), [questionnaire("PHQ-9", 14, at(), 27)], v)[1] == []
    s, found = run(Triage(), [questionnaire("CAT", 21, at(), 40)], v)
    assert found == [] and "q:cat" in s.review  # CAT over 20 is yellow by default
    v2 = view(care(overrides={"questionnaire_cat_severity": 3, "questionnaire_kccq12_alert": 5}))
    _, found = run(Triage(), [questionnaire("CAT", 21, at(), 40), questionnaire("KCCQ-12", 6, at(1))], v2)
    assert _types(found) == [(AlertType.QUESTIONNAIRE_SCORE, Severity.HIGH),
                             (AlertType.QUESTIONNAIRE_SCORE, Severity.MEDIUM)]
    assert "set in the patient's plan" in found[1].evidence_en


def test_cat_rise_two_to_the_review_four_red() -> None:
    v = view(care(Programme.COPD))
    base = [questionnaire("CAT", x, at(days=7 * i)) for i, x in enumerate([14, 15, 16])]
    s, found = run(Triage(), [*base, questionnaire("CAT", 17, at(days=21))], v)
    assert found == [] and "cat_rise" in s.review  # +2 over the median 15
    _, found = run(Triage(), [*base, questionnaire("CAT", 19, at(days=21))], v)
    assert _types(found) == [(AlertType.COPD_CAT_RISE, Severity.MEDIUM)]
    assert found[0].recipient_hint is RecipientKind.SPECIALIST


# -- the nurse's bands, state ---------------------------------------------------------------------


def test_the_nurses_bands_decide_and_the_evidence_says_who_set_them() -> None:
    limits = BandLimits(green_high=150, yellow_high=170, red_high=200)
    c = care().model_copy(update={"bands": {"systolic": limits}})
    _, found = run(Triage(), [bp(165, 85, at()), bp(172, 85, at(days=1)), bp(205, 85, at(days=2))], view(c))
    assert _types(found) == [(AlertType.BLOOD_PRESSURE, Severity.MEDIUM), (AlertType.BLOOD_PRESSURE, Severity.HIGH)]
    assert "red (above 170) – red band, set in the patient's plan." in found[0].evidence_en
    assert found[0].details["band_set_by"] == "plan"


def test_state_survives_the_changelog() -> None:
    det, v = Triage(), view(care())
    s, _ = run(det, [meas("pulse", 95, at()), bp(150, 85, at(1)), questionnaire("CAT", 22, at(2))], v)
    s, _ = det.step(s, meas("pulse", 120, at(3)), at(3).timestamp(), v)
    assert roundtrip(det, s) == s


# -- properties --------------------------------------------------------------------------------------

_day = st.lists(st.tuples(st.integers(0, 14 * 60), st.integers(30, 160)), min_size=1, max_size=8,
                unique_by=lambda x: x[0])


def _pulse_events(readings: list[tuple[int, int]], day: int = 0) -> list:
    # minutes after 09:00 local (08:00 UTC) on the test's Monday, all within that local day
    return [meas("pulse", p, at(m / 60, days=day)) for m, p in readings]


def _notices(found: list) -> list[tuple[AlertType, Severity, str]]:
    return sorted((c.type, c.severity, c.episode_key) for c in found if c.type is not AlertType.REVIEW_DIGEST)


@settings(max_examples=60, deadline=None)
@given(_day, st.randoms(use_true_random=False))
def test_order_of_readings_within_a_day_does_not_matter(readings: list[tuple[int, int]], rnd: object) -> None:
    det, v = Triage(), view(care())
    events = _pulse_events(readings)
    shuffled = list(events)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    end = at(days=1)

    def deliver(evs: list) -> list:
        s, out = det.initial(), []
        for e in evs:  # a batch delivered in any order, judged as event time moves on
            s, found = det.step(s, e, e.time.timestamp(), v)
            out.extend(found)
        s, found = det.tick(s, end.timestamp(), v)
        return _notices(out + found)

    assert deliver(events) == deliver(shuffled)


@settings(max_examples=60, deadline=None)
@given(st.lists(_day, min_size=1, max_size=4))
def test_one_notice_per_day_per_parameter_and_a_worse_band_always_notifies(days: list) -> None:
    det, v = Triage(), view(care())
    events = [e for d, readings in enumerate(days) for e in sorted(_pulse_events(readings, d), key=lambda e: e.time)]
    _, found = run(det, events, v)
    notices = [c for c in found if c.type is AlertType.PULSE]
    table = {n: i for i, n in enumerate(("news2_2_high", "news2_3_high", "news2_3_low"))}
    for d, readings in enumerate(days):
        # occasions of the day as the detector forms them: 30 min from the first reading
        occasions: list[list[int]] = []
        for m, p in sorted(readings):
            if occasions and m - occasions[-1][0] < 30:
                occasions[-1].append(p)
            else:
                occasions.append([m, p])
        means = [round(sum(o[1:]) / len(o[1:])) for o in occasions]
        ranks = [3 if p <= 40 or p >= 131 else 2 if p >= 111 else 0 for p in means]
        expected, worst = 0, 0
        for r in ranks:
            if r > worst:
                expected += 1
                worst = r
        day_key = str(at(days=d).date().toordinal())
        todays = [c for c in notices if c.episode_key.startswith(day_key + ":")]
        assert len(todays) == expected
        assert all(c.details["band"] in table for c in todays)
        shown = [int(c.details["pulse_per_min"]) for c in todays]
        ranks_notified = [3 if p <= 40 or p >= 131 else 2 for p in shown]
        assert ranks_notified == sorted(set(ranks_notified))  # each later notice that day is worse


def test_level_values_match_the_severity_ranks() -> None:
    assert [int(x) for x in Level] == [0, 1, 2, 3]
    assert at(days=1) - at() == timedelta(days=1)
