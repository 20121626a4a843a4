"""Alerts on the demo console follow `--lang`; the embedded broker starts without error lines."""

from __future__ import annotations

import subprocess  # nosec B404
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from schemas.alerts import (
    Alert,
    AlertType,
    Category,
    Evidence,
    Recipient,
    RecipientKind,
    Severity,
    VkpService,
)
from streams.console import format_alert

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2024, 3, 5, 8, 0, tzinfo=timezone(timedelta(hours=1)))  # a Tuesday, Oslo winter time


def _alert(**over: Any) -> Alert:
    fields: dict[str, Any] = {
        "alert_id": "fall_detected-r-001-20240305",
        "resident_id": "r-001",
        "type": AlertType.FALL_DETECTED,
        "category": Category.SAFETY,
        "severity": Severity.HIGH,
        "recipient": Recipient(kind=RecipientKind.RESPONSE_CENTRE, team_id="rsc-vestfold"),
        "municipality": "3905",
        "vkp_service": VkpService.TA,
        "episode_start": T0,
        "time": T0 + timedelta(minutes=5),
        "evidence": (
            Evidence(nb="Ikke kvittert etter 5 min: eskalert til responssenteret.",
                     en="Not acknowledged after 5 min: escalated to the response centre."),
            Evidence(nb="Falldetektor meldte fall kl. 08:00", en="Fall detector reported a fall at 08:00"),
        ),
        "notification": "escalation",
        "escalation_of": "fall_detected-r-001-20240305",
    }
    fields.update(over)
    return Alert(**fields)


def test_norwegian_console_has_no_english_labels() -> None:
    line = format_alert(_alert(), lang="nb", colour=False)
    assert line.startswith("tir 08:05  HØY ")
    assert "[ESKALERT]" in line and "-> responssenteret [rsc-vestfold]" in line
    assert "(+1 relaterte)" in line and "eskalert til responssenteret" in line
    for english in ("HIGH", "ESCALATED", "response-centre", "related", "Tue", "escalated"):
        assert english not in line, english


def test_english_console() -> None:
    line = format_alert(_alert(), lang="en", colour=False)
    assert line.startswith("Tue 08:05  HIGH ")
    assert "[ESCALATED]" in line and "-> response centre [rsc-vestfold]" in line and "(+1 related)" in line


@pytest.mark.parametrize(("severity", "nb"), [(Severity.HIGH, "HØY"), (Severity.MEDIUM, "MIDDELS"), (Severity.LOW, "LAV")])
def test_severity_labels_line_up(severity: Severity, nb: str) -> None:
    line = format_alert(_alert(severity=severity, notification="initial", escalation_of=None), lang="nb", colour=False)
    assert f"  {nb.ljust(7)}  r-001" in line
    assert "[" not in line.split("->")[0], "an initial alert has no notification label"


def test_colour_wraps_only_the_severity() -> None:
    line = format_alert(_alert(), lang="nb", colour=True)
    assert "\x1b[1;31mHØY    \x1b[0m" in line


def test_embedded_broker_starts_without_error_lines() -> None:
    """The first thing `make demo` prints must not be aiokafka's "Unable connect to ..." while Tansu starts."""
    code = (
        "import logging\n"
        "from streams.broker import EmbeddedBroker, free_port\n"
        "for _ in range(3):\n"
        "    EmbeddedBroker(port=free_port()).start().stop()\n"
        "logging.getLogger('aiokafka').error('probe: the logger itself still reports')\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,  # nosec B603
                         cwd=ROOT, check=False)
    assert res.returncode == 0, res.stderr
    assert res.stderr.strip() == "probe: the logger itself still reports"
    assert res.stdout == ""
