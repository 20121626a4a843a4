"""The worked examples of docs/ALERTING.md through a real broker and worker, one per care pathway.

The worker runs on event time (``TILSYN_CLOCK=event``); another resident in the same partition
moves time on by sending events, so escalation steps fire exactly as they would live. Routes
come from the shipped ``agents/alerting/routing.yaml`` (municipality 3301, Drammen).
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import orjson
import pytest

from schemas.alerts import Alert
from streams.processor import partition_for
from tests.conftest import TEST_PARTITIONS
from tests.kafkaio import metric_sum, produce, read_all, scrape

pytestmark = pytest.mark.broker

OSLO = ZoneInfo("Europe/Oslo")


def _same_partition(n: int, start: int) -> list[str]:
    out, i = [], start
    target = partition_for(f"r-{start}".encode(), TEST_PARTITIONS)
    while len(out) < n:
        rid = f"r-{i}"
        if partition_for(rid.encode(), TEST_PARTITIONS) == target:
            out.append(rid)
        i += 1
    return out


def _care(rid: str, **kw: object) -> bytes:
    body: dict[str, object] = {
        "resident_id": rid, "municipality": "3301", "home_care_team": "hjt-3301-2",
        "response_centre": "rsp-buskerud", "updated_at": "2025-10-01T00:00:00+00:00",
    }
    body.update(kw)
    return orjson.dumps(body)


def _sensor(rid: str, kind: str, t: datetime, n: int, device: str | None = None, **fields: object) -> bytes:
    return orjson.dumps({"kind": kind, "event_id": f"{rid}-{kind}-{n}-{t.timestamp():.0f}", "resident_id": rid,
                         "time": t.isoformat(), "device_id": device or f"{kind}-1", **fields})


def _measurement(rid: str, code: str, value: float, unit: str, t: datetime, n: int) -> bytes:
    return orjson.dumps({"kind": "measurement", "event_id": f"{rid}-{code}-{n}", "resident_id": rid,
                         "time": t.isoformat(), "code": code, "value": value, "unit": unit})


def _ack(rid: str, alert_id: str, by: str, t: datetime) -> bytes:
    return orjson.dumps({"alert_id": alert_id, "resident_id": rid, "action": "acknowledged", "by": by,
                         "time": t.isoformat()})


def _wait_for_metric(worker: object, name: str, at_least: float, timeout: float = 60.0, **labels: str) -> None:
    deadline = time.monotonic() + timeout
    value = 0.0
    while time.monotonic() < deadline:
        value = metric_sum(scrape(worker.http_port), name, **labels)  # type: ignore[attr-defined]
        if value >= at_least:
            return
        time.sleep(0.2)
    raise AssertionError(f"{name}{labels} reached only {value} (wanted {at_least}) in {timeout:.0f} s")


def _alerts(broker: object, prefix: str, kind: str, expect: int, resident: str | None = None) -> list[Alert]:
    recs = asyncio.run(read_all(broker.bootstrap, f"{prefix}alerts.{kind}", expect=expect, timeout=60))  # type: ignore[attr-defined]
    out = [Alert.model_validate_json(r.value) for r in recs if r.value is not None]
    return [a for a in out if resident is None or a.resident_id == resident]


def _clock(rid: str, start: datetime, minutes: range) -> list[tuple[bytes, bytes]]:
    """Kitchen motion of another resident, one a minute: moves the partition's event time."""
    return [(rid.encode(), _sensor(rid, "motion", start + timedelta(minutes=m), m, room="kitchen")) for m in minutes]


