"""The indicator book of one partition: a pure state machine over care contexts, alerts and acknowledgements.

``care``, ``alert`` and ``ack`` feed it in any order a partition delivers them; ``advance`` moves
its event-time watermark, counts resident-days and closes windows; ``drain`` returns the window
records to publish. No I/O, no wall clock: the Faust agent, ``tilsyn replay --indicators`` and
the tests drive the same object. What counts where is defined in ``definitions.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pydantic import TypeAdapter

from agents.catalogue import CATALOGUE
from agents.indicators.definitions import ACK_LIMIT_S, CLOSE_GRACE_S
from agents.indicators.windows import Window, local_ordinal, windows_of, windows_of_day
from schemas.alerts import Acknowledgement, Alert, AlertType, RecipientKind
from schemas.care import CareContext, CareService
from schemas.indicators import ACK_BUCKETS_S, IndicatorWindow

MAX_BACKFILL_DAYS = 62
"""A care context dated long before the book's watermark counts resident-days from at most two
months back: older windows are closed and published already (and a restored book must not count
a years-old enrolment day by day)."""

KEEP_CLOSED_S = ACK_LIMIT_S + CLOSE_GRACE_S
"""A closed window is kept (for late acknowledgements) until every alert in it is past the acknowledgement limit."""

EARLY_ACK_KEEP_S = 31 * 24 * 3600.0
"""An acknowledgement read before its alert waits for it up to 31 days of partition time after its own time
(the longest window): topics are read at their own pace, most after a restart or in a backfill."""

UNKNOWN = "unknown"
_NOTIFICATION_SUFFIX = re.compile(r"-n\d+$")
_SENSOR_KINDS = frozenset({"motion", "door", "contact", "bed", "chair", "toilet", "appliance", "light"})


def services_of(ctx: CareContext) -> tuple[str, ...]:
    """VKP service codes a care context names (rules in ``definitions.py``)."""
    reg = ctx.devices
    kinds = {d.kind for d in reg.devices} if reg is not None else set()
    out = []
    if reg is None or "alarm_button" in kinds or "fall" in kinds:
        out.append("TA")
    if ctx.permits(CareService.DIGITAL_SUPERVISION) and (reg is None or kinds & _SENSOR_KINDS):
        out.append("DT")
    if "medication" in kinds:
        out.append("MD")
    if ctx.permits(CareService.HOME_FOLLOW_UP) and ctx.schedule:
        out.append("DHO")
    return tuple(out)


@dataclass(slots=True)
class Follow:
    """What the book keeps of a resident's care context."""

    municipality: str
    services: tuple[str, ...]
    devices: int
    zone: str
    counted_until: int
    """Local date ordinal of the last day counted as a resident-day."""


@dataclass(slots=True)
class AlertMeta:
    """An alert awaiting acknowledgement: where it counts and who may acknowledge it."""

    municipality: str
    service: str
    severity: str
    zone: str
    time: float
    seen_at: float = 0.0
    """Watermark when the alert was read: it waits ACK_LIMIT_S of partition time from then for acknowledgements."""
    teams: dict[str, str] = field(default_factory=dict)
    """team id -> recipient kind of every notification seen."""
    escalated: bool = False
    acknowledged: bool = False
    false_alarm: bool = False


@dataclass(slots=True)
class Agg:
    """Running counts of one window, municipality and service."""

    kind: Literal["day", "week", "month"]
    label: str
    start: float
    end: float
    zone: str
    residents: set[str] = field(default_factory=set)
    inactive: set[str] = field(default_factory=set)
    resident_days: int = 0
    device_days: int = 0
    alerts: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    by_severity: dict[str, int] = field(default_factory=dict)
    escalated: int = 0
    acknowledged: int = 0
    false_alarms: int = 0
    ack_seconds: dict[str, list[int]] = field(default_factory=dict)
    device_silent: int = 0
    next_of_kin: int = 0
    closed: bool = False
    revision: int = 0
    dirty: bool = True


@dataclass(slots=True)
class BookState:
    """Everything one partition's book holds (serialised whole into the worker's table)."""

    shard: int
    watermark: float = 0.0
    follows: dict[str, Follow] = field(default_factory=dict)
    alerts: dict[str, AlertMeta] = field(default_factory=dict)
    aggs: dict[str, Agg] = field(default_factory=dict)
    municipalities: set[str] = field(default_factory=set)
    """Municipality numbers seen in care contexts: the only values the metric label may take."""
    unmatched_acks: int = 0
    late: int = 0
    """Window updates dropped because the window was already forgotten (end + KEEP_CLOSED_S behind the watermark)."""
    early_acks: dict[str, list[tuple[str, str, float, float]]] = field(default_factory=dict)
    """Acknowledgements read before their alert (another topic may lag): alert id -> (action, by, time, seen at)."""
    next_midnight: float = 0.0
    """Earliest local midnight after the watermark in any resident's zone: resident-days are counted from then."""


_CODEC: TypeAdapter[BookState] = TypeAdapter(BookState)


def _bump(counter: dict[str, int], key: str) -> None:
    counter[key] = counter.get(key, 0) + 1


