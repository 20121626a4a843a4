"""One resident's whole state machine: event hygiene, every detector, the alert desk.

The Faust worker, the offline replay, the tests and the benchmark all drive
residents through :class:`Engine`, so they cannot disagree. The engine is pure:
event time comes in as arguments and nothing here touches the network or a clock.
"""

from __future__ import annotations

import base64
import logging
import math
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Union

import msgspec
import orjson
from msgspec import UNSET, UnsetType

from agents.alerting.desk import AckOutcome, AlertBook, AlertDesk
from agents.behaviour.home import HomeModel, HomeState, StoredHome
from agents.catalogue import CATALOGUE, CONSENT_OF, detector_service
from agents.registry import all_detectors
from agents.statecodec import ENCODER, Stored, decoder, from_v1, id_hash, pack_hashes, unpack_hashes
from agents.types import AlertCandidate, Detector, ResidentView
from schemas.alerts import Acknowledgement, Alert, AlertType, Evidence, Recipient, RecipientKind, Severity
from schemas.care import CareContext, CareService
from schemas.events import SENSOR_KINDS

log = logging.getLogger(__name__)

DEFAULT_LATENESS_S = 600.0
"""Events up to 10 min older than the resident's newest event are still used (out-of-order
delivery from home hubs buffering over a flaky mobile link); older ones are rejected."""

_SENSOR = frozenset(SENSOR_KINDS)

SEEN_IDS = 64
"""How many recent event ids per resident are remembered to drop duplicates."""

STATE_FORMAT = 2
"""Version byte of a stored resident state.

2: header, then msgpack of :class:`agents.statecodec.Stored` records (positional, typed).
1: header, then a JSON object (read by :meth:`Engine.load`, never written).
0x7b (``{``): the header-less JSON of earlier versions (read like format 1).
"""
_HEADER = struct.Struct(">Bdd")
HEADER_SIZE = _HEADER.size


def peek(raw: bytes) -> tuple[float, float]:
    """(next deadline, sensor watermark) of a stored state without decoding it.

    A header-less state from an earlier version says "due now" (-inf), so it is decoded at the
    first tick and stored again with a header.
    """
    if raw[:1] == b"{" or len(raw) < HEADER_SIZE:
        return -math.inf, -math.inf
    _, due, watermark = _HEADER.unpack_from(raw)
    return due, watermark


SAFETY_KINDS = frozenset({"alarm_button", "fall"})
"""Events that are an alert by themselves: handled first, never held back by anything else."""

TICK_STEP_S = 1.0
"""When a deadline does not move after its tick, :meth:`Engine.advance` retries this much later: the
live worker's tick interval, so replay and live fire such patterns at the same second."""

MAX_ADVANCE_STEPS = 10_000
"""Deadlines one :meth:`Engine.advance` call may step through (a bound, not a setting: a resident's
daily patterns have a few deadlines a day; ten thousand covers years of absence)."""


def _unpack_v1(packed: str | list[int]) -> list[int]:
    """Seen ids of format 1: base64 of 6-byte words (or, earlier, a JSON list)."""
    if isinstance(packed, list):
        return [int(h) for h in packed]
    return unpack_hashes(base64.b64decode(packed))


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
    faults: dict[str, str] = field(default_factory=dict)
    """Detector name → why it is switched off for this resident (it raised); cleared by a new care context."""
    pending: list[AlertCandidate] = field(default_factory=list)
    """Fault notices found outside a step or tick (a failing ``due``); routed at the next tick. Not stored."""
    home: HomeState = field(default_factory=HomeState)
    """The shared home model (capabilities and activity) the behaviour detectors read."""


