"""Scripted home-sensor days for the behaviour detector tests."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from agents.behaviour.home import HomeModel, HomeState, StoredHome
from agents.statecodec import decode, encode
from agents.types import AlertCandidate, Detector, ResidentView
from schemas.care import CareContext, Programme
from schemas.devices import DeviceRegistry, DeviceSpec
from schemas.events import (
    SENSOR_KINDS,
    AlarmButton,
    Battery,
    Bed,
    Door,
    Fall,
    Heartbeat,
    Motion,
    Room,
    SocialContact,
    Toilet,
)
from schemas.measurements import QuestionnaireResponse

TZ = ZoneInfo("Europe/Oslo")
RID = "r-001"
DEVICES = ("pir-bed", "pir-bath", "pir-kit", "pir-liv", "pir-hall", "door-1", "bed-1", "toilet-1")
ROOM_DEVICE = {"bedroom": "pir-bed", "bathroom": "pir-bath", "kitchen": "pir-kit", "living_room": "pir-liv",
               "hallway": "pir-hall", "entrance": "pir-hall"}


def _spec(dev: str, kind: str, room: str, purpose: str | None = None, beat: float | None = 60.0) -> DeviceSpec:
    return DeviceSpec(
        device_id=dev, kind=kind, room=Room(room), purpose=purpose, heartbeat_min=beat  # type: ignore[arg-type]
    )


KIT = DeviceRegistry(devices=(
    _spec("pir-bed", "motion", "bedroom"), _spec("pir-bath", "motion", "bathroom"),
    _spec("pir-kit", "motion", "kitchen"), _spec("pir-liv", "motion", "living_room"),
    _spec("pir-hall", "motion", "hallway"), _spec("door-1", "door", "hallway", "exit"),
    _spec("bed-1", "bed", "bedroom"), _spec("toilet-1", "toilet", "bathroom"),
    _spec("door-fridge", "contact", "kitchen", "fridge"),
))
"""The scripted home's kit: a motion sensor in each room, exit door, bed mat, toilet and fridge
contact, each sending hourly supervision heartbeats (``normal_day`` and ``alive`` send them)."""


def care(
    programmes: tuple[Programme, ...] = (), presence: str = "home", devices: DeviceRegistry | None = KIT,
    **overrides: float,
) -> CareContext:
    return CareContext(
        resident_id=RID, municipality="0301", home_care_team="hc-1", response_centre="rc-1",
        programmes=programmes, presence=presence,  # type: ignore[arg-type]
        overrides=dict(overrides), devices=devices, updated_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def view(
    programmes: tuple[Programme, ...] = (), presence: str = "home", devices: DeviceRegistry | None = KIT,
    **overrides: float,
) -> ResidentView:
    return ResidentView.of(RID, care(programmes, presence, devices, **overrides))


def at(y: int, mo: int, d: int, h: int, mi: int = 0) -> float:
    """Event time of a local Oslo wall-clock time."""
    return datetime(y, mo, d, h, mi, tzinfo=TZ).timestamp()


_ids = iter(range(10**9))


def _base(t: float, device: str) -> dict[str, Any]:
    return {"event_id": f"e{next(_ids)}", "resident_id": RID, "time": datetime.fromtimestamp(t, TZ), "device_id": device}


def motion(t: float, room: str) -> Motion:
    return Motion(**_base(t, ROOM_DEVICE.get(room, "pir-x")), room=Room(room))


def door(t: float, state: str, which: str = "exit") -> Door:
    return Door(**_base(t, "door-1" if which == "exit" else f"door-{which}"), door=which, state=state)  # type: ignore[arg-type]


def bed(t: float, state: str) -> Bed:
    return Bed(**_base(t, "bed-1"), state=state)  # type: ignore[arg-type]


def toilet(t: float) -> Toilet:
    return Toilet(**_base(t, "toilet-1"))


def heartbeat(t: float, device: str, battery: float | None = None) -> Heartbeat:
    return Heartbeat(**_base(t, device), battery_pct=battery)


def battery(t: float, device: str, pct: float) -> Battery:
    return Battery(**_base(t, device), battery_pct=pct)


def social(t: float, channel: str = "phone_call") -> SocialContact:
    return SocialContact(**_base(t, "hub-1"), channel=channel)  # type: ignore[arg-type]


def alarm(t: float) -> AlarmButton:
    return AlarmButton(**_base(t, "pendant-1"))


def fall(t: float, confidence: float | None = None) -> Fall:
    return Fall(**_base(t, "fall-1"), confidence=confidence)


def ucla3(t: float, score: float) -> QuestionnaireResponse:
    return QuestionnaireResponse(
        event_id=f"e{next(_ids)}", resident_id=RID, time=datetime.fromtimestamp(t, TZ),
        questionnaire="UCLA3", score=score, max_score=9.0,
    )


def ev_time(ev: Any) -> float:
    return float(ev.time.timestamp())


def normal_day(
    y: int, mo: int, d: int, rng: random.Random, *, wake: float = 7.0, night_visits: int = 1,
    outing: bool = True, contact: bool = True, bed_exits: int | None = None, heartbeats: bool = True,
) -> list[Any]:
    """One ordinary day from 00:00 to 24:00 local: night toilet visits, morning, day, evening."""
    day0 = datetime(y, mo, d, tzinfo=TZ)

    def t(h: float) -> float:
        # wall-clock hour on this local day (DST-safe: build the local time, then convert)
        return (day0 + timedelta(hours=h)).replace(tzinfo=None).replace(tzinfo=TZ).timestamp()

    out: list[Any] = []
    exits = night_visits if bed_exits is None else bed_exits
    for i in range(night_visits):  # the night before this day's morning: 01:00-05:00
        h = 1.0 + i * (3.5 / max(night_visits, 1)) + rng.uniform(0, 0.2)
        out += [bed(t(h), "vacant"), motion(t(h + 0.03), "bathroom"), toilet(t(h + 0.06)), bed(t(h + 0.12), "occupied")]
    for i in range(exits - night_visits):
        h = 1.2 + i * 0.5
        out += [bed(t(h), "vacant"), motion(t(h + 0.02), "bedroom"), bed(t(h + 0.08), "occupied")]
    w = wake + rng.uniform(-0.2, 0.2)
    out += [bed(t(w), "vacant"), motion(t(w + 0.02), "bedroom"), motion(t(w + 0.1), "bathroom"), toilet(t(w + 0.15))]
    h = w + 0.4
    while h < 11.5:
        out.append(motion(t(h), "kitchen" if h < w + 1.5 else "living_room"))
        h += 0.25
    if outing:
        out += [motion(t(11.6), "hallway"), door(t(11.62), "open"), door(t(11.63), "closed"),
                door(t(12.9), "open"), door(t(12.91), "closed"), motion(t(12.93), "hallway")]
    h = 13.0
    while h < 21.5:
        out.append(motion(t(h), "kitchen" if 16.5 < h < 17.5 else "living_room"))
        h += 0.25
    if contact:
        out.append(social(t(15.0)))
    out += [motion(t(21.6), "bathroom"), toilet(t(21.65)), motion(t(21.8), "bedroom"), bed(t(22.0), "occupied")]
    if heartbeats:
        for hh in range(0, 24):
            for dev in DEVICES:
                out.append(heartbeat(t(hh + 0.5), dev))
    out.sort(key=ev_time)
    return out


@dataclass
class Driver:
    """Feeds one detector like the engine does: tick when event time reaches ``due``, then update the
    home model (capabilities and activity) with the event, then step the detector."""

    detector: Detector[Any]
    view: ResidentView
    state: Any = None
    alerts: list[AlertCandidate] = field(default_factory=list)
    model: HomeModel = field(default_factory=HomeModel)
    home: HomeState = field(default_factory=HomeState)

    def __post_init__(self) -> None:
        if self.state is None:
            self.state = self.detector.initial()
        self.view = replace(self.view, home=self.home)

    def feed(self, events: Iterable[Any], roundtrip: bool = False, tick: bool = True) -> list[AlertCandidate]:
        """Step through ``events``; with ``tick=False`` only state changes (the test ticks itself)."""
        new: list[AlertCandidate] = []
        det = self.detector
        for ev in events:
            t = ev_time(ev)
            if tick and det.ticks and t >= det.due(self.state, self.view):
                self.state, found = det.tick(self.state, t, self.view)
                new += found
            if ev.kind in SENSOR_KINDS:
                self.model.step(self.home, ev, t, self.view)
            if ev.kind in det.kinds:
                self.state, found = det.step(self.state, ev, t, self.view)
                new += found
            if roundtrip:
                self.roundtrip()
        self.alerts += new
        return new

    def tick(self, now: float) -> list[AlertCandidate]:
        new: list[AlertCandidate] = []
        if now >= self.detector.due(self.state, self.view):
            self.state, new = self.detector.tick(self.state, now, self.view)
        self.alerts += new
        return new

    def tick_until(self, end: float, step_s: float = 60.0, start: float | None = None) -> list[AlertCandidate]:
        """Tick every ``step_s`` like the live worker, from ``start`` to ``end``."""
        new: list[AlertCandidate] = []
        now = start if start is not None else end
        while now <= end:
            new += self.tick(now)
            now += step_s
        return new

    def roundtrip(self) -> None:
        """Store and recover the state the way the engine's changelog does."""
        raw = encode(self.detector.dump(self.state))
        self.state = decode(raw, self.detector.state_type)
        self.home = self.model.load(decode(encode(self.model.dump(self.home)), StoredHome))
        self.view = replace(self.view, home=self.home)


def days(y: int, mo: int, d: int, n: int) -> list[tuple[int, int, int]]:
    start = datetime(y, mo, d)
    return [((start + timedelta(days=i)).year, (start + timedelta(days=i)).month, (start + timedelta(days=i)).day)
            for i in range(n)]


def alive(start: float, end: float, devices: tuple[str, ...] = DEVICES, every_s: float = 1800.0) -> list[Any]:
    """Heartbeats of ``devices`` from ``start`` to ``end``: the sensors work, the resident is still."""
    out = []
    t = start + every_s
    while t <= end:
        out += [heartbeat(t, dev) for dev in devices]
        t += every_s
    return out
