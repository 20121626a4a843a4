"""Session fixtures: one real embedded broker (Tansu) and real worker processes.

Integration tests never mock Kafka. Each test gets its own topic prefix and
consumer group so tests sharing the broker cannot see each other's records.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from streams.broker import EmbeddedBroker, free_port

ROOT = Path(__file__).resolve().parent.parent
TEST_PARTITIONS = 4


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """With ``-n 2`` (make test) the fault scenarios run one after another on one xdist worker.

    They measure latency and recovery against bounds; two of them at once on a 2-core machine
    would measure each other. Everything else is spread over both workers (``--dist loadgroup``),
    each with its own embedded broker.
    """
    faults = ROOT / "tests" / "faults"
    for item in items:
        if item.get_closest_marker("broker") and faults in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.xdist_group("faults"))


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBroker]:
    """A Tansu broker on a free loopback port for the whole session."""
    log = tmp_path_factory.mktemp("broker") / "tansu.log"
    b = EmbeddedBroker(port=free_port(), log_path=log)
    b.start()
    yield b
    b.stop()


@pytest.fixture
def prefix() -> str:
    """A topic prefix unique to this test."""
    return f"t{uuid.uuid4().hex[:8]}."


@dataclass
class WorkerHandle:
    """A `tilsyn worker` subprocess."""

    process: subprocess.Popen[bytes]
    http_port: int
    log_path: Path
    env: dict[str, str] = field(repr=False)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.http_port}{path}"

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(self.url("/readyz"), timeout=2) as resp:  # nosec B310
                return bool(resp.status == 200)
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            return False

    def owned_partitions(self) -> set[int]:
        """The input partitions a ready worker owns (/readyz); empty while it is not ready."""
        try:
            with urllib.request.urlopen(self.url("/readyz"), timeout=2) as resp:  # nosec B310
                body = json.loads(resp.read())
        except OSError as exc:  # 503 while rebalancing comes as HTTPError (an OSError)
            body = json.loads(exc.read()) if hasattr(exc, "read") else {}
        return set(body.get("partitions", ())) if body.get("ready") else set()

    def healthy(self) -> bool:
        """False only when the worker answers /healthz with an error (e.g. 503 stalled)."""
        try:
            with urllib.request.urlopen(self.url("/healthz"), timeout=2) as resp:  # nosec B310
                return bool(resp.status == 200)
        except urllib.error.HTTPError:
            return False
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            return True  # not answering at all is for the process checks, not the watchdog

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"worker exited with {self.process.returncode}:\n{self.log_tail()}")
            if self.ready():
                return
            time.sleep(0.3)
        raise AssertionError(f"worker not ready within {timeout} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def stop(self) -> None:
        self.kill(signal.SIGTERM)


@pytest.fixture
def worker_factory(
    broker: EmbeddedBroker, prefix: str, tmp_path: Path
) -> Iterator[Callable[..., WorkerHandle]]:
    """Start `tilsyn worker` processes against the session broker; all stopped after the test.

    Keyword arguments become TILSYN_* environment variables (upper-cased names).
    """
    started: list[WorkerHandle] = []
    app_id = f"tilsyn-{prefix.rstrip('.')}"

    def start(*command: str, **settings: str) -> WorkerHandle:
        """``command``: the tilsyn subcommand (default ``worker``; ``indicators``, ``worker`` for the other)."""
        port = free_port()
        n = len(started)
        env = {
            **os.environ,
            "TILSYN_BROKER": broker.url,
            "TILSYN_TOPIC_PREFIX": prefix,
            "TILSYN_APP_ID": app_id,
            "TILSYN_PARTITIONS": str(TEST_PARTITIONS),
            "TILSYN_FAST_REBALANCE": "1",
            "TILSYN_HTTP_PORT": str(port),
            "TILSYN_DATA_DIR": str(tmp_path / f"worker-{n}"),
            "TILSYN_TICK_INTERVAL_S": "0.5",
            "PYTHONUNBUFFERED": "1",
        }
        env.update({f"TILSYN_{k.upper()}": str(v) for k, v in settings.items()})
        log_path = tmp_path / f"worker-{n}-{len(started)}.log"
        with log_path.open("ab") as log:
            proc = subprocess.Popen(  # nosec B603
                [sys.executable, "-m", "streams.cli", *(command or ("worker",))],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )
        handle = WorkerHandle(proc, port, log_path, env)
        started.append(handle)
        return handle

    yield start
    for handle in started:
        handle.stop()