class UnreadableState(ValueError):
    """A stored state this version cannot read at all: a later format, or damaged bytes."""


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

    __slots__ = (
        "_by_kind", "_consent", "_decode", "_decode_parts", "_safety_names", "_stored", "_stored_detectors",
        "_tickers", "_ticking_by_kind",
        "default_tz", "desk", "detectors", "home_model", "lateness_s",
    )

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
        self.home_model = HomeModel()
        by_kind: dict[str, list[Detector[Any]]] = {}
        for det in self.detectors:
            for kind in det.kinds:
                by_kind.setdefault(kind, []).append(det)
        self._by_kind = {k: tuple(v) for k, v in by_kind.items()}
        self._tickers = tuple(d for d in self.detectors if d.ticks)
        # after an event only the detectors that saw it can have moved their deadline
        self._ticking_by_kind = {k: tuple(d for d in v if d.ticks) for k, v in self._by_kind.items()}
        self._safety_names = frozenset(
            d.name for d in self.detectors if d.kinds and d.kinds <= SAFETY_KINDS and not d.ticks
        )
        self._stored_detectors, self._stored, parts = _stored_types(self.detectors)
        self._decode: Callable[[memoryview], Any] = msgspec.msgpack.Decoder(self._stored).decode
        self._decode_parts: Callable[[memoryview], Any] = msgspec.msgpack.Decoder(parts).decode
        self._consent: dict[str, CareService] = {}
        """Detector name → the legal basis its service needs (detectors of the safety alarm need none)."""
        for d in self.detectors:
            try:
                service = CONSENT_OF[detector_service(d)]
            except KeyError:  # a detector without a declared service (tests' stand-ins) is not gated
                continue
            if service is not None:
                self._consent[d.name] = service

    # -- state ------------------------------------------------------------
    def new_state(self, resident_id: str) -> ResidentState:
        return ResidentState(
            resident_id=resident_id,
            detectors={d.name: d.initial() for d in self.detectors},
            book=self.desk.initial(),
        )

    def view(self, state: ResidentState) -> ResidentView:
        if state.view is None:
            state.view = ResidentView.of(state.resident_id, state.care, self.default_tz, home=state.home)
        return state.view

    def dump(self, state: ResidentState) -> bytes:
        """Serialise for the state table's changelog: a fixed header, then the state as msgpack.

        The header (format version, next deadline, sensor watermark) lets a worker that takes
        over a partition schedule its residents' timers without decoding every state
        (:func:`peek`); a state is decoded when it is due or a record for it arrives.
        """
        due = state.due if not state.pending else -math.inf
        body = self._stored(
            r=state.resident_id, wd=state.dho_watermark, s=pack_hashes(state.seen),
            d=self._stored_detectors(*[d.dump(state.detectors[d.name]) for d in self.detectors]),
            b=self.desk.dump(state.book), h=self.home_model.dump(state.home), f=state.faults,
        )
        return _HEADER.pack(STATE_FORMAT, due, state.watermark) + ENCODER.encode(body)

    @staticmethod
    def dump_care(state: ResidentState) -> bytes | None:
        """The care context as stored in its own table (None: deleted). It changes rarely, so it is
        written when it changes, not with every state flush."""
        return state.care.model_dump_json(exclude_defaults=True).encode() if state.care is not None else None

    def load(self, raw: bytes, care_raw: bytes | None = None) -> ResidentState:
        """A stored state (format 2, or 1 written by an earlier version); its care context comes
        from the care table (``care_raw``).

        A state is decoded typed in one pass. If that fails (a part this version cannot read),
        each part is decoded alone and an unreadable detector state or home model starts afresh.
        """
        if raw[:1] == b"{" or raw[0] == 1:
            return self._load_v1(raw, care_raw)
        if raw[0] != STATE_FORMAT:
            raise UnreadableState(f"stored state has format {raw[0]}; this version reads formats 1 and {STATE_FORMAT}")
        _, _, watermark = _HEADER.unpack_from(raw)
        body = memoryview(raw)[HEADER_SIZE:]
        care = CareContext.model_validate_json(care_raw) if care_raw is not None else None
        try:
            stored = self._decode(body)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return self._load_parts(body, watermark, care)
        dets = stored.d
        state = ResidentState(
            resident_id=stored.r, watermark=watermark, dho_watermark=stored.wd, seen=unpack_hashes(stored.s),
            care=care, book=stored.b, faults=stored.f,
            detectors={d.name: d.initial() if (v := getattr(dets, f"d{i}")) is UNSET else v
                       for i, d in enumerate(self.detectors)},
        )
        return self._loaded(state, stored.h)

    def _load_parts(self, body: memoryview, watermark: float, care: CareContext | None) -> ResidentState:
        """Decode part by part: what this version cannot read of a detector or the home model restarts."""
        try:
            stored = self._decode_parts(body)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise UnreadableState(f"stored state (format {STATE_FORMAT}) is damaged: {exc}") from exc
        state = ResidentState(
            resident_id=stored.r, watermark=watermark, dho_watermark=stored.wd, seen=unpack_hashes(stored.s),
            care=care, book=decoder(AlertBook).decode(stored.b), faults=stored.f,
        )
        for d in self.detectors:
            part = stored.d.get(d.name)
            try:
                state.detectors[d.name] = d.initial() if part is None else decoder(d.state_type).decode(part)
            except (msgspec.DecodeError, msgspec.ValidationError) as exc:
                log.warning("stored state of detector %s unreadable (%s); restarted", d.name, type(exc).__name__)
                state.detectors[d.name] = d.initial()
        try:
            home = decoder(StoredHome | None).decode(stored.h)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            log.warning("stored home model unreadable (%s); restarted", type(exc).__name__)
            home = None
        return self._loaded(state, home)

    def _load_v1(self, raw: bytes, care_raw: bytes | None) -> ResidentState:
        """A state of format 1 (or the header-less JSON before it): JSON, ``null`` for infinite floats."""
        data = orjson.loads(raw if raw[:1] == b"{" else memoryview(raw)[HEADER_SIZE:])
        if care_raw is not None:
            care: CareContext | None = CareContext.model_validate_json(care_raw)
        elif data.get("c") is not None:  # stored by an earlier version, care inside the state
            care = CareContext.model_validate_json(orjson.dumps(data["c"]))
        else:
            care = None
        stored = data["d"]
        state = ResidentState(
            resident_id=data["r"],
            watermark=data["w"] if data["w"] is not None else -math.inf,
            dho_watermark=data["wd"] if data.get("wd") is not None else -math.inf,
            seen=_unpack_v1(data["s"]),
            care=care,
            book=self.desk.from_v1(data["b"]),
            faults=dict(data.get("f") or {}),
        )
        for d in self.detectors:
            try:
                if d.name not in stored:
                    state.detectors[d.name] = d.initial()
                elif isinstance(d.state_type, type) and issubclass(d.state_type, Stored):
                    state.detectors[d.name] = from_v1(d.state_type, stored[d.name])
                else:
                    state.detectors[d.name] = msgspec.convert(stored[d.name], d.state_type)
            except Exception as exc:  # a stored state this version cannot read: start that pattern afresh
                log.warning("stored state of detector %s unreadable (%s); restarted", d.name, type(exc).__name__)
                state.detectors[d.name] = d.initial()
        try:
            home = self.home_model.from_v1(data.get("h"))
        except Exception as exc:  # a stored home model this version cannot read: learn the home afresh
            log.warning("stored home model unreadable (%s); restarted", type(exc).__name__)
            home = None
        return self._loaded(state, home)

    def _loaded(self, state: ResidentState, home: StoredHome | None) -> ResidentState:
        state.home = self.home_model.load(home)
        self.home_model.on_care(state.home, state.care)
        self._refresh_due(state)
        return state

    # -- inputs -----------------------------------------------------------
    def on_care(self, state: ResidentState, care: CareContext | None) -> Rejected | None:
        """A new care context (or its deletion) for the resident.

        Care contexts are ordered by ``updated_at``: one older than the context in force is
        refused (a compacted topic or a replaying care system may deliver an old version last).
        A new valid context also switches detectors that failed back on, from a fresh state.
        """
        if care is not None and state.care is not None and care.updated_at < state.care.updated_at:
            return Rejected(
                "stale_care_context",
                f"care context updated_at {care.updated_at.isoformat()} is older than the one in force "
                f"({state.care.updated_at.isoformat()})",
            )
        state.care = care
        state.view = None
        if care is not None and care.legal_basis is not None:
            # without a legal basis a service's detectors do not run; withdrawal closes their
            # episodes (fresh state) and the desk closes their open alerts with a notice
            for d in self.detectors:
                if not self._permitted(care, d.name):
                    state.detectors[d.name] = d.initial()
            state.book = self.desk.on_care(state.book, self.view(state))
        self.home_model.on_care(state.home, care)
        if state.faults:
            for d in self.detectors:
                if d.name in state.faults:
                    state.detectors[d.name] = d.initial()
            state.faults.clear()
        self._refresh_due(state)
        return None

    def on_event(self, state: ResidentState, event: Any, t: float) -> tuple[list[Alert], Rejected | None]:
        """Feed one validated sensor or DHO event at event time ``t`` (epoch seconds).

        A safety alarm or fall goes to the alert desk before anything else runs, and is never
        rejected as late: a press delayed by a flaky link is still a press. Every other detector
        runs isolated (see :meth:`_guard`).
        """
        h = id_hash(event.event_id)
        if h in state.seen:
            return [], Rejected("duplicate", f"duplicate event id (seen among the last {SEEN_IDS})")
        sensor = event.kind in _SENSOR
        newest = state.watermark if sensor else state.dho_watermark
        late = t < newest - self.lateness_s
        safety = event.kind in SAFETY_KINDS
        if late and not safety:
            return [], Rejected(
                "late", f"event is {newest - t:.0f} s older than the resident's newest "
                f"{'sensor' if sensor else 'DHO'} event (allowed lateness {self.lateness_s:.0f} s)"
            )
        state.seen.append(h)
        if len(state.seen) > SEEN_IDS:
            del state.seen[0]
        view = self.view(state)
        alerts: list[Alert] = []
        if safety:
            alerts = self._safety_first(state, view, event, t)
            if late:  # alerted; too old to tell the other detectors anything
                return alerts, None
        if sensor:
            # absence patterns due before this sensor event fire first, at their own time
            # (a DHO reading says nothing about the home's sensors having been quiet)
            if t >= state.due:
                alerts.extend(self.advance(state, t))
            if t > state.watermark:
                state.watermark = t
            # the shared home model sees the event before any detector does
            try:
                self.home_model.step(state.home, event, t, view)
            except Exception as exc:
                log.error("home model failed on an event (%s); the event is skipped by it", type(exc).__name__)
        elif t > state.dho_watermark:
            state.dho_watermark = t
        candidates: list[AlertCandidate] = []
        dets = state.detectors
        faults = state.faults
        for det in self._by_kind.get(event.kind, ()):
            if det.name in faults or (safety and det.name in self._safety_names) or not self._permitted(view.care, det.name):
                continue
            found = self._guard(state, det, t, det.step, dets[det.name], event, t, view)
            if found:
                candidates.extend(found)
        dues = state.dues
        if candidates:
            alerts.extend(self._route(state, view, candidates, t))
        if candidates or safety:
            dues[""] = self.desk.due(state.book)
        if not dues:
            self._refresh_due(state)
        else:
            for det in self._ticking_by_kind.get(event.kind, ()):
                dues[det.name] = self._due(state, det, view)
            state.due = -math.inf if state.pending else min(dues.values())
        return alerts, None

    def on_ack(
        self, state: ResidentState, ack: Acknowledgement, now: float | None = None
    ) -> tuple[list[Alert], AckOutcome]:
        """An acknowledgement from a care system; the outcome says whether it was accepted, or why not.

        ``now`` is the resident's event time as the shell knows it (the partition's time); without
        it, the resident's newest event time. An acknowledgement ahead of it is refused.
        """
        if now is None:
            now = max(state.watermark, state.dho_watermark)
        state.book, alerts, outcome = self.desk.on_ack(state.book, self.view(state), ack, now)
        self._refresh_due(state)
        return alerts, outcome

    def advance(self, state: ResidentState, now: float) -> list[Alert]:
        """Move the resident's event time on to ``now``, ticking at each deadline in order.

        Every absence pattern and escalation fires at its own deadline with the facts of
        that moment, whether the shell ticks every second (live), jumps from record to
        record or runs on to an end time (offline replay): live and replay agree.
        """
        alerts: list[Alert] = []
        at = -math.inf
        retried = False
        for _ in range(MAX_ADVANCE_STEPS):
            due = state.due
            if due > now:
                break
            if not math.isfinite(due):  # "as soon as possible" (or a fault notice waiting)
                at = max(at, now)
            elif due > at:
                at, retried = due, False
            elif not retried and at < now:
                # the deadline did not move: a detector whose ``due`` is a little early (it fires
                # strictly after its limit); try once a second later, as the live worker's tick would
                at, retried = min(now, at + TICK_STEP_S), True
            elif at < now:
                at = now  # still stuck: a ``due`` that only says "maybe"; catch up in one step
            else:
                break
            alerts.extend(self.on_tick(state, at))
        return alerts

    def on_tick(self, state: ResidentState, now: float) -> list[Alert]:
        """Event time moved on to ``now`` without an event for this resident (one step; see :meth:`advance`)."""
        if now < state.due:
            return []
        view = self.view(state)
        candidates: list[AlertCandidate] = state.pending
        state.pending = []
        dets = state.detectors
        faults = state.faults
        for det in self._tickers:
            if det.name in faults or not self._permitted(view.care, det.name):
                continue
            found = self._guard(state, det, now, det.tick, dets[det.name], now, view)
            if found:
                candidates.extend(found)
        alerts: list[Alert] = []
        if candidates:
            candidates.sort(key=lambda c: (c.time, c.type))
            alerts = self._route(state, view, candidates, now)
        try:
            state.book, more = self.desk.tick(state.book, view, now)
        except Exception as exc:
            log.error("alert desk failed on a tick (%s); escalations of this resident wait", type(exc).__name__)
            more = []
        alerts.extend(more)
        self._refresh_due(state)
        return alerts

    # -- isolation ------------------------------------------------------------
    def _guard(
        self, state: ResidentState, det: Detector[Any], t: float,
        call: Callable[..., tuple[Any, list[AlertCandidate]]], *args: Any,
    ) -> list[AlertCandidate]:
        """Run one detector call; if it raises, switch that detector off for this resident.

        The failure is logged once (detector and error type, no resident data), the
        detector's state is reset, and a technical ``pattern_disabled`` alert says which
        pattern is off and why. Every other detector keeps running on the same event.
        """
        try:
            new_state, found = call(*args)
        except Exception as exc:
            return [self._disable(state, det, exc, t)]
        state.detectors[det.name] = new_state
        return found

    def _permitted(self, care: CareContext | None, name: str) -> bool:
        """False when the detector's service lacks a legal basis in the care context."""
        service = self._consent.get(name)
        return service is None or care is None or care.permits(service)

    def _due(self, state: ResidentState, det: Detector[Any], view: ResidentView) -> float:
        if det.name in state.faults or not self._permitted(view.care, det.name):
            return math.inf
        try:
            due = det.due(state.detectors[det.name], view)
        except Exception as exc:
            state.pending.append(self._disable(state, det, exc, state.watermark))
            return math.inf
        return due if due == due else math.inf  # NaN would stall every comparison

    def _disable(self, state: ResidentState, det: Detector[Any], exc: Exception, t: float) -> AlertCandidate:
        reason = f"{type(exc).__name__}: {str(exc)[:160]}" if str(exc) else type(exc).__name__
        log.warning("detector %s failed (%s) and is switched off for one resident", det.name, type(exc).__name__)
        state.faults[det.name] = reason
        state.detectors[det.name] = det.initial()
        when = t if math.isfinite(t) else 0.0
        return AlertCandidate(
            AlertType.PATTERN_DISABLED, Severity.MEDIUM, when, when,
            f"Mønsteret «{det.name}» er slått av for denne beboeren etter en feil ({reason}). "
            "De andre mønstrene virker som før. Rett oppsettet (omsorgskonteksten) eller meld feilen.",
            f"Pattern '{det.name}' is switched off for this resident after an error ({reason}). "
            "Every other pattern runs as before. Correct the set-up (care context) or report the fault.",
            {"detector": det.name, "error": type(exc).__name__},
            episode_key=det.name,
        )

    def _safety_first(self, state: ResidentState, view: ResidentView, event: Any, t: float) -> list[Alert]:
        """A press or fall becomes an alert before any other detector or deadline runs."""
        candidates: list[AlertCandidate] = []
        for det in self._by_kind.get(event.kind, ()):
            if det.name in self._safety_names:
                candidates.extend(self._guard(state, det, t, det.step, state.detectors[det.name], event, t, view))
        if not any(c.type in _SAFETY_TYPES for c in candidates):
            candidates.append(_bare_safety_candidate(event, t))
        return self._route(state, view, candidates, t)

    def _route(
        self, state: ResidentState, view: ResidentView, candidates: list[AlertCandidate], now: float
    ) -> list[Alert]:
        """The desk routes the candidates; if it fails, safety findings still go out on a fixed route."""
        try:
            state.book, alerts = self.desk.on_candidates(state.book, view, candidates, now)
        except Exception as exc:
            log.error("alert desk failed (%s); safety findings sent on the fixed route", type(exc).__name__)
            return [_fallback_alert(view, c, self.desk) for c in candidates if c.type in _SAFETY_TYPES]
        return alerts

    def _refresh_due(self, state: ResidentState) -> None:
        view = self.view(state)
        dues = state.dues
        try:
            dues[""] = self.desk.due(state.book)
        except Exception:
            dues[""] = math.inf
        for det in self._tickers:
            dues[det.name] = self._due(state, det, view)
        state.due = -math.inf if state.pending else min(dues.values())


