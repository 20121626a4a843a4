"""Scenario 4: ≥ 100,000 malformed records mixed into valid traffic.

The worker keeps running and answering /healthz; every malformed record (and
every re-sent duplicate) lands in the dead-letter topic with a reason; the valid
traffic produces exactly the alerts it produces alone.

This worker runs on the wall clock (production mode) so that far-future events
meet the skew check; valid events are from the last day. On the wall clock a
partition that has residents but no events yet follows the wall clock minus
``idle_grace_s``; an offline run on event time cannot know about those ticks, so
``idle_grace_s`` is set beyond the 7-day age limit and the valid residents get no
care context (a care context creates a resident before its first event). The
malformed care contexts still go to their topic.
"""

from __future__ import annotations

import asyncio
import random
import time
import urllib.request
from collections import Counter
from datetime import timedelta

import pytest

from streams.topics import CARE_CONTEXT, DEAD_LETTER, SENSOR_EVENTS
from tests.conftest import TEST_PARTITIONS
from tests.faults.harness import (
    SOAK,
    cohort_traffic,
    compare,
    offline_alerts,
    read_inputs,
    read_to_end,
    report,
    wait_alerts,
    wait_consumed,
)
from tests.faults.hostile import duplicated, hostile_care_contexts, hostile_records, now_utc
from tests.kafkaio import produce

pytestmark = pytest.mark.broker

SEED = 99

# what each class of malformed record must be rejected as (dead-letter reason code)
REASONS = {
    "random_bytes": {"bad_json"}, "truncated_json": {"bad_json"}, "deep_json": {"bad_json"},
    "nan": {"schema"}, "infinity": {"schema"}, "wrong_type": {"schema"}, "wrong_unit": {"schema"},
    "bad_offset": {"schema"}, "naive_time": {"schema"}, "future_time": {"future_time"},
    "national_id": {"national_id"}, "unknown_kind": {"unknown_kind"}, "missing_field": {"schema"},
    "unknown_field": {"schema"}, "implausible": {"schema"}, "bad_timezone_context": {"unknown_kind"},
    "not_object": {"schema"}, "oversized": {"oversized"}, "huge_key": {"bad_json"},
    "care:bad_timezone": {"schema"}, "care:unknown_override": {"schema", "unknown_override"},
    "care:national_id": {"national_id"}, "care:bad_json": {"bad_json"},
    "duplicate": {"duplicate"},
}


def _healthy(worker) -> bool:
    try:
        with urllib.request.urlopen(worker.url("/healthz"), timeout=5) as resp:  # nosec B310
            return bool(resp.status == 200)
    except OSError:
        return False


def test_hostile_input_is_dead_lettered_and_changes_nothing(broker, prefix, worker_factory) -> None:
    n_hostile, residents = (300_000, 30) if SOAK else (30_000, 12)
    rng = random.Random(SEED)
    now = now_utc()
    _, events = cohort_traffic(prefix, residents, 1, seed=SEED, end=now - timedelta(minutes=2))
    valid_events = duplicated(events, every=50)
    n_dup = len(valid_events) - len(events)

    bad_care = [(f"care:{cls}", prefix + CARE_CONTEXT, key, raw) for cls, key, raw in hostile_care_contexts(400, SEED, now)]
    bad_events = [(cls, prefix + SENSOR_EVENTS, key, raw) for cls, key, raw in hostile_records(n_hostile, SEED, now)]
    # malformed records spread evenly through the valid ones (order within a partition is what counts)
    stream: list[tuple[str, str, bytes | None, bytes]] = []
    per_valid = len(bad_events) / len(valid_events)
    it = iter(bad_events)
    owed = 0.0
    for topic, key, raw in valid_events:
        owed += per_valid * rng.uniform(0.5, 1.5)
        while owed >= 1:
            nxt = next(it, None)
            if nxt is None:
                break
            stream.append(nxt)
            owed -= 1
        stream.append(("valid", topic, key, raw))
    stream.extend(it)
    assert sum(1 for s in stream if s[0] != "valid") == len(bad_events)
    sent_classes = Counter(s[0] for s in [*bad_care, *bad_events]) + Counter({"duplicate": n_dup})

    worker = worker_factory(clock="wall", idle_grace_s=str(10 * 86400))
    worker.wait_ready()
    group = f"tilsyn-{prefix.rstrip('.')}"
    t0 = time.monotonic()
    asyncio.run(produce(broker.bootstrap, [(t, k, v) for _, t, k, v in [*bad_care, *stream]]))
    produce_s = time.monotonic() - t0
    unhealthy = 0
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:  # /healthz answers all the way through
        unhealthy += not _healthy(worker)
        try:
            wait_consumed(broker.bootstrap, group, [prefix + CARE_CONTEXT, prefix + SENSOR_EVENTS], timeout=2)
            break
        except AssertionError:
            assert worker.process.poll() is None, worker.log_tail()
    consume_s = time.monotonic() - t0

    dead = read_to_end(broker.bootstrap, [prefix + DEAD_LETTER], timeout=120)
    codes = Counter(d.headers.get("tilsyn.dlq.reason_code", b"").decode() for d in dead)
    assert all(d.headers.get("tilsyn.dlq.reason") for d in dead), "every dead letter says why"
    expected_codes: set[str] = set().union(*(REASONS[c] for c in sent_classes))
    assert set(codes) <= expected_codes, f"unexpected reasons {set(codes) - expected_codes}"
    for cls, allowed in REASONS.items():  # every class dead-lettered with its own reason
        if len(allowed) == 1 and all(REASONS[c] != allowed or c == cls for c in sent_classes):
            assert codes[next(iter(allowed))] >= sent_classes[cls], (cls, codes)

    # the valid records as the topic holds them (a producer retry would be in both runs)
    valid_values = {v for _, _, v in events}
    inputs = [r for r in read_inputs(broker.bootstrap, prefix, [SENSOR_EVENTS]) if r.value in valid_values]
    expected = offline_alerts(inputs, TEST_PARTITIONS)
    observed = wait_alerts(broker.bootstrap, prefix, expected, timeout=60)
    verdict = compare(expected, observed)
    total = len(bad_care) + len(stream)
    report("hostile input", total, verdict, malformed=len(bad_care) + len(bad_events), duplicates=n_dup,
           dead_letters=len(dead), unhealthy_probes=unhealthy, produce_s=produce_s,
           consume_s=consume_s, test_s=time.monotonic() - t0)
    assert worker.process.poll() is None and _healthy(worker), worker.log_tail()
    assert unhealthy == 0
    assert len(dead) == len(bad_care) + len(bad_events) + n_dup, codes
    assert expected, "the valid traffic must produce alerts, or the comparison proves nothing"
    assert not verdict.lost, f"lost {verdict.lost[:10]}"
    assert not verdict.spurious, f"spurious {verdict.spurious[:10]}"
