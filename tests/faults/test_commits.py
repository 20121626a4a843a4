"""Commits advance after kill -9 (issue: safety invariants, finding 4).

An independent probe found a restarted worker that processed everything but left most
partitions committed at their pre-kill positions; a restart then re-read tens of thousands
of records and the watchdog looped. Offsets here are read from the broker (the group
coordinator), never from the worker's own metrics.
"""

from __future__ import annotations

import asyncio
import random
import signal
import time
from datetime import UTC, datetime

import pytest

from streams.topics import CARE_CONTEXT, SENSOR_EVENTS
from tests.faults.harness import SOAK, LoadProducer, cohort_traffic, log_ends, report, wait_consumed
from tests.kafkaio import produce

pytestmark = pytest.mark.broker

SEED = 20261202
CATCH_UP_S = 30.0


async def _lagging(bootstrap: str, group: str, targets: dict[object, int]) -> dict[str, int]:
    """Partitions whose committed offset is still below ``targets`` (records missing per partition)."""
    from aiokafka import AIOKafkaConsumer

    probe = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False,
                             request_timeout_ms=10000)
    await probe.start()
    try:
        behind = {}
        for tp, target in targets.items():
            done = await probe.committed(tp) or 0  # type: ignore[arg-type]
            if done < target:
                behind[f"{tp.topic}[{tp.partition}]"] = target - done  # type: ignore[attr-defined]
        return behind
    finally:
        await probe.stop()


def wait_committed_to(bootstrap: str, group: str, targets: dict[object, int], timeout: float) -> float:
    start = time.monotonic()
    behind: dict[str, int] = {}
    first: dict[str, int] | None = None
    while time.monotonic() - start < timeout:
        try:
            behind = asyncio.run(_lagging(bootstrap, group, targets))
        except Exception:  # coordinator busy right after a restart: ask again
            behind = {"(no answer)": -1}
        if first is None and "(no answer)" not in behind:
            first = dict(behind)
        if not behind:
            return time.monotonic() - start
        time.sleep(0.5)
    moved = {k: (first or {}).get(k, 0) - v for k, v in behind.items()}
    raise AssertionError(
        f"committed offsets did not reach the end within {timeout:.0f} s: still behind {behind}; "
        f"committed in the wait {moved} (0 = stalled, >0 = too slow)"
    )


@pytest.mark.timeout(1800 if SOAK else 300)
def test_every_partition_commits_to_the_end_after_each_kill_9(broker, prefix, worker_factory) -> None:
    # make test: 5 kills (issue: safety invariants); make soak: 20 kills (issue: "20 kill -9 restarts under load"), all under traffic
    kills, residents, days, rate = (20, 80, 10, 1000) if SOAK else (5, 40, 5, 1000)
    care, events = cohort_traffic(prefix, residents=residents, days=days, seed=SEED, end=datetime.now(UTC))
    group = f"tilsyn-{prefix.rstrip('.')}"
    topic = prefix + SENSOR_EVENTS
    settings = {"clock": "wall"}
    worker = worker_factory(**settings)
    worker.wait_ready()
    asyncio.run(produce(broker.bootstrap, care))
    wait_consumed(broker.bootstrap, group, [prefix + CARE_CONTEXT], timeout=60)

    load = LoadProducer(broker.bootstrap, events, rate=rate)
    load.start()
    rng = random.Random(SEED)
    catch_up = []
    for _ in range(kills):
        time.sleep(rng.uniform(1.5, 4.0))  # traffic while the worker runs
        assert load.is_alive(), (
            f"the load ended before kill {len(catch_up) + 1} after {load.sent}/{len(events)} records "
            f"(error: {load.error!r}): make the cohort larger"
        )
        worker.kill(signal.SIGKILL)
        worker = worker_factory(**settings)
        worker.wait_ready()
        # every record produced before the worker was consuming again must be committed soon after
        targets = asyncio.run(log_ends(broker.bootstrap, [topic]))
        catch_up.append(wait_committed_to(broker.bootstrap, group, targets, CATCH_UP_S))
    load.stop()
    load.finish()
    wait_consumed(broker.bootstrap, group, [topic], timeout=CATCH_UP_S)
    report("commits after kill -9", load.sent, None, kills=kills, rate_per_s=rate,
           catch_up_max_s=max(catch_up), catch_up_median_s=sorted(catch_up)[len(catch_up) // 2])
    assert worker.process.poll() is None, worker.log_tail()
