"""Ingest through a real broker and worker: every valid record used, every invalid one dead-lettered."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from tests.kafkaio import metric_sum, produce, read_all, scrape

pytestmark = pytest.mark.broker


def _motion(i: int, rid: str, t: datetime) -> bytes:
    return orjson.dumps({
        "kind": "motion", "event_id": f"ev-{i}", "resident_id": rid, "time": t.isoformat(),
        "device_id": "pir-kitchen", "room": "kitchen",
    })


def test_valid_records_are_used_and_invalid_ones_dead_lettered(broker, prefix, worker_factory) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    valid = [
        (f"{prefix}sensor-events", f"r-{i % 7:03d}".encode(), _motion(i, f"r-{i % 7:03d}", now - timedelta(seconds=300 - i)))
        for i in range(60)
    ]
    valid.append((f"{prefix}measurements", b"r-001", orjson.dumps({
        "kind": "measurement", "event_id": "m-1", "resident_id": "r-001", "time": now.isoformat(),
        "code": "weight", "value": 176.4, "unit": "[lb_av]",
    })))
    invalid_cases = {
        "bad_json": b"{not json",
        "unknown_kind": orjson.dumps({"kind": "teleport", "event_id": "x1", "resident_id": "r-001",
                                      "time": now.isoformat(), "device_id": "d"}),
        "national_id": _motion(900, "01019012345", now),
        "schema": orjson.dumps({"kind": "motion", "event_id": "x2", "resident_id": "r-001",
                                "time": now.isoformat(), "device_id": "d", "room": 7}),
        "oversized": b'{"kind":"motion","pad":"' + b"x" * 100_000 + b'"}',
        "future_time": _motion(901, "r-002", now + timedelta(hours=3)),
    }
    invalid = [(f"{prefix}sensor-events", b"r-001", raw) for raw in invalid_cases.values()]
    # a measurement in the wrong unit, and one implausible value
    invalid.append((f"{prefix}measurements", b"r-001", orjson.dumps({
        "kind": "measurement", "event_id": "m-2", "resident_id": "r-001", "time": now.isoformat(),
        "code": "spo2", "value": 97, "unit": "kg"})))
    invalid.append((f"{prefix}measurements", b"r-001", orjson.dumps({
        "kind": "measurement", "event_id": "m-3", "resident_id": "r-001", "time": now.isoformat(),
        "code": "spo2", "value": 101, "unit": "%"})))

    worker = worker_factory()
    worker.wait_ready()
    asyncio.run(produce(broker.bootstrap, valid + invalid))

    dead = asyncio.run(read_all(broker.bootstrap, f"{prefix}dead-letter", expect=len(invalid), timeout=60))
    assert len(dead) == len(invalid), worker.log_tail()
    by_code = {}
    for rec in dead:
        by_code.setdefault(rec.headers["tilsyn.dlq.reason_code"].decode(), []).append(rec)
        assert rec.headers["tilsyn.dlq.reason"], "every dead letter says why"
        assert rec.headers["tilsyn.dlq.topic"] in (b"sensor-events", b"measurements")
        assert int(rec.headers["tilsyn.dlq.offset"]) >= 0
    for code, raw in invalid_cases.items():
        assert code in by_code, f"no dead letter with reason {code}: {sorted(by_code)}"
        assert any(rec.value == raw for rec in by_code[code]), f"{code}: original bytes not kept"
    assert b"national identity number" in by_code["national_id"][0].headers["tilsyn.dlq.reason"]
    # reasons never echo the payload (it may hold personal data)
    assert b"01019012345" not in by_code["national_id"][0].headers["tilsyn.dlq.reason"]
    assert len(by_code["schema"]) == 3  # wrong type, wrong unit, implausible value

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        samples = scrape(worker.http_port)
        if metric_sum(samples, "tilsyn_events_by_municipality_total") >= len(valid):
            break
        time.sleep(0.5)
    assert metric_sum(samples, "tilsyn_events_by_municipality_total") == len(valid)
    assert metric_sum(samples, "tilsyn_dead_letter_total") == len(invalid)
    assert metric_sum(samples, "tilsyn_invalid_records_total", reason="national_id") == 1
    assert metric_sum(samples, "tilsyn_residents_tracked") == 7
    assert worker.process.poll() is None, "the worker never crashes on input"


def test_record_keyed_wrongly_is_rekeyed_not_lost(broker, prefix, worker_factory) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    worker = worker_factory()
    worker.wait_ready()
    # keyed by device id instead of resident id (a misconfigured hub)
    asyncio.run(produce(broker.bootstrap, [
        (f"{prefix}sensor-events", b"hub-17", _motion(i, "r-042", now - timedelta(seconds=60 - i))) for i in range(5)
    ]))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        samples = scrape(worker.http_port)
        if metric_sum(samples, "tilsyn_events_by_municipality_total") >= 5:
            break
        time.sleep(0.5)
    assert metric_sum(samples, "tilsyn_events_by_municipality_total") == 5
    assert metric_sum(samples, "tilsyn_rekeyed_records_total") == 5
    assert metric_sum(samples, "tilsyn_invalid_records_total") == 0  # re-keyed is not invalid
    assert metric_sum(samples, "tilsyn_dead_letter_total") == 0
    copies = asyncio.run(read_all(broker.bootstrap, f"{prefix}sensor-events", expect=10))
    assert sum(1 for c in copies if c.key == b"r-042") == 5
