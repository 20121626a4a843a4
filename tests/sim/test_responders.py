"""Simulated care teams: deterministic, municipal habits differ, next of kin never acknowledge."""

from __future__ import annotations

from schemas.alerts import RecipientKind
from sim.responders import respond
from tests.agents.indicators.streams import alert, at


def test_same_alert_same_acknowledgement_and_profiles_differ() -> None:
    a = alert("r-1", 1, at(hours=1), municipality="0301")
    assert respond(a) == respond(a)
    assert respond(alert("r-1", 1, at(hours=1), kind=RecipientKind.NEXT_OF_KIN, team="nok-1")) is None
    shares, minutes = {}, {}
    for muni in ("0301", "4601"):
        acks = [k for k in (respond(alert(f"r-{n}", n, at(hours=n), municipality=muni)) for n in range(600)) if k]
        shares[muni] = sum(k.action == "false_alarm" for k in acks) / len(acks)
        delays = sorted((k.time - at(hours=int(k.resident_id[2:]))).total_seconds() / 60 for k in acks)
        minutes[muni] = delays[len(delays) // 2]
        assert all(k.by == "rsp-oslo" and k.time > at(hours=int(k.resident_id[2:])) for k in acks)
    assert shares["4601"] > 3 * shares["0301"]
    assert minutes["4601"] > 2 * minutes["0301"]
