"""National Early Warning Score 2 (NEWS2) as pure functions.

Bands follow the chart of the Royal College of Physicians, *National Early
Warning Score (NEWS) 2*, 2017 (chart 1). Respiratory rate, SpO2, systolic
pressure and pulse are charted as whole numbers and temperature to one decimal,
so values are rounded (half up) the same way before they are banded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

ACVPU = ("A", "C", "V", "P", "U")


def _whole(x: float) -> int:
    return math.floor(x + 0.5)


def respiration_points(rate: float) -> int:
    """Respiration rate per minute: ≤8 → 3, 9-11 → 1, 12-20 → 0, 21-24 → 2, ≥25 → 3."""
    r = _whole(rate)
    if r <= 8:
        return 3
    if r <= 11:
        return 1
    if r <= 20:
        return 0
    if r <= 24:
        return 2
    return 3


def spo2_scale1_points(spo2: float) -> int:
    """SpO2 scale 1 (%): ≤91 → 3, 92-93 → 2, 94-95 → 1, ≥96 → 0."""
    s = _whole(spo2)
    if s <= 91:
        return 3
    if s <= 93:
        return 2
    if s <= 95:
        return 1
    return 0


def spo2_scale2_points(spo2: float, on_oxygen: bool) -> int:
    """SpO2 scale 2 (%), for hypercapnic respiratory failure with a prescribed target of 88-92 %.

    ≤83 → 3, 84-85 → 2, 86-87 → 1, 88-92 → 0, and ≥93 → 0 on air; on oxygen
    93-94 → 1, 95-96 → 2, ≥97 → 3 (over-oxygenation is a risk).
    """
    s = _whole(spo2)
    if s <= 83:
        return 3
    if s <= 85:
        return 2
    if s <= 87:
        return 1
    if s <= 92 or not on_oxygen:
        return 0
    if s <= 94:
        return 1
    if s <= 96:
        return 2
    return 3


def oxygen_points(on_oxygen: bool) -> int:
    """Air or oxygen: supplemental oxygen → 2, air → 0."""
    return 2 if on_oxygen else 0


def systolic_points(systolic: float) -> int:
    """Systolic pressure (mm[Hg]): ≤90 → 3, 91-100 → 2, 101-110 → 1, 111-219 → 0, ≥220 → 3."""
    s = _whole(systolic)
    if s <= 90:
        return 3
    if s <= 100:
        return 2
    if s <= 110:
        return 1
    if s <= 219:
        return 0
    return 3


def pulse_points(pulse: float) -> int:
    """Pulse per minute: ≤40 → 3, 41-50 → 1, 51-90 → 0, 91-110 → 1, 111-130 → 2, ≥131 → 3."""
    p = _whole(pulse)
    if p <= 40:
        return 3
    if p <= 50:
        return 1
    if p <= 90:
        return 0
    if p <= 110:
        return 1
    if p <= 130:
        return 2
    return 3


def consciousness_points(level: str) -> int:
    """ACVPU: alert → 0; new confusion, voice, pain or unresponsive → 3."""
    if level not in ACVPU:
        raise ValueError(f"unknown ACVPU level {level!r}")
    return 0 if level == "A" else 3


def temperature_points(celsius: float) -> int:
    """Temperature (°C): ≤35.0 → 3, 35.1-36.0 → 1, 36.1-38.0 → 0, 38.1-39.0 → 1, ≥39.1 → 2."""
    t = math.floor(celsius * 10.0 + 0.5)  # tenths of a degree
    if t <= 350:
        return 3
    if t <= 360:
        return 1
    if t <= 380:
        return 0
    if t <= 390:
        return 1
    return 2


@dataclass(frozen=True, slots=True)
class Vitals:
    """The observations a NEWS2 score is computed from; ``None`` means not measured."""

    respiratory_rate: float | None = None
    spo2: float | None = None
    on_oxygen: bool | None = None
    """None: not reported (scored as air, and said so)."""
    systolic: float | None = None
    pulse: float | None = None
    consciousness: str | None = None
    temperature: float | None = None


PART_NAMES = ("respiration", "spo2", "air_or_oxygen", "systolic", "pulse", "consciousness", "temperature")


@dataclass(frozen=True, slots=True)
class News2Score:
    """An aggregate NEWS2 score with the points of each measured parameter."""

    total: int
    parts: dict[str, int]
    """Points by parameter name (see :data:`PART_NAMES`); missing parameters are absent."""
    scale: int
    """SpO2 scale used: 1, or 2 for hypercapnic respiratory failure."""

    @property
    def max_part(self) -> int:
        return max(self.parts.values(), default=0)

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(n for n in PART_NAMES if n not in self.parts)


def score(v: Vitals, scale2: bool = False) -> News2Score:
    """NEWS2 of the measured parameters.

    Missing parameters add nothing, so a partial score is a lower bound of the
    full one: a partial score that reaches a trigger is a valid trigger.
    Supplemental oxygen counts only when reported; SpO2 scale 2 is used only
    when a clinician has recorded hypercapnic respiratory failure.
    """
    parts: dict[str, int] = {}
    if v.respiratory_rate is not None:
        parts["respiration"] = respiration_points(v.respiratory_rate)
    if v.spo2 is not None:
        o2 = bool(v.on_oxygen)
        parts["spo2"] = spo2_scale2_points(v.spo2, o2) if scale2 else spo2_scale1_points(v.spo2)
    if v.on_oxygen is not None:
        parts["air_or_oxygen"] = oxygen_points(v.on_oxygen)
    if v.systolic is not None:
        parts["systolic"] = systolic_points(v.systolic)
    if v.pulse is not None:
        parts["pulse"] = pulse_points(v.pulse)
    if v.consciousness is not None:
        parts["consciousness"] = consciousness_points(v.consciousness)
    if v.temperature is not None:
        parts["temperature"] = temperature_points(v.temperature)
    return News2Score(sum(parts.values()), parts, 2 if scale2 else 1)


def risk(s: News2Score, medium: float = 5.0, high: float = 7.0) -> int:
    """Clinical risk: 0 low (no alert), 2 medium (5-6, or 3 in one parameter), 3 high (≥7).

    The RCP chart calls a single red score (3) "low-medium" and asks for an urgent
    ward-based response; in home care that is "act today", like medium.
    """
    if s.total >= high:
        return 3
    if s.total >= medium or s.max_part >= 3:
        return 2
    return 0
