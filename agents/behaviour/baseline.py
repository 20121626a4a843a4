"""Personal baselines: a fixed ring of recent daily values, robust statistics, deviation runs."""

from __future__ import annotations

import math
from dataclasses import dataclass

import msgspec

from agents.behaviour.thresholds import RING_CAPACITY
from agents.statecodec import Number, Stored

MAD_SCALE = 1.4826
"""Scales the median absolute deviation to a standard deviation for normal data."""


def push(ring: list[float], value: float, capacity: int = RING_CAPACITY) -> None:
    """Append ``value``, dropping the oldest beyond ``capacity``."""
    ring.append(value)
    if len(ring) > capacity:
        del ring[0]


def median(values: list[float]) -> float:
    s = sorted(values)
    n = len(s)
    if n == 0:
        return math.nan
    mid = n // 2
    return s[mid] if n % 2 else (s[mid - 1] + s[mid]) / 2.0


@dataclass(slots=True, frozen=True)
class Baseline:
    """The resident's usual value: median and robust spread over the last ``days`` values."""

    median: float
    spread: float
    days: int

    def above(self, value: float, k: float, min_delta: float) -> bool:
        """``value`` is unusually high: beyond k spreads and at least ``min_delta`` over the median."""
        return value >= self.median + max(k * self.spread, min_delta)

    def below(self, value: float, k: float, frac: float) -> bool:
        """``value`` is unusually low: beyond k spreads and at least ``frac`` of the median under it."""
        return value <= self.median - max(k * self.spread, frac * self.median) and value < self.median


def baseline(ring: list[float], days: float, min_days: float) -> Baseline | None:
    """Baseline of the last ``days`` values, or None during warm-up (fewer than ``min_days``)."""
    n = int(days)
    recent = ring[-n:] if n > 0 else ring
    if len(recent) < max(1, int(min_days)):
        return None
    m = median(recent)
    spread = MAD_SCALE * median([abs(v - m) for v in recent])
    return Baseline(m, spread, len(recent))


RUN_VALUES = 7
"""Values of a deviation run kept for the evidence text."""


class Run(Stored):
    """Consecutive deviating days or nights; ``fired`` makes the alert once per run (episode)."""

    start: float = -math.inf
    """Event time the first deviating period began (the alert's episode start)."""
    length: int = 0
    fired: bool = False
    values: list[Number] = msgspec.field(default_factory=list)

    def extend(self, period_start: float, value: float) -> None:
        if self.length == 0:
            self.start = period_start
        self.length += 1
        self.values.append(value)
        if len(self.values) > RUN_VALUES:
            del self.values[0]

    def reset(self) -> None:
        self.start = -math.inf
        self.length = 0
        self.fired = False
        self.values.clear()
