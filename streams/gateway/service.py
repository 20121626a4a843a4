"""The gateway process: consume, translate identities, publish, then commit (at-least-once).

Inbound: ``measurements.fhir.national`` -> ``measurements.fhir`` (one pseudonymous
bundle per resident, keyed by the pseudonym so it lands in the resident's partition);
refused entries -> ``dead-letter.national`` (restricted: their bytes name the patient).

Outbound (``TILSYN_GATEWAY_REIDENTIFY=1``): ``alerts.fhir`` -> ``alerts.fhir.national``,
with the national identity number put back for the residents the care system lists
on the compacted ``identity.reidentification`` topic, which is read to its end before
the first alert is handled.

Logs carry counts and topic positions only: never a national identity number, a
pseudonym, a payload or anything about the key.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from prometheus_client import CollectorRegistry, Counter, Gauge, start_http_server

from schemas.fhir_observations import FhirMappingError
from streams.deadletter import dead_letter
from streams.gateway.bridge import Reidentification, pseudonymise_bundle
from streams.gateway.identity import Pseudonymiser, load_key
from streams.processor import ENTRY_HEADER
from streams.settings import Settings, SettingsError
from streams.topics import (
    ALERTS_FHIR,
    ALERTS_FHIR_NATIONAL,
    DEAD_LETTER_NATIONAL,
    IDENTITY_REIDENTIFICATION,
    MEASUREMENTS_FHIR,
    MEASUREMENTS_FHIR_NATIONAL,
)

log = logging.getLogger("tilsyn.gateway")

REGISTRY = CollectorRegistry()
RECORDS = Counter("tilsyn_gateway_records", "Records the gateway consumed.", ["topic"], registry=REGISTRY)
FORWARDED = Counter(
    "tilsyn_gateway_observations", "Observations by outcome (forwarded pseudonymised or refused).",
    ["outcome"], registry=REGISTRY,
)
OUTBOUND = Counter(
    "tilsyn_gateway_messages_out", "Alert messages published to the hub topic, by identity in them.",
    ["identity"], registry=REGISTRY,
)
REIDENTIFIABLE = Gauge(
    "tilsyn_gateway_reidentifiable_residents", "Residents the care system lists for re-identification.",
    registry=REGISTRY,
)
READY = Gauge("tilsyn_gateway_ready", "1 once the gateway consumes.", registry=REGISTRY)


@dataclass(frozen=True, slots=True)
class GatewaySettings:
    """The gateway's own settings (``TILSYN_GATEWAY_*``); broker settings are the worker's."""

    key_file: Path
    reidentify: bool = False
    allow_synthetic: bool = False
    group: str = "tilsyn-gateway"
    http_port: int = 8081
    batch_max: int = 500

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: Any) -> GatewaySettings:
        e = dict(os.environ) if env is None else env
        key = overrides.pop("key_file", None) or e.get("TILSYN_GATEWAY_KEY_FILE")
        if not key:
            raise SettingsError("TILSYN_GATEWAY_KEY_FILE is required: the file holding the pseudonymisation key")
        values: dict[str, Any] = {
            "key_file": Path(key),
            "reidentify": e.get("TILSYN_GATEWAY_REIDENTIFY", "0") in ("1", "true", "yes"),
            "allow_synthetic": e.get("TILSYN_GATEWAY_SYNTHETIC_IDS", "0") in ("1", "true", "yes"),
            "group": e.get("TILSYN_GATEWAY_GROUP", "tilsyn-gateway"),
            "http_port": int(e.get("TILSYN_GATEWAY_HTTP_PORT", "8081")),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


class Gateway:
    """One gateway process on one broker."""

    def __init__(self, settings: Settings, gw: GatewaySettings, ids: Pseudonymiser | None = None) -> None:
        self.settings = settings
        self.gw = gw
        self.ids = ids if ids is not None else load_key(gw.key_file)
        self.reid = Reidentification(self.ids)
        self.prefix = settings.topic_prefix
        self._stop = asyncio.Event()

    def t(self, name: str) -> str:
        return self.prefix + name

    def stop(self) -> None:
        self._stop.set()

    # -- one record -------------------------------------------------------------
    def inbound(self, rec: Any) -> list[tuple[str, bytes | None, bytes, list[tuple[str, bytes]] | None]]:
        """What to publish for one record of measurements.fhir.national."""
        out: list[tuple[str, bytes | None, bytes, list[tuple[str, bytes]] | None]] = []

        def refuse(reason: str, value: bytes, index: int | None) -> None:
            dl = dead_letter(topic=MEASUREMENTS_FHIR_NATIONAL, partition=rec.partition, offset=rec.offset,
                             timestamp_ms=rec.timestamp, key=rec.key, value=value, code="fhir", reason=reason)
            headers = dl.headers + ([(ENTRY_HEADER, str(index).encode())] if index is not None else [])
            out.append((DEAD_LETTER_NATIONAL, dl.key, dl.value, headers))

        if rec.value is None or len(rec.value) > self.settings.max_record_bytes:
            refuse("record is empty or larger than TILSYN_MAX_RECORD_BYTES", rec.value or b"", None)
            return out
        try:
            result = pseudonymise_bundle(rec.value, self.ids, allow_synthetic=self.gw.allow_synthetic)
        except FhirMappingError as exc:
            refuse(f"FHIR bundle rejected: {exc.reason}", rec.value, None)
            return out
        for pseudonym, bundle in result.bundles.items():
            out.append((MEASUREMENTS_FHIR, pseudonym.encode(), bundle, None))
        for r in result.refused:
            refuse(r.reason, r.original, r.index)
        FORWARDED.labels(outcome="forwarded").inc(result.observations - len(result.refused))
        FORWARDED.labels(outcome="refused").inc(len(result.refused))
        return out

    def outbound(self, rec: Any) -> tuple[str, bytes | None, bytes, None]:
        """The hub's copy of one alert message, re-identified where the care system allows it."""
        value, national = self.reid.apply_to_message(rec.value or b"")
        OUTBOUND.labels(identity="national" if national else "pseudonym").inc()
        return (ALERTS_FHIR_NATIONAL, rec.key, value, None)

    # -- the loop ---------------------------------------------------------------
    async def _read_identities(self, consumer: AIOKafkaConsumer, until_end: bool) -> None:
        """Apply re-identification records; with ``until_end``, return once the topic's end is reached."""
        parts = list(consumer.assignment())
        end = await consumer.end_offsets(parts) if until_end else {}
        while not self._stop.is_set():
            batch = await consumer.getmany(timeout_ms=500, max_records=1000)
            bad = 0
            for records in batch.values():
                for r in records:
                    if self.reid.apply(r.key, r.value, allow_synthetic=self.gw.allow_synthetic) is not None:
                        bad += 1
            if bad:
                log.warning("%d re-identification records were unusable (invalid or failed check digits)", bad)
            REIDENTIFIABLE.set(len(self.reid))
            if until_end and all([await consumer.position(p) >= end[p] for p in parts]):
                return

    async def run(self) -> None:
        s = self.settings
        kafka = {"bootstrap_servers": s.bootstrap, **s.security.aiokafka_kwargs()}
        producer = AIOKafkaProducer(acks="all", linger_ms=5, **kafka)
        inputs = [self.t(MEASUREMENTS_FHIR_NATIONAL)] + ([self.t(ALERTS_FHIR)] if self.gw.reidentify else [])
        consumer = AIOKafkaConsumer(
            *inputs, group_id=self.gw.group, enable_auto_commit=False, auto_offset_reset="earliest",
            session_timeout_ms=10_000, heartbeat_interval_ms=1_000, max_poll_records=self.gw.batch_max, **kafka,
        )
        identities: AIOKafkaConsumer | None = None
        await producer.start()
        try:
            if self.gw.reidentify:
                identities = AIOKafkaConsumer(enable_auto_commit=False, **kafka)
                await identities.start()
                topic = self.t(IDENTITY_REIDENTIFICATION)
                partitions = identities.partitions_for_topic(topic) or set()
                if not partitions:
                    await identities.force_metadata_update()
                    partitions = identities.partitions_for_topic(topic) or set()
                identities.assign([TopicPartition(topic, p) for p in sorted(partitions)])
                await identities.seek_to_beginning()
                await self._read_identities(identities, until_end=True)
                log.info("re-identification source read: %d residents listed", len(self.reid))
            await consumer.start()
            follow = asyncio.create_task(self._read_identities(identities, False)) if identities else None
            READY.set(1)
            log.info("gateway ready: %s", ", ".join(inputs))
            try:
                await self._loop(consumer, producer)
            finally:
                if follow is not None:
                    follow.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await follow
        finally:
            READY.set(0)
            with contextlib.suppress(Exception):
                await consumer.stop()
            if identities is not None:
                with contextlib.suppress(Exception):
                    await identities.stop()
            await producer.stop()

    async def _loop(self, consumer: AIOKafkaConsumer, producer: AIOKafkaProducer) -> None:
        outbound_topic = self.t(ALERTS_FHIR)
        while not self._stop.is_set():
            batch = await consumer.getmany(timeout_ms=500, max_records=self.gw.batch_max)
            if not batch:
                continue
            pending = []
            n = 0
            for tp, records in batch.items():
                for rec in records:
                    n += 1
                    RECORDS.labels(topic=tp.topic[len(self.prefix):]).inc()
                    outs = [self.outbound(rec)] if tp.topic == outbound_topic else self.inbound(rec)
                    for topic, key, value, headers in outs:
                        pending.append(await producer.send(self.t(topic), value, key=key, headers=headers))
            # commit only after the broker confirmed every output of the batch (at-least-once)
            await asyncio.gather(*pending)
            await consumer.commit()
            log.debug("gateway batch: %d records in, %d records out", n, len(pending))


def run_gateway(settings: Settings, gw: GatewaySettings) -> None:
    """Run until SIGINT/SIGTERM (``tilsyn gateway``)."""
    if gw.http_port:
        start_http_server(gw.http_port, addr=settings.http_host, registry=REGISTRY)
    gateway = Gateway(settings, gw)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, gateway.stop)
        started = time.monotonic()
        await gateway.run()
        log.info("gateway stopped after %.0f s", time.monotonic() - started)

    asyncio.run(main())
