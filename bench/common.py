"""Shared helpers: worker subprocesses, producing, metrics scraping, process memory."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess  # nosec B404
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from aiokafka import AIOKafkaProducer

from streams.admin import ensure_topics
from streams.broker import free_port
from streams.metrics import metric_sum, scrape
from streams.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PARTITIONS = 8


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def rss_kib(pid: int) -> int | None:
    """VmRSS of a process in KiB (Linux /proc)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except FileNotFoundError:
        return None
    return None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds a process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick


def settings_for(broker_url: str, prefix: str) -> Settings:
    # not from the environment: the bench runs on its own embedded broker whatever TILSYN_* says
    return Settings.from_env({}, broker=broker_url, topic_prefix=prefix, partitions=PARTITIONS)


def create_topics(broker_url: str, prefix: str) -> None:
    asyncio.run(ensure_topics(settings_for(broker_url, prefix)))


async def produce(bootstrap: str, records: Iterable[tuple[str, bytes | None, bytes | None]],
                  chunk: int = 20000) -> int:
    """Send (topic, key, value) records as fast as the producer goes; wait for every ack."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20,
                                max_batch_size=512 * 1024, max_request_size=16 * 1024 * 1024)
    await producer.start()
    n = 0
    try:
        pending = []
        for topic, key, value in records:
            pending.append(await producer.send(topic, value, key=key))
            n += 1
            if len(pending) >= chunk:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return n


@dataclass
class Worker:
    """A `tilsyn worker` subprocess (same start-up as tests/conftest.py)."""

    name: str
    env: dict[str, str]
    http_port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def create(cls, name: str, broker_url: str, prefix: str, app_id: str, **settings: str) -> Worker:
        port = free_port()
        OUT.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "TILSYN_BROKER": broker_url,
            "TILSYN_TOPIC_PREFIX": prefix,
            "TILSYN_APP_ID": app_id,
            "TILSYN_PARTITIONS": str(PARTITIONS),
            "TILSYN_FAST_REBALANCE": "1",
            "TILSYN_HTTP_PORT": str(port),
            "TILSYN_DATA_DIR": str(OUT / f"data-{app_id}"),
            "TILSYN_LOG_LEVEL": "warn",
            "PYTHONUNBUFFERED": "1",
        }
        env.update({f"TILSYN_{k.upper()}": str(v) for k, v in settings.items()})
        return cls(name, env, port, OUT / f"worker-{name}.log")

    def start(self) -> Worker:
        with self.log_path.open("ab") as fh:
            self.started_at = time.monotonic()
            self.process = subprocess.Popen(  # nosec B603
                [sys.executable, "-m", "streams.cli", "worker"],
                cwd=ROOT, env=self.env, stdout=fh, stderr=subprocess.STDOUT,
            )
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None  # nosec B101
        return self.process.pid

    def ready(self) -> bool:
        try:
            url = f"http://127.0.0.1:{self.http_port}/readyz"
            with urllib.request.urlopen(url, timeout=2) as resp:  # nosec B310
                return bool(resp.status == 200)
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            return False

    def wait_ready(self, timeout: float = 180.0, poll: float = 0.1) -> float:
        """Seconds from start() until /readyz answers 200."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"worker {self.name} exited with {self.process.returncode}:\n{self.tail()}")
            if self.ready():
                return time.monotonic() - self.started_at
            time.sleep(poll)
        raise RuntimeError(f"worker {self.name} not ready within {timeout} s:\n{self.tail()}")

    def metrics(self) -> dict[str, float]:
        return scrape(self.http_port)

    def events_in(self) -> float:
        try:
            return metric_sum(self.metrics(), "tilsyn_events_in_total")
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            return -1.0

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    def kill(self, sig: int = signal.SIGTERM) -> None:
        proc = self.process
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(sig)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
