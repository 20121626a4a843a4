"""Detector family: clinical (digital home follow-up, DHO, and the medication dispenser).

Each detector is pure and deterministic over one resident; defaults and their
clinical sources live in :mod:`agents.clinical.thresholds`, and the patterns are
described for clinicians in ``docs/patterns-clinical.md``.
"""

from __future__ import annotations

from typing import Any

from agents.types import Detector


def detectors() -> tuple[Detector[Any], ...]:
    """Fresh instances of every detector of this family."""
    from agents.clinical.copd import Copd
    from agents.clinical.early_warning import News2Detector
    from agents.clinical.heart_failure import Weight
    from agents.clinical.medication import MissedMedication
    from agents.clinical.schedule import Schedule
    from agents.clinical.triage import Triage

    return (News2Detector(), Weight(), Copd(), Triage(), Schedule(), MissedMedication())
