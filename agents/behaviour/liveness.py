"""Device liveness: when each sensor last gave a sign of life (any event, heartbeat included)."""

from __future__ import annotations

MAX_DEVICES = 32
"""Devices remembered per resident; the longest-silent one is forgotten beyond this."""


def saw(last_seen: dict[str, float], device_id: str, t: float) -> None:
    """Record a sign of life from ``device_id`` at ``t`` (late events never move it back)."""
    prev = last_seen.get(device_id)
    if prev is None:
        last_seen[device_id] = t
        if len(last_seen) > MAX_DEVICES:
            del last_seen[min(last_seen, key=last_seen.__getitem__)]
    elif t > prev:
        last_seen[device_id] = t


def silent(last_seen: dict[str, float], now: float, after_s: float) -> list[str]:
    """Devices silent longer than ``after_s`` at ``now``, sorted."""
    return sorted(d for d, t in last_seen.items() if now - t > after_s)


def all_silent(last_seen: dict[str, float], now: float, after_s: float) -> bool:
    """True when there are devices and every one of them is silent."""
    return bool(last_seen) and all(now - t > after_s for t in last_seen.values())