_SAFETY_TYPES = frozenset({AlertType.SAFETY_ALARM, AlertType.FALL_DETECTED})


def _stored_types(detectors: Sequence[Detector[Any]]) -> tuple[type[msgspec.Struct], type[Any], type[Any]]:
    """The stored form of a resident for this set of detectors, and a form that leaves the parts undecoded.

    A resident is stored as ``[resident id, DHO watermark, seen id hashes, detectors, alert book,
    home model, faults]`` (the sensor watermark and next deadline are in the header). Detector states
    are keyed by detector name, so a detector added or removed in a later version costs no format
    change: a missing one starts from its initial state, an unknown one is ignored.
    """
    fields = [(f"d{i}", Union[d.state_type, UnsetType], UNSET) for i, d in enumerate(detectors)]  # noqa: UP007
    dets = msgspec.defstruct(
        "StoredDetectors", fields, rename={f"d{i}": d.name for i, d in enumerate(detectors)}, omit_defaults=True,
    )
    common: list[tuple[str, Any] | tuple[str, Any, Any]] = [("r", str), ("wd", float), ("s", bytes)]
    whole = msgspec.defstruct(
        "StoredResident", [*common, ("d", dets), ("b", AlertBook), ("h", StoredHome), ("f", dict[str, str], {})],
        bases=(Stored,),
    )
    parts = msgspec.defstruct(
        "StoredResidentParts",
        [*common, ("d", dict[str, msgspec.Raw]), ("b", msgspec.Raw), ("h", msgspec.Raw), ("f", dict[str, str], {})],
        bases=(Stored,),
    )
    return dets, whole, parts


