"""Generate the JSON Schema files under ``schemas/json/`` that care systems consume."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from pydantic import TypeAdapter

from schemas.alerts import Acknowledgement, Alert
from schemas.care import CareContext
from schemas.events import SensorEvent
from schemas.indicators import IndicatorWindow
from schemas.measurements import DhoEvent

JSON_DIR = Path(__file__).parent / "json"

CONTRACTS: dict[str, Any] = {
    "sensor-event": SensorEvent,
    "dho-event": DhoEvent,
    "care-context": CareContext,
    "alert": Alert,
    "acknowledgement": Acknowledgement,
    "indicator-window": IndicatorWindow,
}


def render() -> dict[str, bytes]:
    """File name -> JSON Schema text, deterministic (sorted keys, trailing newline)."""
    out: dict[str, bytes] = {}
    for name, tp in CONTRACTS.items():
        schema = TypeAdapter(tp).json_schema(mode="validation")
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = f"https://tilsyn.example/schemas/{name}.schema.json"
        out[f"{name}.schema.json"] = orjson.dumps(schema, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
    return out


def write(directory: Path = JSON_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for fname, text in render().items():
        path = directory / fname
        path.write_bytes(text)
        written.append(path)
    return written


def stale(directory: Path = JSON_DIR) -> list[str]:
    """Names of files that differ from what the models generate now."""
    return [
        fname
        for fname, text in render().items()
        if not (directory / fname).exists() or (directory / fname).read_bytes() != text
    ]
