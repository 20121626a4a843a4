"""Malformed records of every class a hostile or broken device can send.

Each generator yields ``(class_name, key, value)``; the class name is what the
dead-letter reason must explain. Deterministic for a seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import orjson

HostileRecord = tuple[str, bytes | None, bytes]


def _event(rng: random.Random, i: int, when: datetime, rid: str = "r-h001") -> dict[str, object]:
    return {"kind": "motion", "event_id": f"hostile-{i}", "resident_id": rid, "time": when.isoformat(),
            "device_id": f"dev-{rng.randrange(100)}", "room": "kitchen"}


def hostile_records(n: int, seed: int, now: datetime, big_values: int = 3, big_keys: int = 2) -> Iterator[HostileRecord]:
    """``n`` malformed records cycling through every class (plus ``big_values`` 10 MB values and
    ``big_keys`` records with a 2 MB key)."""
    rng = random.Random(seed)
    past = now - timedelta(hours=1)
    classes = [
        "random_bytes", "truncated_json", "deep_json", "nan", "infinity", "wrong_type", "wrong_unit",
        "bad_offset", "naive_time", "future_time", "national_id", "unknown_kind", "missing_field",
        "unknown_field", "implausible", "bad_timezone_context", "not_object",
    ]
    for i in range(n):
        cls = classes[i % len(classes)]
        ev = _event(rng, i, past)
        key: bytes | None = b"r-h001"
        if cls == "random_bytes":
            raw = rng.randbytes(rng.randrange(1, 400))
        elif cls == "truncated_json":
            full = orjson.dumps(ev)
            raw = full[: rng.randrange(1, len(full) - 1)]
        elif cls == "deep_json":
            depth = rng.randrange(500, 5000)
            raw = b"[" * depth + b"]" * depth
        elif cls in ("nan", "infinity"):
            raw = (b'{"kind":"measurement","event_id":"h%d","resident_id":"r-h001","time":"%s",'
                   b'"code":"pulse","value":%s,"unit":"/min"}'
                   % (i, past.isoformat().encode(), b"NaN" if cls == "nan" else b"Infinity"))
        elif cls == "wrong_type":
            ev["room"] = rng.choice([7, None, ["kitchen"], {"r": 1}, True])
            raw = orjson.dumps(ev)
        elif cls == "wrong_unit":
            raw = orjson.dumps({"kind": "measurement", "event_id": f"h{i}", "resident_id": "r-h001",
                                "time": past.isoformat(), "code": "weight", "value": 80, "unit": "mmHg"})
        elif cls == "bad_offset":
            raw = orjson.dumps({**ev, "time": "2026-01-01T10:00:00+25:00"})
        elif cls == "naive_time":
            raw = orjson.dumps({**ev, "time": "2026-01-01T10:00:00"})
        elif cls == "future_time":
            raw = orjson.dumps({**ev, "time": (now + timedelta(days=rng.randrange(1, 3650))).isoformat()})
        elif cls == "national_id":
            nid = f"{rng.randrange(10**10, 10**11):011d}"
            raw = orjson.dumps({**ev, "resident_id": nid})
            key = nid.encode()
        elif cls == "unknown_kind":
            raw = orjson.dumps({**ev, "kind": rng.choice(["teleport", "MOTION", "", "motion2"])})
        elif cls == "missing_field":
            ev.pop(rng.choice(["event_id", "resident_id", "time", "device_id", "room"]))
            raw = orjson.dumps(ev)
        elif cls == "unknown_field":
            raw = orjson.dumps({**ev, "payload": "x"})
        elif cls == "implausible":
            raw = orjson.dumps({"kind": "measurement", "event_id": f"h{i}", "resident_id": "r-h001",
                                "time": past.isoformat(), "code": "spo2", "value": rng.choice([0, 101, 976]),
                                "unit": "%"})
        elif cls == "bad_timezone_context":
            # a care context is its own topic; on sensor-events it is an unknown shape
            raw = orjson.dumps({"resident_id": "r-h001", "municipality": "0301", "home_care_team": "t",
                                "response_centre": "rc", "time_zone": "Mars/Olympus",
                                "updated_at": past.isoformat()})
        else:  # not_object
            raw = orjson.dumps(rng.choice([[1, 2], "motion", 42, None]))
        yield cls, key, raw
    for j in range(big_values):
        yield "oversized", b"r-h001", b'{"kind":"motion","x":"' + b"A" * (10_000_000 + j) + b'"}'
    for j in range(big_keys):
        yield "huge_key", b"r-h001" * 350_000 + str(j).encode(), b'{"kind":"motion"'


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def hostile_care_contexts(n: int, seed: int, now: datetime) -> Iterator[HostileRecord]:
    """``n`` broken care contexts (their own topic): invalid time zones, unknown overrides, national ids."""
    rng = random.Random(seed)
    for i in range(n):
        rid = f"r-hc{i:04d}"
        care: dict[str, object] = {
            "resident_id": rid, "municipality": "0301", "home_care_team": "hjt-0301-1",
            "response_centre": "rsp-oslo", "time_zone": "Europe/Oslo", "updated_at": now.isoformat(),
        }
        cls = ("bad_timezone", "unknown_override", "national_id", "bad_json")[i % 4]
        if cls == "bad_timezone":
            care["time_zone"] = rng.choice(["Mars/Olympus", "Europe/Osl0", "UTC+25", "", "../../etc/passwd"])
        elif cls == "unknown_override":
            care["overrides"] = {"no_such_parameter_" + str(rng.randrange(100)): 1}
        elif cls == "national_id":
            rid = f"{rng.randrange(10**10, 10**11):011d}"
            care["resident_id"] = rid
        raw = orjson.dumps(care)
        if cls == "bad_json":
            raw = raw[: rng.randrange(1, len(raw) - 1)]
        yield cls, rid.encode(), raw


def duplicated(records: list[tuple[str, bytes | None, bytes]], every: int) -> list[tuple[str, bytes | None, bytes]]:
    """``records`` with every ``every``-th one sent twice in a row (a hub re-sending after a lost ack)."""
    out: list[tuple[str, bytes | None, bytes]] = []
    for i, rec in enumerate(records):
        out.append(rec)
        if i % every == every - 1:
            out.append(rec)
    return out
