"""National-id bundle in through the gateway, VKP message out, and no national id anywhere the workers reach.

Real broker, real worker and real gateway processes: the path a municipality runs.
"""

from __future__ import annotations

import asyncio
import copy
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from fhir.resources.R4B.bundle import Bundle

from agents.alerting.fhir import EXT_NOTIFICATION, PROFILE_DETECTED_ISSUE, VKP_ALERT_SYSTEM
from streams.broker import free_port
from streams.gateway.identity import DNR, FNR, load_key
from tests.conftest import ROOT, TEST_PARTITIONS
from tests.kafkaio import metric_sum, produce, read_all, scrape

pytestmark = pytest.mark.broker

PMD = ROOT / "tests" / "fixtures" / "pmd" / "pmd-batch-bundle.json"
LISTED, UNLISTED, PERFORMER = "15834510062", "45834510085", "03815210009"  # synthetic, valid check digits
BAD_DIGITS = "21904810019"


def _bundle(now: datetime) -> bytes:
    """The published PMD example shape, for two patients, with a pulse of 140 and one bad number."""
    pmd = orjson.loads(PMD.read_bytes())
    pulse = pmd["entry"][1]
    entries = []
    for i, (system, number) in enumerate(((FNR, LISTED), (DNR, UNLISTED), (FNR, BAD_DIGITS))):
        e = copy.deepcopy(pulse)
        e["fullUrl"] = f"urn:uuid:00000000-0000-4000-8000-00000000000{i}"
        e["resource"]["subject"]["identifier"] = {"system": system, "value": number}
        e["resource"]["effectiveDateTime"] = (now - timedelta(minutes=1)).isoformat()
        e["resource"]["valueQuantity"]["value"] = 140
        e["resource"]["identifier"][0]["value"] = f"hr-{i}"
        entries.append(e)
    weight = copy.deepcopy(pmd["entry"][2])
    weight["resource"]["effectiveDateTime"] = now.date().isoformat()
    entries.append(weight)
    return orjson.dumps({**pmd, "entry": entries})


