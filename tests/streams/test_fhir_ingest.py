"""The worker's FHIR branch: per-observation dead letters and the time guards (issue #18)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from agents.engine import Engine
from schemas.fhir_observations import read_bundle
from streams.codec import Limits
from streams.processor import ENTRY_HEADER, Record, ResidentProcessor, partition_for
from streams.topics import DEAD_LETTER, MEASUREMENTS_FHIR

NOW = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def _pulse(oid: str, bpm: float, when: str, rid: str = "r-042") -> dict[str, Any]:
    return {"fullUrl": f"urn:uuid:{oid}", "resource": {
        "resourceType": "Observation", "id": oid, "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
        "subject": {"identifier": {"system": "urn:tilsyn:resident", "value": rid}},
        "effectiveDateTime": when,
        "valueQuantity": {"value": bpm, "unit": "/min", "system": "http://unitsofmeasure.org", "code": "/min"},
    }}


def _run(entries: list[dict[str, Any]], clock: str = "wall", key: bytes = b"r-042") -> tuple[ResidentProcessor, Any]:
    proc = ResidentProcessor(Engine(), partitions=1, limits=Limits() if clock == "wall" else Limits(max_past_age_s=None),
                             clock=clock, fhir_bundle_to_events=read_bundle)
    value = orjson.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries})
    out = proc.handle([Record(MEASUREMENTS_FHIR, partition_for(key, 1), 7, None, key, value)], NOW.timestamp())
    return proc, out


def _dead(out: Any) -> dict[int, tuple[str, str, bytes]]:
    found = {}
    for p in out.publish:
        if p.topic == DEAD_LETTER:
            h = dict(p.headers)
            found[int(h[ENTRY_HEADER])] = (h["tilsyn.dlq.reason_code"].decode(), h["tilsyn.dlq.reason"].decode(), p.value)
    return found


def _alerts(out: Any) -> list[Any]:
    return [p.alert for p in out.publish if p.alert is not None]


def test_each_bad_observation_is_dead_lettered_alone_and_the_good_ones_alert() -> None:
    at = (NOW - timedelta(minutes=5)).isoformat()
    bad_unit = _pulse("hr-bad", 140, at)
    bad_unit["resource"]["valueQuantity"]["code"] = "kg"
    proc, out = _run([_pulse("hr-1", 140, at), bad_unit, _pulse("hr-2", 38, (NOW - timedelta(minutes=1)).isoformat())])
    dead = _dead(out)
    assert list(dead) == [1]
    assert dead[1][0] == "fhir" and "not accepted for pulse" in dead[1][1]
    assert orjson.loads(dead[1][2])["resource"]["id"] == "hr-bad"
    # the good ones alert: NEWS2 at once (a pulse of 140 or 38 scores 3); the pulse notice itself
    # waits for its measuring occasion to close (agents/clinical/triage.py)
    assert {a.type.value for a in _alerts(out)} == {"news2"}
    assert proc.states["r-042"] is not None


def test_an_observation_from_2006_is_dead_lettered_never_alerted_on_the_wall_clock() -> None:
    _, out = _run([_pulse("hr-old", 150, "2006-05-01T08:00:00+02:00"),
                   _pulse("hr-y1", 150, "0001-01-01T00:00:00+00:00"),
                   _pulse("hr-now", 72, (NOW - timedelta(minutes=2)).isoformat())])
    dead = _dead(out)
    assert set(dead) == {0, 1}
    assert (dead[0][0], dead[1][0]) == ("past_time", "implausible_time")
    assert "days older than the clock" in dead[0][1]
    assert not _alerts(out)


def test_on_the_event_clock_an_old_observation_is_judged_by_the_partitions_time() -> None:
    proc = ResidentProcessor(Engine(), partitions=1, limits=Limits(max_past_age_s=None), clock="event",
                             fhir_bundle_to_events=read_bundle)
    first = orjson.dumps({"resourceType": "Bundle", "type": "collection",
                          "entry": [_pulse("hr-1", 72, NOW.isoformat())]})
    proc.handle([Record(MEASUREMENTS_FHIR, 0, 1, None, b"r-042", first)], 0.0)
    stale = orjson.dumps({"resourceType": "Bundle", "type": "collection",
                          "entry": [_pulse("hr-old", 150, "2006-05-01T08:00:00+02:00")]})
    out = proc.handle([Record(MEASUREMENTS_FHIR, 0, 2, None, b"r-042", stale)], 0.0)
    ((code, reason, _),) = _dead(out).values()
    assert code == "past_time" and "partition time" in reason
    assert not _alerts(out)


def test_a_date_only_observation_of_today_is_not_refused_as_future() -> None:
    entry = _pulse("hr-d", 72, NOW.date().isoformat())
    _, out = _run([entry])  # noon local is 11:00 UTC, before NOW; a later date would be refused
    assert not _dead(out)
    tomorrow = _pulse("hr-t", 72, (NOW + timedelta(days=2)).date().isoformat())
    _, out = _run([tomorrow])
    ((code, _, _),) = _dead(out).values()
    assert code == "future_time"


def test_a_second_residents_observation_in_the_bundle_is_dead_lettered_alone() -> None:
    at = (NOW - timedelta(minutes=5)).isoformat()
    _, out = _run([_pulse("hr-1", 72, at), _pulse("hr-2", 72, at, rid="r-043")])
    ((code, reason, _),) = _dead(out).values()
    assert code == "fhir" and "another resident" in reason


def test_a_duplicate_observation_is_dead_lettered_alone() -> None:
    at = (NOW - timedelta(minutes=5)).isoformat()
    _, out = _run([_pulse("hr-1", 72, at), _pulse("hr-1", 72, at), _pulse("hr-3", 74, at)])
    dead = _dead(out)
    assert list(dead) == [1] and dead[1][0] == "duplicate"


def test_national_id_subject_dead_letter_does_not_copy_the_number() -> None:
    entry = _pulse("hr-1", 72, (NOW - timedelta(minutes=5)).isoformat())
    entry["resource"]["subject"] = {"identifier": {"system": "urn:oid:2.16.578.1.12.4.1.4.1", "value": "15834510062"}}
    _, out = _run([entry])
    ((_code, reason, value),) = _dead(out).values()
    assert "tilsyn gateway" in reason
    assert b"15834510062" not in value


def test_a_date_only_reading_arriving_before_noon_takes_its_arrival_time() -> None:
    """Local noon lies ahead at 08:00: the reading was taken before it arrived, and the clock must not jump."""
    morning = datetime(2024, 3, 1, 7, 0, tzinfo=UTC)  # 08:00 in Oslo
    proc = ResidentProcessor(Engine(), partitions=1, limits=Limits(), clock="wall", fhir_bundle_to_events=read_bundle)
    value = orjson.dumps({"resourceType": "Bundle", "type": "collection",
                          "entry": [_pulse("hr-d", 72, morning.date().isoformat())]})
    out = proc.handle([Record(MEASUREMENTS_FHIR, 0, 1, None, b"r-042", value)], morning.timestamp())
    assert not _dead(out)
    assert proc.clocks[0].watermark == morning.timestamp()
