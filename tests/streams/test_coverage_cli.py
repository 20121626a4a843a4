"""``tilsyn coverage``: the per-resident report of which patterns are live in a home, and why not."""

from __future__ import annotations

from pathlib import Path

import orjson
from click.testing import CliRunner

from streams.cli import main

CARE = {
    "resident_id": "r-001", "municipality": "0301", "home_care_team": "hc-1", "response_centre": "rc-1",
    "programmes": ["frail_elderly"], "updated_at": "2026-05-01T00:00:00+00:00",
    "devices": {"devices": [
        {"device_id": "pir-kit", "kind": "motion", "room": "kitchen", "heartbeat_min": 60},
        {"device_id": "door-front", "kind": "door", "room": "hallway", "purpose": "exit"},
        {"device_id": "flush", "kind": "toilet", "room": "bathroom"},
        {"device_id": "door-bath", "kind": "door", "room": "bathroom", "purpose": "interior"},
    ]},
}


def _event(i: int, t: str, **body: object) -> bytes:
    return orjson.dumps({"event_id": f"e{i}", "resident_id": "r-001", "time": t, **body})


def _files(tmp_path: Path) -> tuple[Path, Path]:
    care = tmp_path / "care.jsonl"
    care.write_bytes(orjson.dumps(CARE) + b"\n")
    events = tmp_path / "events.jsonl"
    lines = [
        _event(1, "2026-05-04T08:00:00+02:00", kind="motion", device_id="pir-kit", room="kitchen"),
        _event(2, "2026-05-04T08:05:00+02:00", kind="toilet", device_id="flush"),
        _event(3, "2026-05-04T08:06:00+02:00", kind="light", device_id="lamp-liv", room="living_room", state="on"),
        _event(4, "2026-05-04T09:00:00+02:00", kind="heartbeat", device_id="pir-kit"),
    ]
    events.write_bytes(b"\n".join(lines) + b"\n")
    return care, events


def test_coverage_says_which_patterns_are_live_and_why_not(tmp_path: Path) -> None:
    care, events = _files(tmp_path)
    result = CliRunner().invoke(main, ["coverage", str(events), "--care-context", str(care)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "resident r-001 at 2026-05-04 09:00" in out
    # door + flush in the bathroom are not presence sensing
    assert "long_bathroom_stay           off           no presence sensor in the bathroom" in out
    assert "night_wandering              not_enrolled" in out
    assert "sleep_disturbance            off           no bed mat" in out
    # the light switch was never declared: inferred from its events
    assert "lamp-liv" in out and "(inferred)" in out
    assert "pir-kit" in out and "heartbeat 60 min" in out


def test_coverage_as_json_at_a_given_time(tmp_path: Path) -> None:
    care, events = _files(tmp_path)
    result = CliRunner().invoke(
        main, ["coverage", str(events), "--care-context", str(care), "--json", "--at", "2026-05-04T14:00:00+02:00"]
    )
    assert result.exit_code == 0, result.output
    report = orjson.loads(result.output.strip())
    assert report["at"] == "2026-05-04 14:00"
    kit = {d["device_id"]: d for d in report["devices"]}
    assert kit["pir-kit"]["silent"] is True and kit["pir-kit"]["silence_limit"] == "heartbeat"
    assert kit["door-front"]["heartbeat_min"] is None
    statuses = {p["pattern"]: p["status"] for p in report["patterns"]}
    assert statuses["daytime_inactivity"] == "live"


def test_coverage_refuses_a_time_without_offset_and_an_unknown_resident(tmp_path: Path) -> None:
    _care, events = _files(tmp_path)
    runner = CliRunner()
    bad = runner.invoke(main, ["coverage", str(events), "--at", "2026-05-04T14:00:00"])
    assert bad.exit_code != 0 and "UTC offset" in bad.output
    missing = runner.invoke(main, ["coverage", str(events), "--resident", "r-404"])
    assert missing.exit_code != 0 and "no events for resident(s) r-404" in missing.output
