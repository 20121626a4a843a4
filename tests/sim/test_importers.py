"""Importers of the public smart-home formats, on small fixtures written for these tests."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest
from pydantic import TypeAdapter

from schemas.care import CareContext
from schemas.events import SensorEvent
from sim.importers import HomeMap, ImportError_, import_home
from sim.realhome import DEV_HOMES

FIX = Path(__file__).parent / "fixtures"
EVENT = TypeAdapter(SensorEvent)


def _map(**sensors: dict[str, str]) -> HomeMap:
    return HomeMap.model_validate({
        "home": "mini", "resident_id": "mini-1", "time_zone": "Europe/Amsterdam",
        "sensors": sensors, "labels": {"sleeping": ["GoToBed", "Sleeping"], "away": ["LeaveHouse", "Leaving"]},
    })


def _events(lines: list[bytes]) -> list[dict[str, object]]:
    return [orjson.loads(x) for x in lines]


def test_casas_log_becomes_valid_events_in_local_time_with_a_registry() -> None:
    m = _map(BedroomAArea={"kind": "motion", "room": "bedroom"}, BathroomAArea={"kind": "motion", "room": "bathroom"},
             KitchenASink={"kind": "motion", "room": "kitchen"},
             FrontDoor={"kind": "door", "room": "hallway", "purpose": "exit"})
    imp = import_home("casas", FIX / "casas-mini.txt", m)
    evs = _events(imp.events)
    for line in imp.events:
        EVENT.validate_json(line)
    # PIR OFF says nothing; OPEN is a door opened (and closed a few seconds later: a use)
    assert [(e["kind"], e.get("room"), e.get("state")) for e in evs] == [
        ("motion", "bedroom", None), ("motion", "bathroom", None), ("motion", "kitchen", None),
        ("door", "hallway", "open"), ("door", "hallway", "closed"),
    ]
    assert str(evs[0]["time"]).startswith("2020-03-02T06:00:01.1")  # 07:00 in Amsterdam (CET)
    care = CareContext.model_validate_json(imp.care_context)
    assert care.time_zone == "Europe/Amsterdam" and care.devices is not None
    door = care.devices.get("mini:FrontDoor")
    assert door is not None and door.purpose == "exit" and door.heartbeat_min is None


def test_kasteren_intervals_open_and_close_and_annotations_carry_names() -> None:
    m = _map(**{"5": {"kind": "bed", "room": "bedroom"}, "8": {"kind": "toilet", "room": "bathroom"},
                "28": {"kind": "door", "room": "hallway", "purpose": "exit"}})
    imp = import_home("kasteren", FIX / "kasteren-mini", m)
    evs = _events(imp.events)
    assert [(e["kind"], e.get("state")) for e in evs] == [
        ("bed", "occupied"), ("bed", "vacant"), ("door", "open"), ("door", "closed"), ("toilet", None),
    ]
    assert [(a.label, a.start.hour) for a in imp.annotations] == [("GoToBed", 6), ("LeaveHouse", 7)]


def test_kasteren_b_labels_make_annotations_and_unknown_sensors_are_refused() -> None:
    m = _map(BathroomPIR={"kind": "motion", "room": "bathroom"}, KitchenPIR={"kind": "motion", "room": "kitchen"},
             Frontdoor={"kind": "door", "room": "hallway", "purpose": "exit"})
    imp = import_home("kasteren-b", FIX / "kasteren-b-mini.csv", m)
    assert [a.label for a in imp.annotations] == ["UseToilet", "LeaveHouse"]  # "None" is unannotated
    assert sum(1 for e in _events(imp.events) if e["kind"] == "door") == 2
    partial = _map(BathroomPIR={"kind": "motion", "room": "bathroom"})
    with pytest.raises(ImportError_, match="not in the map of mini: Frontdoor, KitchenPIR"):
        import_home("kasteren-b", FIX / "kasteren-b-mini.csv", partial)


def test_ordonez_files_with_heartbeats_declared_in_the_registry() -> None:
    m = _map(**{"Bed/Bedroom": {"kind": "bed", "room": "bedroom"}, "Basin/Bathroom": {"kind": "motion", "room": "bathroom"},
                "Maindoor/Entrance": {"kind": "door", "room": "entrance", "purpose": "exit"}})
    imp = import_home("ordonez", FIX / "MiniA_Sensors.txt", m, heartbeat_min=60.0)
    evs = _events(imp.events)
    beats = [e for e in evs if e["kind"] == "heartbeat"]
    # three devices over the 8 hours of the recording, one beat an hour each
    assert 3 * 7 <= len(beats) <= 3 * 9 and all(e["interval_s"] == 3600.0 for e in beats)
    motion = [e for e in evs if e["kind"] == "motion"]
    assert len(motion) == 2  # a two-minute PIR interval: motion at its start and its end
    care = CareContext.model_validate_json(imp.care_context)
    assert care.devices is not None and all(d.heartbeat_min == 60.0 for d in care.devices.devices)
    assert [a.label for a in imp.annotations] == ["Sleeping", "Leaving"]


def test_bad_lines_and_bad_maps_say_where(tmp_path: Path) -> None:
    m = _map(BedroomAArea={"kind": "motion", "room": "bedroom"})
    bad = tmp_path / "bad.txt"
    bad.write_text((FIX / "casas-mini.txt").read_text().replace("2020-03-02 07:05:00.000000", "yesterday"))
    with pytest.raises(ImportError_, match=r"bad.txt:3: bad timestamp"):
        import_home("casas", bad, m)
    with pytest.raises(ValueError, match="a door device needs a purpose"):
        _map(X={"kind": "door", "room": "hallway"})
    broken = tmp_path / "map.yaml"
    broken.write_text("home: mini\nsensors: [1, 2]\n")
    with pytest.raises(ImportError_, match=r"map\.yaml: not a valid sensor map"):
        HomeMap.load(broken)


def test_shipped_maps_load_and_name_their_source() -> None:
    for home in DEV_HOMES:
        m = home.map()
        assert m.home == home.name and "@" in m.source
        assert json.dumps(m.model_dump(mode="json"))  # a map is plain data
