"""One resident's whole state machine: event hygiene, every detector, the alert desk.

The Faust worker, the offline replay, the tests and the benchmark all drive
residents through :class:`Engine`, so they cannot disagree. The engine is pure:
event time comes in as arguments and nothing here touches the network or a clock.
"""

from __future__ import annotations

import base64
import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from agents.alerting.desk import AckOutcome, AlertDesk
from agents.registry import all_detectors
from agents.types import AlertCandidate, Detector, ResidentView
from schemas.alerts import Acknowledgement, Alert
from schemas.care import CareContext
from schemas.events import SENSOR_KINDS

DEFAULT_LATENESS_S = 600.0
"""Events up to 10 min older than the resident's newest event are still used (out-of-order
delivery from home hubs buffering over a flaky mobile link); older ones are rejected."""

_SENSOR = frozenset(SENSOR_KINDS)

SEEN_IDS = 64
"""How many recent event ids per resident are remembered to drop duplicates."""


def event_id_hash(event_id: str) -> int:
    """Stable 48-bit hash of an event id (Python's hash() differs between processes)."""
    return int.from_bytes(hashlib.blake2b(event_id.encode(), digest_size=6).digest(), "big")


def _pack(hashes: list[int]) -> str:
    """Seen-id hashes as base64 of 6-byte words: a third of their size as JSON numbers."""
    return base64.b64encode(b"".join(h.to_bytes(6, "big") for h in hashes)).decode()


def _unpack(packed: str | list[int]) -> list[int]:
    if isinstance(packed, list):
        return [int(h) for h in packed]
    raw = base64.b64decode(packed)
    return [int.from_bytes(raw[i : i + 6], "big") for i in range(0, len(raw), 6)]


@dataclass(slots=True)
class ResidentState:
    """Everything kept about one resident, stored in one table row."""

    resident_id: str
    watermark: float = -math.inf
    """Newest accepted home-sensor event time; never moved by a rejected event."""
    dho_watermark: float = -math.inf
    """Newest accepted DHO event time. Kept apart: a measurement app that syncs hours late
    must neither be rejected as late by sensor time nor push sensor events out as late."""
    seen: list[int] = field(default_factory=list)
    care: CareContext | None = None
    detectors: dict[str, Any] = field(default_factory=dict)
    book: Any = None
    due: float = math.inf
    """Earliest event time at which a tick can fire anything (cached from detectors and desk)."""
    dues: dict[str, float] = field(default_factory=dict)
    """Each ticking detector's (and the desk's, under "") next deadline; not stored, rebuilt on load."""
    view: ResidentView | None = None


@dataclass(slots=True, frozen=True)
class Rejected:
    """Why an otherwise valid event was not used (it goes to the dead-letter topic)."""

    reason_code: str
    reason: str


