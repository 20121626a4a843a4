"""Worker settings: one pydantic-settings model, read from ``TILSYN_*`` environment variables.

Every field below is one variable: ``TILSYN_`` + the field name in capitals (``partitions`` is
``TILSYN_PARTITIONS``). Its description, default and valid range are the documentation:
``tilsyn settings --table`` prints the table in ``docs/OPERATIONS.md`` and a test fails when
the two differ. A bad value stops the process with one line naming the variable and the rule
(``SettingsError``), never a traceback; secrets are ``SecretStr`` and never printed.

Nothing here knows whether the broker is Apache Kafka or the embedded Tansu broker: both are
reached through the same Kafka protocol settings. Pattern after Quix Streams' ``ConnectionConfig``
and the pydantic-settings documentation (https://docs.pydantic.dev/latest/concepts/pydantic_settings/).
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import Field, FilePath, SecretStr, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]
LogLevel = Literal["debug", "info", "warn", "warning", "error", "critical"]

ENV_PREFIX = "TILSYN_"


FETCH_MAX_WAIT_MS = 50
"""Default longest time the broker may hold a fetch that finds no new record (Faust hard-codes 1500; see streams/faustfix.py).

Practical source: on a broker that holds a fetch for the whole wait (Tansu, measured here) this is
the floor of alarm latency on a caught-up worker; on Kafka, which answers at the first record, it
only sets how often an idle worker asks (20 fetches a second, negligible next to the data path).
Kafka's own default is 500 ms (``fetch.max.wait.ms``). Setting: ``TILSYN_FETCH_MAX_WAIT_MS``.
"""


class SettingsError(ValueError):
    """A setting is missing, has a bad value or contradicts another one (message: one line)."""


@dataclass(frozen=True, slots=True)
class KafkaSecurity:
    """TLS and SASL options for the Kafka connection."""

    protocol: SecurityProtocol = "PLAINTEXT"
    cafile: str | None = None
    certfile: str | None = None
    keyfile: str | None = None
    sasl_mechanism: SaslMechanism | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = field(default=None, repr=False)

    def ssl_context(self) -> ssl.SSLContext | None:
        """Client TLS context: server verified against ``cafile``; client certificate when given."""
        if self.protocol not in ("SSL", "SASL_SSL"):
            return None
        ctx = ssl.create_default_context(cafile=self.cafile)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        if self.certfile:
            ctx.load_cert_chain(self.certfile, self.keyfile)
        return ctx

    def _password(self) -> str | None:
        return None if self.sasl_password is None else self.sasl_password.get_secret_value()

    def aiokafka_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for aiokafka clients (AIOKafkaProducer/Consumer/Admin)."""
        kwargs: dict[str, Any] = {"security_protocol": self.protocol}
        context = self.ssl_context()
        if context is not None:
            kwargs["ssl_context"] = context
        if self.protocol.startswith("SASL"):
            kwargs["sasl_mechanism"] = self.sasl_mechanism or "PLAIN"
            kwargs["sasl_plain_username"] = self.sasl_username
            kwargs["sasl_plain_password"] = self._password()
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
            username=self.sasl_username, password=self._password(), ssl_context=context,
            mechanism=self.sasl_mechanism or "PLAIN",
        )


_GIVEN_ENV: ContextVar[Mapping[str, str] | None] = ContextVar("tilsyn_settings_env", default=None)
"""Set by :meth:`Settings.from_env` when it is handed a mapping instead of the process environment."""


class _MappingSource(PydanticBaseSettingsSource):
    """``TILSYN_*`` values from a given mapping (tests, a child process's environment).

    Same rules as the environment source configured below: names are case-insensitive and
    an empty value counts as unset.
    """

    def __init__(self, settings_cls: type[BaseSettings], env: Mapping[str, str]) -> None:
        super().__init__(settings_cls)
        n = len(ENV_PREFIX)
        self._values = {k[n:].lower(): v for k, v in env.items() if k.upper().startswith(ENV_PREFIX) and v != ""}

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self._values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return {name: self._values[name] for name in self.settings_cls.model_fields if name in self._values}


