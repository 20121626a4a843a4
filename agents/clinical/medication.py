"""Medication dispenser (medisindispenser): doses not taken.

A dose reported missed, or offered and not taken within the window (default
60 min), is medium for the home-care team: someone should check today whether the
dose was taken and why not. Repeated misses (default 2 within 24 h) are high:
several missed doses often mean the resident is unwell, confused or has fallen.
Each dose is its own episode (keyed by its dose id), so a dispenser that reports
"missed" after the window already ran out does not alert twice.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import msgspec

from agents.clinical.thresholds import MEDICATION_REPEAT, MEDICATION_REPEAT_WINDOW, MEDICATION_WINDOW, value
from agents.clinical.wording import clock
from agents.statecodec import Stored
from agents.types import AlertCandidate, ResidentView
from schemas.alerts import AlertType, RecipientKind, Severity

MAX_PENDING = 8
MAX_REMEMBERED = 16


class MedicationState(Stored):
    """Offered doses awaiting intake, doses already alerted, and times of recent misses."""

    pending: dict[str, list[float]] = msgspec.field(default_factory=dict)
    """Dose id → [scheduled time, offered time]."""
    alerted: list[str] = msgspec.field(default_factory=list)
    missed: list[float] = msgspec.field(default_factory=list)


class MissedMedication:
    """A dose missed or not taken within 60 min (medium); repeated misses within 24 h (high)."""

    name: ClassVar[str] = "missed_medication"
    kinds: ClassVar[frozenset[str]] = frozenset({"medication"})
    ticks: ClassVar[bool] = True
    state_type: ClassVar[type[MedicationState]] = MedicationState

    def initial(self) -> MedicationState:
        return MedicationState()

    def step(self, state: MedicationState, event: Any, t: float, view: ResidentView
             ) -> tuple[MedicationState, list[AlertCandidate]]:
        s = state
        dose = event.dose_id
        status = event.status
        if status == "offered":
            if dose not in s.alerted and dose not in s.pending:
                s.pending[dose] = [event.scheduled_time.timestamp(), t]
                if len(s.pending) > MAX_PENDING:
                    del s.pending[min(s.pending, key=lambda k: s.pending[k][1])]
            return s, []
        s.pending.pop(dose, None)
        if status == "taken" or dose in s.alerted or not view.at_home:
            return s, []
        return s, [self._alert(s, dose, event.scheduled_time.timestamp(), None, t, view)]

    def tick(self, state: MedicationState, now: float, view: ResidentView
             ) -> tuple[MedicationState, list[AlertCandidate]]:
        s = state
        window = 60.0 * value(view, MEDICATION_WINDOW)
        out: list[AlertCandidate] = []
        for dose, (scheduled, offered) in sorted(s.pending.items(), key=lambda kv: kv[1][1]):
            if offered + window <= now:
                del s.pending[dose]
                if view.at_home:
                    out.append(self._alert(s, dose, scheduled, offered, offered + window, view))
        return s, out

    def due(self, state: MedicationState, view: ResidentView) -> float:
        if not state.pending:
            return math.inf
        return min(p[1] for p in state.pending.values()) + 60.0 * value(view, MEDICATION_WINDOW)

    def _alert(self, s: MedicationState, dose: str, scheduled: float, offered: float | None, t: float,
               view: ResidentView) -> AlertCandidate:
        s.alerted.append(dose)
        del s.alerted[:-MAX_REMEMBERED]
        horizon = 3600.0 * value(view, MEDICATION_REPEAT_WINDOW)
        s.missed = [m for m in s.missed if m > t - horizon]
        s.missed.append(t)
        del s.missed[:-MAX_REMEMBERED]
        count = len(s.missed)
        repeated = count >= value(view, MEDICATION_REPEAT)
        tz = view.tz
        at = clock(scheduled, tz)
        if offered is None:
            nb = f"Dose planlagt kl. {at} er meldt ikke tatt av medisindispenseren (kl. {clock(t, tz)})."
            en = f"The dose scheduled at {at} was reported not taken by the dispenser (at {clock(t, tz)})."
        else:
            mins = (t - offered) / 60.0
            nb = f"Dose planlagt kl. {at} ble tilbudt kl. {clock(offered, tz)}, men ikke tatt innen {mins:.0f} min."
            en = f"The dose scheduled at {at} was offered at {clock(offered, tz)} but not taken within {mins:.0f} min."
        hours = value(view, MEDICATION_REPEAT_WINDOW)
        if repeated:
            nb += (f" Gjentatt: {count} doser ikke tatt siste {hours:g} timer. "
                   "Sjekk pasienten nå (kan være syk, forvirret eller ha falt).")
            en += (f" Repeated: {count} doses not taken in the last {hours:g} h. "
                   "Check on the patient now (may be unwell, confused or have fallen).")
        else:
            nb += " Sjekk i dag om dosen er tatt."
            en += " Check today whether the dose was taken."
        return AlertCandidate(
            type=AlertType.MISSED_MEDICATION, severity=Severity.HIGH if repeated else Severity.MEDIUM,
            time=t, episode_start=scheduled, evidence_nb=nb, evidence_en=en,
            details={"dose_id": dose, "missed_in_window": count, "offered": offered is not None},
            episode_key=dose, recipient_hint=RecipientKind.HOMECARE,
        )

    def dump(self, state: MedicationState) -> MedicationState:
        return state