class IndicatorBook:
    """Windowed indicator counts of the residents of one partition."""

    __slots__ = ("state",)

    def __init__(self, shard: int, state: BookState | None = None) -> None:
        self.state = state if state is not None else BookState(shard=shard)

    # -- codec ----------------------------------------------------------------
    def dump(self) -> bytes:
        return _CODEC.dump_json(self.state)

    @classmethod
    def load(cls, raw: bytes) -> IndicatorBook:
        state = _CODEC.validate_json(raw)
        return cls(state.shard, state)

    # -- inputs ----------------------------------------------------------------
    def care(self, resident_id: str, ctx: CareContext | None, now: float | None = None) -> None:
        """A care context (None: a tombstone, follow-up ended) took effect at ``now`` (default: its updated_at)."""
        st = self.state
        t = now if now is not None else (ctx.updated_at.timestamp() if ctx is not None else st.watermark)
        self.advance(t)
        if ctx is None:
            st.follows.pop(resident_id, None)
            return
        st.municipalities.add(ctx.municipality)
        zone = ctx.time_zone
        old = st.follows.get(resident_id)
        # days count from the context's own time, also when another topic moved the watermark past it
        # (topics are read at their own pace: on a first start the care contexts may come after alerts)
        start = local_ordinal(t, zone) - 1
        counted = old.counted_until if old is not None else start
        reg = ctx.devices
        st.follows[resident_id] = Follow(
            ctx.municipality, services_of(ctx), len(reg.devices) if reg is not None else 0, zone, counted
        )
        st.next_midnight = min(st.next_midnight, windows_of(st.watermark, zone)[0].end)
        if start < local_ordinal(st.watermark, zone) - 1:
            self._count_days(st.watermark)

    def alert(self, a: Alert) -> None:
        """An alert notification as published on an alerts.* topic."""
        st = self.state
        t = a.time.timestamp()
        self.advance(t)
        original = a.alert_id if a.notification == "initial" else (a.escalation_of or a.alert_id)
        meta = st.alerts.get(original)
        if a.notification == "initial":
            if meta is None:
                follow = st.follows.get(a.resident_id)
                muni = a.municipality or (follow.municipality if follow else UNKNOWN)
                zone = follow.zone if follow else "Europe/Oslo"
                meta = st.alerts[original] = AlertMeta(muni, a.vkp_service.value, a.severity.value, zone, t,
                                                       seen_at=st.watermark)
                for agg in self._aggs(t, zone, muni, meta.service):
                    agg.alerts += 1
                    _bump(agg.by_type, a.type.value)
                    _bump(agg.by_category, CATALOGUE[a.type].category.value if a.type in CATALOGUE
                          else a.category.value)
                    _bump(agg.by_severity, a.severity.value)
                    if a.type is AlertType.DEVICE_SILENT:
                        agg.device_silent += 1
                    if a.type is AlertType.INACTIVE_PATIENT:
                        agg.inactive.add(a.resident_id)
                    self._touch(agg)
            if a.recipient.kind is RecipientKind.NEXT_OF_KIN and a.recipient.team_id not in meta.teams:
                for agg in self._aggs(t, meta.zone, meta.municipality, meta.service):
                    agg.next_of_kin += 1
                    self._touch(agg)
        if meta is None:
            return  # a later notification of an alert older than the book (or past the limit)
        meta.teams.setdefault(a.recipient.team_id, a.recipient.kind.value)
        waiting = st.early_acks.pop(original, None)
        if waiting:
            st.unmatched_acks -= len(waiting)
            for action, by, at, _ in waiting:
                self._apply_ack(meta, action, by, at)
        if a.notification == "escalation" and not meta.escalated:
            meta.escalated = True
            for agg in self._aggs(meta.time, meta.zone, meta.municipality, meta.service):
                agg.escalated += 1
                self._touch(agg)

    def ack(self, k: Acknowledgement) -> None:
        """An acknowledgement from a care system (alert-acks)."""
        st = self.state
        self.advance(k.time.timestamp())
        original = k.alert_id if k.alert_id in st.alerts else _NOTIFICATION_SUFFIX.sub("", k.alert_id)
        meta = st.alerts.get(original)
        if meta is None:
            st.unmatched_acks += 1
            st.early_acks.setdefault(original, []).append((k.action, k.by, k.time.timestamp(), st.watermark))
            return
        self._apply_ack(meta, k.action, k.by, k.time.timestamp())

    def _apply_ack(self, meta: AlertMeta, action: str, by: str, at: float) -> None:
        delay = at - meta.time
        if delay < 0 or delay > ACK_LIMIT_S:
            return
        first = not meta.acknowledged
        false_alarm = action == "false_alarm" and not meta.false_alarm
        meta.acknowledged = True
        meta.false_alarm = meta.false_alarm or action == "false_alarm"
        if not (first or false_alarm):
            return
        hist_key = f"{meta.severity}/{meta.teams.get(by, UNKNOWN)}"
        bucket = next((i for i, b in enumerate(ACK_BUCKETS_S) if delay <= b), len(ACK_BUCKETS_S))
        for agg in self._aggs(meta.time, meta.zone, meta.municipality, meta.service):
            if first:
                agg.acknowledged += 1
                agg.ack_seconds.setdefault(hist_key, [0] * (len(ACK_BUCKETS_S) + 1))[bucket] += 1
            if false_alarm:
                agg.false_alarms += 1
            self._touch(agg)

    # -- time -----------------------------------------------------------------
    def advance(self, t: float) -> None:
        """Move the watermark to ``t`` (never back): count finished days, close windows, forget old alerts."""
        st = self.state
        if t <= st.watermark:
            return
        st.watermark = t
        if t >= st.next_midnight:
            self._count_days(t)
        for key, agg in list(st.aggs.items()):
            if not agg.closed and agg.end + CLOSE_GRACE_S <= t:
                agg.closed = True
                agg.dirty = True
            elif agg.closed and agg.end + KEEP_CLOSED_S <= t and not agg.dirty:
                del st.aggs[key]
        for aid in [aid for aid, m in st.alerts.items() if max(m.time, m.seen_at) + ACK_LIMIT_S < t]:
            del st.alerts[aid]
        for aid in [aid for aid, acks in st.early_acks.items() if acks[-1][2] + EARLY_ACK_KEEP_S < t]:
            del st.early_acks[aid]

    def _count_days(self, t: float) -> None:
        """Count every finished local day since each resident's last counted one."""
        st = self.state
        today: dict[str, int] = {}
        nxt = float("inf")
        for rid, f in st.follows.items():
            last = today.get(f.zone)
            if last is None:
                last = today[f.zone] = local_ordinal(t, f.zone) - 1
                nxt = min(nxt, windows_of(t, f.zone)[0].end)
            if f.counted_until >= last:
                continue
            for day in range(max(f.counted_until + 1, last - MAX_BACKFILL_DAYS), last + 1):
                for w in windows_of_day(day, f.zone):
                    for service in ("ALL", *f.services):
                        agg = self._agg(w, f.municipality, service)
                        if agg is None:
                            continue
                        agg.residents.add(rid)
                        agg.resident_days += 1
                        agg.device_days += f.devices
                        self._touch(agg)
            f.counted_until = last
        st.next_midnight = nxt if today else t

    # -- output ---------------------------------------------------------------
    def drain(self, open_too: bool = True) -> list[IndicatorWindow]:
        """Records of the windows changed since the last drain (open ones only when ``open_too``)."""
        out = []
        for key, agg in self.state.aggs.items():
            if agg.dirty and (agg.closed or open_too):
                out.append(self.record(key, agg))
                agg.dirty = False
        return out

    def records(self) -> list[IndicatorWindow]:
        """Every window the book holds, as it stands."""
        return [self.record(k, a) for k, a in self.state.aggs.items()]

    def record(self, key: str, agg: Agg) -> IndicatorWindow:
        _, _, muni, service = key.split("|")
        w = Window(agg.kind, agg.label, agg.start, agg.end, agg.zone)
        return IndicatorWindow(
            window=agg.kind, label=agg.label, start=w.local(agg.start), end=w.local(agg.end), time_zone=agg.zone,
            municipality=muni, service=service,  # type: ignore[arg-type]
            shard=self.state.shard, status="closed" if agg.closed else "open", revision=agg.revision,
            residents=len(agg.residents), resident_days=agg.resident_days, device_days=agg.device_days,
            alerts=agg.alerts, alerts_by_type=dict(agg.by_type), alerts_by_category=dict(agg.by_category),
            alerts_by_severity=dict(agg.by_severity), escalated=agg.escalated, acknowledged=agg.acknowledged,
            false_alarms=agg.false_alarms, ack_seconds={k: tuple(v) for k, v in agg.ack_seconds.items()},
            inactive_residents=len(agg.inactive), device_silent=agg.device_silent,
            next_of_kin_notices=agg.next_of_kin,
        )

    # -- helpers ----------------------------------------------------------------
    def _agg(self, w: Window, municipality: str, service: str) -> Agg | None:
        """The counts of a window; None when it was forgotten already (it cannot change any more)."""
        st = self.state
        key = f"{w.kind}|{w.label}|{municipality}|{service}"
        agg = st.aggs.get(key)
        if agg is None:
            if w.end + KEEP_CLOSED_S <= st.watermark:
                st.late += 1
                return None
            agg = st.aggs[key] = Agg(w.kind, w.label, w.start, w.end, w.zone,
                                     closed=w.end + CLOSE_GRACE_S <= st.watermark)
        return agg

    def _aggs(self, t: float, zone: str, municipality: str, service: str) -> list[Agg]:
        found = (self._agg(w, municipality, s) for w in windows_of(t, zone) for s in ("ALL", service))
        return [a for a in found if a is not None]

    @staticmethod
    def _touch(agg: Agg) -> None:
        """A change to a window: a closed one is published again with a higher revision."""
        if agg.closed and not agg.dirty:
            agg.revision += 1
        agg.dirty = True


def local_time(epoch: float, zone: str) -> datetime:
    """Local wall time of an instant (for messages and tests)."""
    return windows_of(epoch, zone)[0].local(epoch)