class Settings(BaseSettings):
    """Everything a worker needs to know, read once at start-up (``TILSYN_<NAME>``).

    ``Settings()`` reads the process environment; keyword arguments win over it.
    :meth:`from_env` does the same but turns every validation problem into one
    :class:`SettingsError` line.
    """

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, frozen=True, extra="ignore", env_ignore_empty=True, validate_default=True,
    )

    # -- Kafka connection ---------------------------------------------------
    broker: str = Field(
        "kafka://127.0.0.1:9092", min_length=1,
        description="Kafka bootstrap URL(s), `;`-separated: `kafka://host:port;kafka://host2:port`",
    )
    security_protocol: SecurityProtocol = Field(
        "PLAINTEXT", description="Kafka security protocol (case-insensitive); see TLS and SASL below",
    )
    ssl_cafile: str | None = Field(None, description="CA bundle the broker certificate is verified against (TLS ≥ 1.2)")
    ssl_certfile: str | None = Field(None, description="client certificate for mutual TLS (needs `TILSYN_SSL_KEYFILE`)")
    ssl_keyfile: str | None = Field(None, description="key of the client certificate (needs `TILSYN_SSL_CERTFILE`)")
    sasl_mechanism: SaslMechanism | None = Field(None, description="SASL mechanism; `PLAIN` when a SASL protocol is set without one")
    sasl_username: str | None = Field(None, description="SASL user; required for `SASL_*`")
    sasl_password: SecretStr | None = Field(None, description="SASL password; required for `SASL_*` (secret: never logged)")

    # -- topics and group ---------------------------------------------------
    topic_prefix: str = Field("", description="prefix for every topic name (several deployments on one cluster)")
    partitions: int = Field(
        8, ge=1, le=10_000,
        description="partitions of every resident-keyed topic and the state changelog; bounds the worker count",
    )
    replication: int = Field(
        1, ge=1, le=10,
        description="replication factor of the topics tilsyn and Faust create (inputs, alerts, dead letters, "
        "state changelog); 3 in the production compose stack, 1 for a single broker",
    )
    min_insync_replicas: int | None = Field(
        None, ge=1, le=10,
        description="`min.insync.replicas` of the topics tilsyn creates (unset: the broker's default); "
        "2 with replication 3 in the production compose stack, where the brokers' default covers Faust's topics",
    )
    app_id: str = Field(
        "tilsyn", pattern=r"^[A-Za-z0-9._-]+$",
        description="consumer group and changelog name; workers with the same id share the partitions",
    )
    data_dir: Path = Field(Path("tilsyn-data"), description="local directory for Faust's table data")

    # -- HTTP ---------------------------------------------------------------
    http_host: str = Field("127.0.0.1", min_length=1, description="address of `/metrics`, `/healthz`, `/readyz` (`0.0.0.0` in containers)")
    http_port: int = Field(8080, ge=1, le=65535, description="port of `/metrics`, `/healthz`, `/readyz`")

    # -- processing ---------------------------------------------------------
    clock: Literal["wall", "event"] = Field(
        "wall",
        description="`wall`: absence patterns follow the wall clock when a partition is idle (production); "
        "`event`: time is only what events say (demo with simulated time, replay-like tests)",
    )
    max_future_skew_s: float = Field(
        600.0, ge=0, description="events stamped further ahead of the wall clock are rejected (device clock wrong)",
    )
    max_record_bytes: int = Field(
        64 * 1024, ge=1024, le=16 * 1024 * 1024,
        description="larger records are rejected: no sensor event or measurement needs more",
    )
    batch_max: int = Field(1000, ge=1, le=100_000, description="most records the resident agent handles in one batch")
    batch_within_s: float = Field(0.05, gt=0, le=10, description="longest wait for a batch to fill")
    fetch_max_wait_ms: int = Field(
        FETCH_MAX_WAIT_MS, ge=1, le=10_000,
        description="longest time the broker may hold a fetch that finds no new record: on a broker that holds "
        "it for the whole wait (the embedded one) the floor of alarm latency on a caught-up worker; Faust's own "
        "value is 1500 (streams/faustfix.py)",
    )
    alarm_lookahead: bool = Field(
        True,
        description="read this worker's alarm partitions with a plain consumer too, so a press or fall is handled "
        "as soon as the broker has it instead of behind bulk records in Faust's fetch loop (streams/lookahead.py); "
        "off: alarms take Faust's path only",
    )
    tick_interval_s: float = Field(1.0, gt=0, le=60, description="how often absence patterns and escalations are checked")
    state_flush_s: float = Field(
        0.5, gt=0, le=60,
        description="how often changed resident states are written to the changelog (input is committed after it)",
    )
    stall_after_s: float = Field(
        120.0, gt=0,
        description="input waiting this long while the group's committed offsets do not move turns `/healthz` and "
        "`/readyz` to 503 (not counted while tables recover)",
    )
    standby_replicas: int = Field(
        1, ge=0, le=3,
        description="warm copies of each partition's resident state kept by other workers, so a survivor takes over "
        "a dead worker's residents without reading the whole changelog",
    )
    session_timeout_s: float = Field(
        10.0, ge=6, le=300,
        description="the broker declares a worker dead after this long without heartbeats; the floor of failover "
        "time (heartbeats every tenth of it)",
    )
    topic_check_s: float = Field(
        5.0, gt=0, le=300,
        description="how often topic existence, partition counts, changelog continuity and committed offsets are "
        "checked against the broker",
    )
    idle_grace_s: float = Field(
        120.0, ge=0, description="wall clock: how long a partition may be silent before its time follows the wall clock",
    )
    fast_rebalance: bool = Field(False, description="short session and rebalance timeouts (tests and demo on one machine)")
    fhir_output: bool = Field(False, description="also publish every alert as a VKP FHIR message on `alerts.fhir`")
    team_directory: FilePath | None = Field(
        None,
        description="team directory YAML replacing the shipped `agents/alerting/teams.yaml` (HER-ids, organisation "
        "and municipality numbers of the recipient teams, for FHIR messages); must exist",
    )
    routing_file: FilePath | None = Field(
        None,
        description="routing rules YAML replacing the shipped `agents/alerting/routing.yaml` (a site's own recipients "
        "and escalation times); must exist",
    )
    log_level: LogLevel = Field("info", description="worker log level (case-insensitive)")

    # -- normalisation and cross-field rules --------------------------------
    @field_validator("security_protocol", mode="before")
    @classmethod
    def _upper(cls, v: Any) -> Any:
        return v.upper() if isinstance(v, str) else v

    @field_validator("log_level", mode="before")
    @classmethod
    def _lower(cls, v: Any) -> Any:
        return v.lower() if isinstance(v, str) else v

    @model_validator(mode="after")
    def _replicas_fit(self) -> Settings:
        if self.min_insync_replicas is not None and self.min_insync_replicas > self.replication:
            raise ValueError(
                f"TILSYN_MIN_INSYNC_REPLICAS={self.min_insync_replicas} is more than TILSYN_REPLICATION="
                f"{self.replication}: no write could ever be acknowledged"
            )
        return self

    @model_validator(mode="after")
    def _security_is_consistent(self) -> Settings:
        protocol = self.security_protocol
        if protocol.startswith("SASL") and not (self.sasl_username and self.sasl_password
                                                and self.sasl_password.get_secret_value()):
            raise ValueError("SASL needs TILSYN_SASL_USERNAME and TILSYN_SASL_PASSWORD")
        if self.ssl_certfile and not self.ssl_keyfile:
            raise ValueError("TILSYN_SSL_CERTFILE needs TILSYN_SSL_KEYFILE")
        if self.ssl_keyfile and not self.ssl_certfile:
            raise ValueError("TILSYN_SSL_KEYFILE needs TILSYN_SSL_CERTFILE")
        # settings the protocol would silently ignore: refuse rather than talk in the clear
        ssl_set = [n for n in ("ssl_cafile", "ssl_certfile", "ssl_keyfile") if getattr(self, n)]
        if ssl_set and protocol not in ("SSL", "SASL_SSL"):
            raise ValueError(
                f"{', '.join(env_name(n) for n in ssl_set)} set but TILSYN_SECURITY_PROTOCOL={protocol} does not "
                "use TLS (use SSL or SASL_SSL)"
            )
        sasl_set = [n for n in ("sasl_mechanism", "sasl_username", "sasl_password") if getattr(self, n)]
        if sasl_set and not protocol.startswith("SASL"):
            raise ValueError(
                f"{', '.join(env_name(n) for n in sasl_set)} set but TILSYN_SECURITY_PROTOCOL={protocol} does not "
                "use SASL (use SASL_SSL or SASL_PLAINTEXT)"
            )
        return self

    # -- derived views ------------------------------------------------------
    @property
    def security(self) -> KafkaSecurity:
        """The TLS/SASL part, as the Kafka clients take it."""
        return KafkaSecurity(
            protocol=self.security_protocol, cafile=self.ssl_cafile, certfile=self.ssl_certfile,
            keyfile=self.ssl_keyfile, sasl_mechanism=self.sasl_mechanism, sasl_username=self.sasl_username,
            sasl_password=self.sasl_password,
        )

    @property
    def bootstrap(self) -> str:
        """host:port list without the kafka:// scheme (for plain aiokafka clients)."""
        return ",".join(part.split("://", 1)[-1] for part in self.broker.split(";"))

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Keyword arguments, then the environment (or the mapping given to :meth:`from_env`).

        No ``.env`` file and no secrets directory: compose and Kubernetes pass variables.
        """
        given = _GIVEN_ENV.get()
        return (init_settings, env_settings if given is None else _MappingSource(settings_cls, given))

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read ``TILSYN_*`` from ``env`` (default: the process environment); non-None overrides win.

        Raises :class:`SettingsError` with one line naming each bad variable and the rule it breaks.
        """
        values = {k: v for k, v in overrides.items() if v is not None}
        try:
            with _reading(env):
                return cls(**values)
        except ValidationError as exc:
            raise SettingsError(describe(exc)) from None


