"""Importers for the common public smart-home formats, with a sensor map per home.

Researchers, vendors and municipalities keep home-sensor history in a few public formats.
An importer reads one of them and writes tilsyn's own contract: schema-valid sensor events
(``schemas/events.py``), the home's care context with its device registry
(``schemas/devices.py``) and, where the recording has them, the activity annotations.

Formats:

- ``casas``: the CASAS tab-separated event log, ``timestamp sensor ON|OFF|OPEN|CLOSE``
  (Cook et al., WSU CASAS; e.g. ``WSU-CASAS/CIL``).
- ``kasteren``: the Kasteren et al. interval files of house C: ``sensors.csv``
  (``start,end,sensorId,1``), ``sensor_labels.txt``, ``activities.csv``, ``activity_labels.txt``.
- ``kasteren-b``: the Kasteren house B ground-truth file: ``date time sensor sensor ON label``.
- ``ordonez``: the UCI "Activities of Daily Living (ADLs) Recognition Using Binary Sensors"
  files (Ordóñez et al. 2013): ``<Home>_Sensors.txt`` and ``<Home>_ADLs.txt``, tab-separated
  with two header lines.

None of these formats says what a sensor is in tilsyn's terms (a PIR, the exit door, a bed mat,
in which room). The **sensor map** (YAML or JSON, :class:`HomeMap`) says it once per home;
``sim/maps/`` has the maps of the development homes (maps only, never the data).

Readings become events as a sensor of that kind reports them: an interval ``start..end`` of a
door or contact is opened at ``start`` and closed at ``end``; of a bed or seat mat occupied
then vacant; of an appliance on then off; a passive-infrared interval is motion at its start
(and at its end when it lasted a minute or more: the PIR saw movement throughout). A reading
without an end (CASAS, Kasteren B) is one state change; an ``ON``-only door or contact firing
is the thing being used: opened, and closed a few seconds later. None of the homes sends
device heartbeats; ``heartbeat_min`` adds synthetic supervision heartbeats to every device,
as many real kits send them.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

from schemas.base import TimeZoneName
from schemas.care import CareContext, Programme
from schemas.devices import DeviceKind, DeviceRegistry, DeviceSpec
from schemas.events import Room, SensorEvent

FORMATS = ("casas", "kasteren", "kasteren-b", "ordonez")

USE_CLOSE_S = 5.0
"""An ``ON``-only door or contact firing: closed again this many seconds after opening
(a door passed through or a cupboard taken from; the exact figure only orders the two events)."""
PIR_HOLD_S = 60.0
"""A motion interval at least this long also reports motion at its end (PIR re-triggers while
someone moves; typical PIR hold times are 10 s to a few minutes)."""


class ImportError_(ValueError):
    """A source file or map that cannot be read; the message says which line and why."""


class SensorSpec(BaseModel):
    """What one source sensor is: kind, room and (for doors, contacts, seats, appliances) purpose."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: DeviceKind
    room: Room | None = None
    purpose: str | None = Field(
        default=None,
        description="door: exit/balcony/interior; contact: fridge, cupboard ...; chair: seat type; appliance: which",
    )

    @model_validator(mode="after")
    def _fits_the_registry(self) -> SensorSpec:
        DeviceSpec(device_id="map", kind=self.kind, room=self.room, purpose=self.purpose)  # same rules, same message
        return self


class HomeMap(BaseModel):
    """Sensor → room/kind map of one home (a YAML or JSON file).

    ``sensors`` is keyed by the sensor's name or id in the source (CASAS: the sensor name;
    Kasteren C: the numeric id of ``sensor_labels.txt``; Kasteren B: the sensor name;
    Ordóñez: ``Location/Place``, e.g. ``Basin/Bathroom``). Sensors listed in ``ignore`` are
    dropped; a sensor neither mapped nor ignored is an error, so nothing is guessed.
    ``labels`` groups the source's activity labels by what the evaluation needs to know:
    ``sleeping``, ``away``, ``toileting``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    home: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,40}$")
    resident_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{2,63}$")
    time_zone: TimeZoneName
    residents: int = Field(default=1, ge=1, le=4)
    programmes: tuple[Programme, ...] = (Programme.FRAIL_ELDERLY, Programme.DEMENTIA)
    sensors: dict[str, SensorSpec]
    ignore: tuple[str, ...] = ()
    labels: dict[Literal["sleeping", "away", "toileting"], tuple[str, ...]] = Field(default_factory=dict)
    source: str = Field(default="", description="Where the recording comes from (repository @ commit, path).")

    @classmethod
    def load(cls, path: Path) -> HomeMap:
        """Read a map from YAML (``.yaml``/``.yml``) or JSON."""
        import yaml

        text = path.read_text(encoding="utf-8")
        try:
            data = yaml.safe_load(text) if path.suffix.lower() in (".yaml", ".yml") else json.loads(text)
            return cls.model_validate(data)
        except Exception as exc:
            raise ImportError_(f"{path}: not a valid sensor map: {exc}") from None

    def device_id(self, sensor: str) -> str:
        return f"{self.home}:{re.sub(r'[^!-~]', '_', sensor)}"


@dataclass(frozen=True, slots=True)
class Reading:
    """One reading of a source sensor: an interval (``end`` set) or a state change (``on``)."""

    start: datetime
    sensor: str
    end: datetime | None = None
    on: bool = True


@dataclass(frozen=True, slots=True)
class Annotation:
    """An annotated activity: local start and end, the source's label."""

    start: datetime
    end: datetime
    label: str


