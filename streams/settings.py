"""Worker settings from environment variables (twelve-factor; same names in docker-compose).

Nothing here knows whether the broker is Apache Kafka or the embedded Tansu
broker: both are reached through the same Kafka protocol settings.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]


class SettingsError(ValueError):
    """A setting is missing or contradicts another one."""


@dataclass(frozen=True, slots=True)
class KafkaSecurity:
    """TLS and SASL options for the Kafka connection."""

    protocol: SecurityProtocol = "PLAINTEXT"
    cafile: str | None = None
    certfile: str | None = None
    keyfile: str | None = None
    sasl_mechanism: SaslMechanism | None = None
    sasl_username: str | None = None
    sasl_password: str | None = field(default=None, repr=False)

    def ssl_context(self) -> ssl.SSLContext | None:
        """Client TLS context: server verified against ``cafile``; client certificate when given."""
        if self.protocol not in ("SSL", "SASL_SSL"):
            return None
        ctx = ssl.create_default_context(cafile=self.cafile)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        if self.certfile:
            ctx.load_cert_chain(self.certfile, self.keyfile)
        return ctx

    def aiokafka_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for aiokafka clients (AIOKafkaProducer/Consumer/Admin)."""
        kwargs: dict[str, Any] = {"security_protocol": self.protocol}
        context = self.ssl_context()
        if context is not None:
            kwargs["ssl_context"] = context
        if self.protocol.startswith("SASL"):
            kwargs["sasl_mechanism"] = self.sasl_mechanism or "PLAIN"
            kwargs["sasl_plain_username"] = self.sasl_username
            kwargs["sasl_plain_password"] = self.sasl_password
        return kwargs

    def faust_credentials(self) -> Any:
        """Faust ``broker_credentials`` for this configuration (None for plaintext)."""
        import faust

        context = self.ssl_context()
        if self.protocol == "PLAINTEXT":
            return None
        if self.protocol == "SSL":
            return faust.SSLCredentials(context)
        # the mechanism must be faust's SASLMechanism enum: its aiokafka driver reads .value
        return faust.SASLCredentials(
            username=self.sasl_username, password=self.sasl_password, ssl_context=context,
            mechanism=self.sasl_mechanism or "PLAIN",
        )


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a worker needs to know, read once at start-up."""

    broker: str = "kafka://127.0.0.1:9092"
    topic_prefix: str = ""
    partitions: int = 8
    replication: int = 1
    app_id: str = "tilsyn"
    data_dir: Path = Path("tilsyn-data")
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    clock: Literal["wall", "event"] = "wall"
    """wall: absence patterns follow the wall clock when a partition is idle (production);
    event: time is only what events say (demo with simulated time, replay-like tests)."""
    max_future_skew_s: float = 600.0
    """Events stamped more than this ahead of the wall clock are rejected (device clock wrong)."""
    max_record_bytes: int = 64 * 1024
    """Larger records are rejected: no sensor event or measurement needs more."""
    batch_max: int = 1000
    batch_within_s: float = 0.05
    tick_interval_s: float = 1.0
    state_flush_s: float = 0.5
    """How often changed resident states are written to the changelog (and input committed)."""
    stall_after_s: float = 120.0
    """Input waiting this long without a processed batch turns /healthz and /readyz to 503."""
    """How often changed resident states are written to the changelog (and input committed)."""
    idle_grace_s: float = 120.0
    """wall clock: how long a partition may be silent before its time follows the wall clock."""
    fast_rebalance: bool = False
    fhir_output: bool = False
    """Also publish every alert as a FHIR Bundle on alerts.fhir (env TILSYN_FHIR_OUTPUT)."""
    """Short session/rebalance timeouts (tests and demo on one machine)."""
    log_level: str = "info"
    security: KafkaSecurity = KafkaSecurity()

    @property
    def bootstrap(self) -> str:
        """host:port list without the kafka:// scheme (for plain aiokafka clients)."""
        return ",".join(part.split("://", 1)[-1] for part in self.broker.split(";"))

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read ``TILSYN_*`` variables; keyword overrides win (used by the CLI options)."""
        e = os.environ if env is None else env

        def get(name: str, default: str) -> str:
            return e.get(f"TILSYN_{name}", default)

        protocol = get("SECURITY_PROTOCOL", "PLAINTEXT").upper()
        if protocol not in ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"):
            raise SettingsError(f"TILSYN_SECURITY_PROTOCOL={protocol!r} is not one of PLAINTEXT, SSL, SASL_*")
        mechanism = e.get("TILSYN_SASL_MECHANISM")
        if mechanism is not None and mechanism not in ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"):
            raise SettingsError(f"TILSYN_SASL_MECHANISM={mechanism!r} is not PLAIN or SCRAM-SHA-256/512")
        security = KafkaSecurity(
            protocol=protocol,  # type: ignore[arg-type]
            cafile=e.get("TILSYN_SSL_CAFILE"),
            certfile=e.get("TILSYN_SSL_CERTFILE"),
            keyfile=e.get("TILSYN_SSL_KEYFILE"),
            sasl_mechanism=mechanism,  # type: ignore[arg-type]
            sasl_username=e.get("TILSYN_SASL_USERNAME"),
            sasl_password=e.get("TILSYN_SASL_PASSWORD"),
        )
        if security.protocol.startswith("SASL") and not (security.sasl_username and security.sasl_password):
            raise SettingsError("SASL needs TILSYN_SASL_USERNAME and TILSYN_SASL_PASSWORD")
        if security.certfile and not security.keyfile:
            raise SettingsError("TILSYN_SSL_CERTFILE needs TILSYN_SSL_KEYFILE")
        if security.keyfile and not security.certfile:
            raise SettingsError("TILSYN_SSL_KEYFILE needs TILSYN_SSL_CERTFILE")
        # settings the protocol would silently ignore: refuse rather than talk in the clear
        ssl_set = sorted(k for k in ("TILSYN_SSL_CAFILE", "TILSYN_SSL_CERTFILE", "TILSYN_SSL_KEYFILE") if e.get(k))
        if ssl_set and protocol not in ("SSL", "SASL_SSL"):
            raise SettingsError(
                f"{', '.join(ssl_set)} set but TILSYN_SECURITY_PROTOCOL={protocol} does not use TLS "
                "(use SSL or SASL_SSL)"
            )
        sasl_set = sorted(k for k in ("TILSYN_SASL_MECHANISM", "TILSYN_SASL_USERNAME", "TILSYN_SASL_PASSWORD")
                          if e.get(k))
        if sasl_set and not protocol.startswith("SASL"):
            raise SettingsError(
                f"{', '.join(sasl_set)} set but TILSYN_SECURITY_PROTOCOL={protocol} does not use SASL "
                "(use SASL_SSL or SASL_PLAINTEXT)"
            )
        clock = get("CLOCK", "wall")
        if clock not in ("wall", "event"):
            raise SettingsError(f"TILSYN_CLOCK={clock!r} is not 'wall' or 'event'")
        values: dict[str, Any] = {
            "broker": get("BROKER", "kafka://127.0.0.1:9092"),
            "topic_prefix": get("TOPIC_PREFIX", ""),
            "partitions": int(get("PARTITIONS", "8")),
            "replication": int(get("REPLICATION", "1")),
            "app_id": get("APP_ID", "tilsyn"),
            "data_dir": Path(get("DATA_DIR", "tilsyn-data")),
            "http_host": get("HTTP_HOST", "127.0.0.1"),
            "http_port": int(get("HTTP_PORT", "8080")),
            "clock": clock,
            "max_future_skew_s": float(get("MAX_FUTURE_SKEW_S", "600")),
            "max_record_bytes": int(get("MAX_RECORD_BYTES", str(64 * 1024))),
            "batch_max": int(get("BATCH_MAX", "1000")),
            "batch_within_s": float(get("BATCH_WITHIN_S", "0.05")),
            "tick_interval_s": float(get("TICK_INTERVAL_S", "1.0")),
            "state_flush_s": float(get("STATE_FLUSH_S", "0.5")),
            "stall_after_s": float(get("STALL_AFTER_S", "120")),
            "idle_grace_s": float(get("IDLE_GRACE_S", "120")),
            "fast_rebalance": get("FAST_REBALANCE", "0") in ("1", "true", "yes"),
            "fhir_output": get("FHIR_OUTPUT", "0") in ("1", "true", "yes"),
            "log_level": get("LOG_LEVEL", "info"),
            "security": security,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        if values["partitions"] < 1:
            raise SettingsError("TILSYN_PARTITIONS must be at least 1")
        return cls(**values)