@contextmanager
def _reading(env: Mapping[str, str] | None) -> Iterator[None]:
    token = _GIVEN_ENV.set(env)
    try:
        yield
    finally:
        _GIVEN_ENV.reset(token)


def env_name(field_name: str) -> str:
    """The environment variable of a settings field."""
    return ENV_PREFIX + field_name.upper()


_SECRET = frozenset(n for n, f in Settings.model_fields.items() if SecretStr in get_args(f.annotation))


def describe(exc: ValidationError) -> str:
    """One line for all problems of a validation error: ``TILSYN_X='value': rule``; secrets hidden."""
    parts = []
    for err in exc.errors(include_url=False):
        msg = str(err["msg"]).removeprefix("Value error, ")
        loc = err.get("loc") or ()
        if not loc:  # a cross-field rule: its message names the variables
            parts.append(msg)
            continue
        name = str(loc[0])
        shown = "<hidden>" if name in _SECRET else repr(err.get("input"))
        parts.append(f"{env_name(name)}={shown}: {msg}")
    return "invalid settings: " + "; ".join(parts)


def _default_text(name: str, info: FieldInfo) -> str:
    default = info.get_default(call_default_factory=True)
    if default is None or default == "":
        return "unset"
    if isinstance(default, bool):
        return "1" if default else "0"
    if isinstance(default, float) and default.is_integer():
        return f"`{default:.1f}`"
    return f"`{default}`"


