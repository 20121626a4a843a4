"""Topic names and their contracts (the README's topic table is generated from this)."""

from __future__ import annotations

from dataclasses import dataclass

DAY_MS = 24 * 3600 * 1000


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name: str
    key: str
    compacted: bool
    retention_ms: int | None
    producer: str
    consumer: str
    description: str
    restricted: bool = False
    """Holds national identity numbers: readable and writable only by the gateway and the care system (ACLs)."""


SENSOR_EVENTS = "sensor-events"
SAFETY_EVENTS = "safety-events"
MEASUREMENTS = "measurements"
MEASUREMENTS_FHIR = "measurements.fhir"
CARE_CONTEXT = "care-context"
ALERT_ACKS = "alert-acks"
DEAD_LETTER = "dead-letter"
ALERTS_FHIR = "alerts.fhir"
# the identity bridge (tilsyn gateway): the only topics that hold national identity numbers
MEASUREMENTS_FHIR_NATIONAL = "measurements.fhir.national"
IDENTITY_REIDENTIFICATION = "identity.reidentification"
ALERTS_FHIR_NATIONAL = "alerts.fhir.national"
DEAD_LETTER_NATIONAL = "dead-letter.national"
INDICATORS = "indicators"
INDICATOR_BOOK = "indicators.book"


def alert_topic(recipient_kind: str) -> str:
    """Output topic of one recipient kind (homecare, response-centre, specialist, technical)."""
    return f"alerts.{recipient_kind}"


BULK_INPUTS = (SENSOR_EVENTS, MEASUREMENTS, MEASUREMENTS_FHIR, CARE_CONTEXT, ALERT_ACKS)
"""Read in batches by the residents agent."""
INPUT_TOPICS = (*BULK_INPUTS, SAFETY_EVENTS)
"""Every resident-keyed topic a worker reads (same partition count, co-partitioned)."""
ALERT_TOPICS = tuple(
    alert_topic(k)
    for k in ("homecare", "response-centre", "specialist", "technical", "next-of-kin", "gp", "out-of-hours")
)

SPECS: tuple[TopicSpec, ...] = (
    TopicSpec(SENSOR_EVENTS, "resident id", False, 7 * DAY_MS, "home hubs, sensor platforms",
              "tilsyn workers", "Home-sensor events (schemas/json/sensor-event.schema.json)."),
    TopicSpec(SAFETY_EVENTS, "resident id", False, 7 * DAY_MS, "safety-alarm receivers, fall detectors",
              "tilsyn workers (alarm lane)",
              "Safety-alarm presses and falls (sensor-event schema, kinds alarm_button and fall): read by their "
              "own agent so an alarm never waits behind bulk sensor traffic. Also accepted on sensor-events."),
    TopicSpec(MEASUREMENTS, "resident id", False, 7 * DAY_MS, "DHO platforms",
              "tilsyn workers", "DHO measurements and questionnaires (dho-event.schema.json)."),
    TopicSpec(MEASUREMENTS_FHIR, "resident id", False, 7 * DAY_MS, "tilsyn gateway, pseudonymous DHO platforms",
              "tilsyn workers", "FHIR R4 Observation bundles (LOINC, SNOMED CT, NPU), pseudonymous; mapped on ingest."),
    TopicSpec(CARE_CONTEXT, "resident id", True, None, "care systems (EPJ)",
              "tilsyn workers", "Care context per resident (care-context.schema.json); tombstone deletes."),
    TopicSpec(ALERT_ACKS, "resident id", False, 30 * DAY_MS, "care systems",
              "tilsyn workers", "Acknowledgements of alerts (acknowledgement.schema.json)."),
    *(
        TopicSpec(t, "resident id", False, 30 * DAY_MS, "tilsyn workers", who,
                  "Alerts for this recipient kind (alert.schema.json).")
        for t, who in zip(
            ALERT_TOPICS,
            ("home-care systems", "response centre", "hospital follow-up centres", "device support",
             "next-of-kin notification service (within consent)", "GP office systems", "out-of-hours services (legevakt)"),
            strict=True,
        )
    ),
    TopicSpec(ALERTS_FHIR, "resident id", False, 30 * DAY_MS, "tilsyn workers (when enabled)",
              "VKP hub adapter, tilsyn gateway", "Every alert as a VKP FHIR R4 message (pseudonymous)."),
    TopicSpec(DEAD_LETTER, "original key", False, 30 * DAY_MS, "tilsyn workers",
              "operators, data owners", "Rejected records: original bytes; reason and origin in headers."),
    TopicSpec(INDICATORS, "window, label, municipality, service, shard", True, None, "tilsyn indicators workers",
              "tilsyn indicators report, dashboards, municipal management",
              "Quality indicator counts per window, municipality, service and source partition "
              "(indicator-window.schema.json); sum over shards, then form ratios (agents/indicators/definitions.py)."),
    TopicSpec(INDICATOR_BOOK, "shard", True, None, "tilsyn indicators workers",
              "tilsyn indicators workers (on assignment)",
              "Internal: the indicator book of each partition (one record per partition), read back when a "
              "worker is assigned the partition."),
    TopicSpec(MEASUREMENTS_FHIR_NATIONAL, "any", False, 2 * DAY_MS, "PMD, DHO platforms (national ids)",
              "tilsyn gateway", "FHIR Observation bundles naming the patient by national id; "
              "the gateway forwards them pseudonymised to measurements.fhir.", restricted=True),
    TopicSpec(IDENTITY_REIDENTIFICATION, "national id", True, None, "care systems (EPJ)",
              "tilsyn gateway", "Residents whose alerts may carry their national id to the hub; "
              "a tombstone withdraws it.", restricted=True),
    TopicSpec(ALERTS_FHIR_NATIONAL, "resident id", False, 7 * DAY_MS, "tilsyn gateway",
              "VKP hub adapter", "alerts.fhir messages with the national id put back where the care "
              "system allows it.", restricted=True),
    TopicSpec(DEAD_LETTER_NATIONAL, "original key", False, 7 * DAY_MS, "tilsyn gateway",
              "data owners (restricted)", "Observations the gateway rejected: original bytes, reason in headers.",
              restricted=True),
)