class Engine:
    """Drives one resident's detectors and alert desk.

    Parameters:
        detectors: the detectors to run (default: every registered detector).
        desk: routing, de-duplication, escalation (default: rules from the repo).
        lateness_s: how far behind its newest event a resident's event may arrive.
    """

    __slots__ = ("_by_kind", "_tickers", "_ticking_by_kind", "default_tz", "desk", "detectors", "lateness_s")

    def __init__(
        self,
        detectors: Sequence[Detector[Any]] | None = None,
        desk: AlertDesk | None = None,
        lateness_s: float = DEFAULT_LATENESS_S,
        default_tz: str = "Europe/Oslo",
    ) -> None:
        self.detectors: tuple[Detector[Any], ...] = tuple(all_detectors() if detectors is None else detectors)
        self.desk = desk if desk is not None else AlertDesk.from_repo()
        self.lateness_s = lateness_s
        self.default_tz = default_tz
        by_kind: dict[str, list[Detector[Any]]] = {}
        for det in self.detectors:
            for kind in det.kinds:
                by_kind.setdefault(kind, []).append(det)
        self._by_kind = {k: tuple(v) for k, v in by_kind.items()}
        self._tickers = tuple(d for d in self.detectors if d.ticks)
        # after an event only the detectors that saw it can have moved their deadline
        self._ticking_by_kind = {k: tuple(d for d in v if d.ticks) for k, v in self._by_kind.items()}

    # -- state ------------------------------------------------------------
    def new_state(self, resident_id: str) -> ResidentState:
        return ResidentState(
            resident_id=resident_id,
            detectors={d.name: d.initial() for d in self.detectors},
            book=self.desk.initial(),
        )

    def view(self, state: ResidentState) -> ResidentView:
        if state.view is None:
            state.view = ResidentView.of(state.resident_id, state.care, self.default_tz)
        return state.view

    def dump(self, state: ResidentState) -> bytes:
        """Serialise for the state table's changelog."""
        return orjson.dumps(
            {
                "r": state.resident_id,
                "w": state.watermark if state.watermark > -math.inf else None,
                "wd": state.dho_watermark if state.dho_watermark > -math.inf else None,
                "s": _pack(state.seen),
                "c": state.care.model_dump(mode="json") if state.care is not None else None,
                "d": {d.name: d.dump(state.detectors[d.name]) for d in self.detectors},
                "b": self.desk.dump(state.book),
            }
        )

    def load(self, raw: bytes) -> ResidentState:
        data = orjson.loads(raw)
        care = CareContext.model_validate_json(orjson.dumps(data["c"])) if data["c"] is not None else None
        stored = data["d"]
        state = ResidentState(
            resident_id=data["r"],
            watermark=data["w"] if data["w"] is not None else -math.inf,
            dho_watermark=data["wd"] if data.get("wd") is not None else -math.inf,
            seen=_unpack(data["s"]),
            care=care,
            detectors={
                d.name: d.load(stored[d.name]) if d.name in stored else d.initial() for d in self.detectors
            },
            book=self.desk.load(data["b"]),
        )
        self._refresh_due(state)
        return state

    # -- inputs -----------------------------------------------------------
    def on_care(self, state: ResidentState, care: CareContext | None) -> None:
        """A new care context (or its deletion) for the resident."""
        state.care = care
        state.view = None
        self._refresh_due(state)

    def on_event(self, state: ResidentState, event: Any, t: float) -> tuple[list[Alert], Rejected | None]:
        """Feed one validated sensor or DHO event at event time ``t`` (epoch seconds)."""
        h = event_id_hash(event.event_id)
        if h in state.seen:
            return [], Rejected("duplicate", f"duplicate event id (seen among the last {SEEN_IDS})")
        sensor = event.kind in _SENSOR
        newest = state.watermark if sensor else state.dho_watermark
        if t < newest - self.lateness_s:
            return [], Rejected(
                "late", f"event is {newest - t:.0f} s older than the resident's newest "
                f"{'sensor' if sensor else 'DHO'} event (allowed lateness {self.lateness_s:.0f} s)"
            )
        state.seen.append(h)
        if len(state.seen) > SEEN_IDS:
            del state.seen[0]
        alerts: list[Alert] = []
        if sensor:
            # absence patterns due before this sensor event fire first, at their own time
            # (a DHO reading says nothing about the home's sensors having been quiet)
            if t >= state.due:
                alerts = self.on_tick(state, t)
            if t > state.watermark:
                state.watermark = t
        elif t > state.dho_watermark:
            state.dho_watermark = t
        view = self.view(state)
        candidates: list[AlertCandidate] = []
        dets = state.detectors
        for det in self._by_kind.get(event.kind, ()):
            dets[det.name], found = det.step(dets[det.name], event, t, view)
            if found:
                candidates.extend(found)
        dues = state.dues
        if candidates:
            state.book, routed = self.desk.on_candidates(state.book, view, candidates, t)
            alerts.extend(routed)
            dues[""] = self.desk.due(state.book)
        if not dues:
            self._refresh_due(state)
        else:
            for det in self._ticking_by_kind.get(event.kind, ()):
                dues[det.name] = det.due(dets[det.name], view)
            state.due = min(dues.values())
        return alerts, None

    def on_ack(self, state: ResidentState, ack: Acknowledgement) -> tuple[list[Alert], AckOutcome]:
        """An acknowledgement from a care system; the outcome says whether it matched an open alert."""
        state.book, alerts, outcome = self.desk.on_ack(state.book, self.view(state), ack, ack.time.timestamp())
        self._refresh_due(state)
        return alerts, outcome

    def on_tick(self, state: ResidentState, now: float) -> list[Alert]:
        """Event time moved on to ``now`` without an event for this resident."""
        if now < state.due:
            return []
        view = self.view(state)
        candidates: list[AlertCandidate] = []
        dets = state.detectors
        for det in self._tickers:
            dets[det.name], found = det.tick(dets[det.name], now, view)
            if found:
                candidates.extend(found)
        alerts: list[Alert] = []
        if candidates:
            candidates.sort(key=lambda c: (c.time, c.type))
            state.book, alerts = self.desk.on_candidates(state.book, view, candidates, now)
        state.book, more = self.desk.tick(state.book, view, now)
        alerts.extend(more)
        self._refresh_due(state)
        return alerts

    def _refresh_due(self, state: ResidentState) -> None:
        view = self.view(state)
        dets = state.detectors
        dues = state.dues
        dues[""] = self.desk.due(state.book)
        for det in self._tickers:
            dues[det.name] = det.due(dets[det.name], view)
        state.due = min(dues.values())


def tick_all(engine: Engine, states: Iterable[ResidentState], now: float) -> list[Alert]:
    """Tick every resident whose next deadline has come (used by replay and the worker)."""
    out: list[Alert] = []
    for state in states:
        if now >= state.due:
            out.extend(engine.on_tick(state, now))
    return out
