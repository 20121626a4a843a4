"""Device health: sensors that stopped reporting, supervision gone blind, and low batteries.

Supervision follows what real kits do (:mod:`agents.behaviour.supervision`):

- A device that sends heartbeats is lost when it misses ``device_missed_heartbeats`` of them
  (at least ``device_silent_after_min``): a LOW alert to device support.
- A device without heartbeats (a plain reed switch or PIR) cannot prove a fault: its silence is
  judged against its own learned gaps, a ``device_silence_margin`` times the longest gap of its
  recent days (or nights: learned apart, by when the silence began), never below
  ``device_silence_floor_h`` (``device_silence_unlearned_h`` until learned). And only while the
  resident is at home and active elsewhere: when the whole home is quiet, that is for the
  inactivity checks, not a device fault; while the resident is out nothing triggers a sensor.
- Supervision blind (every activity sensor sends heartbeats and all have missed them: the hub
  or its link is down) is MEDIUM to device support, never HIGH and never the response centre.
  When it lasts ``device_blind_homecare_h``, home care is told too, by day only (within active
  hours), that the morning and inactivity checks cannot see.

Registry overrides (a device's ``silent_after_min``, then the kind's) replace every limit.
Social-contact check-ins come from care systems, not sensors, and are not watched.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import msgspec

from agents.behaviour import activity, coverage
from agents.behaviour.capabilities import ACTIVITY_KINDS, Capabilities, Device
from agents.behaviour.evidence import day_clock, span_en, span_nb
from agents.behaviour.home import HomeState, home_of
from agents.behaviour.periods import period_of
from agents.behaviour.supervision import blind_since, offline, override_s, supervised_limit_s
from agents.behaviour.thresholds import (
    ACTIVE_FROM,
    ACTIVE_TO,
    BASELINE_MIN_DAYS,
    BATTERY_HYSTERESIS_PCT,
    DEVICE_BLIND_HOMECARE,
    DEVICE_SILENCE_FLOOR,
    DEVICE_SILENCE_MARGIN,
    DEVICE_SILENCE_UNLEARNED,
    LOW_BATTERY,
    NIGHT_FROM,
    NIGHT_TO,
    value,
)
from agents.localtime import at_local, local_day_number, local_hour
from agents.statecodec import Stored
from agents.types import AlertCandidate, ResidentView
from schemas.alerts import AlertType, RecipientKind, Severity

_KIND_NB = {
    "motion": "bevegelsessensor", "door": "dørsensor", "bed": "sengesensor", "chair": "stolsensor",
    "toilet": "toalettsensor", "appliance": "strømsensor", "fall": "fallsensor", "alarm_button": "alarmknapp",
    "medication": "medisindispenser", "contact": "kontaktsensor", "light": "lysbryter",
}
_KIND_EN = {
    "motion": "motion sensor", "door": "door sensor", "bed": "bed sensor", "chair": "seat sensor",
    "toilet": "toilet sensor", "appliance": "power sensor", "fall": "fall detector", "alarm_button": "alarm button",
    "medication": "medication dispenser", "contact": "contact sensor", "light": "light switch",
}
GAP_RING = 14
"""Daily (and nightly) longest gaps kept per device without heartbeats: two weeks."""
RECHECK_S = 900.0
"""How often a silent device without heartbeats is looked at again while the home is quiet."""
HOME_ACTIVE_S = 3600.0
"""The home counts as active when some other sensor reported within this: only then is one
event-only device's silence a sign of a fault rather than of a quiet home."""


class Gaps(Stored):
    """Longest silences of one device without heartbeats, in minutes, by the period they began in."""

    day: list[int] = msgspec.field(default_factory=list)
    night: list[int] = msgspec.field(default_factory=list)
    day_n: int = -1
    day_max: int = 0
    night_n: int = -1
    night_max: int = 0


