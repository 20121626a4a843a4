"""`tilsyn import`, `tilsyn replay --format` and `tilsyn evaluate --annotations` on a small fixture."""

from __future__ import annotations

from pathlib import Path

import orjson
from click.testing import CliRunner

from streams.cli import main

FIX = Path(__file__).resolve().parents[1] / "sim" / "fixtures"
MAP = """home: mini
resident_id: mini-1
time_zone: Europe/Madrid
sensors:
  Bed/Bedroom: {kind: bed, room: bedroom}
  Basin/Bathroom: {kind: motion, room: bathroom}
  Maindoor/Entrance: {kind: door, room: entrance, purpose: exit}
labels: {sleeping: [Sleeping], away: [Leaving]}
"""


def test_import_writes_events_care_context_and_annotations(tmp_path: Path) -> None:
    (tmp_path / "map.yaml").write_text(MAP)
    r = CliRunner().invoke(main, [
        "import", "--format", "ordonez", "--map", str(tmp_path / "map.yaml"), str(FIX / "MiniA_Sensors.txt"),
        "--care-context", str(tmp_path / "care.jsonl"), "--annotations", str(tmp_path / "notes.jsonl"),
    ])
    assert r.exit_code == 0, r.output
    events = [orjson.loads(x) for x in r.stdout.splitlines() if x.startswith("{")]
    assert [e["kind"] for e in events] == ["bed", "bed", "motion", "motion", "door", "door"]
    assert orjson.loads((tmp_path / "care.jsonl").read_bytes())["time_zone"] == "Europe/Madrid"
    assert [orjson.loads(x)["label"] for x in (tmp_path / "notes.jsonl").read_bytes().splitlines()] == ["Sleeping", "Leaving"]


def test_replay_reads_a_public_format_and_evaluate_explains_against_annotations(tmp_path: Path) -> None:
    (tmp_path / "map.yaml").write_text(MAP)
    out = tmp_path / "alerts.jsonl"
    r = CliRunner().invoke(main, [
        "replay", "--format", "ordonez", "--map", str(tmp_path / "map.yaml"), str(FIX / "MiniA_Sensors.txt"),
        "--out", str(out), "--no-progress",
    ])
    assert r.exit_code == 0, r.output
    assert "records: 6  invalid: 0" in r.output
    r = CliRunner().invoke(main, ["replay", "--format", "ordonez", str(FIX / "MiniA_Sensors.txt")])
    assert r.exit_code != 0 and "needs exactly one --map FILE" in r.output
    notes = tmp_path / "notes.jsonl"
    notes.write_bytes(orjson.dumps({"start": "2020-03-02T00:10:00+01:00", "end": "2020-03-02T07:00:00+01:00",
                                    "label": "Sleeping"}) + b"\n")
    r = CliRunner().invoke(main, ["evaluate", "--alerts", str(out), "--annotations", str(notes),
                                  "--map", str(tmp_path / "map.yaml")])
    assert r.exit_code == 0, r.output
    assert r.output.startswith("mini: 1.0 days, 1 high alerts")
    # the basin PIR at 07:05-07:07, then nothing until the door at 08:00: a bathroom stay, explained
    assert "| long_bathroom_stay | high | false alarm (normal day) | after Sleeping (ended 07:00) |" in r.output
