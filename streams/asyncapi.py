"""Generate ``schemas/asyncapi.yaml``: every topic, its key, its message schema, who produces and consumes it.

AsyncAPI 3.0, for care-system integrators. Built from the pydantic models (the same
contracts as ``schemas/json/``) and from :mod:`streams.topics` (the same table as the
README's), so the document cannot drift from the code: ``tilsyn schemas`` fails while
it is stale, and ``tests/schemas/test_asyncapi.py`` validates it against the official
AsyncAPI 3.0.0 JSON Schema (npm package @asyncapi/specs).

Operations describe tilsyn's own processes (``worker``, ``gateway``); producers and
consumers outside tilsyn are named on each channel (``x-producers``, ``x-consumers``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter

from schemas.alerts import Acknowledgement, Alert
from schemas.care import CareContext
from schemas.events import SensorEvent
from schemas.identity import ReidentificationEntry
from schemas.indicators import IndicatorWindow
from schemas.measurements import DhoEvent
from streams.topics import (
    ALERT_ACKS,
    ALERT_TOPICS,
    ALERTS_FHIR,
    ALERTS_FHIR_NATIONAL,
    CARE_CONTEXT,
    DEAD_LETTER,
    DEAD_LETTER_NATIONAL,
    IDENTITY_REIDENTIFICATION,
    INDICATOR_BOOK,
    INDICATORS,
    MEASUREMENTS,
    MEASUREMENTS_FHIR,
    MEASUREMENTS_FHIR_NATIONAL,
    SAFETY_EVENTS,
    SENSOR_EVENTS,
    SPECS,
    TopicSpec,
)

ASYNCAPI_FILE = Path(__file__).resolve().parent.parent / "schemas" / "asyncapi.yaml"
REF = "#/components/schemas/{model}"
KAFKA_BINDING = "0.5.0"
CHANGELOG = "tilsyn-resident-state-changelog"

CONTRACTS: dict[str, Any] = {
    "SensorEvent": SensorEvent,
    "DhoEvent": DhoEvent,
    "CareContext": CareContext,
    "Alert": Alert,
    "Acknowledgement": Acknowledgement,
    "ReidentificationEntry": ReidentificationEntry,
    "IndicatorWindow": IndicatorWindow,
}

_FHIR_BUNDLE = {
    "type": "object",
    "description": "A FHIR R4 Bundle (JSON). Validated with fhir.resources; see docs/FHIR.md.",
    "required": ["resourceType", "type"],
    "properties": {
        "resourceType": {"const": "Bundle"},
        "type": {"type": "string"},
        "entry": {"type": "array", "items": {"type": "object"}},
    },
    "externalDocs": {"url": "https://hl7.org/fhir/R4/bundle.html"},
}

MESSAGES: dict[str, dict[str, Any]] = {
    "sensorEvent": {"title": "Home-sensor event", "payload": {"$ref": REF.format(model="SensorEvent")}},
    "dhoEvent": {"title": "DHO measurement or questionnaire", "payload": {"$ref": REF.format(model="DhoEvent")}},
    "careContext": {
        "title": "Care context of a resident (a null value, a tombstone, ends follow-up)",
        "payload": {"$ref": REF.format(model="CareContext")},
    },
    "acknowledgement": {"title": "Acknowledgement of an alert", "payload": {"$ref": REF.format(model="Acknowledgement")}},
    "alert": {"title": "Alert for one recipient team", "payload": {"$ref": REF.format(model="Alert")}},
    "observationBundle": {
        "title": "FHIR Observation bundle, pseudonymous subject (LOINC, SNOMED CT or NPU codes)",
        "payload": {"$ref": REF.format(model="FhirBundle")},
    },
    "nationalObservationBundle": {
        "title": "FHIR Observation bundle naming the patient by national identity number (PMD / VKP shape)",
        "payload": {"$ref": REF.format(model="FhirBundle")},
    },
    "vkpMessage": {
        "title": "VKP FHIR message: MessageHeader, DetectedIssue (vkp-DetectedIssue-v090), Observations, teams",
        "payload": {"$ref": REF.format(model="FhirBundle")},
    },
    "reidentificationEntry": {
        "title": "A resident whose hub messages may carry the national identity number (null: withdrawn)",
        "payload": {"$ref": REF.format(model="ReidentificationEntry")},
    },
    "indicatorWindow": {
        "title": "Quality-indicator counts of one window, municipality, service and source partition "
                 "(sum over shards, then form ratios; agents/indicators/definitions.py)",
        "payload": {"$ref": REF.format(model="IndicatorWindow")},
    },
    "indicatorBook": {
        "title": "The indicator book of one partition (internal; JSON of agents/indicators/book.py BookState)",
        "payload": {"description": "Opaque to everyone but tilsyn indicators workers."},
    },
    "deadLetter": {
        "title": "A rejected record or bundle entry: original bytes, reason and origin in headers",
        "contentType": "application/octet-stream",
        "payload": {"description": "The rejected record's own bytes (or one bundle entry's JSON), untouched."},
        "headers": {
            "type": "object",
            "required": ["tilsyn.dlq.reason_code", "tilsyn.dlq.reason", "tilsyn.dlq.topic",
                         "tilsyn.dlq.partition", "tilsyn.dlq.offset"],
            "properties": {
                "tilsyn.dlq.reason_code": {"type": "string", "description": "Bounded code (metric label)."},
                "tilsyn.dlq.reason": {"type": "string", "description": "Readable reason; never repeats the payload."},
                "tilsyn.dlq.topic": {"type": "string"},
                "tilsyn.dlq.partition": {"type": "string"},
                "tilsyn.dlq.offset": {"type": "string"},
                "tilsyn.dlq.timestamp_ms": {"type": "string"},
                "tilsyn.dlq.entry": {"type": "string", "description": "Index of the rejected entry in a FHIR bundle."},
            },
        },
    },
    "residentState": {
        "title": "Per-resident detector and alert state (internal; binary codec of the worker)",
        "contentType": "application/octet-stream",
        "payload": {"description": "Opaque to everyone but tilsyn workers."},
    },
}

TOPIC_MESSAGES: dict[str, list[str]] = {
    SENSOR_EVENTS: ["sensorEvent"],
    SAFETY_EVENTS: ["sensorEvent"],
    MEASUREMENTS: ["dhoEvent"],
    MEASUREMENTS_FHIR: ["observationBundle"],
    CARE_CONTEXT: ["careContext"],
    ALERT_ACKS: ["acknowledgement"],
    **{t: ["alert"] for t in ALERT_TOPICS},
    ALERTS_FHIR: ["vkpMessage"],
    DEAD_LETTER: ["deadLetter"],
    MEASUREMENTS_FHIR_NATIONAL: ["nationalObservationBundle"],
    IDENTITY_REIDENTIFICATION: ["reidentificationEntry"],
    ALERTS_FHIR_NATIONAL: ["vkpMessage"],
    DEAD_LETTER_NATIONAL: ["deadLetter"],
    INDICATORS: ["indicatorWindow"],
    INDICATOR_BOOK: ["indicatorBook"],
}

OPERATIONS: dict[str, tuple[str, list[str]]] = {
    "worker": ("receive", [SENSOR_EVENTS, SAFETY_EVENTS, MEASUREMENTS, MEASUREMENTS_FHIR, CARE_CONTEXT, ALERT_ACKS]),
    "worker-sends": ("send", [*ALERT_TOPICS, ALERTS_FHIR, DEAD_LETTER, CHANGELOG]),
    "indicators": ("receive", [*ALERT_TOPICS, ALERT_ACKS, CARE_CONTEXT]),
    "indicators-sends": ("send", [INDICATORS, INDICATOR_BOOK]),
    "gateway": ("receive", [MEASUREMENTS_FHIR_NATIONAL, IDENTITY_REIDENTIFICATION, ALERTS_FHIR]),
    "gateway-sends": ("send", [MEASUREMENTS_FHIR, ALERTS_FHIR_NATIONAL, DEAD_LETTER_NATIONAL]),
}


def _asyncapi_schema(node: Any) -> Any:
    """JSON Schema from pydantic as an AsyncAPI Schema: its ``discriminator`` is the property name only."""
    if isinstance(node, dict):
        out = {k: _asyncapi_schema(v) for k, v in node.items()}
        disc = out.get("discriminator")
        if isinstance(disc, dict) and "propertyName" in disc:
            out["discriminator"] = disc["propertyName"]
        return out
    if isinstance(node, list):
        return [_asyncapi_schema(v) for v in node]
    return node


def _schemas() -> dict[str, Any]:
    out: dict[str, Any] = {"FhirBundle": _FHIR_BUNDLE}
    for name, tp in CONTRACTS.items():
        schema = _asyncapi_schema(TypeAdapter(tp).json_schema(mode="validation", ref_template=REF))
        for def_name, body in schema.pop("$defs", {}).items():
            if out.setdefault(def_name, body) != body:
                raise ValueError(f"two contracts define {def_name} differently")
        out[name] = schema
    return dict(sorted(out.items()))


def _channel(spec: TopicSpec) -> dict[str, Any]:
    config: dict[str, Any] = {"cleanup.policy": ["compact" if spec.compacted else "delete"]}
    if spec.retention_ms is not None:
        config["retention.ms"] = spec.retention_ms
    return {
        "address": spec.name,
        "title": spec.name,
        "description": spec.description + (" Access-restricted: holds national identity numbers." if spec.restricted
                                           else ""),
        "messages": {m: {"$ref": f"#/components/messages/{m}"} for m in TOPIC_MESSAGES[spec.name]},
        "bindings": {"kafka": {"topic": spec.name, "topicConfiguration": config, "bindingVersion": KAFKA_BINDING}},
        "x-key": spec.key,
        "x-producers": [p.strip() for p in spec.producer.split(",")],
        "x-consumers": [c.strip() for c in spec.consumer.split(",")],
        "x-restricted": spec.restricted,
    }


def _channel_id(topic: str) -> str:
    return topic.replace(".", "_")


def document() -> dict[str, Any]:
    """The AsyncAPI 3.0 document as a dict."""
    channels = {_channel_id(s.name): _channel(s) for s in SPECS}
    channels[_channel_id(CHANGELOG)] = {
        "address": CHANGELOG, "title": CHANGELOG,
        "description": "Faust table changelog (compacted; named <TILSYN_APP_ID>-resident-state-changelog).",
        "messages": {"residentState": {"$ref": "#/components/messages/residentState"}},
        "bindings": {"kafka": {"topic": CHANGELOG, "topicConfiguration": {"cleanup.policy": ["compact"]},
                               "bindingVersion": KAFKA_BINDING}},
        "x-key": "resident id", "x-producers": ["tilsyn workers"], "x-consumers": ["tilsyn workers on recovery"],
        "x-restricted": False,
    }
    operations: dict[str, Any] = {}
    for role, (action, topics) in OPERATIONS.items():
        process = role.split("-")[0]
        for topic in topics:
            cid = _channel_id(topic)
            verb = "receives" if action == "receive" else "sends"
            operations[f"{process}_{verb}_{cid}"] = {
                "action": action,
                "channel": {"$ref": f"#/channels/{cid}"},
                "title": f"tilsyn {process} {verb} {topic}",
                "tags": [{"name": process}],
                "messages": [{"$ref": f"#/channels/{cid}/messages/{m}"} for m in channels[cid]["messages"]],
            }
    messages = {}
    for name, body in MESSAGES.items():
        messages[name] = {
            "name": name,
            "contentType": body.get("contentType", "application/json"),
            **{k: v for k, v in body.items() if k != "contentType"},
            "bindings": {"kafka": {"key": {"type": "string"}, "bindingVersion": KAFKA_BINDING}},
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "tilsyn topics",
            "version": "0.1.0",
            "description": (
                "Kafka topics of tilsyn (digital supervision in home care): what care systems, DHO platforms, "
                "home hubs and the national welfare-technology hub (VKP) send and receive. Every resident-keyed "
                "topic has TILSYN_PARTITIONS partitions and is keyed by the pseudonymous resident id; "
                "TILSYN_TOPIC_PREFIX is put in front of every address. Generated from streams/topics.py and the "
                "pydantic models (streams/asyncapi.py); do not edit by hand."
            ),
        },
        "defaultContentType": "application/json",
        "servers": {
            "kafka": {"host": "kafka-1:9092", "protocol": "kafka", "description": "Apache Kafka (KRaft); TLS/SASL "
                      "per docs/SECURITY.md"},
            "embedded": {"host": "127.0.0.1:9092", "protocol": "kafka", "description": "tilsyn broker (Tansu)"},
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": _schemas()},
    }


def render() -> str:
    """The document as YAML text (deterministic)."""
    body = yaml.safe_dump(document(), sort_keys=False, allow_unicode=True, width=110)
    return "# Generated by streams/asyncapi.py (`tilsyn schemas --write`); do not edit.\n" + body


def write(path: Path = ASYNCAPI_FILE) -> Path:
    path.write_text(render(), encoding="utf-8")
    return path


def stale(path: Path = ASYNCAPI_FILE) -> bool:
    return not path.exists() or path.read_text(encoding="utf-8") != render()
