"""Device health: sensors that stopped reporting, and low batteries."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

from agents.behaviour.evidence import day_clock, span_en, span_nb
from agents.behaviour.liveness import saw
from agents.behaviour.stored import load_state
from agents.behaviour.thresholds import BATTERY_HYSTERESIS_PCT, DEVICE_SILENT_AFTER, LOW_BATTERY, value
from agents.types import AlertCandidate, ResidentView
from schemas.alerts import AlertType, Severity

_KIND_NB = {
    "motion": "bevegelsessensor", "door": "dørsensor", "bed": "sengesensor", "chair": "stolsensor",
    "toilet": "toalettsensor", "appliance": "strømsensor", "fall": "fallsensor", "alarm_button": "alarmknapp",
    "medication": "medisindispenser", "social": "besøksregistrering",
}
_KIND_EN = {
    "motion": "motion sensor", "door": "door sensor", "bed": "bed sensor", "chair": "chair sensor",
    "toilet": "toilet sensor", "appliance": "power sensor", "fall": "fall detector", "alarm_button": "alarm button",
    "medication": "medication dispenser", "social": "visit check-in",
}
_HEALTH_ONLY = frozenset({"heartbeat", "battery"})


@dataclass(slots=True)
class DeviceState:
    last_seen: dict[str, float] = field(default_factory=dict)
    """Device -> newest event of any kind (heartbeats included)."""
    role: dict[str, str] = field(default_factory=dict)
    """Device -> the kind of event it reports besides heartbeats (motion, door, ...)."""
    silent_alerted: dict[str, float] = field(default_factory=dict)
    """Device -> the last-seen time its silence was alerted for (the episode)."""
    low_since: dict[str, float] = field(default_factory=dict)
    """Device -> when its battery was first reported low (the episode)."""


class DeviceHealth:
    """DEVICE_SILENT when a sensor sends nothing (not even a heartbeat) for ``device_silent_after_min``;
    LOW_BATTERY when a report is below ``low_battery_pct``. Once per episode per device.

    Social-contact check-ins come from care systems, not sensors, and are not watched.
    The silence of motion sensors also holds back the inactivity alerts (see
    :mod:`agents.behaviour.inactivity`); the evidence here says so.
    """

    name: ClassVar[str] = "device_health"
    kinds: ClassVar[frozenset[str]] = frozenset(
        {"motion", "door", "bed", "chair", "toilet", "appliance", "fall", "alarm_button", "medication",
         "heartbeat", "battery"}
    )
    ticks: ClassVar[bool] = True

    def initial(self) -> DeviceState:
        return DeviceState()

    def step(self, state: DeviceState, event: Any, t: float, view: ResidentView) -> tuple[DeviceState, list[AlertCandidate]]:
        dev = event.device_id
        saw(state.last_seen, dev, t)
        if len(state.role) > len(state.last_seen):  # a device was forgotten: forget its role too
            for gone in [d for d in state.role if d not in state.last_seen]:
                del state.role[gone]
        if dev in state.silent_alerted:
            del state.silent_alerted[dev]  # heard again: the silence episode is over
        kind = event.kind
        if kind not in _HEALTH_ONLY:
            if state.role.get(dev) != kind and dev in state.last_seen:
                state.role[dev] = kind
            return state, []
        pct = event.battery_pct
        if pct is None:
            return state, []
        limit = value(view, LOW_BATTERY)
        if pct < limit:
            if dev not in state.low_since:
                state.low_since[dev] = t
                return state, [self._low_battery(state, dev, pct, limit, t, view)]
        elif pct >= limit + BATTERY_HYSTERESIS_PCT:
            state.low_since.pop(dev, None)
        return state, []

    def _low_battery(self, state: DeviceState, dev: str, pct: float, limit: float, t: float, view: ResidentView) -> AlertCandidate:
        role = state.role.get(dev, "")
        what_nb, what_en = _KIND_NB.get(role, "sensor"), _KIND_EN.get(role, "sensor")
        return AlertCandidate(
            AlertType.LOW_BATTERY, Severity.LOW, t, t,
            f"Batteriet i {what_nb} {dev} er på {pct:.0f} % (grense {limit:.0f} %). Bytt batteri før sensoren stopper.",
            f"Battery of {what_en} {dev} is at {pct:.0f} % (limit {limit:.0f} %). Replace it before the sensor stops.",
            {"device_id": dev, "battery_pct": pct},
            episode_key=dev,
        )

    def due(self, state: DeviceState, view: ResidentView) -> float:
        alerted = state.silent_alerted
        oldest = math.inf
        for dev, t in state.last_seen.items():
            if t < oldest and dev not in alerted:
                oldest = t
        return oldest + 60.0 * value(view, DEVICE_SILENT_AFTER)

    def tick(self, state: DeviceState, now: float, view: ResidentView) -> tuple[DeviceState, list[AlertCandidate]]:
        after_s = 60.0 * value(view, DEVICE_SILENT_AFTER)
        out: list[AlertCandidate] = []
        newly = sorted(
            d for d, t in state.last_seen.items() if now - t > after_s and d not in state.silent_alerted
        )
        if not newly:
            return state, out
        motion = [d for d, r in state.role.items() if r == "motion" and d in state.last_seen]
        blind = bool(motion) and all(now - state.last_seen[d] > after_s for d in motion)
        tz = view.tz
        for dev in newly:
            last = state.last_seen[dev]
            state.silent_alerted[dev] = last
            role = state.role.get(dev, "")
            what_nb, what_en = _KIND_NB.get(role, "sensor"), _KIND_EN.get(role, "sensor")
            nb = (
                f"{what_nb.capitalize()} {dev} har ikke sendt signal siden {day_clock(last, tz)} "
                f"({span_nb(now - last)}; forventet minst hver {span_nb(after_s)})."
            )
            en = (
                f"{what_en.capitalize()} {dev} has sent nothing since {day_clock(last, tz)} "
                f"({span_en(now - last)}; expected at least every {span_en(after_s)})."
            )
            if role == "motion" and blind:
                nb += (
                    " Ingen bevegelsessensorer svarer: varsler om manglende morgenaktivitet og inaktivitet "
                    "holdes tilbake til en sensor svarer igjen. Sjekk sensorene og beboeren."
                )
                en += (
                    " No motion sensor responds: no-morning-activity and inactivity alerts are held back "
                    "until one responds again. Check the sensors and the resident."
                )
            elif role == "motion":
                nb += " Inaktivitetsvarsler tar forbehold om rommet denne sensoren dekker."
                en += " Inactivity alerts are qualified for the room this sensor covers."
            out.append(
                AlertCandidate(
                    AlertType.DEVICE_SILENT, Severity.HIGH if role == "motion" and blind else Severity.MEDIUM,
                    now, last, nb, en,
                    {"device_id": dev, "role": role or "unknown", "silent_min": round((now - last) / 60.0)},
                    episode_key=dev,
                )
            )
        return state, out

    def dump(self, state: DeviceState) -> Any:
        return state

    def load(self, data: Any) -> DeviceState:
        return load_state(DeviceState, data)
