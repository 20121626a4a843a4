"""Every detector and every overridable parameter, collected from the detector families."""

from __future__ import annotations

from typing import Any

from agents.types import Detector, Parameter


def all_detectors() -> tuple[Detector[Any], ...]:
    """Fresh instances of every detector, home-sensor family first."""
    from agents.behaviour import detectors as behaviour
    from agents.clinical import detectors as clinical

    return (*behaviour(), *clinical())


def all_parameters() -> dict[str, Parameter]:
    """Every documented threshold by name; care-context overrides must name one of these."""
    from agents.behaviour.thresholds import PARAMETERS as behaviour
    from agents.clinical.thresholds import PARAMETERS as clinical

    out: dict[str, Parameter] = {}
    for p in (*behaviour, *clinical):
        if p.name in out:
            raise ValueError(f"parameter {p.name} defined twice")
        out[p.name] = p
    return out
