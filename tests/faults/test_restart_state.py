"""A worker killed with SIGKILL comes back with every resident's state from the changelog.

The restarted worker reads the changelog with a plain consumer (streams/store.py) and Faust
replays only what follows; the newest state of every resident must survive that hand-over,
also the records of the last batch, which the embedded broker leaves out of its end offset.
"""

from __future__ import annotations

import asyncio
import signal
import time
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from tests.faults.harness import wait_consumed
from tests.kafkaio import metric_sum, produce, read_all, scrape

pytestmark = pytest.mark.broker


def _events(prefix: str, start: datetime, n: int, residents: int) -> list[tuple[str, bytes, bytes]]:
    out = []
    for i in range(n):
        rid = f"r-{i % residents:03d}"
        out.append((f"{prefix}sensor-events", rid.encode(), orjson.dumps({
            "kind": "motion", "event_id": f"ev-{i}", "resident_id": rid,
            "time": (start + timedelta(seconds=i)).isoformat(), "device_id": "pir-1", "room": "kitchen",
        })))
    return out


def test_state_survives_kill_9_and_duplicates_are_recognised(broker, prefix, worker_factory) -> None:
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    batch = _events(prefix, start, 400, residents=20)
    worker = worker_factory()
    worker.wait_ready()
    asyncio.run(produce(broker.bootstrap, batch))
    wait_consumed(broker.bootstrap, worker.env["TILSYN_APP_ID"], [f"{prefix}sensor-events"], timeout=60)
    worker.kill(signal.SIGKILL)

    restarted = worker_factory()
    t0 = time.monotonic()
    restarted.wait_ready()
    recovery_s = time.monotonic() - t0
    # the same events again: a worker that lost its state would accept them as new; the last 100
    # are each resident's 5 newest, written in the last flushes (the newest state of each)
    asyncio.run(produce(broker.bootstrap, batch[-100:]))
    dead = asyncio.run(read_all(broker.bootstrap, f"{prefix}dead-letter", expect=100, timeout=60))
    reasons = {d.headers["tilsyn.dlq.reason_code"] for d in dead}
    assert len(dead) == 100, restarted.log_tail()
    assert reasons == {b"duplicate"}
    samples = scrape(restarted.http_port)
    assert metric_sum(samples, "tilsyn_residents_tracked") == 20
    # the state came through the store's plain read, not only Faust's per-record replay
    assert metric_sum(samples, "tilsyn_changelog_records_read_total", table="resident-state") >= 20
    assert recovery_s < 60

