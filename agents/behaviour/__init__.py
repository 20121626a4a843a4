"""Detector family: behaviour (home sensors, "digitalt tilsyn").

One module per pattern; see ``docs/patterns-behaviour.md`` for the table of
patterns, defaults and recipients, and :mod:`agents.behaviour.thresholds` for
every default with its source.
"""

from __future__ import annotations

from typing import Any

from agents.behaviour.bathroom import LongBathroomStay
from agents.behaviour.decline import ActivityDecline
from agents.behaviour.devices import DeviceHealth
from agents.behaviour.inactivity import Inactivity
from agents.behaviour.nocturia import NocturiaIncrease
from agents.behaviour.safety import SafetyPassThrough
from agents.behaviour.sleep import SleepDisturbance
from agents.behaviour.social import SocialIsolation
from agents.behaviour.wandering import NightWandering
from agents.types import Detector


def detectors() -> tuple[Detector[Any], ...]:
    """Fresh instances of every detector of this family."""
    return (
        SafetyPassThrough(),
        LongBathroomStay(),
        Inactivity(),
        NightWandering(),
        NocturiaIncrease(),
        ActivityDecline(),
        SleepDisturbance(),
        SocialIsolation(),
        DeviceHealth(),
    )