def _range_text(info: FieldInfo) -> str:
    """Allowed values of a field, from its type and constraints."""
    ann = info.annotation
    base = ann if get_origin(ann) in (Literal, Annotated, None) else next(a for a in get_args(ann) if a is not type(None))
    if get_origin(base) is Literal:
        return " \\| ".join(f"`{v}`" for v in get_args(base))
    if get_origin(base) is Annotated:  # FilePath
        return "path of an existing file"
    kinds: dict[Any, str] = {int: "integer", float: "number", bool: "`0` \\| `1`", str: "text", Path: "path",
                             SecretStr: "text (secret)"}
    kind = kinds[base]
    bounds = {attr: getattr(m, attr) for m in info.metadata for attr in ("ge", "gt", "le", "lt")
              if getattr(m, attr, None) is not None}
    num = lambda v: f"{v:,}".replace(",", " ")  # noqa: E731
    lower = f"≥ {num(bounds['ge'])}" if "ge" in bounds else f"> {num(bounds['gt'])}" if "gt" in bounds else ""
    upper = f"≤ {num(bounds['le'])}" if "le" in bounds else f"< {num(bounds['lt'])}" if "lt" in bounds else ""
    return ", ".join(x for x in (kind, lower, upper) if x)


def markdown_table() -> str:
    """The settings table of docs/OPERATIONS.md, generated from the model."""
    rows = ["| variable | default | allowed | meaning |", "|---|---|---|---|"]
    for name, info in Settings.model_fields.items():
        rows.append(f"| `{env_name(name)}` | {_default_text(name, info)} | {_range_text(info)} | {info.description} |")
    return "\n".join(rows)