def test_night_fall_reaches_three_teams_and_only_the_recipient_can_acknowledge(broker, prefix, worker_factory) -> None:
    fallen, clock = _same_partition(2, start=200_000)
    worker = worker_factory(clock="event")
    worker.wait_ready()
    sensors = f"{prefix}sensor-events"
    asyncio.run(produce(broker.bootstrap, [(f"{prefix}care-context", fallen.encode(), _care(fallen))]))
    _wait_for_metric(worker, "tilsyn_events_in_total", 1, topic="care-context")
    t0 = datetime(2025, 11, 4, 2, 10, tzinfo=OSLO)  # Tuesday night
    asyncio.run(produce(broker.bootstrap, [
        (sensors, k, v) for k, v in _clock(clock, t0 - timedelta(minutes=5), range(0, 5))
    ] + [(sensors, fallen.encode(), _sensor(fallen, "fall", t0, 1, confidence=0.92))]))
    (first,) = _alerts(broker, prefix, "response-centre", 1, fallen)
    assert (first.type.value, first.recipient.team_id, first.step) == ("fall_detected", "rsp-buskerud", 1)

    # nobody answers: 02:15 the night patrol, 02:20 legevakt
    asyncio.run(produce(broker.bootstrap, [(sensors, k, v) for k, v in _clock(clock, t0, range(1, 13))]))
    (patrol,) = _alerts(broker, prefix, "homecare", 1, fallen)
    (legevakt,) = _alerts(broker, prefix, "out-of-hours", 1, fallen)
    assert (patrol.notification, patrol.recipient.team_id, patrol.step) == ("escalation", "hjt-3301-natt", 2)
    assert (legevakt.notification, legevakt.recipient.team_id, legevakt.step) == ("escalation", "legevakt-drammen", 3)
    assert patrol.time - first.time == timedelta(minutes=5) and legevakt.time - first.time == timedelta(minutes=10)

    # another team's acknowledgement is dead-lettered and stops nothing; the night patrol's is taken
    acks = f"{prefix}alert-acks"
    asyncio.run(produce(broker.bootstrap, [
        (acks, fallen.encode(), _ack(fallen, first.alert_id, "rsp-oslo", t0 + timedelta(minutes=12))),
        (acks, fallen.encode(), _ack(fallen, patrol.alert_id, "hjt-3301-natt", t0 + timedelta(minutes=12))),
    ]))
    (dead,) = asyncio.run(read_all(broker.bootstrap, f"{prefix}dead-letter", expect=1, timeout=60))
    assert dead.headers["tilsyn.dlq.reason_code"] == b"ack_refused"
    assert b"not a team this alert went to" in dead.headers["tilsyn.dlq.reason"]
    assert dead.headers["tilsyn.dlq.topic"] == b"alert-acks"
    # the acknowledgement is in (its status notice is out) before time moves on past the next reminder
    assert [a.notification for a in _alerts(broker, prefix, "response-centre", 2, fallen)] == ["initial", "status"]
    asyncio.run(produce(broker.bootstrap, [(sensors, k, v) for k, v in _clock(clock, t0, range(13, 40))]))
    _wait_for_metric(worker, "tilsyn_events_in_total", 5 + 1 + 39, topic="sensor-events")
    everything = [a for kind in ("response-centre", "homecare", "out-of-hours")
                  for a in _alerts(broker, prefix, kind, 2, fallen)]
    status = [a for a in everything if a.notification == "status"]
    assert {a.recipient.team_id for a in status} == {"rsp-buskerud", "hjt-3301-natt", "legevakt-drammen"}
    assert {(a.status, a.status_by) for a in status} == {("acknowledged", "hjt-3301-natt")}
    assert not [a for a in everything if a.notification == "reminder"], "the acknowledgement stopped the chain"


