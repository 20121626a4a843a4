"""Safety pass-through: a pressed alarm button or a detected fall is an alert at once."""

from __future__ import annotations

import math
from typing import Any, ClassVar

from agents.behaviour.evidence import clock
from agents.types import AlertCandidate, ResidentView
from schemas.alerts import AlertType, Severity

_SOURCE_NB = {"pendant": "halssmykke", "wristband": "armbånd", "wall": "veggknapp", "pull_cord": "snortrekk"}
_SOURCE_EN = {"pendant": "pendant", "wristband": "wristband", "wall": "wall button", "pull_cord": "pull cord"}


class SafetyPassThrough:
    """Every safety-alarm press (trygghetsalarm) and every fall report becomes a HIGH alert.

    The response centre answers safety alarms 24/7; tilsyn adds routing, ids and
    de-duplication but no threshold: one alert per event, episode = the event.
    """

    name: ClassVar[str] = "safety_pass_through"
    kinds: ClassVar[frozenset[str]] = frozenset({"alarm_button", "fall"})
    ticks: ClassVar[bool] = False
    state_type: ClassVar[None] = None

    def initial(self) -> None:
        return None

    def step(self, state: None, event: Any, t: float, view: ResidentView) -> tuple[None, list[AlertCandidate]]:
        at = clock(t, view.tz)
        if event.kind == "alarm_button":
            src = event.source
            return state, [
                AlertCandidate(
                    AlertType.SAFETY_ALARM, Severity.HIGH, t, t,
                    f"Trygghetsalarmen ble utløst kl. {at} ({_SOURCE_NB.get(src, src)}).",
                    f"Safety alarm pressed at {at} ({_SOURCE_EN.get(src, src)}).",
                    {"device_id": event.device_id, "source": src},
                )
            ]
        conf = event.confidence
        nb = f"Fallsensoren meldte fall kl. {at}"
        en = f"Fall detector reported a fall at {at}"
        details: dict[str, float | str] = {"device_id": event.device_id}
        if conf is not None:
            nb += f" (sikkerhet {conf * 100:.0f} %)"
            en += f" (confidence {conf * 100:.0f} %)"
            details["confidence"] = conf
        return state, [AlertCandidate(AlertType.FALL_DETECTED, Severity.HIGH, t, t, nb + ".", en + ".", details)]

    def tick(self, state: None, now: float, view: ResidentView) -> tuple[None, list[AlertCandidate]]:
        return state, []

    def due(self, state: None, view: ResidentView) -> float:
        return math.inf

    def dump(self, state: None) -> None:
        return None
