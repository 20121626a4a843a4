"""Detector family: behaviour."""

from __future__ import annotations

from typing import Any

from agents.types import Detector


def detectors() -> tuple[Detector[Any], ...]:
    """Fresh instances of every detector of this family."""
    return ()
