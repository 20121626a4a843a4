"""The identity bridge in ``tilsyn demo``: a gateway process and residents measured through it.

Two residents of the demo cohort (the heart-failure and the COPD resident, whose live
day brings a weight gain and a high NEWS2) are followed as a municipality connected to
the national infrastructure would follow them: each gets a synthetic fødselsnummer
(month + 80, nobody's), the care system enrols them under the gateway's pseudonym and
lists them for re-identification, and their vital signs arrive as PMD-shaped FHIR
bundles naming them by national identity number on ``measurements.fhir.national``.
Only the gateway sees those numbers; their alerts print under the pseudonym, and with
``--fhir`` the hub's copy (``alerts.fhir.national``) is shown, one message per alert kind.
"""

from __future__ import annotations

import os
import subprocess  # nosec B404
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import click
import orjson
from aiokafka import AIOKafkaConsumer

from schemas.fhir_observations import QUANTITY_OF
from streams.broker import free_port
from streams.gateway.identity import FNR, Pseudonymiser, load_key, new_key_hex, synthetic_number
from streams.topics import ALERTS_FHIR_NATIONAL, IDENTITY_REIDENTIFICATION, MEASUREMENTS_FHIR_NATIONAL

DEMO_FHIR_RESIDENTS = (3, 4)
"""Indices in sim.simulate.DemoFeed: the heart-failure and the COPD resident."""


def start_gateway(env: dict[str, str], out: Path) -> tuple[subprocess.Popen[bytes], Pseudonymiser]:
    """A fresh key in ``out`` (0600) and a ``tilsyn gateway`` process using it."""
    key = out / "demo-gateway.key"
    key.unlink(missing_ok=True)
    fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(new_key_hex())
    gw_env = {
        **env, "TILSYN_GATEWAY_KEY_FILE": str(key), "TILSYN_GATEWAY_REIDENTIFY": "1",
        "TILSYN_GATEWAY_SYNTHETIC_IDS": "1", "TILSYN_GATEWAY_HTTP_PORT": str(free_port()),
    }
    with (out / "demo-gateway.log").open("ab") as log:
        proc = subprocess.Popen(  # nosec B603
            [sys.executable, "-m", "streams.cli", "gateway"], env=gw_env, stdout=log, stderr=subprocess.STDOUT
        )
    return proc, load_key(key)


def _observation(d: dict[str, Any]) -> dict[str, Any] | None:
    """A DHO measurement of the simulator as a PMD-style Observation (None: not a vital sign)."""
    loinc = "http://loinc.org"
    if d["kind"] == "blood_pressure":
        q = QUANTITY_OF["blood_pressure"]
        body: dict[str, Any] = {"component": [
            {"code": {"coding": [{"system": loinc, "code": code}]},
             "valueQuantity": {"value": d[side], "unit": "mm[Hg]", "system": "http://unitsofmeasure.org",
                               "code": "mm[Hg]"}}
            for side, code in (("systolic", "8480-6"), ("diastolic", "8462-4"))]}
    elif d["kind"] == "measurement" and d["code"] in QUANTITY_OF:  # e.g. body_water has no PMD quantity: sent as is
        q = QUANTITY_OF[d["code"]]
        body = {"valueQuantity": {"value": d["value"], "unit": d["unit"], "system": "http://unitsofmeasure.org",
                                  "code": d["unit"]}}
        if d.get("on_oxygen") is not None:
            flow = 2 if d["on_oxygen"] else 0
            body["component"] = [{"code": {"coding": [{"system": loinc, "code": "3151-8"}]},
                                  "valueQuantity": {"value": flow, "unit": "L/min",
                                                    "system": "http://unitsofmeasure.org", "code": "L/min"}}]
    else:
        return None
    return {
        "resourceType": "Observation", "id": d["event_id"], "status": "final",
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                  "code": "vital-signs"}]}],
        "code": {"coding": [{"system": loinc, "code": q.loinc[0]}, {"system": "http://snomed.info/sct",
                                                                     "code": q.snomed[0]}]},
        "effectiveDateTime": d["time"],
        **body,
    }


class NationalIdFeed:
    """The demo feed with some residents enrolled through the gateway (same interface as DemoFeed)."""

    def __init__(self, feed: Any, ids: Pseudonymiser, indices: tuple[int, ...] = DEMO_FHIR_RESIDENTS) -> None:
        self.feed = feed
        self.live_from = feed.live_from
        self.numbers: dict[str, str] = {}
        self.pseudonyms: dict[str, str] = {}
        for i in indices:
            if i < len(feed.cohort.homes):
                rid = feed.cohort.homes[i].resident_id
                self.numbers[rid] = synthetic_number(i)
                self.pseudonyms[rid] = ids.pseudonym(self.numbers[rid])

    def _rename(self, rid: str, raw: bytes) -> tuple[str, bytes]:
        p = self.pseudonyms.get(rid)
        return (rid, raw) if p is None else (p, raw.replace(rid.encode(), p.encode()))

    def care_contexts(self) -> Iterator[tuple[str, bytes]]:
        for rid, raw in self.feed.care_contexts():
            yield self._rename(rid, raw)

    def events(self) -> Iterator[tuple[float, str, str, bytes]]:
        first = True
        for t, topic, rid, raw in self.feed.events():
            if first:
                first = False
                # the care system lists the residents whose hub messages may name them
                for number in self.numbers.values():
                    yield t, IDENTITY_REIDENTIFICATION, number, orjson.dumps({"system": FNR, "value": number})
            national = self.numbers.get(rid)
            if national is not None and topic == "measurements":
                obs = _observation(orjson.loads(raw))
                if obs is not None:
                    obs["subject"] = {"identifier": {"system": FNR, "value": national}}
                    bundle = {"resourceType": "Bundle", "type": "batch", "entry": [{
                        "fullUrl": f"urn:uuid:{obs['id']}", "resource": obs,
                        "request": {"method": "POST", "url": "Observation"}}]}
                    yield t, MEASUREMENTS_FHIR_NATIONAL, "pmd", orjson.dumps(bundle)
                    continue
            yield (t, topic, *self._rename(rid, raw))


async def print_fhir_messages(bootstrap: str, live_from: float, out: Path) -> None:
    """Print the hub's copy of the first live message of each alert kind; save each to ``out``."""
    consumer = AIOKafkaConsumer(ALERTS_FHIR_NATIONAL, bootstrap_servers=bootstrap,
                                group_id=f"demo-fhir-{os.getpid()}", auto_offset_reset="earliest")
    await consumer.start()
    shown: set[str] = set()
    out.mkdir(parents=True, exist_ok=True)
    try:
        async for msg in consumer:
            bundle = orjson.loads(msg.value or b"{}")
            issue = bundle["entry"][1]["resource"]
            kind = issue["code"]["coding"][1]["code"]
            if kind in shown or datetime.fromisoformat(issue["identifiedDateTime"]).timestamp() < live_from:
                continue
            shown.add(kind)
            path = out / f"{kind}.json"
            text = orjson.dumps(bundle, option=orjson.OPT_INDENT_2).decode()
            path.write_text(text + "\n", encoding="utf-8")
            click.echo(f"-- FHIR message for the hub ({kind}, saved to {path}):\n{text}")
    finally:
        await consumer.stop()