def _start_gateway(broker: Any, prefix: str, key: Path, tmp_path: Path) -> tuple[subprocess.Popen[bytes], int, Path]:
    port = free_port()
    env = {
        **os.environ, "TILSYN_BROKER": broker.url, "TILSYN_TOPIC_PREFIX": prefix,
        "TILSYN_PARTITIONS": str(TEST_PARTITIONS), "TILSYN_GATEWAY_KEY_FILE": str(key),
        "TILSYN_GATEWAY_REIDENTIFY": "1", "TILSYN_GATEWAY_SYNTHETIC_IDS": "1",
        "TILSYN_GATEWAY_HTTP_PORT": str(port), "TILSYN_GATEWAY_GROUP": f"gw-{prefix}", "PYTHONUNBUFFERED": "1",
    }
    log = tmp_path / "gateway.log"
    with log.open("ab") as out:
        proc = subprocess.Popen(  # nosec B603
            [sys.executable, "-m", "streams.cli", "gateway", "--loglevel", "debug"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    return proc, port, log


def _wait(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def test_national_bundle_in_vkp_message_out_and_no_national_id_reaches_the_workers(
    broker, prefix, worker_factory, tmp_path: Path
) -> None:
    key = tmp_path / "gateway.key"
    key.write_text(os.urandom(32).hex())
    key.chmod(0o600)
    ids = load_key(key)
    listed, unlisted = ids.pseudonym(LISTED), ids.pseudonym(UNLISTED)
    now = datetime.now(UTC).replace(microsecond=0)

    worker = worker_factory(fhir_output="1")
    gateway, gw_port, gw_log = _start_gateway(broker, prefix, key, tmp_path)
    try:
        # the care system: care contexts under the pseudonyms (enrolment), and who may be re-identified
        asyncio.run(produce(broker.bootstrap, [
            *((f"{prefix}care-context", rid.encode(), orjson.dumps({
                "resident_id": rid, "municipality": "3301", "home_care_team": "hc-drammen-sentrum",
                "response_centre": "rsp-buskerud", "updated_at": (now - timedelta(days=1)).isoformat(),
            })) for rid in (listed, unlisted)),
            (f"{prefix}identity.reidentification", LISTED.encode(), orjson.dumps({"system": FNR, "value": LISTED})),
        ]))
        worker.wait_ready()
        _wait(lambda: metric_sum(scrape(gw_port), "tilsyn_gateway_ready") == 1, 60, "the gateway")
        _wait(lambda: metric_sum(scrape(worker.http_port), "tilsyn_events_in_total", topic="care-context") >= 2,
              30, "the care contexts")

        asyncio.run(produce(broker.bootstrap, [(f"{prefix}measurements.fhir.national", b"pmd-batch-1", _bundle(now))]))

        out = asyncio.run(read_all(broker.bootstrap, f"{prefix}alerts.fhir.national", expect=2, timeout=60))
        assert len(out) >= 2, gw_log.read_text()[-3000:]
        by_patient: dict[tuple[str, str], list[Any]] = {}
        for rec in out:
            assert rec.value is not None
            bundle = Bundle.model_validate_json(rec.value)
            assert bundle.type == "message" and bundle.entry[0].resource.get_resource_type() == "MessageHeader"
            issue = bundle.entry[1].resource
            assert issue.meta.profile == [PROFILE_DETECTED_ISSUE]
            assert issue.code.coding[0].system == VKP_ALERT_SYSTEM
            by_patient.setdefault((issue.patient.identifier.system, issue.patient.identifier.value), []).append(issue)
        # the listed resident is named by fødselsnummer; the other keeps the pseudonym
        assert (FNR, LISTED) in by_patient, sorted(by_patient)
        assert ("urn:tilsyn:resident", unlisted) in by_patient, sorted(by_patient)
        first = by_patient[(FNR, LISTED)][0]
        assert first.evidence[0].detail, "the triggering Observation is referenced"
        # a date-only reading of today (local noon, maybe hours ahead) must not move the resident's clock
        # ahead: no reminder of an hour-old alert may appear
        notes = [e.valueCode for issues in by_patient.values() for i in issues for e in i.extension
                 if e.url == EXT_NOTIFICATION]
        assert "reminder" not in notes, notes

        # the bad number went to the restricted dead letters, with the entry as sent
        (dead,) = asyncio.run(read_all(broker.bootstrap, f"{prefix}dead-letter.national", expect=1, timeout=30))
        assert b"check digits" in dead.headers["tilsyn.dlq.reason"]
        assert BAD_DIGITS.encode() in (dead.value or b"")
        assert BAD_DIGITS.encode() not in dead.headers["tilsyn.dlq.reason"]

        # nothing national in any topic a worker reads or writes, in its state or in its log
        worker_topics = asyncio.run(_worker_topics(broker.bootstrap, prefix))
        assert f"{prefix}measurements.fhir" in worker_topics and any(t.endswith("changelog") for t in worker_topics)
        secrets = [n.encode() for n in (LISTED, UNLISTED, PERFORMER, BAD_DIGITS)] + ["Sørgård".encode()]
        seen = 0
        for topic in worker_topics:
            for rec in asyncio.run(read_all(broker.bootstrap, topic, timeout=5, settle=0.5)):
                seen += 1
                blob = (rec.key or b"") + (rec.value or b"") + b"".join(rec.headers.values())
                leaked = [s for s in secrets if s in blob]
                assert not leaked, f"national id or name in {topic}"
        assert seen >= 6, "the scan read the worker's records"
        for log in (worker.log_path, gw_log):
            text = log.read_bytes()
            assert not [s for s in secrets if s in text], f"national id or name in {log.name}"
    finally:
        gateway.terminate()
        gateway.wait(20)


async def _worker_topics(bootstrap: str, prefix: str) -> list[str]:
    """Every topic of this test a worker reads or writes: all of them but the gateway's restricted ones."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        names = await admin.list_topics()
    finally:
        await admin.close()
    restricted = {"measurements.fhir.national", "identity.reidentification", "alerts.fhir.national",
                  "dead-letter.national"}
    app_id = f"tilsyn-{prefix.rstrip('.')}"
    return sorted(n for n in names if (n.startswith(prefix) and n[len(prefix):] not in restricted)
                  or n.startswith(app_id))