class DeviceState(Stored):
    gaps: dict[str, Gaps] = msgspec.field(default_factory=dict)
    silent_alerted: dict[str, float] = msgspec.field(default_factory=dict)
    """Device -> the last-seen time its silence was alerted for (the episode)."""
    low_since: dict[str, float] = msgspec.field(default_factory=dict)
    """Device -> when its battery was first reported low (the episode)."""
    deferred: dict[str, float] = msgspec.field(default_factory=dict)
    """Device without heartbeats past its limit while the home was quiet -> when to look again."""
    blind_done: float = -math.inf
    """Blind episode (by its start) already reported to device support."""
    blind_homecare_done: float = -math.inf
    """Blind episode (by its start) already reported to home care."""
    # -- a cache of each device's silence deadline (not stored: rebuilt after a restart) --------
    deadlines: dict[str, float] = msgspec.field(default_factory=dict)
    """Device -> when its silence would be a fault (quiet since + limit)."""
    fixed: dict[str, float] = msgspec.field(default_factory=dict)
    """Device -> its silence limit when that does not depend on the silence (heartbeats, registry)."""
    sensing: list[str] = msgspec.field(default_factory=list)
    """Activity sensors, when every one of them sends heartbeats (else empty: never blind)."""
    cache_key: tuple[float, float, int] = (math.nan, math.nan, -1)
    """(care-context version, newest return home, device count) the cache was built for."""


_NO_CACHE = DeviceState.__struct_defaults__[-1]
"""The default ``cache_key`` object (NaN never equals itself: the stored copy must carry this one,
so the trailing cache fields are left out of the stored bytes)."""


def _night(t: float, view: ResidentView) -> bool:
    if not math.isfinite(t):
        return False
    h = local_hour(t, view.tz)
    start, end = value(view, NIGHT_FROM), value(view, NIGHT_TO)
    return h >= start or h < end if start > end else start <= h < end


def _learn(g: Gaps, start: float, gap_s: float, view: ResidentView) -> None:
    minutes = round(gap_s / 60.0)
    tz = view.tz
    nf, nt = value(view, NIGHT_FROM), value(view, NIGHT_TO)
    if _night(start, view):
        n = period_of(start, tz, nf, nt)
        if n > g.night_n:
            if g.night_n >= 0:
                g.night.append(g.night_max)
                del g.night[:-GAP_RING]
            g.night_n, g.night_max = n, minutes
        else:
            g.night_max = max(g.night_max, minutes)
    else:
        n = period_of(start, tz, nt, nf)
        if n > g.day_n:
            if g.day_n >= 0:
                g.day.append(g.day_max)
                del g.day[:-GAP_RING]
            g.day_n, g.day_max = n, minutes
        else:
            g.day_max = max(g.day_max, minutes)


def learned_limit_s(g: Gaps | None, night: bool, view: ResidentView) -> tuple[float, bool]:
    """(limit, learned) for a device without heartbeats whose silence began by night or by day."""
    floor = 3600.0 * value(view, DEVICE_SILENCE_FLOOR)
    if g is None:
        return max(floor, 3600.0 * value(view, DEVICE_SILENCE_UNLEARNED)), False
    ring = g.night if night else g.day
    current = g.night_max if night else g.day_max
    if len(ring) < value(view, BASELINE_MIN_DAYS):
        return max(floor, 3600.0 * value(view, DEVICE_SILENCE_UNLEARNED)), False
    longest = max(max(ring), current)
    return max(floor, 60.0 * longest * value(view, DEVICE_SILENCE_MARGIN)), True


