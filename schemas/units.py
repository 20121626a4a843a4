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
    "systolic_bp": UnitSpec("mm[Hg]", {"mm[Hg]": _same}, 50.0, 300.0),
    "diastolic_bp": UnitSpec("mm[Hg]", {"mm[Hg]": _same}, 20.0, 200.0),
}


def normalise(code: str, value: float, unit: str) -> float:
    """Return ``value`` in the canonical unit of ``code``.

    Raises ValueError with a readable reason when the unit is not accepted for
    the code or the converted value is outside the plausible range.
    """
    spec = UNITS[code]
    convert = spec.conversions.get(unit)
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
