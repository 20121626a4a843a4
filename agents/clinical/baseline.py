"""Personal baselines: a robust median of a resident's recent normal readings.

Readings that triggered an alert are kept out of the baseline, so a fever or a
slow fall in SpO2 does not drag the reference along with it. Until enough
readings exist (warm-up) the caller uses a population default or no baseline.
"""

from __future__ import annotations

from agents.clinical.thresholds import BASELINE_SIZE


def median(values: list[float]) -> float:
    """Median of a non-empty list (the mean of the middle two for an even count)."""
    s = sorted(values)
    n = len(s)
    mid = n // 2
    return s[mid] if n % 2 else (s[mid - 1] + s[mid]) / 2.0


def push(ring: list[float], value: float, size: int = BASELINE_SIZE) -> None:
    """Append ``value``, keeping only the newest ``size`` values."""
    ring.append(value)
    if len(ring) > size:
        del ring[0]


def baseline(ring: list[float], min_readings: float, default: float | None) -> float | None:
    """Median of ``ring`` once it holds ``min_readings`` values, else ``default`` (warm-up)."""
    if ring and len(ring) >= min_readings:
        return median(ring)
    return default