class DeviceHealth:
    """DEVICE_SILENT (LOW per device; MEDIUM when supervision is blind) and LOW_BATTERY, once per episode.

    Needs (``coverage.DEVICES``): any device; heartbeats for fault supervision.
    """

    name: ClassVar[str] = "device_health"
    kinds: ClassVar[frozenset[str]] = ACTIVITY_KINDS | frozenset({"fall", "alarm_button", "heartbeat", "battery"})
    ticks: ClassVar[bool] = True
    state_type: ClassVar[type[DeviceState]] = DeviceState
    needs: ClassVar[coverage.Needs] = coverage.DEVICES

    def initial(self) -> DeviceState:
        return DeviceState()

    def step(self, state: DeviceState, event: Any, t: float, view: ResidentView) -> tuple[DeviceState, list[AlertCandidate]]:
        caps = home_of(view).caps
        dev_id = event.device_id
        dev = caps.devices.get(dev_id)
        state.silent_alerted.pop(dev_id, None)  # heard again: the silence episode is over
        state.deferred.pop(dev_id, None)
        if dev is not None and not dev.supervised and dev.gap > 0.0 and override_s(dev, caps) == 0.0:
            _learn(state.gaps.setdefault(dev_id, Gaps()), dev.gap_start, dev.gap, view)
        home = home_of(view)
        if dev is not None and state.cache_key == self._key(home) and self._watched(dev):
            fresh = dev_id not in state.deadlines
            state.deadlines[dev_id] = self._deadline_of(state, dev_id, dev, home, view)
            if fresh:
                state.cache_key = (math.nan, math.nan, -1)  # a device heard for the first time: rebuild
        if len(state.gaps) > len(caps.devices):
            for gone in [d for d in state.gaps if d not in caps.devices]:
                del state.gaps[gone]
        if event.kind not in ("heartbeat", "battery"):
            return state, []
        pct = event.battery_pct
        if pct is None:
            return state, []
        limit = value(view, LOW_BATTERY)
        if pct < limit:
            if dev_id not in state.low_since:
                state.low_since[dev_id] = t
                return state, [self._low_battery(dev, dev_id, pct, limit, t)]
        elif pct >= limit + BATTERY_HYSTERESIS_PCT:
            state.low_since.pop(dev_id, None)
        return state, []

    def _low_battery(self, dev: Device | None, dev_id: str, pct: float, limit: float, t: float) -> AlertCandidate:
        role = dev.kind if dev is not None else ""
        what_nb, what_en = _KIND_NB.get(role, "sensor"), _KIND_EN.get(role, "sensor")
        return AlertCandidate(
            AlertType.LOW_BATTERY, Severity.LOW, t, t,
            f"Batteriet i {what_nb} {dev_id} er på {pct:.0f} % (grense {limit:.0f} %). Bytt batteri før sensoren stopper.",
            f"Battery of {what_en} {dev_id} is at {pct:.0f} % (limit {limit:.0f} %). Replace it before the sensor stops.",
            {"device_id": dev_id, "battery_pct": pct},
            episode_key=dev_id,
        )

    # -- silence ----------------------------------------------------------------------
    def silence_limit(self, state: DeviceState, dev_id: str, dev: Device, caps: Capabilities, view: ResidentView) -> tuple[float, str]:
        """(silence limit in seconds, how it was set) for one device."""
        own = override_s(dev, caps)
        if own > 0.0:
            return own, "set"
        if dev.supervised:
            return supervised_limit_s(dev, caps, view), "heartbeat"
        limit, learned = learned_limit_s(state.gaps.get(dev_id), _night(dev.last, view), view)
        return limit, "learned" if learned else "unlearned"

    @staticmethod
    def _watched(dev: Device) -> bool:
        return bool(dev.kind) and dev.kind != "medication" and dev.last > -math.inf

    def _quiet_since(self, dev: Device, home: HomeState) -> float:
        """Start of the silence that counts: for a device without heartbeats, not before the resident came home."""
        if dev.supervised or not home.act.outings:
            return dev.last
        return max(dev.last, home.act.outings[-1][1])

    def _key(self, home: HomeState) -> tuple[float, float, int]:
        act = home.act
        return (home.caps.registry_at, act.outings[-1][1] if act.outings else -math.inf, len(home.caps.devices))

    def _deadline_of(self, state: DeviceState, dev_id: str, dev: Device, home: HomeState, view: ResidentView) -> float:
        limit = state.fixed.get(dev_id)
        if limit is None:  # learned limits depend on when the silence began: not cached
            limit, how = self.silence_limit(state, dev_id, dev, home.caps, view)
            if how in ("set", "heartbeat"):
                state.fixed[dev_id] = limit
        return self._quiet_since(dev, home) + limit

    def _cache(self, state: DeviceState, home: HomeState, view: ResidentView) -> None:
        """Rebuild every device's deadline (after a restart, a care-context change, a return home or a
        new device); an event refreshes only its own device's (see :meth:`step`)."""
        caps = home.caps
        state.fixed = {}
        state.deadlines = {
            d: self._deadline_of(state, d, dev, home, view) for d, dev in caps.devices.items() if self._watched(dev)
        }
        sensing = [d for d, dev in caps.devices.items() if dev.kind in ACTIVITY_KINDS and dev.kind != "medication"]
        all_beat = bool(sensing) and all(caps.devices[d].supervised for d in sensing)
        state.sensing = sensing if all_beat else []
        state.cache_key = self._key(home)

    def due(self, state: DeviceState, view: ResidentView) -> float:
        home = home_of(view)
        if state.cache_key != self._key(home):
            self._cache(state, home, view)
        due = math.inf
        alerted, deferred = state.silent_alerted, state.deferred
        for dev_id, at in state.deadlines.items():
            if dev_id in alerted:
                continue
            if dev_id in deferred:
                at = max(at, deferred[dev_id])
            if at < due:
                due = at
        if state.sensing:
            # blind when the last activity sensor misses its heartbeats (one never heard counts as missing)
            heard = [state.deadlines[d] for d in state.sensing if d in state.deadlines]
            blind = max(heard) if heard else math.inf
            if blind < math.inf:
                if state.blind_done != blind:
                    due = min(due, blind)
                elif state.blind_homecare_done != blind:
                    due = min(due, self._homecare_at(blind, view))
        return due

    @staticmethod
    def _homecare_at(blind: float, view: ResidentView) -> float:
        """When a blind episode starting at ``blind`` goes to home care: after the long limit, by day."""
        at = blind + 3600.0 * value(view, DEVICE_BLIND_HOMECARE)
        tz = view.tz
        h = local_hour(at, tz)
        from_h, to_h = value(view, ACTIVE_FROM), value(view, ACTIVE_TO)
        if from_h <= h < to_h:
            return at
        day = local_day_number(at, tz) + (1 if h >= to_h else 0)
        return at_local(day, from_h, tz)

    def tick(self, state: DeviceState, now: float, view: ResidentView) -> tuple[DeviceState, list[AlertCandidate]]:
        home = home_of(view)
        caps = home.caps
        act = home.act
        out: list[AlertCandidate] = []
        blind = blind_since(caps, now, view)
        tz = view.tz
        out_now = activity.is_out(act, now)
        for dev_id in sorted(caps.devices):
            dev = caps.devices[dev_id]
            if dev_id in state.silent_alerted or not self._watched(dev):
                continue
            limit, how = self.silence_limit(state, dev_id, dev, caps, view)
            since = self._quiet_since(dev, home)
            if now - since <= limit:
                continue
            if not dev.supervised and how != "set" and (out_now or act.last < now - HOME_ACTIVE_S):
                state.deferred[dev_id] = now + RECHECK_S  # a quiet or empty home: not a device fault
                continue
            state.deferred.pop(dev_id, None)
            state.silent_alerted[dev_id] = dev.last
            out.append(self._silent(dev_id, dev, since, limit, how, now, tz, blind < math.inf))
        if blind < math.inf:
            out.extend(self._blind(state, caps, blind, now, view))
        return state, out

    def _silent(
        self, dev_id: str, dev: Device, since: float, limit: float, how: str, now: float, tz: Any, blind: bool
    ) -> AlertCandidate:
        what_nb, what_en = _KIND_NB.get(dev.kind, "sensor"), _KIND_EN.get(dev.kind, "sensor")
        basis_nb = {
            "heartbeat": "sender kontrollsignal", "set": "grense satt for enheten",
            "learned": "lært fra egne pauser", "unlearned": "ennå ikke lært",
        }[how]
        basis_en = {
            "heartbeat": "sends heartbeats", "set": "limit set for the device",
            "learned": "learned from its own gaps", "unlearned": "not yet learned",
        }[how]
        nb = (
            f"{what_nb.capitalize()} {dev_id} har ikke sendt signal siden {day_clock(since, tz)} "
            f"({span_nb(now - since)}; grense {span_nb(limit)}, {basis_nb})."
        )
        en = (
            f"{what_en.capitalize()} {dev_id} has sent nothing since {day_clock(since, tz)} "
            f"({span_en(now - since)}; limit {span_en(limit)}, {basis_en})."
        )
        if not dev.supervised:
            nb += " Enheten sender ikke kontrollsignal, så stillheten kan være et rom som ikke er i bruk."
            en += " The device sends no heartbeats, so the silence may be a room not in use."
        elif not blind and dev.kind in ACTIVITY_KINDS:
            nb += " Varsler om inaktivitet tar forbehold om det denne sensoren dekker."
            en += " Inactivity alerts are qualified for what this sensor covers."
        return AlertCandidate(
            AlertType.DEVICE_SILENT, Severity.LOW, now, since, nb, en,
            {"device_id": dev_id, "role": dev.kind or "unknown", "silent_min": round((now - since) / 60.0),
             "limit_min": round(limit / 60.0), "supervision": how},
            episode_key=dev_id,
        )

    def _blind(self, state: DeviceState, caps: Capabilities, blind: float, now: float, view: ResidentView) -> list[AlertCandidate]:
        out: list[AlertCandidate] = []
        tz = view.tz
        n = len(offline(caps, now, view))
        details: dict[str, float | int | str | bool] = {"silent_devices": n, "blind_min": round((now - blind) / 60.0)}
        if state.blind_done != blind:
            state.blind_done = blind
            out.append(AlertCandidate(
                AlertType.DEVICE_SILENT, Severity.MEDIUM, now, blind,
                f"Tilsynet er blindt: ingen av de {n} aktivitetssensorene har sendt kontrollsignal siden "
                f"{day_clock(blind, tz)}. Varsler om manglende morgenaktivitet og inaktivitet holdes tilbake til en "
                "sensor svarer igjen. Sjekk huben og forbindelsen.",
                f"Supervision is blind: none of the {n} activity sensors has sent a heartbeat since "
                f"{day_clock(blind, tz)}. No-morning-activity and inactivity alerts are held back until one responds. "
                "Check the hub and its connection.",
                details, episode_key="blind",
            ))
        if state.blind_homecare_done != blind and now >= self._homecare_at(blind, view):
            state.blind_homecare_done = blind
            out.append(AlertCandidate(
                AlertType.DEVICE_SILENT, Severity.MEDIUM, now, blind,
                f"Tilsynet har vært blindt siden {day_clock(blind, tz)} ({span_nb(now - blind)}): morgen- og "
                "inaktivitetskontrollen ser ikke beboeren. Teknisk støtte er varslet; vurder å ringe eller besøke "
                "beboeren til sensorene virker igjen.",
                f"Supervision has been blind since {day_clock(blind, tz)} ({span_en(now - blind)}): the morning and "
                "inactivity checks cannot see the resident. Device support has been told; consider calling or "
                "visiting the resident until the sensors work again.",
                details, episode_key="blind-homecare", recipient_hint=RecipientKind.HOMECARE,
            ))
        return out

    def dump(self, state: DeviceState) -> DeviceState:
        """The state without its deadline cache (rebuilt after loading)."""
        return msgspec.structs.replace(state, deadlines={}, fixed={}, sensing=[], cache_key=_NO_CACHE)
