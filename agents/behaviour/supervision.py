"""Device supervision as real kits do it: a device that sends heartbeats is lost when they stop.

A device that sends supervision heartbeats (declared in the registry, promised by its heartbeat,
or seen to send them) is silent after ``device_missed_heartbeats`` intervals without any message,
and never before ``device_silent_after_min``. Its silence is a proven fault. The silence limit of
an event-only device (a plain reed switch or PIR) is learned from its own gaps by
:class:`agents.behaviour.devices.DeviceHealth`; its silence may just be a quiet room.

Limits set in the registry win: a device's own ``silent_after_min``, then the kind's.
"""

from __future__ import annotations

import math

from agents.behaviour.capabilities import ACTIVITY_KINDS, Capabilities, Device
from agents.behaviour.thresholds import DEVICE_MISSED_BEATS, DEVICE_SILENT_AFTER, value
from agents.types import ResidentView


def override_s(dev: Device, caps: Capabilities) -> float:
    """The registry's silence limit for this device (its own, else its kind's), 0 when none."""
    if dev.silent_after_s > 0.0:
        return dev.silent_after_s
    return caps.by_kind_s.get(dev.kind, 0.0)


def supervised_limit_s(dev: Device, caps: Capabilities, view: ResidentView) -> float:
    """Silence limit of a device that sends heartbeats."""
    own = override_s(dev, caps)
    if own > 0.0:
        return own
    return max(60.0 * value(view, DEVICE_SILENT_AFTER), value(view, DEVICE_MISSED_BEATS) * dev.beat_s)


def offline(caps: Capabilities, now: float, view: ResidentView) -> list[str]:
    """Devices that send heartbeats and have missed them past their limit at ``now`` (a proven fault)."""
    return sorted(
        d for d, dev in caps.devices.items()
        if dev.supervised and dev.last > -math.inf and now - dev.last > supervised_limit_s(dev, caps, view)
    )


def blind_from(caps: Capabilities, view: ResidentView) -> float:
    """When supervision goes blind if nothing more is heard, else inf.

    Blind: every device that senses the resident's activity sends heartbeats, and every one of them
    has missed them (the hub or its connection is down). Event-only sensors cannot prove a fault,
    so a home with one of them is never called blind: their silence is what the inactivity checks
    are there to notice. A declared device never heard counts as missing.
    """
    sensing = [dev for dev in caps.devices.values() if dev.kind in ACTIVITY_KINDS and dev.kind != "medication"]
    if not sensing or not all(dev.supervised for dev in sensing):
        return math.inf
    heard = [dev.last + supervised_limit_s(dev, caps, view) for dev in sensing if dev.last > -math.inf]
    return max(heard) if heard else math.inf


def blind_since(caps: Capabilities, now: float, view: ResidentView) -> float:
    """When supervision went blind, if it is blind at ``now``, else inf (see :func:`blind_from`)."""
    since = blind_from(caps, view)
    return since if since < now else math.inf
