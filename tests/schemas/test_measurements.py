"""DHO records: measurements in canonical units, plausibility, blood pressure, ACVPU, questionnaires."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from schemas.inbound import DHO_EVENT
from schemas.measurements import DHO_KINDS, BloodPressure, Consciousness, Measurement, QuestionnaireResponse
from schemas.units import UNITS, normalise
from tests.schemas.rejection import rejected, wire

BASE: dict[str, Any] = {"event_id": "m-1", "resident_id": "r-001", "time": "2024-03-01T08:00:00+01:00"}


def measurement(code: str, value: Any, unit: str, **over: Any) -> dict[str, Any]:
    return {**BASE, "kind": "measurement", "code": code, "value": value, "unit": unit, **over}


def bp(systolic: Any, diastolic: Any, **over: Any) -> dict[str, Any]:
    return {**BASE, "kind": "blood_pressure", "systolic": systolic, "diastolic": diastolic, **over}


VALID: dict[str, dict[str, Any]] = {
    "measurement": measurement("pulse", 72, "/min"),
    "blood_pressure": bp(132, 84),
    "consciousness": {**BASE, "kind": "consciousness", "level": "A"},
    "questionnaire": {**BASE, "kind": "questionnaire", "questionnaire": "CAT", "score": 14, "max_score": 40},
}


def test_every_dho_kind_has_a_valid_example() -> None:
    assert set(VALID) == set(DHO_KINDS)


@pytest.mark.parametrize("kind", DHO_KINDS)
def test_valid_record_of_every_kind_is_accepted_and_round_trips(kind: str) -> None:
    ev = DHO_EVENT.validate_json(wire(VALID[kind]))
    assert ev.kind == kind
    assert ev.device_id is None
    assert DHO_EVENT.validate_json(ev.model_dump_json()) == ev


# -- units ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "value", "unit", "canonical", "canonical_unit"),
    [
        ("spo2", 94, "%", 94, "%"),
        ("pulse", 72, "{beats}/min", 72, "/min"),
        ("respiratory_rate", 16, "{breaths}/min", 16, "/min"),
        ("temperature", 37.2, "Cel", 37.2, "Cel"),
        ("temperature", 98.6, "[degF]", 37.0, "Cel"),
        ("temperature", 101.3, "[degF]", 38.5, "Cel"),
        ("weight", 82.3, "kg", 82.3, "kg"),
        ("weight", 200, "[lb_av]", 90.72, "kg"),
        ("blood_glucose", 6.1, "mmol/L", 6.1, "mmol/L"),
        ("blood_glucose", 180, "mg/dL", 9.99, "mmol/L"),
    ],
)
def test_measurement_is_stored_in_the_canonical_unit(
    code: str, value: float, unit: str, canonical: float, canonical_unit: str
) -> None:
    m = DHO_EVENT.validate_json(wire(measurement(code, value, unit)))
    assert isinstance(m, Measurement)
    assert (m.value, m.unit) == (canonical, canonical_unit)
    # normalising again changes nothing
    assert DHO_EVENT.validate_json(m.model_dump_json()) == m


def test_model_validate_also_converts() -> None:
    m = Measurement.model_validate(
        {"event_id": "m", "resident_id": "r-001", "time": datetime(2024, 3, 1, tzinfo=UTC),
         "code": "weight", "value": 200.0, "unit": "[lb_av]"}
    )
    assert (m.value, m.unit) == (90.72, "kg")


@pytest.mark.parametrize(
    ("code", "unit"),
    [("spo2", "1"), ("weight", "g"), ("weight", "st"), ("temperature", "K"), ("pulse", "%"), ("pulse", "mm[Hg]"),
     ("blood_glucose", "mmol/mol"), ("body_water", "kg")],
)
def test_unit_not_accepted_for_the_code_is_refused_listing_the_accepted_ones(code: str, unit: str) -> None:
    msg = rejected(DHO_EVENT, measurement(code, 50, unit))
    assert f"unit {unit!r} is not accepted for {code} (accepted: " in msg
    for accepted in UNITS[code].conversions:
        assert accepted in msg


@pytest.mark.parametrize(
    ("code", "value", "unit", "why"),
    [
        ("spo2", 976, "%", "spo2 976 % is implausible (plausible range 50-100 %)"),
        ("spo2", 49, "%", "plausible range 50-100 %"),
        ("pulse", 0, "/min", "pulse 0 /min is implausible (plausible range 20-250 /min)"),
        ("pulse", 251, "/min", "20-250"),
        ("respiratory_rate", 2, "/min", "3-70"),
        ("temperature", 45, "Cel", "temperature 45 Cel is implausible (plausible range 30-44 Cel)"),
        ("temperature", 37, "[degF]", "temperature 37 [degF] is implausible"),  # Celsius sent as Fahrenheit
        ("weight", 0, "kg", "weight 0 kg is implausible (plausible range 20-350 kg)"),
        ("weight", 800, "[lb_av]", "weight 800 [lb_av] is implausible"),
        ("blood_glucose", 0.5, "mmol/L", "1-40 mmol/L"),
        ("blood_glucose", 900, "mg/dL", "blood_glucose 900 mg/dL is implausible"),
    ],
)
def test_implausible_values_are_refused_with_the_range(code: str, value: float, unit: str, why: str) -> None:
    assert why in rejected(DHO_EVENT, measurement(code, value, unit))


@pytest.mark.parametrize(("code", "low", "high"), [(c, s.low, s.high) for c, s in UNITS.items()])
def test_range_limits_are_inclusive(code: str, low: float, high: float) -> None:
    unit = UNITS[code].canonical
    assert normalise(code, low, unit) == low
    assert normalise(code, high, unit) == high


def test_unknown_measurement_code_is_refused() -> None:
    msg = rejected(DHO_EVENT, measurement("cholesterol", 5, "mmol/L"))
    assert "measurement.code: Input should be 'spo2', 'pulse'" in msg


@pytest.mark.parametrize("value", ["72", True, None, [72]])
def test_value_is_not_coerced(value: Any) -> None:
    assert "measurement.value: Input should be a valid number" in rejected(DHO_EVENT, measurement("pulse", value, "/min"))


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_nan_and_infinity_measurements_are_refused(value: float) -> None:
    assert "measurement.value: Input should be a finite number" in rejected(
        DHO_EVENT, measurement("weight", value, "kg")
    )


def test_on_oxygen_belongs_to_spo2_only() -> None:
    ok = DHO_EVENT.validate_json(wire(measurement("spo2", 90, "%", on_oxygen=True)))
    assert isinstance(ok, Measurement) and ok.on_oxygen is True
    assert "on_oxygen is only meaningful with an spo2 measurement" in rejected(
        DHO_EVENT, measurement("pulse", 90, "/min", on_oxygen=False)
    )
    assert "Input should be a valid boolean" in rejected(DHO_EVENT, measurement("spo2", 90, "%", on_oxygen="yes"))


def test_measurement_missing_unit_is_refused() -> None:
    data = measurement("pulse", 72, "/min")
    del data["unit"]
    assert "measurement.unit: Field required" in rejected(DHO_EVENT, data)


def test_measurement_unknown_field_is_refused() -> None:
    assert "measurement.loinc: Extra inputs are not permitted" in rejected(
        DHO_EVENT, measurement("pulse", 72, "/min", loinc="8867-4")
    )


def test_naive_measurement_time_is_refused() -> None:
    assert "measurement.time: Input should have timezone info" in rejected(
        DHO_EVENT, measurement("pulse", 72, "/min", time="2024-03-01T08:00:00")
    )


# -- blood pressure ---------------------------------------------------------------


def test_blood_pressure_accepted_in_mm_hg() -> None:
    reading = DHO_EVENT.validate_json(wire(bp(180, 110)))
    assert isinstance(reading, BloodPressure)
    assert (reading.systolic, reading.diastolic, reading.unit) == (180, 110, "mm[Hg]")


def test_swapped_blood_pressure_is_refused() -> None:
    msg = rejected(DHO_EVENT, bp(80, 120))
    assert "diastolic 120 is not below systolic 80: values swapped or mistyped" in msg
    assert "is not below systolic" in rejected(DHO_EVENT, bp(90, 90))


@pytest.mark.parametrize(
    ("sys_v", "dia_v", "why"),
    [
        (310, 90, "systolic_bp 310 mm[Hg] is implausible (plausible range 50-300 mm[Hg])"),
        (40, 30, "systolic_bp 40 mm[Hg] is implausible"),
        (120, 10, "diastolic_bp 10 mm[Hg] is implausible (plausible range 20-200 mm[Hg])"),
    ],
)
def test_implausible_blood_pressure_is_refused(sys_v: float, dia_v: float, why: str) -> None:
    assert why in rejected(DHO_EVENT, bp(sys_v, dia_v))


def test_blood_pressure_in_kpa_is_refused() -> None:
    assert "unit 'kPa' is not accepted for systolic_bp (accepted: mm[Hg])" in rejected(DHO_EVENT, bp(16, 10, unit="kPa"))


@pytest.mark.parametrize("unit", ["mmHg", "mm Hg", "MMHG", "mm[Hg]"])
def test_blood_pressure_unit_spellings_are_read_as_ucum(unit: str) -> None:
    reading = DHO_EVENT.validate_json(wire(bp(150, 90, unit=unit)))
    assert isinstance(reading, BloodPressure) and reading.unit == "mm[Hg]"


@pytest.mark.parametrize(
    ("code", "value", "unit", "canonical"),
    [("pulse", 72, "beats/min", 72), ("pulse", 72, "bpm", 72), ("pulse", 72, "{beat}/min", 72),
     ("pulse", 72, "1/min", 72), ("respiratory_rate", 18, "breaths/min", 18), ("temperature", 38.0, "°C", 38.0),
     ("temperature", 100.4, "°F", 38.0), ("weight", 200.0, "lbs", 90.72), ("blood_glucose", 5.4, "mmol/l", 5.4),
     ("blood_glucose", 90, "mg/dl", 5.0), ("body_water", 52.5, "%", 52.5)],
)
def test_common_unit_spellings_are_accepted_and_converted(code: str, value: float, unit: str, canonical: float) -> None:
    m = DHO_EVENT.validate_json(wire(measurement(code, value, unit)))
    assert isinstance(m, Measurement)
    assert (m.value, m.unit) == (canonical, UNITS[code].canonical)


def test_questionnaire_items_are_kept_and_numbered_from_one() -> None:
    ev = DHO_EVENT.validate_json(wire({**VALID["questionnaire"], "questionnaire": "PHQ-9", "score": 9,
                                       "max_score": 27, "items": [1, 1, 1, 1, 1, 1, 1, 1, 1]}))
    assert isinstance(ev, QuestionnaireResponse) and ev.item(9) == 1 and ev.item(10) is None


def test_questionnaire_item_out_of_range_is_refused() -> None:
    assert "less than or equal to 100" in rejected(DHO_EVENT, {**VALID["questionnaire"], "items": [101]})


def test_blood_pressure_as_strings_is_refused() -> None:
    msg = rejected(DHO_EVENT, bp("120", "80"))
    assert "blood_pressure.systolic: Input should be a valid number" in msg
    assert "blood_pressure.diastolic: Input should be a valid number" in msg


def test_blood_pressure_nan_is_refused() -> None:
    assert "blood_pressure.systolic: Input should be a finite number" in rejected(DHO_EVENT, bp(float("nan"), 80))


# -- consciousness ---------------------------------------------------------------


@pytest.mark.parametrize("level", ["A", "C", "V", "P", "U"])
def test_acvpu_levels(level: str) -> None:
    ev = DHO_EVENT.validate_json(wire({**VALID["consciousness"], "level": level}))
    assert isinstance(ev, Consciousness) and ev.level == level


@pytest.mark.parametrize("level", ["a", "X", "alert", 1])
def test_unknown_consciousness_level_is_refused(level: Any) -> None:
    assert "consciousness.level: Input should be 'A', 'C', 'V', 'P' or 'U'" in rejected(
        DHO_EVENT, {**VALID["consciousness"], "level": level}
    )


# -- questionnaire ---------------------------------------------------------------


def test_questionnaire_without_max_score() -> None:
    data = {**VALID["questionnaire"]}
    del data["max_score"]
    ev = DHO_EVENT.validate_json(wire(data))
    assert isinstance(ev, QuestionnaireResponse) and ev.max_score is None


@pytest.mark.parametrize(
    ("over", "why"),
    [
        ({"score": 41}, "score 41 exceeds max_score 40"),
        ({"score": -1}, "questionnaire.score: Input should be greater than or equal to 0"),
        ({"score": 1001, "max_score": None}, "less than or equal to 1000"),
        ({"max_score": 0}, "questionnaire.max_score: Input should be greater than 0"),
        ({"score": "14"}, "questionnaire.score: Input should be a valid number"),
        ({"score": float("inf")}, "questionnaire.score: Input should be a finite number"),
        ({"questionnaire": "CAT score"}, "questionnaire.questionnaire: String should match pattern"),
        ({"questionnaire": ""}, "questionnaire.questionnaire: String should match pattern"),
    ],
)
def test_invalid_questionnaire_is_refused(over: dict[str, Any], why: str) -> None:
    assert why in rejected(DHO_EVENT, {**VALID["questionnaire"], **over})


def test_unknown_dho_kind_is_refused() -> None:
    assert "Input tag 'ecg' found using 'kind'" in rejected(DHO_EVENT, {**BASE, "kind": "ecg"})


def test_sensor_kind_is_not_a_dho_kind() -> None:
    assert "Input tag 'motion' found using 'kind'" in rejected(DHO_EVENT, {**BASE, "kind": "motion", "room": "kitchen"})


@pytest.mark.parametrize("rid", ["01017012345", "010170-12345"])
def test_dho_national_id_is_refused(rid: str) -> None:
    assert "looks like a national identity number" in rejected(
        DHO_EVENT, measurement("pulse", 72, "/min", resident_id=rid)
    )


def test_measurement_is_frozen() -> None:
    m = DHO_EVENT.validate_json(wire(VALID["measurement"]))
    assert isinstance(m, Measurement)
    with pytest.raises(ValidationError, match="Instance is frozen"):
        m.value = 80  # type: ignore[misc]


def test_constructor_converts_units_like_validation_does() -> None:
    m = Measurement(
        event_id="m", resident_id="r-001", time=datetime(2024, 3, 1, tzinfo=UTC),
        code="weight", value=200.0, unit="[lb_av]",
    )
    assert (m.value, m.unit) == (90.72, "kg")