@dataclass(slots=True)
class Recording:
    """A source home read into memory (local naive times)."""

    readings: list[Reading]
    annotations: list[Annotation]


# -- readers ------------------------------------------------------------------------------------

def _fail(path: Path, n: int, why: str) -> ImportError_:
    return ImportError_(f"{path}:{n}: {why}")


def read_casas(path: Path) -> Recording:
    """CASAS event log: ``date time<TAB>sensor<TAB>state[<TAB>label]``; no annotations."""
    out: list[Reading] = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            cols = line.rstrip("\r\n").split("\t")
            if not line.strip():
                continue
            if len(cols) < 3:
                raise _fail(path, n, f"expected 'timestamp<TAB>sensor<TAB>state', got {line.strip()[:60]!r}")
            try:
                t = datetime.fromisoformat(cols[0].strip())
            except ValueError:
                raise _fail(path, n, f"bad timestamp {cols[0][:40]!r}") from None
            state = cols[2].strip().upper()
            if state not in ("ON", "OFF", "OPEN", "CLOSE", "CLOSED"):
                raise _fail(path, n, f"unknown state {cols[2][:20]!r}")
            out.append(Reading(t, cols[1].strip(), on=state in ("ON", "OPEN")))
    return Recording(out, [])


_KASTEREN_TIME = "%d-%b-%Y %H:%M:%S"


def _labels_file(path: Path) -> dict[str, str]:
    """``id name [room...]`` lines → id → rest of the line."""
    out: dict[str, str] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        ident, _, rest = line.strip().partition(" ")
        if not rest:
            raise _fail(path, n, "expected 'id name'")
        out[ident] = rest.strip()
    return out


def _kasteren_intervals(path: Path) -> Iterator[tuple[int, datetime, datetime, str]]:
    with path.open(encoding="utf-8") as fh:
        for n, row in enumerate(csv.reader(fh), 1):
            if not row:
                continue
            if len(row) < 3:
                raise _fail(path, n, "expected 'start,end,id'")
            try:
                a, b = datetime.strptime(row[0].strip(), _KASTEREN_TIME), datetime.strptime(row[1].strip(), _KASTEREN_TIME)
            except ValueError:
                raise _fail(path, n, f"bad time in {','.join(row)[:60]!r} (expected like 19-Nov-2008 22:47:46)") from None
            yield n, a, b, row[2].strip()


def read_kasteren(folder: Path) -> Recording:
    """Kasteren interval files (house C layout): sensors by id, activities by id → name."""
    names = _labels_file(folder / "activity_labels.txt")
    readings = [Reading(a, sid, end=b) for _, a, b, sid in _kasteren_intervals(folder / "sensors.csv")]
    notes = []
    for n, a, b, aid in _kasteren_intervals(folder / "activities.csv"):
        if aid not in names:
            raise _fail(folder / "activities.csv", n, f"activity id {aid} not in activity_labels.txt")
        notes.append(Annotation(a, b, names[aid].split()[0]))
    return Recording(readings, notes)


