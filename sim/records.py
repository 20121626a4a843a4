"""The record writer of one resident-day: plain dicts to JSON bytes, in schema shape.

Records are built as dicts and encoded with orjson (no pydantic model per
event); tests validate samples against the schemas. A device that is silent (dead
sensor, flat battery) swallows its records here, in one place.
"""

from __future__ import annotations

from sim.fastjson import dumps, iso_utc

SENSOR_EVENTS = "sensor-events"
MEASUREMENTS = "measurements"
"""Topic names of streams/topics.py, by which a simulated record is routed (sim does not import the
shell; tests/sim/test_simulate.py checks that the names agree)."""

# (epoch seconds, resident index, sequence, topic, resident id, JSON bytes): sorts by time.
Record = tuple[int, int, int, str, str, bytes]

Silences = dict[str, list[tuple[int, int]]]

APPLIANCE_ROOM = {"kettle": "kitchen", "stove": "kitchen", "coffee_maker": "kitchen", "microwave": "kitchen", "tv": "living_room"}


class Recorder:
    """Collects the records of one resident on one local day (times in local seconds)."""

    __slots__ = ("day", "ids", "midnight", "out", "rid", "ridx", "seq", "silent")

    def __init__(
        self, rid: str, ridx: int, day: int, midnight: int, ids: dict[str, str], silent: Silences
    ) -> None:
        self.rid = rid
        self.ridx = ridx
        self.day = day
        self.midnight = midnight
        self.ids = ids
        self.silent = silent
        self.out: list[Record] = []
        self.seq = 0

    def _muted(self, device: str, t: int) -> bool:
        return any(a <= t < b for a, b in self.silent.get(device, ()))

    def _put(self, s: int, device: str, topic: str, rec: dict[str, object]) -> None:
        t = self.midnight + s
        if self.silent and device in self.silent and self._muted(device, t):
            return
        self.seq += 1
        rec["event_id"] = f"{self.rid}-{self.day}-{self.seq}"
        rec["resident_id"] = self.rid
        rec["time"] = iso_utc(t)
        self.out.append((t, self.ridx, self.seq, topic, self.rid, dumps(rec)))

    def _dev(self, device: str) -> str:
        return self.ids.get(device) or f"{self.rid}-{device}"

    def motion(self, s: int, room: str) -> None:
        device = "pir-" + room
        self._put(s, device, SENSOR_EVENTS, {"kind": "motion", "device_id": self._dev(device), "room": room})

    def door(self, s: int, door: str, state: str) -> None:
        """The exit door (a door contact with its room) or the fridge (a contact sensor on it)."""
        device = "door-" + door
        if door == "fridge":
            rec: dict[str, object] = {
                "kind": "contact", "device_id": self._dev(device), "room": "kitchen", "purpose": "fridge", "state": state,
            }
        else:
            rec = {"kind": "door", "device_id": self._dev(device), "door": door, "room": "hallway", "state": state}
        self._put(s, device, SENSOR_EVENTS, rec)

    def occupancy(self, s: int, kind: str, state: str) -> None:
        """Bed mat or armchair mat (``kind`` is ``bed`` or ``chair``)."""
        rec: dict[str, object] = {"kind": kind, "device_id": self._dev(kind), "state": state}
        if kind == "chair":
            rec.update(seat="armchair", room="living_room")
        else:
            rec["room"] = "bedroom"
        self._put(s, kind, SENSOR_EVENTS, rec)

    def toilet(self, s: int) -> None:
        self._put(s, "toilet", SENSOR_EVENTS, {"kind": "toilet", "device_id": self._dev("toilet"), "room": "bathroom"})

    def appliance(self, s: int, appliance: str, state: str) -> None:
        device = "plug-" + appliance
        self._put(
            s, device, SENSOR_EVENTS,
            {"kind": "appliance", "device_id": self._dev(device), "appliance": appliance, "state": state,
             "room": APPLIANCE_ROOM.get(appliance, "other")},
        )

    def fall(self, s: int, confidence: float) -> None:
        self._put(
            s, "fall-radar", SENSOR_EVENTS,
            {"kind": "fall", "device_id": self._dev("fall-radar"), "confidence": round(confidence, 2)},
        )

    def alarm(self, s: int) -> None:
        self._put(
            s, "pendant", SENSOR_EVENTS, {"kind": "alarm_button", "device_id": self._dev("pendant"), "source": "pendant"}
        )

    def medication(self, s: int, dose_id: str, status: str, scheduled: int) -> None:
        self._put(
            s, "dispenser", SENSOR_EVENTS,
            {
                "kind": "medication", "device_id": self._dev("dispenser"), "dose_id": dose_id,
                "status": status, "scheduled_time": iso_utc(self.midnight + scheduled),
            },
        )

    def heartbeat(self, s: int, device: str, battery: float | None) -> None:
        rec: dict[str, object] = {"kind": "heartbeat", "device_id": self._dev(device)}
        if battery is not None:
            rec["battery_pct"] = battery
        self._put(s, device, SENSOR_EVENTS, rec)

    def battery(self, s: int, device: str, battery: float) -> None:
        self._put(s, device, SENSOR_EVENTS, {"kind": "battery", "device_id": self._dev(device), "battery_pct": battery})

    def social(self, s: int, channel: str, device_id: str) -> None:
        self._put(s, "social:" + channel, SENSOR_EVENTS, {"kind": "social", "device_id": device_id, "channel": channel})

    def measurement(self, s: int, device: str, code: str, value: float, unit: str) -> None:
        self._put(
            s, device, MEASUREMENTS,
            {"kind": "measurement", "device_id": self._dev(device), "code": code, "value": value, "unit": unit},
        )

    def blood_pressure(self, s: int, systolic: float, diastolic: float) -> None:
        self._put(
            s, "bp-cuff", MEASUREMENTS,
            {
                "kind": "blood_pressure", "device_id": self._dev("bp-cuff"), "systolic": systolic,
                "diastolic": diastolic, "unit": "mm[Hg]",
            },
        )

    def questionnaire(
        self, s: int, name: str, score: float, max_score: float, items: tuple[float, ...] | None = None
    ) -> None:
        rec: dict[str, object] = {
            "kind": "questionnaire", "device_id": self._dev("tablet"), "questionnaire": name,
            "score": score, "max_score": max_score,
        }
        if items is not None:
            rec["items"] = list(items)
        self._put(s, "tablet", MEASUREMENTS, rec)