def _bare_safety_candidate(event: Any, t: float) -> AlertCandidate:
    """The alert a press or fall gets when its detector failed: plain, but never missing."""
    fall = event.kind == "fall"
    return AlertCandidate(
        AlertType.FALL_DETECTED if fall else AlertType.SAFETY_ALARM, Severity.HIGH, t, t,
        "Fallsensoren meldte fall." if fall else "Trygghetsalarmen ble utløst.",
        "Fall detector reported a fall." if fall else "Safety alarm pressed.",
        {"device_id": event.device_id},
    )


def _fallback_alert(view: ResidentView, c: AlertCandidate, desk: AlertDesk) -> Alert:
    """A safety alert built without the desk: to the resident's response centre, id as the desk would give."""
    from agents.alerting.ids import alert_id

    kind = CATALOGUE[c.type]
    team = view.care.response_centre if view.care is not None else desk.rules.fallback.intake.response_centre
    return Alert(
        alert_id=alert_id(view.resident_id, c.type, c.episode_start, c.episode_key),
        resident_id=view.resident_id, type=c.type, category=kind.category, severity=c.severity,
        recipient=Recipient(kind=RecipientKind.RESPONSE_CENTRE, team_id=team),
        municipality=view.care.municipality if view.care else None, vkp_service=kind.service,
        episode_start=datetime.fromtimestamp(c.episode_start, UTC), time=datetime.fromtimestamp(c.time, UTC),
        evidence=(Evidence(nb=c.evidence_nb, en=c.evidence_en),), details=dict(c.details),
    )
