"""Prometheus metrics of a tilsyn worker.

Labels are bounded sets only: topic, kind, reason code, alert type, severity,
recipient kind, partition number, municipality number. Never a resident id,
event id or any payload value (privacy and cardinality).
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics

disable_created_metrics()  # the *_created series only add noise to dashboards

REGISTRY = CollectorRegistry(auto_describe=True)

CHANGELOG_READ = Counter(
    "tilsyn_changelog_records_read_total",
    "Table changelog records read by a plain consumer when partitions were newly assigned (streams/store.py).",
    ["table"], registry=REGISTRY,
)
EVENTS_IN = Counter(
    "tilsyn_events_in_total", "Records read from input topics, by topic and event kind.",
    ["topic", "kind"], registry=REGISTRY,
)
EVENTS_BY_MUNICIPALITY = Counter(
    "tilsyn_events_by_municipality_total",
    "Valid resident events by municipality number (residents without care context: 'unknown').",
    ["municipality"], registry=REGISTRY,
)
INVALID = Counter(
    "tilsyn_invalid_records_total", "Records rejected, by input topic and reason code.",
    ["topic", "reason"], registry=REGISTRY,
)
REKEYED = Counter(
    "tilsyn_rekeyed_records_total",
    "Records keyed by something other than their resident (e.g. a device id), re-published under the "
    "resident's key and processed when the copy arrives. Not invalid.",
    ["topic"], registry=REGISTRY,
)
DEAD_LETTERS = Counter(
    "tilsyn_dead_letter_total", "Records written to the dead-letter topic, by input topic.",
    ["topic"], registry=REGISTRY,
)
ALERTS = Counter(
    "tilsyn_alerts_total", "Alerts published, by type, severity, recipient kind and notification.",
    ["type", "severity", "recipient", "notification"], registry=REGISTRY,
)
ESCALATIONS = Counter(
    "tilsyn_escalations_total", "Escalations and reminders of unacknowledged alerts.",
    ["type", "severity", "notification"], registry=REGISTRY,
)
ACKS = Counter(
    "tilsyn_acknowledgements_total", "Acknowledgements received, by action.",
    ["action"], registry=REGISTRY,
)
ACK_LATENCY = Histogram(
    "tilsyn_acknowledgement_latency_seconds", "Time from alert to acknowledgement (event time).",
    ["severity"], registry=REGISTRY,
    buckets=(30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400),
)
ALERT_LATENCY = Histogram(
    "tilsyn_alert_latency_seconds",
    "End-to-end latency from the triggering record's Kafka timestamp to the alert being published.",
    ["trigger"], registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
PROCESSING_LAG = Gauge(
    "tilsyn_processing_lag_seconds",
    "Wall clock minus the Kafka timestamp of the last record processed, per input partition.",
    ["partition"], registry=REGISTRY,
)
CONSUMER_LAG = Gauge(
    "tilsyn_consumer_lag_records", "High watermark minus committed position, per topic partition.",
    ["topic", "partition"], registry=REGISTRY,
)
RESIDENTS = Gauge(
    "tilsyn_residents_tracked", "Residents whose state this worker holds.", registry=REGISTRY,
)
TABLE_ROWS = Gauge(
    "tilsyn_table_rows", "Rows in each Faust table on this worker.", ["table"], registry=REGISTRY,
)
OPEN_ALERTS = Gauge(
    "tilsyn_open_alerts", "Alerts not yet acknowledged or resolved, by severity.",
    ["severity"], registry=REGISTRY,
)
READY = Gauge(
    "tilsyn_ready", "1 when the worker has partitions, recovered tables and reaches the broker.",
    registry=REGISTRY,
)
RECOVERY_REMAINING = Gauge(
    "tilsyn_table_recovery_remaining_records", "Changelog records still to replay before ready.",
    registry=REGISTRY,
)
DETECTOR_ERRORS = Counter(
    "tilsyn_detector_errors_total",
    "Exceptions that escaped the core while processing a record or a tick (a detector that raises is "
    "switched off for its resident and reported as a pattern_disabled alert instead).",
    ["stage"], registry=REGISTRY,
)
TOPIC_FAULT = Gauge(
    "tilsyn_topic_fault",
    "1 when the broker lost or changed a topic this worker reads or writes (missing, wrong partition count, "
    "end offset gone back); the worker stops publishing and /healthz answers 503 until it is restarted.",
    registry=REGISTRY,
)
LOOKAHEAD = Counter(
    "tilsyn_alarm_lookahead_total",
    "Safety alarms and falls processed by the alarm look-ahead before Faust's fetch loop delivered them "
    "(streams/lookahead.py); the rest took Faust's path (a backlog, a restart, recovering tables).",
    registry=REGISTRY,
)
GAP_HEALS = Counter(
    "tilsyn_gap_heals_total",
    "Times a partition was read again from its committed offset because that record never arrived "
    "(a record Faust's fetch loop dropped during a rebalance; the commit would otherwise stand still).",
    registry=REGISTRY,
)
BATCH_SIZE = Histogram(
    "tilsyn_batch_size_records", "Records handled per batch by the resident agent.",
    registry=REGISTRY, buckets=(1, 10, 50, 100, 250, 500, 1000, 2000, 5000),
)


def scrape(port: int, host: str = "127.0.0.1", timeout: float = 5.0) -> dict[str, float]:
    """A worker's ``/metrics`` as ``{'name{labels}': value}`` (sample lines only).

    Used by the tests, the benchmark and operators' scripts to read a running worker.
    """
    import urllib.request

    with urllib.request.urlopen(f"http://{host}:{port}/metrics", timeout=timeout) as resp:  # nosec B310
        text = resp.read().decode()
    samples: dict[str, float] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            samples[name] = float(value)
    return samples


def metric_sum(samples: dict[str, float], name: str, **labels: str) -> float:
    """Sum of a metric's samples whose labels include ``labels``."""
    total = 0.0
    for key, value in samples.items():
        if key.split("{", 1)[0] != name:
            continue
        if all(f'{k}="{v}"' in key for k, v in labels.items()):
            total += value
    return total

