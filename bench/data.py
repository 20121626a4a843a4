"""Simulated input: one cohort generated once per run (and timed: simulator throughput)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson

from sim.simulate import Cohort

START = datetime(2025, 1, 6, tzinfo=UTC)


@dataclass
class Dataset:
    care: list[tuple[str, bytes]]
    """(resident id, care-context JSON)."""
    events: list[tuple[str, str, bytes]]
    """(topic, resident id, JSON) in event-time order, one event per record."""
    sim_seconds: float
    residents: int
    days: int

    @property
    def sim_events_per_min(self) -> float:
        return len(self.events) / self.sim_seconds * 60.0


def cohort(residents: int, days: int, seed: int = 11, limit: int | None = None) -> Dataset:
    """Simulate ``residents`` homes for ``days`` days; keep at most ``limit`` events."""
    t0 = time.perf_counter()
    c = Cohort(residents, days, seed, START)
    events: list[tuple[str, str, bytes]] = []
    for _, topic, rid, raw in c.events():
        events.append((topic, rid, raw))
        if limit is not None and len(events) >= limit:
            break
    dt = time.perf_counter() - t0
    care = list(c.care_contexts())
    return Dataset(care, events, dt, residents, days)


def care_template() -> bytes:
    """One simulated care context, used as the template for synthetic residents."""
    c = Cohort(1, 1, 3, START)
    return next(iter(c.care_contexts()))[1]


def care_for(template: bytes, resident_id: str) -> bytes:
    data = orjson.loads(template)
    data["resident_id"] = resident_id
    return orjson.dumps(data)


def iso(t: float) -> str:
    """UTC ISO time with milliseconds."""
    whole = int(t)
    ms = int((t - whole) * 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{ms:03d}Z"
