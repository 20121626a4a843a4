"""Events in, alerts out on the right recipient topic, escalation, acknowledgement: through a real broker.

The worker runs on event time (``TILSYN_CLOCK=event``) so the test moves time forward
by sending events instead of waiting: absence patterns and escalation timers fire
exactly as they would on a live stream, only faster.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import orjson
import pytest

from agents.alerting.fhir import render_bundle_dict
from schemas.alerts import Alert
from streams.processor import partition_for
from tests.conftest import TEST_PARTITIONS
from tests.kafkaio import metric_sum, produce, read_all, scrape

pytestmark = pytest.mark.broker

T0 = (datetime.now(UTC) - timedelta(hours=6)).replace(microsecond=0)


def _same_partition(n: int, start: int = 0) -> list[str]:
    """``n`` resident ids that hash to one partition (they share its event-time clock)."""
    out, i = [], start
    target = partition_for(b"r-100000", TEST_PARTITIONS)
    while len(out) < n:
        rid = f"r-{100000 + i}"
        if partition_for(rid.encode(), TEST_PARTITIONS) == target:
            out.append(rid)
        i += 1
    return out


def care(rid: str, **kw: object) -> bytes:
    body: dict[str, object] = {
        "resident_id": rid, "municipality": "3301", "home_care_team": "hc-drammen-sentrum",
        "response_centre": "rs-drammen", "updated_at": T0.isoformat(),
    }
    body.update(kw)
    return orjson.dumps(body)


def sensor(rid: str, kind: str, at: timedelta, n: int, **fields: object) -> bytes:
    return orjson.dumps({
        "kind": kind, "event_id": f"{rid}-{kind}-{n}", "resident_id": rid, "time": (T0 + at).isoformat(),
        "device_id": f"{kind}-1", **fields,
    })


def weight(rid: str, at: timedelta, kg: float, n: int) -> bytes:
    return orjson.dumps({
        "kind": "measurement", "event_id": f"{rid}-w-{n}", "resident_id": rid, "time": (T0 + at).isoformat(),
        "code": "weight", "value": kg, "unit": "kg",
    })


def _wait_for_metric(worker: object, name: str, at_least: float, timeout: float = 30.0, **labels: str) -> None:
    deadline = time.monotonic() + timeout
    value = 0.0
    while time.monotonic() < deadline:
        value = metric_sum(scrape(worker.http_port), name, **labels)  # type: ignore[attr-defined]
        if value >= at_least:
            return
        time.sleep(0.2)
    raise AssertionError(f"{name}{labels} reached only {value} (wanted {at_least}) in {timeout:.0f} s")


def alerts_on(broker: object, prefix: str, topic: str, expect: int) -> list[Alert]:
    recs = asyncio.run(read_all(broker.bootstrap, f"{prefix}alerts.{topic}", expect=expect, timeout=60))  # type: ignore[attr-defined]
    return [Alert.model_validate_json(r.value) for r in recs if r.value is not None]


def test_safety_alert_escalates_unless_acknowledged(broker, prefix, worker_factory) -> None:
    pressed, acked, bathroom, clock = _same_partition(4)
    worker = worker_factory(clock="event", fhir_output="1")
    worker.wait_ready()
    topic = f"{prefix}sensor-events"
    # Kafka orders records within a partition of one topic only: the care contexts must have
    # been read before the events, or the alerts go (correctly) to the default teams
    asyncio.run(produce(broker.bootstrap, [
        (f"{prefix}care-context", rid.encode(), care(rid)) for rid in (pressed, acked, bathroom, clock)
    ]))
    _wait_for_metric(worker, "tilsyn_events_in_total", 4, topic="care-context")
    asyncio.run(produce(broker.bootstrap, [
        (topic, pressed.encode(), sensor(pressed, "alarm_button", timedelta(minutes=1), 1)),
        (topic, acked.encode(), sensor(acked, "alarm_button", timedelta(minutes=1), 1)),
        # the resident walks from the bedroom through the hallway into the bathroom (presence confirmed)
        (topic, bathroom.encode(), sensor(bathroom, "motion", timedelta(seconds=60), 2, room="bedroom", device_id="pir-bed")),
        (topic, bathroom.encode(), sensor(bathroom, "motion", timedelta(seconds=90), 3, room="hallway", device_id="pir-hall")),
        (topic, bathroom.encode(), sensor(bathroom, "motion", timedelta(minutes=2), 1, room="bathroom", device_id="pir-bath")),
    ]))
    first = alerts_on(broker, prefix, "response-centre", expect=2)
    assert sorted(a.resident_id for a in first) == sorted([pressed, acked])
    assert all(a.type.value == "safety_alarm" and a.recipient.team_id == "rs-drammen" for a in first)
    assert all(a.notification == "initial" for a in first)
    ack_for = next(a for a in first if a.resident_id == acked)

    # the response centre acknowledges one press two minutes later
    asyncio.run(produce(broker.bootstrap, [(f"{prefix}alert-acks", acked.encode(), orjson.dumps({
        "alert_id": ack_for.alert_id, "resident_id": acked, "action": "acknowledged",
        "by": "rs-drammen", "time": (T0 + timedelta(minutes=3)).isoformat(),
    }))]))
    # another resident's activity moves the partition's event time on by an hour, in steps
    asyncio.run(produce(broker.bootstrap, [
        (topic, clock.encode(), sensor(clock, "motion", timedelta(minutes=4 + m), m, room="kitchen"))
        for m in range(0, 60, 2)
    ]))
    seen = alerts_on(broker, prefix, "response-centre", expect=4)
    # the safety chain: the home-care team on duty after 5 min, legevakt after 10 (docs/ALERTING.md)
    escalations = [a for kind in ("homecare", "out-of-hours") for a in alerts_on(broker, prefix, kind, expect=2)
                   if a.notification == "escalation"]
    assert acked not in {a.resident_id for a in escalations}, "the acknowledged press must not escalate"
    # the bathroom stay fires at its 45-min deadline and, unacknowledged, climbs the same chain
    assert bathroom in {a.resident_id for a in escalations}
    pressed_steps = sorted((a.step, a.recipient.kind.value) for a in escalations if a.resident_id == pressed)
    assert pressed_steps == [(2, "homecare"), (3, "out-of-hours")], pressed_steps
    assert {a.escalation_of for a in escalations if a.resident_id == pressed} == {
        next(a.alert_id for a in first if a.resident_id == pressed)}
    stay = [a for a in seen if a.type.value == "long_bathroom_stay" and a.notification == "initial"]
    assert [a.resident_id for a in stay] == [bathroom]
    assert stay[0].severity.value == "high"
    assert "45" in stay[0].evidence[0].en, stay[0].evidence[0].en

    # every alert also went out as FHIR, and the metrics saw the acknowledgement
    fhir = asyncio.run(read_all(broker.bootstrap, f"{prefix}alerts.fhir", expect=len(seen), timeout=30))
    ids = {i["value"] for r in fhir for v in orjson.loads(r.value)["entry"]
           if v["resource"]["resourceType"] == "DetectedIssue" for i in v["resource"]["identifier"]}
    assert {a.alert_id for a in seen} <= ids
    assert render_bundle_dict(seen[0])["type"] == orjson.loads(fhir[0].value)["type"] == "message"
    samples = scrape(worker.http_port)
    assert metric_sum(samples, "tilsyn_acknowledgement_latency_seconds_count", severity="high") == 1
    assert metric_sum(samples, "tilsyn_escalations_total", notification="escalation") == len(escalations)


def test_weight_gain_goes_to_the_specialist_unit(broker, prefix, worker_factory) -> None:
    followed, unfollowed = _same_partition(2, start=500)
    worker = worker_factory(clock="event")
    worker.wait_ready()
    asyncio.run(produce(broker.bootstrap, [
        (f"{prefix}care-context", followed.encode(),
         care(followed, programmes=["heart_failure"], specialist_unit="hjertesvikt-ahus")),
        (f"{prefix}care-context", unfollowed.encode(), care(unfollowed, programmes=["heart_failure"])),
    ]))
    _wait_for_metric(worker, "tilsyn_events_in_total", 2, topic="care-context")
    records: list[tuple[str, bytes, bytes]] = []
    # a week of stable weights at 11:00 local (the day shift: the resident's own home-care team),
    # then +2.6 kg over two days
    morning = T0.astimezone(ZoneInfo("Europe/Oslo")).replace(hour=11, minute=0) - T0
    for rid in (followed, unfollowed):
        kgs = [81.0, 81.2, 80.9, 81.1, 81.0, 80.8, 81.0, 82.2, 83.6]
        records += [(f"{prefix}measurements", rid.encode(), weight(rid, timedelta(days=d - 9) + morning, kg, d))
                    for d, kg in enumerate(kgs)]
    asyncio.run(produce(broker.bootstrap, records))
    specialist = alerts_on(broker, prefix, "specialist", expect=1)
    homecare = alerts_on(broker, prefix, "homecare", expect=1)
    assert [(a.resident_id, a.type.value, a.recipient.team_id) for a in specialist] == [
        (followed, "weight_gain", "hjertesvikt-ahus")
    ]
    assert [(a.resident_id, a.type.value, a.recipient.team_id) for a in homecare] == [
        (unfollowed, "weight_gain", "hc-drammen-sentrum")
    ]
    assert specialist[0].dho_category is not None and specialist[0].dho_category.value == "measurement_alert"
    assert "kg" in specialist[0].evidence[0].nb
