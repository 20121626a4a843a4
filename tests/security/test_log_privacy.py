"""Privacy of what a running worker exposes: its log at INFO, its /metrics, its HTTP binding.

Residents are pseudonymous in the stream, but a pseudonym is still personal data
(GDPR art. 4(5)); so are event contents. Logs and metrics are shipped to places
(log aggregation, Prometheus, Grafana) with far wider access than the alert
topics, so neither may carry resident ids, event ids or payload values.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
import urllib.request
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from streams.settings import Settings
from tests.kafkaio import metric_sum, produce, read_all, scrape

RESIDENTS = ["r-privacy-7f3a", "r-privacy-b91c", "r-privacy-44de"]
NATIONAL_ID = "01019012345"  # looks like a fødselsnummer: must be rejected, and never echoed
DEVICE = "dev-privacy-9c2e"
ROOM_TYPO = "attic-privacy-5d1e"
QUESTIONNAIRE = "qprivacy3e8b"
SCORE = 987.625


def _event_id(rid: str, n: int) -> str:
    return f"ev-{rid}-{n:04d}"


def _records(prefix: str) -> tuple[list[tuple[str, bytes, bytes]], list[tuple[str, bytes, bytes]], list[str]]:
    """(valid records, invalid records, every private string they carry)."""
    now = datetime.now(UTC).replace(microsecond=0)
    sensor, dho = f"{prefix}sensor-events", f"{prefix}measurements"
    valid: list[tuple[str, bytes, bytes]] = []
    for rid in RESIDENTS:
        valid.append((f"{prefix}care-context", rid.encode(), orjson.dumps({
            "resident_id": rid, "municipality": "3301", "home_care_team": "hc-privacy",
            "response_centre": "rs-privacy", "updated_at": (now - timedelta(hours=1)).isoformat(),
        })))
        for n in range(5):
            valid.append((sensor, rid.encode(), orjson.dumps({
                "kind": "motion", "event_id": _event_id(rid, n), "resident_id": rid,
                "time": (now - timedelta(seconds=300 - 10 * n)).isoformat(), "device_id": DEVICE,
                "room": "kitchen",
            })))
        valid.append((sensor, rid.encode(), orjson.dumps({
            "kind": "alarm_button", "event_id": _event_id(rid, 100), "resident_id": rid,
            "time": (now - timedelta(seconds=60)).isoformat(), "device_id": DEVICE, "source": "wristband",
        })))
        valid.append((dho, rid.encode(), orjson.dumps({
            "kind": "questionnaire", "event_id": _event_id(rid, 200), "resident_id": rid,
            "time": (now - timedelta(seconds=50)).isoformat(), "questionnaire": QUESTIONNAIRE,
            "score": 12.5, "max_score": 40.0,
        })))
    rid = RESIDENTS[0]
    invalid = [
        # schema errors that carry the resident id and payload values
        (sensor, rid.encode(), orjson.dumps({
            "kind": "motion", "event_id": _event_id(rid, 900), "resident_id": rid,
            "time": now.isoformat(), "device_id": DEVICE, "room": ROOM_TYPO})),
        (dho, rid.encode(), orjson.dumps({
            "kind": "questionnaire", "event_id": _event_id(rid, 901), "resident_id": rid,
            "time": now.isoformat(), "questionnaire": QUESTIONNAIRE, "score": SCORE, "max_score": 40.0})),
        (sensor, rid.encode(), orjson.dumps({
            "kind": "teleport", "event_id": _event_id(rid, 902), "resident_id": rid,
            "time": now.isoformat(), "device_id": DEVICE})),
        (sensor, NATIONAL_ID.encode(), orjson.dumps({
            "kind": "motion", "event_id": _event_id(rid, 903), "resident_id": NATIONAL_ID,
            "time": now.isoformat(), "device_id": DEVICE, "room": "kitchen"})),
        (sensor, rid.encode(), f'{{"kind": "motion", "resident_id": "{rid}", "device_id": "{DEVICE}", '.encode()),
    ]
    secrets = [*RESIDENTS, NATIONAL_ID, DEVICE, ROOM_TYPO, QUESTIONNAIRE, str(SCORE), "ev-r-privacy"]
    return valid, invalid, secrets


@pytest.mark.broker
def test_worker_log_and_metrics_carry_no_personal_data(broker, prefix, worker_factory) -> None:
    valid, invalid, secrets = _records(prefix)
    worker = worker_factory(log_level="info")
    worker.wait_ready()
    asyncio.run(produce(broker.bootstrap, valid + invalid))

    dead = asyncio.run(read_all(broker.bootstrap, f"{prefix}dead-letter", expect=len(invalid), timeout=45))
    assert len(dead) == len(invalid), worker.log_tail()
    # dead letters keep the original bytes (restrict their ACLs), but their reasons name no one
    for rec in dead:
        reason = rec.headers["tilsyn.dlq.reason"].decode()
        assert not [s for s in (*RESIDENTS, NATIONAL_ID, DEVICE, ROOM_TYPO, "ev-r-privacy") if s in reason], reason
    alerts = asyncio.run(read_all(broker.bootstrap, f"{prefix}alerts.response-centre",
                                  expect=len(RESIDENTS), timeout=30))
    assert len(alerts) >= len(RESIDENTS), worker.log_tail()
    # the alerts themselves do name the resident (that is what they are for) ...
    assert {rid.encode() for rid in RESIDENTS} <= {a.key for a in alerts}

    deadline = time.monotonic() + 20
    samples: dict[str, float] = {}
    while time.monotonic() < deadline:
        samples = scrape(worker.http_port)
        if metric_sum(samples, "tilsyn_events_by_municipality_total") >= 7 * len(RESIDENTS):
            break
        time.sleep(0.5)
    assert metric_sum(samples, "tilsyn_dead_letter_total") == len(invalid)
    time.sleep(1.5)  # a few more ticks and periodic log lines

    # ... but the worker's log does not, nor any event id or payload value
    log = worker.log_path.read_text(errors="replace")
    assert log.strip(), "the worker wrote nothing: the test would prove nothing"
    leaked = [s for s in secrets if s in log]
    assert not leaked, f"worker log (INFO) contains personal data: {leaked}\n{worker.log_tail(80)}"

    with urllib.request.urlopen(worker.url("/metrics"), timeout=5) as resp:  # nosec B310
        exposition = resp.read().decode()
    assert "tilsyn_dead_letter_total" in exposition
    leaked = [s for s in secrets if s in exposition]
    assert not leaked, f"/metrics contains personal data: {leaked}"
    assert "teleport" not in exposition, "an unvalidated value became a metric label"
    assert worker.process.poll() is None


def _non_loopback_ipv4() -> str | None:
    """This machine's address on its default route (no packet is sent), or None."""
    candidates: list[str] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s, contextlib.suppress(OSError):
        s.connect(("10.254.254.254", 1))
        candidates.append(s.getsockname()[0])
    with contextlib.suppress(OSError):
        candidates += socket.gethostbyname_ex(socket.gethostname())[2]
    return next((ip for ip in candidates if not ip.startswith(("127.", "0."))), None)


def test_http_defaults_to_loopback() -> None:
    assert Settings().http_host == "127.0.0.1"
    assert Settings.from_env({}).http_host == "127.0.0.1"


@pytest.mark.broker
def test_http_endpoints_are_not_reachable_from_other_hosts(worker_factory) -> None:
    worker = worker_factory()
    worker.wait_ready()
    assert worker.env.get("TILSYN_HTTP_HOST") is None, "the test must exercise the default"
    with socket.create_connection(("127.0.0.1", worker.http_port), timeout=2):
        pass  # reachable on loopback
    ip = _non_loopback_ipv4()
    if ip is None:
        pytest.skip("this machine has no non-loopback IPv4 address to try")
    with socket.socket() as s:
        s.settimeout(2)
        assert s.connect_ex((ip, worker.http_port)) != 0, f"/metrics port {worker.http_port} answers on {ip}"