# -- quality indicators (tilsyn indicators worker; issue 16) ---------------------------------
# municipality: only 4-digit numbers seen in care contexts, else "unknown" (bounded; never a resident id).
# These are the counts of the running day, ISO week and month: sum them over workers, then divide
# (the dashboard "Kvalitetsindikatorer" does; definitions in agents/indicators/definitions.py).
INDICATOR_COUNT = Gauge(
    "tilsyn_indicator_count",
    "Counts of the running window (window: day, week, month) per municipality and service (VKP code or ALL); "
    "measure: residents, resident_days, device_days, alerts, escalated, acknowledged, false_alarms, "
    "inactive_residents, device_silent, next_of_kin_notices.",
    ["municipality", "service", "window", "measure"], registry=REGISTRY,
)
INDICATOR_ALERTS = Gauge(
    "tilsyn_indicator_alerts",
    "Alerts of the running window per municipality (all services), broken down by type, category or "
    "severity (label by) with its value (label value, a bounded enum).",
    ["municipality", "window", "by", "value"], registry=REGISTRY,
)
INDICATOR_ACK_SECONDS = Gauge(
    "tilsyn_indicator_ack_seconds_bucket",
    "Alerts of the running window first acknowledged within le seconds (cumulative, all services), per "
    "municipality, severity and recipient kind; histogram_quantile over it gives p50/p90.",
    ["municipality", "window", "severity", "recipient", "le"], registry=REGISTRY,
)
INDICATOR_RECORDS = Counter(
    "tilsyn_indicator_records_total",
    "Indicator window records published, by status (open: provisional, closed: final or revised).",
    ["status"], registry=REGISTRY,
)
INDICATOR_SKIPPED = Counter(
    "tilsyn_indicator_skipped_total",
    "Input records the indicators worker could not use, by topic and reason (the detection worker "
    "dead-letters invalid input; this worker only counts it).",
    ["topic", "reason"], registry=REGISTRY,
)