def test_red_news2_on_saturday_afternoon_goes_to_legevakt_not_the_closed_gp(broker, prefix, worker_factory) -> None:
    ill, clock = _same_partition(2, start=300_000)
    worker = worker_factory(clock="event")
    worker.wait_ready()
    asyncio.run(produce(broker.bootstrap, [(f"{prefix}care-context", ill.encode(), _care(
        ill, programmes=["copd"], specialist_unit="lunge-vvhf", gp="legekontor-bragernes"))]))
    _wait_for_metric(worker, "tilsyn_events_in_total", 1, topic="care-context")
    t0 = datetime(2025, 11, 8, 14, 0, tzinfo=OSLO)  # Saturday 14:00
    topic = f"{prefix}measurements"
    vitals = [("pulse", 125, "/min"), ("temperature", 39.3, "Cel"), ("spo2", 89, "%"), ("respiratory_rate", 26, "/min")]
    asyncio.run(produce(broker.bootstrap, [
        (topic, ill.encode(), _measurement(ill, code, v, unit, t0, i)) for i, (code, v, unit) in enumerate(vitals)
    ]))
    (acute,) = [a for a in _alerts(broker, prefix, "out-of-hours", 1, ill) if a.type.value == "news2"]
    assert (acute.severity.value, acute.recipient.team_id, acute.step) == ("high", "legevakt-drammen", 1)
    specialist = [a for a in _alerts(broker, prefix, "specialist", 1, ill) if a.type.value == "news2"]
    assert {(a.severity.value, a.recipient.team_id) for a in specialist} >= {("high", "lunge-vvhf")}
    # 15 minutes unanswered: the home-care nurse on the Saturday day shift (the resident's own team)
    asyncio.run(produce(broker.bootstrap, [
        (topic, clock.encode(), _measurement(clock, "temperature", 36.8, "Cel", t0 + timedelta(minutes=m), m))
        for m in range(1, 18)
    ]))
    visit = [a for a in _alerts(broker, prefix, "homecare", 1, ill) if a.type.value == "news2"]
    assert [(a.notification, a.recipient.team_id, a.step) for a in visit] == [("escalation", "hjt-3301-2", 2)]
    gp = asyncio.run(read_all(broker.bootstrap, f"{prefix}alerts.gp", timeout=5))
    assert gp == [], "the GP office is closed on Saturdays"


def test_next_of_kin_notice_about_a_missed_morning(broker, prefix, worker_factory) -> None:
    quiet, clock = _same_partition(2, start=400_000)
    worker = worker_factory(clock="event")
    worker.wait_ready()
    asyncio.run(produce(broker.bootstrap, [(f"{prefix}care-context", quiet.encode(), _care(
        quiet,
        legal_basis={"digital_supervision": "consent", "next_of_kin_notices": "consent"},
        next_of_kin=[{"contact_id": "nok-datter-1", "alert_types": ["no_morning_activity"],
                      "notify_from": "07:00", "notify_until": "21:00"}],
    ))]))
    _wait_for_metric(worker, "tilsyn_events_in_total", 1, topic="care-context")
    day = datetime(2025, 11, 4, 8, 0, tzinfo=OSLO)
    evening = datetime(2025, 11, 4, 20, 0, tzinfo=OSLO)
    sensors = f"{prefix}sensor-events"
    # an ordinary day in the kitchen (so the next morning is judged), then to bed at 22:00
    records = [(sensors, quiet.encode(), _sensor(quiet, "motion", day + timedelta(minutes=5 * i), 100 + i,
                                                 device="pir-kitchen", room="kitchen")) for i in range(4)]
    records += [(sensors, quiet.encode(), _sensor(quiet, "motion", day + timedelta(hours=h), 200 + h,
                                                  device="pir-kitchen", room="kitchen")) for h in range(1, 13)]
    records += [(sensors, quiet.encode(), _sensor(quiet, "motion", evening + timedelta(hours=2), 2,
                                                  device="pir-bedroom", room="bedroom"))]
    # both motion sensors stay healthy through the night (heartbeats), but nobody gets up
    records += [(sensors, quiet.encode(), _sensor(quiet, "heartbeat", evening + timedelta(hours=2 + h), 10 * h + i,
                                                  device=device))
                for h in range(1, 14) for i, device in enumerate(("pir-kitchen", "pir-bedroom"))]
    records += [(sensors, k, v) for k, v in _clock(clock, evening + timedelta(hours=15), range(0, 5))]
    asyncio.run(produce(broker.bootstrap, records))
    # no routine learned yet: the morning check is medium (act today), for the home-care team
    (first,) = [a for a in _alerts(broker, prefix, "homecare", 1, quiet) if a.notification == "initial"]
    assert (first.type.value, first.severity.value, first.recipient.team_id) == (
        "no_morning_activity", "medium", "hjt-3301-2")
    (notice,) = _alerts(broker, prefix, "next-of-kin", 1, quiet)
    assert (notice.alert_id, notice.recipient.kind.value, notice.recipient.team_id) == (
        first.alert_id, "next-of-kin", "nok-datter-1")
    assert notice.time.astimezone(OSLO).strftime("%H:%M") == "11:00"
    assert [e.en for e in notice.evidence] == [first.evidence[0].en]
    assert notice.details == {}, "device ids and other details stay with the care teams"
