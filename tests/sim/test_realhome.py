"""Scoring against annotations and episode injection, on a small home written for this test."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import orjson

from sim import realhome
from sim.importers import Annotation, HomeMap, import_home
from streams.replay_cli import run_replay

MAP = HomeMap.model_validate({
    "home": "tiny", "resident_id": "tiny-1", "time_zone": "Europe/Oslo",
    "sensors": {
        "Bed": {"kind": "motion", "room": "bedroom"}, "Bath": {"kind": "motion", "room": "bathroom"},
        "Kitchen": {"kind": "motion", "room": "kitchen"}, "Living": {"kind": "motion", "room": "living_room"},
        "Door": {"kind": "door", "room": "hallway", "purpose": "exit"},
    },
})


def _casas(tmp_path: Path, days: int = 6) -> Path:
    """A regular life: up at 07:00, kitchen and living room all day, bed at 23:00."""
    lines = []
    start = datetime(2024, 3, 4)
    for d in range(days):
        day = start + timedelta(days=d)
        for m in range(0, 7 * 60, 45):
            lines.append((day + timedelta(minutes=m), "Bed"))
        lines.append((day + timedelta(hours=7, minutes=5), "Bath"))
        for m in range(7 * 60 + 20, 23 * 60, 7):
            lines.append((day + timedelta(minutes=m), "Kitchen" if (m // 7) % 2 else "Living"))
        for m in range(23 * 60, 24 * 60, 20):
            lines.append((day + timedelta(minutes=m), "Bed"))
    path = tmp_path / "tiny.txt"
    path.write_text("".join(f"{t:%Y-%m-%d %H:%M:%S}.000000\t{s}\tON\n" for t, s in lines))
    return path


def test_a_fall_in_the_bathroom_injected_into_a_real_background_is_found(tmp_path: Path) -> None:
    imp = import_home("casas", _casas(tmp_path), MAP, heartbeat_min=60.0)
    events, eps = realhome.inject(imp.events, MAP, "bathroom", seed=3)
    assert len(eps) >= 2
    assert all(8 <= datetime.fromtimestamp(e.onset, imp.start.tzinfo).hour < 20 for e in eps)  # by day
    first = eps[0]
    # entry, then silence (heartbeats go on): nothing but heartbeats for three hours after the onset
    after = [orjson.loads(x) for x in events]
    quiet = [e for e in after if first.onset + 60 < datetime.fromisoformat(e["time"]).timestamp() < first.onset + 3 * 3600]
    assert quiet and {e["kind"] for e in quiet} == {"heartbeat"}
    r = realhome.recall(imp, MAP, "bathroom", run_replay, seeds=[3])
    assert r.found == len(r.episodes) == len(eps)
    assert all(d is not None and 45 * 60 - 1 <= d <= 50 * 60 for d in r.delays_s), r.delays_s


def test_no_injection_where_the_home_cannot_sense_it() -> None:
    no_pir = MAP.model_copy(update={"sensors": {k: v for k, v in MAP.sensors.items() if k != "Bath"}})
    assert realhome.injectable(no_pir, "bathroom") == "no presence sensor (PIR) in the bathroom"
    no_door = MAP.model_copy(update={"sensors": {k: v for k, v in MAP.sensors.items() if k != "Door"}})
    assert realhome.injectable(no_door, "wandering") == "no exit-door contact"


def test_normal_life_scores_no_alert_and_the_explanation_quotes_annotations(tmp_path: Path) -> None:
    imp = import_home("casas", _casas(tmp_path), MAP, heartbeat_min=60.0)
    s = realhome.score(MAP, imp, run_replay(imp.events, [imp.care_context], imp.end.timestamp()), True)
    assert s.high == [] and s.days > 4.0 and s.high_per_month == 0.0
    notes = [Annotation(datetime(2024, 3, 5, 6), datetime(2024, 3, 5, 7), "Sleeping"),
             Annotation(datetime(2024, 3, 5, 7, 10), datetime(2024, 3, 5, 7, 20), "Toileting")]
    assert realhome.around(notes, datetime(2024, 3, 5, 7, 40)) == "after Toileting (ended 07:20)"
    assert realhome.around(notes, datetime(2024, 3, 5, 6, 30)) == "during Sleeping"
    assert realhome.around(notes, datetime(2024, 3, 9, 12)) == "day not annotated"
