"""Replay equals live: the offline replay and the live worker (event-clock mode, embedded broker)
produce the same alert ids, times and evidence for the same sparse input.

The input is sparse on purpose: a resident goes into the bathroom and nothing more is heard from
that home; the only later records are another resident's, hours apart, on the same partition.
The long bathroom stay and the desk's reminders must fire at their own deadlines in both, not
at the next record's time.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from schemas.alerts import Alert
from streams.processor import partition_for
from streams.replay import Replay
from streams.topics import CARE_CONTEXT, SENSOR_EVENTS
from tests.conftest import TEST_PARTITIONS
from tests.kafkaio import produce, read_all

pytestmark = pytest.mark.broker

T0 = (datetime.now(UTC) - timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
"""Yesterday 09:00 UTC (the care context says UTC): a morning at home, in the past for the live worker."""


def _pair() -> tuple[str, str]:
    """Two resident ids on one partition (they share its event-time clock)."""
    target = partition_for(b"rq-200000", TEST_PARTITIONS)
    other = next(f"rq-{200000 + i}" for i in range(1, 10_000)
                 if partition_for(f"rq-{200000 + i}".encode(), TEST_PARTITIONS) == target)
    return "rq-200000", other


def _care(rid: str) -> bytes:
    return orjson.dumps({
        "resident_id": rid, "municipality": "3301", "home_care_team": "hc-drammen-sentrum",
        "response_centre": "rs-drammen", "updated_at": (T0 - timedelta(days=1)).isoformat(),
        "time_zone": "UTC",
    })


def _motion(rid: str, minutes: float, room: str, n: int) -> bytes:
    return orjson.dumps({
        "kind": "motion", "event_id": f"{rid}-{n}", "resident_id": rid, "device_id": f"pir-{room}",
        "room": room, "time": (T0 + timedelta(minutes=minutes)).isoformat(),
    })


def _input() -> tuple[list[tuple[str, bytes, bytes]], list[tuple[str, bytes, bytes]]]:
    home, clock = _pair()
    care = [(CARE_CONTEXT, rid.encode(), _care(rid)) for rid in (home, clock)]
    events = [
        (SENSOR_EVENTS, home.encode(), _motion(home, 0, "kitchen", 1)),
        (SENSOR_EVENTS, home.encode(), _motion(home, 1, "hallway", 2)),
        (SENSOR_EVENTS, home.encode(), _motion(home, 2, "bathroom", 3)),
        (SENSOR_EVENTS, home.encode(), _motion(home, 3, "bathroom", 4)),
        # then only the other resident, hours apart: partition time jumps
        (SENSOR_EVENTS, clock.encode(), _motion(clock, 150, "kitchen", 1)),
        (SENSOR_EVENTS, clock.encode(), _motion(clock, 330, "kitchen", 2)),
    ]
    return care, events


def _key(a: Alert) -> tuple[str, str, str, str, str]:
    return (a.alert_id, a.recipient.kind.value, a.notification, a.time.isoformat(), a.evidence[0].en)


def test_replay_and_live_worker_give_the_same_alerts(broker, prefix, worker_factory) -> None:
    care, events = _input()
    offline = Replay().run([v for _, _, v in events], [v for _, _, v in care])
    expected = sorted(_key(a) for a in offline.alerts)
    types = {a.type.value for a in offline.alerts}
    assert "long_bathroom_stay" in types, types
    assert any(a.notification == "reminder" for a in offline.alerts)  # the desk's own deadlines too
    bath = next(a for a in offline.alerts if a.type.value == "long_bathroom_stay" and a.notification == "initial")
    assert bath.time == T0 + timedelta(minutes=2 + 45)  # at its own deadline, not at the 02:30 record

    worker = worker_factory(clock="event")
    worker.wait_ready()
    asyncio.run(produce(broker.bootstrap, [(prefix + t, k, v) for t, k, v in care]))
    # the care contexts are read before the events (another topic: no order across topics)
    asyncio.run(read_all(broker.bootstrap, prefix + CARE_CONTEXT, expect=2, timeout=10))
    asyncio.run(produce(broker.bootstrap, [(prefix + t, k, v) for t, k, v in events]))
    by_topic: dict[str, int] = {}
    for a in offline.alerts:
        by_topic[a.recipient.kind.value] = by_topic.get(a.recipient.kind.value, 0) + 1
    live: list[Alert] = []
    for topic, n in by_topic.items():
        recs = asyncio.run(read_all(broker.bootstrap, f"{prefix}alerts.{topic}", expect=n, timeout=15))
        live += [Alert.model_validate_json(r.value) for r in recs if r.value is not None]
    assert sorted(_key(a) for a in live) == expected, worker.log_tail()
