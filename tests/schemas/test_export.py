"""The JSON Schema files care systems consume match the models."""

from __future__ import annotations

from pathlib import Path

import orjson

from schemas.export import CONTRACTS, JSON_DIR, render, stale


def test_json_schemas_are_up_to_date() -> None:
    assert stale() == [], "schemas/json is stale: run `tilsyn schemas --write`"


def test_every_contract_has_a_file() -> None:
    assert sorted(p.name for p in JSON_DIR.glob("*.schema.json")) == sorted(f"{n}.schema.json" for n in CONTRACTS)


def test_schemas_are_closed_and_name_the_required_fields() -> None:
    files = {name: orjson.loads(text) for name, text in render().items()}
    care = files["care-context.schema.json"]
    assert care["additionalProperties"] is False
    assert {"resident_id", "municipality", "home_care_team", "response_centre", "updated_at"} <= set(care["required"])
    alert = files["alert.schema.json"]
    assert alert["additionalProperties"] is False
    assert "evidence" in alert["required"]
    sensor = files["sensor-event.schema.json"]
    assert sensor["discriminator"]["propertyName"] == "kind"
    assert all(d.get("additionalProperties") is False for d in sensor["$defs"].values() if d.get("type") == "object")


def test_stale_reports_a_changed_file(tmp_path: Path) -> None:
    for name, text in render().items():
        (tmp_path / name).write_bytes(text)
    assert stale(tmp_path) == []
    (tmp_path / "alert.schema.json").write_bytes(b"{}\n")
    (tmp_path / "care-context.schema.json").unlink()
    assert sorted(stale(tmp_path)) == ["alert.schema.json", "care-context.schema.json"]