def read_kasteren_b(path: Path) -> Recording:
    """Kasteren house B ground truth: ``date time sensor sensor ON label`` (ON firings only).

    The label of each firing is the activity in progress; consecutive firings with the same
    label make one annotation (``None`` is unannotated time and makes none)."""
    readings: list[Reading] = []
    notes: list[Annotation] = []
    run: list[Any] = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            cols = line.split()
            if not cols:
                continue
            if len(cols) < 6:
                raise _fail(path, n, "expected 'date time sensor sensor ON label'")
            try:
                t = datetime.fromisoformat(f"{cols[0]} {cols[1]}")
            except ValueError:
                raise _fail(path, n, f"bad time {cols[0]} {cols[1]}") from None
            readings.append(Reading(t, cols[2], on=cols[4].upper() == "ON"))
            label = cols[5]
            if run and run[2] == label and (t - run[1]) <= timedelta(hours=3):
                run[1] = t
                continue
            if run and run[2] != "None":
                notes.append(Annotation(run[0], run[1], run[2]))
            run = [t, t, label]
    if run and run[2] != "None":
        notes.append(Annotation(run[0], run[1], run[2]))
    return Recording(readings, notes)


def _ordonez_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if n <= 2 or not line.strip():
                continue  # two header lines
            yield n, [c.strip() for c in line.rstrip("\r\n").split("\t") if c.strip()]


