"""Kafka over (mutual) TLS through a TLS-terminating proxy, with tilsyn's own security settings.

The embedded broker (Tansu) cannot do TLS itself (see DESIGN.md), so a separate
broker is started whose *advertised* listener is an stunnel4 proxy: clients
bootstrap through the proxy and are told to reconnect through it, so every byte
after the first connection is TLS too. stunnel requires a client certificate
signed by the test CA (``verifyChain`` + ``requireCert``).
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import socket
import ssl
import subprocess  # nosec B404
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaConnectionError

from schemas.alerts import Alert
from streams.broker import EmbeddedBroker, free_port
from streams.settings import Settings

pytestmark = pytest.mark.broker

STUNNEL = shutil.which("stunnel4") or shutil.which("stunnel")


# -- throwaway PKI --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Pki:
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)  # nosec B603 B607


def make_pki(d: Path) -> Pki:
    """CA, server certificate (SAN 127.0.0.1, localhost) and client certificate, all valid for a day."""
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=tilsyn-test-ca",
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
             "-keyout", "ca.key", "-out", "ca.pem", cwd=d)
    for name, cn, ext in (
        ("server", "localhost", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"),
        ("client", "tilsyn-worker", "extendedKeyUsage=clientAuth\n"),
    ):
        (d / f"{name}.ext").write_text(ext)
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={cn}",
                 "-keyout", f"{name}.key", "-out", f"{name}.csr", cwd=d)
        _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                 "-days", "1", "-extfile", f"{name}.ext", "-out", f"{name}.pem", cwd=d)
    for key in d.glob("*.key"):
        key.chmod(0o600)
    return Pki(d / "ca.pem", d / "server.pem", d / "server.key", d / "client.pem", d / "client.key")


# -- broker behind stunnel -----------------------------------------------------------------------
@dataclass
class TlsBroker:
    broker: EmbeddedBroker
    proxy_port: int
    pki: Pki
    stunnel_log: Path

    @property
    def url(self) -> str:
        return f"kafka://127.0.0.1:{self.proxy_port}"

    def env(self, **extra: str) -> dict[str, str]:
        """TILSYN_* variables of a client with the CA and the client certificate (mutual TLS)."""
        return {
            "TILSYN_BROKER": self.url,
            "TILSYN_SECURITY_PROTOCOL": "SSL",
            "TILSYN_SSL_CAFILE": str(self.pki.ca),
            "TILSYN_SSL_CERTFILE": str(self.pki.client_cert),
            "TILSYN_SSL_KEYFILE": str(self.pki.client_key),
            **extra,
        }


def _wait_listening(port: int, proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"stunnel exited with {proc.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"stunnel not listening on {port} within {timeout} s")


@pytest.fixture(scope="module")
def tls_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsBroker]:
    if STUNNEL is None:
        pytest.skip("stunnel4 is not installed (run `sh ops/install-tools.sh`, or `make install`)")
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed (run `sh ops/install-tools.sh`, or `make install`)")
    d = tmp_path_factory.mktemp("tls")
    pki = make_pki(d)
    broker_port, proxy_port = free_port(), free_port()
    conf = d / "stunnel.conf"
    conf.write_text(
        "foreground = yes\n"
        "pid =\n"
        "debug = notice\n"
        "[kafka]\n"
        f"accept = 127.0.0.1:{proxy_port}\n"
        f"connect = 127.0.0.1:{broker_port}\n"
        f"cert = {pki.server_cert}\n"
        f"key = {pki.server_key}\n"
        f"CAfile = {pki.ca}\n"
        "verifyChain = yes\n"
        "requireCert = yes\n"
        "sslVersionMin = TLSv1.2\n"
    )
    log = d / "stunnel.log"
    with log.open("ab") as out:
        proxy = subprocess.Popen([STUNNEL, str(conf)], stdout=out, stderr=subprocess.STDOUT)  # nosec B603
    broker = EmbeddedBroker(port=broker_port, advertised_port=proxy_port, log_path=d / "tansu.log")
    try:
        _wait_listening(proxy_port, proxy)
        broker.start()
        yield TlsBroker(broker, proxy_port, pki, log)
    finally:
        broker.stop()
        proxy.terminate()
        try:
            proxy.wait(10)
        except subprocess.TimeoutExpired:
            proxy.kill()
            proxy.wait(10)


# -- clients built from tilsyn's settings ----------------------------------------------------------
async def _produce(settings: Settings, records: list[tuple[str, bytes, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap, acks="all",
                                **settings.security.aiokafka_kwargs())
    await producer.start()
    try:
        await asyncio.gather(*[await producer.send(t, v, key=k) for t, k, v in records])
    finally:
        await producer.stop()


async def _read(settings: Settings, topic: str, expect: int, timeout: float = 30.0) -> tuple[list[Any], set[Any]]:
    """Read ``topic`` from the beginning until ``expect`` records; also return the brokers metadata named."""
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.bootstrap, enable_auto_commit=False,
                                auto_offset_reset="earliest", **settings.security.aiokafka_kwargs())
    await consumer.start()
    out: list[Any] = []
    try:
        deadline = time.monotonic() + timeout
        parts = None
        while not parts and time.monotonic() < deadline:
            await consumer._client.force_metadata_update()
            parts = consumer.partitions_for_topic(topic)
            if not parts:
                await asyncio.sleep(0.2)
        assert parts, f"topic {topic} not found"
        consumer.assign([TopicPartition(topic, p) for p in sorted(parts)])
        await consumer.seek_to_beginning()
        while len(out) < expect and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            out.extend(m for msgs in batch.values() for m in msgs)
        brokers = {(b.host, b.port) for b in consumer._client.cluster.brokers()}
        return out, brokers
    finally:
        await consumer.stop()


# -- (a) the right CA and client certificate ------------------------------------------------------
def test_client_with_ca_and_client_cert_produces_and_consumes(tls_broker: TlsBroker) -> None:
    settings = Settings.from_env(tls_broker.env())
    assert settings.security.protocol == "SSL"
    assert settings.bootstrap == f"127.0.0.1:{tls_broker.proxy_port}"
    topic = "tls-roundtrip"
    values = [f"hello-{i}".encode() for i in range(5)]
    asyncio.run(_produce(settings, [(topic, b"k", v) for v in values]))
    got, brokers = asyncio.run(_read(settings, topic, expect=len(values)))
    assert [m.value for m in got] == values
    # the broker sends clients back to the proxy, never to its plaintext port
    assert brokers == {("127.0.0.1", tls_broker.proxy_port)}
    assert "Certificate accepted at depth=0: CN=tilsyn-worker" in tls_broker.stunnel_log.read_text()


def test_worker_runs_over_mutual_tls(tls_broker: TlsBroker, worker_factory: Any, prefix: str) -> None:
    env = tls_broker.env()
    worker = worker_factory(**{k.removeprefix("TILSYN_").lower(): v for k, v in env.items()})
    worker.wait_ready(timeout=60)
    settings = Settings.from_env(env)
    rid = "r-tls-0001"
    now = datetime.now(UTC).replace(microsecond=0)
    asyncio.run(_produce(settings, [
        (f"{prefix}care-context", rid.encode(), orjson.dumps({
            "resident_id": rid, "municipality": "3301", "home_care_team": "hc-tls",
            "response_centre": "rs-tls", "updated_at": (now - timedelta(minutes=5)).isoformat()})),
        (f"{prefix}sensor-events", rid.encode(), b"{not json"),
        (f"{prefix}sensor-events", rid.encode(), orjson.dumps({
            "kind": "alarm_button", "event_id": "tls-ev-1", "resident_id": rid,
            "time": (now - timedelta(seconds=30)).isoformat(), "device_id": "pendant-1"})),
    ]))
    dead, _ = asyncio.run(_read(settings, f"{prefix}dead-letter", expect=1, timeout=45))
    assert [m.value for m in dead] == [b"{not json"], worker.log_tail()
    alerts, _ = asyncio.run(_read(settings, f"{prefix}alerts.response-centre", expect=1, timeout=30))
    parsed = [Alert.model_validate_json(m.value) for m in alerts]
    assert [(a.resident_id, a.type.value, a.recipient.team_id) for a in parsed] == [
        (rid, "safety_alarm", "rs-tls")
    ], worker.log_tail()
    assert worker.process.poll() is None


# -- (b) no CA: default trust store refuses the test CA ----------------------------------------------
def test_client_without_ca_is_refused(tls_broker: TlsBroker, caplog: pytest.LogCaptureFixture) -> None:
    env = tls_broker.env()
    del env["TILSYN_SSL_CAFILE"]  # default trust (system CAs)
    settings = Settings.from_env(env)
    ctx = settings.security.ssl_context()
    assert ctx is not None
    with socket.create_connection(("127.0.0.1", tls_broker.proxy_port), timeout=5) as raw, \
            pytest.raises(ssl.SSLCertVerificationError, match="certificate verify failed"):
        ctx.wrap_socket(raw, server_hostname="127.0.0.1")

    async def connect() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap, request_timeout_ms=5000,
                                    **settings.security.aiokafka_kwargs())
        try:
            await producer.start()
        finally:
            await producer.stop()

    with caplog.at_level(logging.ERROR, logger="aiokafka"), pytest.raises(KafkaConnectionError):
        asyncio.run(connect())
    assert "CERTIFICATE_VERIFY_FAILED" in caplog.text


# -- (c) CA but no client certificate: the proxy ends the handshake ------------------------------------
def test_client_without_certificate_is_refused(tls_broker: TlsBroker) -> None:
    env = tls_broker.env()
    del env["TILSYN_SSL_CERTFILE"], env["TILSYN_SSL_KEYFILE"]
    settings = Settings.from_env(env)
    ctx = settings.security.ssl_context()
    assert ctx is not None
    # with TLS 1.3 the server checks the client certificate after the client thinks the handshake is
    # done, so the refusal shows up on the first read
    with socket.create_connection(("127.0.0.1", tls_broker.proxy_port), timeout=5) as raw, \
            pytest.raises((ssl.SSLError, ConnectionError)), \
            ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
        tls.sendall(b"\x00\x00\x00\x00")
        if not tls.recv(1):
            raise ConnectionResetError("closed without a reply")

    async def connect() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap, request_timeout_ms=5000,
                                    **settings.security.aiokafka_kwargs())
        try:
            await producer.start()
        finally:
            await producer.stop()

    with pytest.raises(KafkaConnectionError):
        asyncio.run(connect())
    assert "peer did not return a certificate" in tls_broker.stunnel_log.read_text()


def test_plaintext_client_gets_nothing_from_the_proxy(tls_broker: TlsBroker) -> None:
    """A client that forgot TILSYN_SECURITY_PROTOCOL cannot talk Kafka to the TLS port."""
    settings = Settings.from_env({"TILSYN_BROKER": tls_broker.url})

    async def connect() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap, request_timeout_ms=5000,
                                    **settings.security.aiokafka_kwargs())
        try:
            await producer.start()
        finally:
            await producer.stop()

    with pytest.raises(KafkaConnectionError):
        asyncio.run(connect())
