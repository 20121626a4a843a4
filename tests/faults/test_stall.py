"""Scenario 3: the broker stalls (SIGSTOP) under load, longer than the session timeout, then resumes.

The workers' requests and heartbeats time out; after SIGCONT they reconnect
(rejoining the group if the broker expired their session) and continue. The alerts are those of an uninterrupted run.
The broker fixture is shared by the whole session: it is always thawed.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from streams.topics import CARE_CONTEXT, SENSOR_EVENTS
from tests.faults.harness import (
    SOAK,
    LoadProducer,
    _group_done,
    cohort_traffic,
    report,
    settle_and_compare,
    wait_consumed,
)
from tests.kafkaio import produce

pytestmark = pytest.mark.broker

SEED = 4242
SESSION_TIMEOUT_S = 6.0  # the workers' broker_session_timeout with TILSYN_FAST_REBALANCE=1


def _committed(bootstrap: str, group: str, topics: list[str]) -> int | None:
    try:
        remaining, end = asyncio.run(_group_done(bootstrap, group, topics))
    except Exception:  # the broker is still waking up
        return None
    return end - remaining


def _first_progress(bootstrap: str, group: str, topics: list[str], since: float, timeout: float = 120.0) -> float:
    """Seconds from ``since`` until the group commits more than it had when the broker came back."""
    before = None
    while before is None and time.monotonic() - since < timeout:
        before = _committed(bootstrap, group, topics)
    while time.monotonic() - since < timeout:
        now = _committed(bootstrap, group, topics)
        if now is not None and before is not None and now > before:
            return time.monotonic() - since
        time.sleep(0.2)
    raise AssertionError(f"no progress within {timeout:.0f} s after the stall")


def test_broker_stall_then_resume(broker, prefix, worker_factory) -> None:
    residents, days, rate, stall_s = (80, 3, 4000, 30.0) if SOAK else (12, 2, 3000, 10.0)
    assert stall_s > SESSION_TIMEOUT_S, "the stall must outlast the session timeout to test rejoining"
    care, events = cohort_traffic(prefix, residents, days, seed=SEED)
    group = f"tilsyn-{prefix.rstrip('.')}"

    worker = worker_factory(clock="event")
    worker.wait_ready()
    asyncio.run(produce(broker.bootstrap, care))
    wait_consumed(broker.bootstrap, group, [prefix + CARE_CONTEXT], timeout=60)

    load = LoadProducer(broker.bootstrap, events, rate)
    load.start()
    load.wait_sent(len(events) // 3)
    broker.freeze()
    try:
        time.sleep(stall_s)  # the fault itself: the broker is away this long
    finally:
        broker.thaw()
    thawed = time.monotonic()
    resume_s = _first_progress(broker.bootstrap, group, [prefix + SENSOR_EVENTS], since=thawed)
    worker.wait_ready(timeout=120)
    ready_s = time.monotonic() - thawed
    load.finish()

    verdict, _, records, drain_s = settle_and_compare(broker.bootstrap, prefix, group)
    report("broker stall (SIGSTOP)", records, verdict, stall_s=stall_s, rate_per_s=rate,
           thaw_to_first_commit_s=resume_s, thaw_to_ready_s=ready_s, drain_after_load_s=drain_s)
    assert worker.process.poll() is None, worker.log_tail()
    assert not verdict.lost, f"lost {verdict.lost[:10]}"
    assert not verdict.spurious, f"spurious {verdict.spurious[:10]}"
