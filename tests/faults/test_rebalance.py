"""Scenario 2: two workers share the load; one is stopped (SIGTERM) mid-stream and started again.

The survivor takes over the stopped worker's partitions and their residents'
state (from the changelog); when the second worker comes back the partitions
are split again. The alerts are those of an uninterrupted run.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from streams.topics import CARE_CONTEXT
from tests.conftest import TEST_PARTITIONS
from tests.faults.harness import SOAK, LoadProducer, cohort_traffic, report, settle_and_compare, wait_consumed
from tests.kafkaio import produce

pytestmark = pytest.mark.broker

SEED = 7311


def _wait_owns(worker, parts: set[int], timeout: float = 90.0) -> float:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if worker.owned_partitions() == parts:
            return time.monotonic() - t0
        time.sleep(0.2)
    raise AssertionError(f"worker did not own {sorted(parts)} within {timeout:.0f} s:\n{worker.log_tail()}")


def test_rebalance_mid_stream_hands_over_state(broker, prefix, worker_factory) -> None:
    residents, days, rate, rounds = (80, 3, 4000, 3) if SOAK else (12, 2, 3000, 1)
    care, events = cohort_traffic(prefix, residents, days, seed=SEED)
    group = f"tilsyn-{prefix.rstrip('.')}"
    everything = set(range(TEST_PARTITIONS))

    survivor = worker_factory(clock="event")
    other = worker_factory(clock="event")
    survivor.wait_ready()
    other.wait_ready()
    asyncio.run(produce(broker.bootstrap, care))
    wait_consumed(broker.bootstrap, group, [prefix + CARE_CONTEXT], timeout=60)

    load = LoadProducer(broker.bootstrap, events, rate)
    load.start()
    takeovers, rejoins = [], []
    for r in range(rounds):
        load.wait_sent(len(events) * (r + 1) // (rounds + 2))
        split = survivor.owned_partitions()
        assert split and split != everything, f"partitions not split between two workers: {split}"
        other.stop()  # SIGTERM: leaves the group cleanly
        takeovers.append(_wait_owns(survivor, everything))
        t0 = time.monotonic()
        other = worker_factory(clock="event")
        other.wait_ready()
        _wait_owns(survivor, everything - other.owned_partitions())
        rejoins.append(time.monotonic() - t0)
    load.finish()

    verdict, _, records, drain_s = settle_and_compare(broker.bootstrap, prefix, group)
    report("rebalance (SIGTERM one of two)", records, verdict, rounds=rounds, rate_per_s=rate,
           takeover_max_s=max(takeovers), rejoin_to_ready_max_s=max(rejoins), drain_after_load_s=drain_s)
    assert survivor.process.poll() is None and other.process.poll() is None
    assert not verdict.lost, f"lost {verdict.lost[:10]}"
    assert not verdict.spurious, f"spurious {verdict.spurious[:10]}"
