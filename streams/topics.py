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


SENSOR_EVENTS = "sensor-events"
MEASUREMENTS = "measurements"
MEASUREMENTS_FHIR = "measurements.fhir"
CARE_CONTEXT = "care-context"
ALERT_ACKS = "alert-acks"
DEAD_LETTER = "dead-letter"
ALERTS_FHIR = "alerts.fhir"


def alert_topic(recipient_kind: str) -> str:
    """Output topic of one recipient kind (homecare, response-centre, specialist, technical)."""
    return f"alerts.{recipient_kind}"


INPUT_TOPICS = (SENSOR_EVENTS, MEASUREMENTS, MEASUREMENTS_FHIR, CARE_CONTEXT, ALERT_ACKS)
ALERT_TOPICS = tuple(alert_topic(k) for k in ("homecare", "response-centre", "specialist", "technical"))

SPECS: tuple[TopicSpec, ...] = (
    TopicSpec(SENSOR_EVENTS, "resident id", False, 7 * DAY_MS, "home hubs, sensor platforms",
              "tilsyn workers", "Home-sensor events (schemas/json/sensor-event.schema.json)."),
    TopicSpec(MEASUREMENTS, "resident id", False, 7 * DAY_MS, "DHO platforms",
              "tilsyn workers", "DHO measurements and questionnaires (dho-event.schema.json)."),
    TopicSpec(MEASUREMENTS_FHIR, "resident id", False, 7 * DAY_MS, "national patient-measurement services",
              "tilsyn workers", "FHIR R4 Observation bundles (LOINC vital signs), mapped on ingest."),
    TopicSpec(CARE_CONTEXT, "resident id", True, None, "care systems (EPJ)",
              "tilsyn workers", "Care context per resident (care-context.schema.json); tombstone deletes."),
    TopicSpec(ALERT_ACKS, "resident id", False, 30 * DAY_MS, "care systems",
              "tilsyn workers", "Acknowledgements of alerts (acknowledgement.schema.json)."),
    *(
        TopicSpec(t, "resident id", False, 30 * DAY_MS, "tilsyn workers", who,
                  "Alerts for this recipient kind (alert.schema.json).")
        for t, who in zip(
            ALERT_TOPICS,
            ("home-care systems", "response centre", "hospital follow-up centres", "device support"),
            strict=True,
        )
    ),
    TopicSpec(ALERTS_FHIR, "resident id", False, 30 * DAY_MS, "tilsyn workers (when enabled)",
              "VKP-style consumers", "Every alert as a FHIR R4 Bundle with a DetectedIssue."),
    TopicSpec(DEAD_LETTER, "original key", False, 30 * DAY_MS, "tilsyn workers",
              "operators, data owners", "Rejected records: original bytes; reason and origin in headers."),
)
