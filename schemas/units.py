"""Units (UCUM) and plausible ranges of DHO measurements.

Values are converted to one canonical unit per measurement code at the edge, so
detectors never see Fahrenheit or pounds. A value outside the plausible range is
not a clinical finding but a device or entry error: it is rejected at ingest and
goes to the dead-letter topic with its reason, never to a clinician.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class UnitSpec:
    """Canonical unit, accepted aliases with conversions, and the plausible range."""

    canonical: str
    conversions: dict[str, Callable[[float], float]]
    low: float
    high: float


def _same(value: float) -> float:
    return value


# Plausible ranges are physiological limits of a living person (and of the
# devices in use), deliberately wide: they catch unit mix-ups and typing errors
# such as SpO2 976 or weight 0, not abnormal values, which are the detectors' job.
# Each code accepts its UCUM unit and the spellings devices and DHO platforms
# commonly send ("beats/min", "bpm", "mmHg", "°C", "lbs", "mmol/l"); see ALIASES.
UNITS: dict[str, UnitSpec] = {
    "spo2": UnitSpec("%", {"%": _same}, 50.0, 100.0),
    "pulse": UnitSpec("/min", {"/min": _same, "{beats}/min": _same}, 20.0, 250.0),
    "respiratory_rate": UnitSpec("/min", {"/min": _same, "{breaths}/min": _same}, 3.0, 70.0),
    "temperature": UnitSpec(
        "Cel", {"Cel": _same, "[degF]": lambda f: round((f - 32.0) * 5.0 / 9.0, 2)}, 30.0, 44.0
    ),
    "weight": UnitSpec("kg", {"kg": _same, "[lb_av]": lambda lb: round(lb * 0.45359237, 2)}, 20.0, 350.0),
    "blood_glucose": UnitSpec(
        "mmol/L", {"mmol/L": _same, "mg/dL": lambda mg: round(mg / 18.016, 2)}, 1.0, 40.0
    ),
    # total body water from a bioimpedance scale, as a share of body weight
    "body_water": UnitSpec("%", {"%": _same}, 20.0, 80.0),
    "systolic_bp": UnitSpec("mm[Hg]", {"mm[Hg]": _same}, 50.0, 300.0),
    "diastolic_bp": UnitSpec("mm[Hg]", {"mm[Hg]": _same}, 20.0, 200.0),
}

ALIASES: dict[str, str] = {
    # per minute (pulse, respiration): UCUM annotations and everyday spellings
    "1/min": "/min", "min-1": "/min", "{beat}/min": "{beats}/min", "beats/min": "{beats}/min",
    "beat/min": "{beats}/min", "bpm": "{beats}/min", "slag/min": "{beats}/min", "{breath}/min": "{breaths}/min",
    "breaths/min": "{breaths}/min", "breath/min": "{breaths}/min", "rpm": "{breaths}/min",
    # pressure
    "mmhg": "mm[Hg]", "mm hg": "mm[Hg]", "mm[hg]": "mm[Hg]",
    # temperature
    "cel": "Cel", "°c": "Cel", "degc": "Cel", "c": "Cel", "[degf]": "[degF]", "°f": "[degF]", "degf": "[degF]",
    "f": "[degF]",
    # mass
    "kg": "kg", "kilogram": "kg", "[lb_av]": "[lb_av]", "lb": "[lb_av]", "lbs": "[lb_av]",
    # glucose
    "mmol/l": "mmol/L", "mg/dl": "mg/dL",
    # share
    "percent": "%", "%{oxygen}": "%",
}
"""Common unit spellings (lower case, spaces collapsed) → the UCUM unit of :data:`UNITS`.

A spelling applies only to codes whose spec lists its target, so "%" for a pulse is
still refused: the alias table widens spelling, never meaning."""


def canonical_unit(code: str, unit: str) -> str | None:
    """The UCUM unit of ``code`` that ``unit`` spells, or None when it is not accepted for the code."""
    spec = UNITS[code]
    if unit in spec.conversions:
        return unit
    key = " ".join(unit.strip().lower().split())
    target = ALIASES.get(key) or ALIASES.get(key.replace(" ", ""))
    if target is not None and target in spec.conversions:
        return target
    return None


def normalise(code: str, value: float, unit: str) -> float:
    """Return ``value`` in the canonical unit of ``code``.

    Raises ValueError with a readable reason when the unit is not accepted for
    the code or the converted value is outside the plausible range.
    """
    spec = UNITS[code]
    ucum = canonical_unit(code, unit)
    convert = spec.conversions.get(ucum) if ucum is not None else None
    if convert is None:
        accepted = ", ".join(sorted(spec.conversions))
        raise ValueError(f"unit {unit!r} is not accepted for {code} (accepted: {accepted})")
    canonical = convert(value)
    if not spec.low <= canonical <= spec.high:
        raise ValueError(
            f"{code} {value:g} {unit} is implausible (plausible range "
            f"{spec.low:g}-{spec.high:g} {spec.canonical})"
        )
    return canonical
