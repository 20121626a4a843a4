"""A resident's usual clock on a given day: wake time, bedtime, measurement session.

Drawn from a generator keyed by (seed, resident, day) alone, so the day planner
and the ground truth agree on them without sharing state.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sim.homes import HOUR, MINUTE, Home


@dataclass(frozen=True, slots=True)
class DayClock:
    """Usual timing of one day (local seconds after midnight)."""

    wake: int
    bedtime: int
    session: int  # when the resident takes the day's DHO measurements


def day_clock(home: Home, seed: int, day: int, weekday: int) -> DayClock:
    """The usual timing of ``day`` for ``home``, before any episode changes it."""
    rng = random.Random(f"tilsyn-sim:{seed}:{home.index}:{day}:clock")  # nosec B311
    p = home.persona
    weekend = weekday >= 5
    wake = int(p.wake + (p.weekend_shift if weekend else 0) + rng.gauss(0, p.jitter))
    wake = min(max(wake, 5 * HOUR), 10 * HOUR)
    bedtime = int(p.bedtime + (p.weekend_shift // 2 if weekend else 0) + rng.gauss(0, p.jitter))
    bedtime = min(max(bedtime, 20 * HOUR + 30 * MINUTE), 23 * HOUR + 45 * MINUTE)
    due = min((e.due_by for e in home.schedule), default=10 * HOUR)
    session = wake + rng.randint(35, 75) * MINUTE
    if session > due - 5 * MINUTE:
        # Most patients measure before the deadline even on a late morning.
        session = max(wake + 12 * MINUTE, due - rng.randint(5, 25) * MINUTE)
    return DayClock(wake=wake, bedtime=bedtime, session=session)
