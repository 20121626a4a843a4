"""Medication dispenser: missed and untaken doses, repeated misses."""

from __future__ import annotations

import math

from agents.clinical.medication import MissedMedication
from schemas.alerts import AlertType, RecipientKind, Severity
from tests.agents.clinical.helpers import at, care, feed, medication, roundtrip, view


def test_offered_and_taken_is_silent() -> None:
    det = MissedMedication()
    v = view(care())
    s, _ = feed(det, [medication("d1", "offered", at(0), at(0)), medication("d1", "taken", at(0.2), at(0))], v)
    assert det.due(s, v) == math.inf


def test_offered_not_taken_within_window_is_medium_from_tick() -> None:
    det = MissedMedication()
    v = view(care())
    s, _ = feed(det, [medication("d1", "offered", at(0), at(0))], v)
    due = at(1).timestamp()
    assert det.due(s, v) == due
    s = roundtrip(det, s)
    s, found = det.tick(s, due, v)
    assert [(c.type, c.severity) for c in found] == [(AlertType.MISSED_MEDICATION, Severity.MEDIUM)]
    c = found[0]
    assert c.recipient_hint is RecipientKind.HOMECARE and c.episode_key == "d1"
    assert c.evidence_nb.startswith("Dose planlagt kl. 09:00 ble tilbudt kl. 09:00, men ikke tatt innen 60 min.")
    # the dispenser's own "missed" report afterwards does not alert again
    _, again = feed(det, [medication("d1", "missed", at(1.1), at(0))], v, s)
    assert again == []


def test_missed_status_and_repeated_misses_escalate() -> None:
    det = MissedMedication()
    v = view(care())
    s, first = feed(det, [medication("d1", "missed", at(1), at(0))], v)
    assert first[0].severity is Severity.MEDIUM
    s, second = feed(det, [medication("d2", "missed", at(13), at(12))], v, s)
    assert second[0].severity is Severity.HIGH
    assert "Repeated: 2 doses not taken in the last 24 h" in second[0].evidence_en
    _, third = feed(det, [medication("d3", "missed", at(40), at(39))], v, s)
    assert third[0].severity is Severity.MEDIUM  # the earlier misses are more than 24 h ago


def test_no_alert_while_away() -> None:
    _, found = feed(MissedMedication(), [medication("d1", "missed", at(1), at(0))], view(care(presence="away")))
    assert found == []