def _ordonez_time(path: Path, n: int, text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise _fail(path, n, f"bad time {text[:30]!r}") from None


def read_ordonez(sensors: Path, adls: Path | None = None) -> Recording:
    """UCI ADL (Ordóñez) files: sensors ``start end location type place``, activities ``start end label``.
    A sensor is named ``Location/Place`` (Ordóñez B has three ``Door`` PIRs in different rooms)."""
    readings = []
    for n, cols in _ordonez_rows(sensors):
        if len(cols) < 5:
            raise _fail(sensors, n, "expected 'start end location type place'")
        a, b = _ordonez_time(sensors, n, cols[0]), _ordonez_time(sensors, n, cols[1])
        readings.append(Reading(a, f"{cols[2]}/{cols[4]}", end=b))
    notes = []
    for n, cols in (_ordonez_rows(adls) if adls is not None else ()):
        if len(cols) < 3:
            raise _fail(adls or sensors, n, "expected 'start end activity'")
        notes.append(Annotation(_ordonez_time(adls or sensors, n, cols[0]), _ordonez_time(adls or sensors, n, cols[1]), cols[2]))
    return Recording(readings, notes)


def read(fmt: str, src: Path) -> Recording:
    """Read a recording of format ``fmt`` from ``src`` (a file, or the folder of the interval files).

    Ordóñez: ``src`` is the ``<Home>_Sensors.txt`` file; the ``<Home>_ADLs.txt`` next to it is read
    when present."""
    if fmt == "casas":
        return read_casas(src)
    if fmt == "kasteren":
        return read_kasteren(src if src.is_dir() else src.parent)
    if fmt == "kasteren-b":
        return read_kasteren_b(src)
    if fmt == "ordonez":
        adls = src.with_name(src.name.replace("_Sensors", "_ADLs"))
        return read_ordonez(src, adls if adls.exists() and adls != src else None)
    raise ImportError_(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")


# -- to tilsyn's contract ---------------------------------------------------------------------------

_EVENT = TypeAdapter(SensorEvent)

_STATES: dict[str, tuple[str, str]] = {
    "door": ("open", "closed"), "contact": ("open", "closed"), "bed": ("occupied", "vacant"),
    "chair": ("occupied", "vacant"), "appliance": ("on", "off"), "light": ("on", "off"),
}


@dataclass(slots=True)
class Imported:
    """A home in tilsyn's contract: events (time-ordered JSON lines), care context, annotations."""

    events: list[bytes]
    care_context: bytes
    annotations: list[Annotation]
    start: datetime
    end: datetime
    """First and last reading (aware)."""


def _fields(spec: SensorSpec, state: str | None) -> dict[str, Any]:
    f: dict[str, Any] = {"kind": spec.kind}
    if spec.room is not None:
        f["room"] = spec.room.value
    if spec.kind == "door":
        f["door"] = spec.purpose
    elif spec.kind == "contact":
        f["purpose"] = spec.purpose
    elif spec.kind == "chair" and spec.purpose:
        f["seat"] = spec.purpose
    elif spec.kind == "appliance":
        f["appliance"] = spec.purpose or "other"
    if state is not None:
        f["state"] = state
    return f


def _changes(spec: SensorSpec, r: Reading) -> Iterator[tuple[datetime, str | None]]:
    """(local time, state) of the events one reading becomes (state None: kinds without one)."""
    kind = spec.kind
    if kind == "motion":
        if r.end is None:
            if r.on:
                yield r.start, None
            return
        yield r.start, None
        if (r.end - r.start).total_seconds() >= PIR_HOLD_S:
            yield r.end, None
        return
    if kind in ("toilet", "fall", "alarm_button"):
        if r.on:
            yield r.start, None
        return
    on, off = _STATES.get(kind, ("on", "off"))
    if r.end is not None:
        yield r.start, on
        yield max(r.end, r.start + timedelta(seconds=1)), off
    elif r.on:
        yield r.start, on
        if kind in ("door", "contact"):
            yield r.start + timedelta(seconds=USE_CLOSE_S), off
    else:
        yield r.start, off


def _phase_s(device_id: str) -> int:
    """A fixed per-device offset of the heartbeat within the hour (devices do not beat in step)."""
    return int.from_bytes(hashlib.sha256(device_id.encode()).digest()[:2], "big") % 3600


def to_events(rec: Recording, home: HomeMap, heartbeat_min: float | None = None) -> Imported:
    """The recording as schema-valid events of ``home.resident_id``, in time order.

    Raises :class:`ImportError_` naming a sensor the map neither maps nor ignores.
    ``heartbeat_min``: add a supervision heartbeat from every device at this interval over the
    whole recording, and declare it in the device registry (None: none, as recorded)."""
    tz = ZoneInfo(home.time_zone)
    unknown = sorted({r.sensor for r in rec.readings} - set(home.sensors) - set(home.ignore))
    if unknown:
        raise ImportError_(f"sensor(s) not in the map of {home.home}: {', '.join(unknown[:10])}")
    raw: list[tuple[float, int, dict[str, Any]]] = []
    seq = 0
    for r in rec.readings:
        spec = home.sensors.get(r.sensor)
        if spec is None:
            continue
        dev = home.device_id(r.sensor)
        for local, state in _changes(spec, r):
            t = local.replace(tzinfo=tz)
            seq += 1
            raw.append((t.timestamp(), seq, {"device_id": dev, **_fields(spec, state)}))
    if not raw:
        raise ImportError_(f"no readings of a mapped sensor in the recording of {home.home}")
    raw.sort(key=lambda x: (x[0], x[1]))
    first, last = raw[0][0], raw[-1][0]
    used = sorted({d["device_id"] for _, _, d in raw})
    if heartbeat_min is not None:
        step = heartbeat_min * 60.0
        for dev in used:
            beat = (first // 3600.0) * 3600.0 + _phase_s(dev) % step
            while beat <= last:
                if beat >= first:
                    seq += 1
                    raw.append((beat, seq, {"device_id": dev, "kind": "heartbeat", "interval_s": step}))
                beat += step
        raw.sort(key=lambda x: (x[0], x[1]))
    events = []
    for n, (at, _, fields) in enumerate(raw):
        fields.update(event_id=f"{home.home}-{n}", resident_id=home.resident_id, time=_iso(at))
        line = _dumps(fields)
        _EVENT.validate_json(line)  # the contract, checked once here: a map that says nonsense fails now
        events.append(line)
    specs = {home.device_id(s): spec for s, spec in home.sensors.items()}
    registry = DeviceRegistry(devices=tuple(
        DeviceSpec(
            device_id=d, kind=specs[d].kind, room=specs[d].room,
            purpose=None if specs[d].kind in ("motion", "bed", "toilet", "light") else specs[d].purpose,
            heartbeat_min=heartbeat_min,
        )
        for d in used
    ))
    care = CareContext(
        resident_id=home.resident_id, municipality="0000", home_care_team="homecare-eval",
        response_centre="response-eval", programmes=home.programmes, time_zone=home.time_zone,
        devices=registry, updated_at=datetime.fromtimestamp(first - 1.0, UTC),
    )
    return Imported(
        events, care.model_dump_json(exclude_none=True).encode(), rec.annotations,
        datetime.fromtimestamp(first, tz), datetime.fromtimestamp(last, tz),
    )


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _dumps(d: dict[str, Any]) -> bytes:
    import orjson

    return orjson.dumps(d)


def import_home(fmt: str, src: Path, home: HomeMap, heartbeat_min: float | None = None) -> Imported:
    """Read ``src`` in format ``fmt`` and convert it with ``home``'s map."""
    return to_events(read(fmt, src), home, heartbeat_min)


def annotation_lines(notes: Iterable[Annotation], tz: str) -> Iterator[bytes]:
    """Annotations as JSON lines ``{"start", "end", "label"}`` (aware local times)."""
    zone = ZoneInfo(tz)
    for a in notes:
        yield _dumps({
            "start": a.start.replace(tzinfo=zone).isoformat(), "end": a.end.replace(tzinfo=zone).isoformat(),
            "label": a.label,
        })
