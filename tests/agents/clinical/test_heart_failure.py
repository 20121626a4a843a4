"""Heart-failure weight gain and weight data quality."""

from __future__ import annotations

from agents.clinical.heart_failure import Weight
from schemas.alerts import AlertType, RecipientKind, Severity
from schemas.care import Programme
from tests.agents.clinical.helpers import at, care, feed, meas, roundtrip, view

HF = Programme.HEART_FAILURE


def _days(*kgs: float, unit: str = "kg") -> list:
    return [meas("weight", kg, at(days=i), unit=unit) for i, kg in enumerate(kgs)]


def test_exactly_two_kg_in_three_days_is_not_more_than_two() -> None:
    assert feed(Weight(), _days(80.0, 80.7, 81.4, 82.0), view(care(HF)))[1] == []


def test_more_than_two_kg_in_three_days_is_medium_to_specialist() -> None:
    _, found = feed(Weight(), _days(80.0, 80.7, 81.4, 82.1), view(care(HF)))
    assert len(found) == 1
    c = found[0]
    assert c.type is AlertType.WEIGHT_GAIN and c.severity is Severity.MEDIUM
    assert c.recipient_hint is RecipientKind.SPECIALIST
    assert c.details["gain_3d_kg"] == 2.1
    assert "Vekt 82,1 kg kl. 09:00: 2,1 kg mer enn 80,0 kg 12.01. kl. 09:00" in c.evidence_nb
    assert "over 2.0 kg in 3 days" in c.evidence_en


def test_gain_is_found_after_weeks_of_daily_readings() -> None:
    # regression: trimming old readings once shifted the new reading's position and hid it
    stable = [81.0, 81.2, 80.9, 81.1, 81.0, 80.8, 81.0] * 3
    _, found = feed(Weight(), _days(*stable, 82.2, 83.6), view(care(HF)))
    assert [c.details["gain_3d_kg"] for c in found] == [2.8]


def test_gain_within_24_hours_uses_its_own_limit() -> None:
    events = [meas("weight", 80.0, at(0)), meas("weight", 81.5, at(20))]
    assert feed(Weight(), events, view(care(HF)))[1] == []  # exactly 1.5
    events = [meas("weight", 80.0, at(0)), meas("weight", 81.6, at(20))]
    _, found = feed(Weight(), events, view(care(HF, specialist=None)))
    assert found[0].recipient_hint is RecipientKind.HOMECARE
    assert "24 h" in found[0].evidence_en


def test_only_in_the_heart_failure_programme_and_once_per_day() -> None:
    assert feed(Weight(), _days(80, 81, 82, 83), view(care()))[1] == []
    _, found = feed(Weight(), _days(80, 81, 82.5, 83, 83.5), view(care(HF)))
    assert len(found) == 3 and len({c.episode_key for c in found}) == 3
    assert len({c.episode_start for c in found}) == 1


def test_gain_above_the_dry_weight_that_built_up_slowly() -> None:
    days = _days(80.0, 80.2, 79.9, 80.1, 80.0, 80.5, 81.0, 81.5, 82.0, 82.5)  # 0.5 kg a day
    _, found = feed(Weight(), days, view(care(HF)))
    assert len(found) == 1 and found[0].details["gain_3d_kg"] == 1.5
    assert "2.3 kg above the patient's dry weight 80.2 kg" in found[0].evidence_en


def test_weight_loss_in_frail_elderly_seven_and_thirty_days() -> None:
    frail = view(care(Programme.FRAIL_ELDERLY))
    week = [meas("weight", kg, at(days=7 * i)) for i, kg in enumerate([70.0, 70.1, 69.9])]
    assert feed(Weight(), [*week, meas("weight", 68.0, at(days=21))], frail)[1] == []  # 2.9 % in 7 days
    _, found = feed(Weight(), [*week, meas("weight", 67.8, at(days=21))], frail)
    assert [c.type for c in found] == [AlertType.WEIGHT_LOSS]
    assert found[0].details["loss_pct"] == 3.0 and "red band" in found[0].evidence_en
    slow = [meas("weight", kg, at(days=7 * i)) for i, kg in enumerate([70.0, 69.3, 68.6, 67.9, 66.5])]
    _, found = feed(Weight(), slow, frail)
    assert [c.details["loss_pct"] for c in found] == [5.0]  # 5 % within 30 days, under 3 % a week
    assert feed(Weight(), slow, view(care(HF)))[1] == []  # not a default outside frail elderly and dementia


def test_the_fall_back_to_dry_weight_after_a_decompensation_is_not_loss() -> None:
    v = view(care(HF, Programme.FRAIL_ELDERLY))
    kgs = [70.0, 70.1, 69.9, 70.0, 70.1, 71.0, 72.0, 73.0, 72.0, 71.0, 70.0]
    found = feed(Weight(), _days(*kgs), v)[1]
    assert {c.type for c in found} == {AlertType.WEIGHT_GAIN}


def test_override_of_the_three_day_limit() -> None:
    v = view(care(HF, overrides={"hf_weight_gain_3d_kg": 3.0, "hf_weight_gain_24h_kg": 2.0}))
    assert feed(Weight(), _days(80.0, 80.7, 81.4, 82.1), v)[1] == []


def test_pounds_are_converted_before_judging() -> None:
    # 176.4 lb = 80.01 kg; 181.4 lb = 82.28 kg: a 2.27 kg gain
    _, found = feed(Weight(), _days(176.4, 178.0, 181.4, unit="[lb_av]"), view(care(HF)))
    assert len(found) == 1 and found[0].details["weight_kg"] == 82.28


def test_implausible_jump_is_data_quality_not_clinical() -> None:
    det = Weight()
    v = view(care(HF))
    s, found = feed(det, [meas("weight", 80, at(0)), meas("weight", 95, at(12))], v)
    assert [c.type for c in found] == [AlertType.DATA_QUALITY]
    assert found[0].recipient_hint is RecipientKind.TECHNICAL
    assert s.kg == [80.0]  # kept out of the clinical history
    s, found = feed(det, [meas("weight", 80.3, at(24))], v, s)
    assert found == []


def test_two_agreeing_suspect_readings_become_the_new_level() -> None:
    det = Weight()
    v = view(care(HF))
    events = [meas("weight", 80, at(0)), meas("weight", 95, at(12)), meas("weight", 95.5, at(20)),
              meas("weight", 96, at(30))]
    s, found = feed(det, events, v)
    assert [c.type for c in found] == [AlertType.DATA_QUALITY]
    assert s.kg == [95.0, 95.5, 96.0]


def test_late_reading_lands_in_order_without_alerting_and_state_round_trips() -> None:
    det = Weight()
    v = view(care(HF))
    s, _ = feed(det, [meas("weight", 80, at(0)), meas("weight", 81, at(24))], v)
    s, found = feed(det, [meas("weight", 79, at(23.9))], v, s)
    assert found == [] and s.kg == [80.0, 79.0, 81.0]
    s = roundtrip(det, s)
    _, found = feed(det, [meas("weight", 81.2, at(30))], v, s)
    assert found[0].details["gain_24h_kg"] == 2.2
