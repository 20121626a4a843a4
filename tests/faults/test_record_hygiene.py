"""Record hygiene of the worker's processor, without a broker: what is rejected, with which reason,
and what is kept (issue: safety invariants, finding 6 and the override ranges of finding 1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
import pytest

from agents.engine import Engine
from schemas.alerts import AlertType
from streams import metrics
from streams.codec import Limits
from streams.processor import REKEYED_HEADER, BatchOutput, Record, ResidentProcessor, partition_for

P = 4
RID = "r-000042"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
_offsets = iter(range(10**9))


def processor(clock: str = "event") -> ResidentProcessor:
    return ResidentProcessor(Engine(), partitions=P, limits=Limits(), clock=clock)


def rec(topic: str, value: bytes | None, key: bytes | None = RID.encode(), partition: int | None = None,
        headers: bool = False) -> Record:
    part = partition_for(key, P) if partition is None and key else (partition or 0)
    return Record(topic, part, next(_offsets), None, key, value, rekeyed=headers)


def care(updated: datetime, rid: str = RID, **overrides: float) -> bytes:
    return orjson.dumps({
        "resident_id": rid, "municipality": "0301", "home_care_team": "hc-1", "response_centre": "rc-1",
        "overrides": overrides, "updated_at": updated.isoformat(),
    })


def event(kind: str, t: datetime, n: int, **extra: object) -> bytes:
    body = {"kind": kind, "event_id": f"e-{n}", "resident_id": RID, "time": t.isoformat(), "device_id": "d-1"}
    body.update(extra)
    return orjson.dumps(body)


def reasons(out: BatchOutput) -> list[str]:
    return [dict(p.headers or [])["tilsyn.dlq.reason_code"].decode() for p in out.publish if p.topic == "dead-letter"]


def dead_reason(out: BatchOutput) -> str:
    return next(dict(p.headers or [])["tilsyn.dlq.reason"].decode() for p in out.publish if p.topic == "dead-letter")


def alerts(out: BatchOutput) -> list[AlertType]:
    return [p.alert.type for p in out.publish if p.alert is not None and p.alert.notification == "initial"]


def test_out_of_range_override_is_dead_lettered_and_the_previous_context_kept() -> None:
    pr = processor()
    pr.handle([rec("care-context", care(T0, bathroom_stay_limit_min=30))], 0)
    out = pr.handle([rec("care-context", care(T0 + timedelta(days=1), bathroom_stay_limit_min=0))], 0)
    assert reasons(out) == ["override_range"]
    assert "bathroom_stay_limit_min=0" in dead_reason(out) and "15-180" in dead_reason(out)
    assert pr.states[RID].care is not None and pr.states[RID].care.overrides == {"bathroom_stay_limit_min": 30}


def test_an_older_care_context_is_dead_lettered_not_applied() -> None:
    pr = processor()
    pr.handle([rec("care-context", care(T0, bathroom_stay_limit_min=30))], 0)
    out = pr.handle([rec("care-context", care(T0 - timedelta(days=400)))], 0)
    assert reasons(out) == ["stale_care_context"]
    assert pr.states[RID].care is not None and pr.states[RID].care.updated_at == T0


@pytest.mark.parametrize("key", [None, b"", b"\xff\xfe", b"12345678901", b"a b"])
def test_an_unusable_tombstone_is_dead_lettered(key: bytes | None) -> None:
    out = processor().handle([rec("care-context", None, key=key, partition=0)], 0)
    assert reasons(out) == ["bad_key"]


def test_a_valid_tombstone_deletes_the_context() -> None:
    pr = processor()
    pr.handle([rec("care-context", care(T0))], 0)
    out = pr.handle([rec("care-context", None)], 0)
    assert reasons(out) == [] and pr.states[RID].care is None


def test_a_record_keyed_by_device_is_rekeyed_and_counted_as_such_not_as_invalid() -> None:
    pr = processor()
    before_invalid = metrics.INVALID.labels(topic="sensor-events", reason="bad_key")._value.get()
    before_rekeyed = metrics.REKEYED.labels(topic="sensor-events")._value.get()
    out = pr.handle([rec("sensor-events", event("motion", T0, 1, room="kitchen"), key=b"device-7")], 0)
    copies = [p for p in out.publish if p.topic == "sensor-events"]
    assert len(copies) == 1 and copies[0].key == RID.encode() and reasons(out) == []
    assert metrics.INVALID.labels(topic="sensor-events", reason="bad_key")._value.get() == before_invalid
    assert metrics.REKEYED.labels(topic="sensor-events")._value.get() == before_rekeyed + 1


def test_a_forged_rekey_header_is_named_as_such() -> None:
    out = processor().handle(
        [rec("sensor-events", event("motion", T0, 2, room="kitchen"), key=b"device-7", headers=True)], 0
    )
    assert reasons(out) == ["forged_header"]
    assert REKEYED_HEADER in dead_reason(out)


def test_year_9999_is_rejected_and_does_not_block_the_resident() -> None:
    pr = processor()
    pr.handle([rec("sensor-events", event("motion", T0, 10, room="kitchen"))], 0)
    out = pr.handle([rec("sensor-events", event("motion", datetime(9999, 1, 1, tzinfo=UTC), 11, room="kitchen"))], 0)
    assert reasons(out) == ["implausible_time"]
    out = pr.handle([rec("sensor-events", event("motion", T0 + timedelta(days=3), 12, room="kitchen"))], 0)
    assert reasons(out) == [] and pr.states[RID].watermark == (T0 + timedelta(days=3)).timestamp()


def test_event_clock_rejects_records_far_ahead_of_the_partition() -> None:
    pr = processor()
    pr.handle([rec("sensor-events", event("motion", T0, 20, room="kitchen"))], 0)
    out = pr.handle([rec("sensor-events", event("motion", T0 + timedelta(days=30), 21, room="kitchen"))], 0)
    assert reasons(out) == ["future_time"]
    # a home silent for a week (a holiday) is not a wrong clock
    out = pr.handle([rec("sensor-events", event("motion", T0 + timedelta(days=7), 22, room="kitchen"))], 0)
    assert reasons(out) == []


@pytest.mark.parametrize("when", [datetime(9999, 1, 1, tzinfo=UTC), datetime(1970, 1, 2, tzinfo=UTC), None])
def test_an_alarm_press_from_a_wrong_clock_is_still_alerted_at_arrival(when: datetime | None) -> None:
    pr = processor()
    pr.handle([rec("care-context", care(T0)), rec("sensor-events", event("motion", T0, 30, room="kitchen"))], 0)
    at = when or T0 + timedelta(days=60)  # None: two months ahead of the partition's time
    out = pr.handle([rec("sensor-events", event("alarm_button", at, 31))], 0)
    assert alerts(out) == [AlertType.SAFETY_ALARM] and reasons(out) == []
    alert = next(p.alert for p in out.publish if p.alert is not None)
    assert alert.time == T0
    assert pr.states[RID].watermark == T0.timestamp()


def test_wall_clock_mode_alerts_a_future_press_at_wall_time() -> None:
    pr = processor(clock="wall")
    wall = T0.timestamp()
    out = pr.handle([rec("sensor-events", event("alarm_button", T0 + timedelta(hours=5), 40))], wall)
    assert alerts(out) == [AlertType.SAFETY_ALARM]
    out = pr.handle([rec("sensor-events", event("motion", T0 + timedelta(hours=5), 41, room="kitchen"))], wall)
    assert reasons(out) == ["future_time"]


def test_localtime_is_not_a_time_zone() -> None:
    body = orjson.loads(care(T0))
    body["time_zone"] = "localtime"
    out = processor().handle([rec("care-context", orjson.dumps(body))], 0)
    assert reasons(out) == ["schema"] and "IANA" in dead_reason(out)


@pytest.mark.parametrize("stored", [bytes([99]) + bytes(16) + b"later format", bytes([2]) + bytes(16) + b"\xc1damaged"])
def test_an_unreadable_stored_state_starts_the_resident_afresh_and_alarms_still_alert(stored: bytes) -> None:
    def errors() -> float:
        return metrics.REGISTRY.get_sample_value("tilsyn_detector_errors_total", {"stage": "state"}) or 0.0

    before = errors()
    pr = ResidentProcessor(Engine(), partitions=P, limits=Limits(), clock="event",
                           load_state=lambda rid: stored, load_care=lambda rid: care(T0))
    out = pr.handle([rec("sensor-events", event("alarm_button", T0, 40))], 0)
    assert alerts(out) == [AlertType.SAFETY_ALARM] and reasons(out) == []
    assert pr.states[RID].care is not None and pr.states[RID].care.municipality == "0301"
    assert errors() == before + 1
