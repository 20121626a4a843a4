"""Prometheus config, alert rules and every dashboard query against a real Prometheus and worker.

Needs promtool and prometheus on PATH (ops/install-tools.sh installs them from Debian).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess  # nosec B404
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from streams.broker import free_port
from tests.kafkaio import produce
from tests.ops.promql import DASHBOARDS, PROMETHEUS_DIR, RULES, all_queries, dashboard_queries

MISSING = "promtool/prometheus not installed: run `sh ops/install-tools.sh` (as root; Debian package prometheus)"

# panels that must show data as soon as valid and invalid records have flowed
FLOW_PANELS = ("Events in by topic and kind", "Invalid input by reason", "Dead letters by topic")


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(MISSING)
    return path


def test_promtool_checks_config_and_rules(tmp_path: Path) -> None:
    promtool = _tool("promtool")
    for f in ("prometheus.yml", "rules.yml"):
        shutil.copy(PROMETHEUS_DIR / f, tmp_path / f)
    res = subprocess.run([promtool, "check", "config", str(tmp_path / "prometheus.yml")],  # nosec B603
                         capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "1 rule files found" in res.stdout + res.stderr
    res = subprocess.run([promtool, "check", "rules", str(RULES)],  # nosec B603
                         capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stdout + res.stderr


def test_every_rule_has_severity_for_and_runbook() -> None:
    doc = yaml.safe_load(RULES.read_text())
    alerts = [r for g in doc["groups"] for r in g["rules"] if "alert" in r]
    names = {r["alert"] for r in alerts}
    for wanted in ("TilsynWorkerDown", "TilsynConsumerLagGrowing", "TilsynDeadLetterRateHigh",
                   "TilsynMunicipalitySilent", "TilsynUrgentAlertUnacknowledged", "TilsynAlertLatencyHigh"):
        assert wanted in names
    docs = (PROMETHEUS_DIR.parents[1] / "docs" / "OPERATIONS.md").read_text().lower()
    for r in alerts:
        assert "for" in r, r["alert"]
        assert r["labels"]["severity"] in ("critical", "warning", "info"), r["alert"]
        assert r["annotations"]["summary"] and r["annotations"]["description"], r["alert"]
        anchor = r["annotations"]["runbook"].split("#", 1)[1]
        assert anchor == r["alert"].lower()
        assert f"### {r['alert'].lower()}" in docs, f"no runbook section for {r['alert']} in docs/OPERATIONS.md"


@dataclass
class Prom:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def api(self, path: str, **params: str) -> dict[str, Any]:
        data = urllib.parse.urlencode(params).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/api/v1/{path}", data=data if params else None)
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:  # nosec B310
                return dict(json.loads(resp.read()))
        except urllib.error.HTTPError as exc:  # 400/422 carry the error as JSON
            return dict(json.loads(exc.read()))

    def query(self, expr: str) -> dict[str, Any]:
        return self.api("query", query=expr)

    def value(self, expr: str) -> float | None:
        res = self.query(expr)
        assert res["status"] == "success", res
        result = res["data"]["result"]
        return float(result[0]["value"][1]) if result else None

    def log_tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-20:])


def _start_prometheus(tmp_path: Path, target_port: int) -> Prom:
    binary = _tool("prometheus")
    _tool("promtool")
    conf_dir = tmp_path / "prom"
    conf_dir.mkdir()
    shutil.copy(RULES, conf_dir / "rules.yml")
    config = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text())
    config["global"].update(scrape_interval="1s", evaluation_interval="1s")
    config["scrape_configs"] = [{
        "job_name": "tilsyn", "scrape_interval": "1s", "scrape_timeout": "900ms",
        "static_configs": [{"targets": [f"127.0.0.1:{target_port}"]}],
    }]
    (conf_dir / "prometheus.yml").write_text(yaml.safe_dump(config))
    port = free_port()
    log = tmp_path / "prometheus.log"
    with log.open("wb") as fh:
        proc = subprocess.Popen([  # nosec B603
            binary, f"--config.file={conf_dir / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}", f"--web.listen-address=127.0.0.1:{port}",
            "--web.enable-lifecycle",
        ], stdout=fh, stderr=subprocess.STDOUT)
    prom = Prom(proc, port, log)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"prometheus exited:\n{prom.log_tail()}"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=1) as r:  # nosec B310
                if r.status == 200:
                    return prom
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"prometheus not ready:\n{prom.log_tail()}")


def _motion(i: int, rid: str, t: datetime) -> bytes:
    return orjson.dumps({
        "kind": "motion", "event_id": f"ops-{i}", "resident_id": rid, "time": t.isoformat(),
        "device_id": "pir-kitchen", "room": "kitchen",
    })


def _records(prefix: str, start: int, n: int) -> list[tuple[str, bytes | None, bytes | None]]:
    now = datetime.now(UTC).replace(microsecond=0)
    out: list[tuple[str, bytes | None, bytes | None]] = [
        (f"{prefix}sensor-events", f"r-{i % 5:03d}".encode(),
         _motion(i, f"r-{i % 5:03d}", now - timedelta(seconds=120 - (i - start))))
        for i in range(start, start + n)
    ]
    out.append((f"{prefix}sensor-events", b"r-001", b"{not json"))
    out.append((f"{prefix}sensor-events", b"r-001", _motion(start + 900, "01019012345", now)))
    return out


def _wait(prom: Prom, expr: str, at_least: float, timeout: float = 30.0) -> float:
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = prom.value(expr)
        if value is not None and value >= at_least:
            return value
        time.sleep(0.5)
    raise AssertionError(f"{expr} = {value}, expected >= {at_least}")


@pytest.fixture
def prometheus_with_worker(broker, prefix, worker_factory, tmp_path) -> Iterator[tuple[Prom, str]]:
    _tool("prometheus")
    _tool("promtool")
    worker = worker_factory()
    prom = _start_prometheus(tmp_path, worker.http_port)
    try:
        worker.wait_ready()
        yield prom, prefix
    finally:
        prom.process.terminate()
        try:
            prom.process.wait(15)
        except subprocess.TimeoutExpired:
            prom.process.kill()
            prom.process.wait(5)


@pytest.mark.broker
def test_every_rule_and_dashboard_query_runs_on_real_metrics(broker, prometheus_with_worker) -> None:
    prom, prefix = prometheus_with_worker
    _wait(prom, 'up{job="tilsyn"}', 1)
    asyncio.run(produce(broker.bootstrap, _records(prefix, 0, 20)))
    first = _wait(prom, "sum(tilsyn_events_in_total)", 20)
    _wait(prom, "sum(tilsyn_dead_letter_total)", 2)
    _wait(prom, 'sum(tilsyn_invalid_records_total{reason="national_id"})', 1)
    time.sleep(2)  # a few more scrapes, so rate() over the flow series has two samples

    failures = []
    queries = all_queries()
    for q in queries:
        res = prom.query(q.promql)
        if res.get("status") != "success":
            failures.append(f"{q.source}: {res.get('error')} in {q.promql!r}")
    assert not failures, "\n".join(failures)

    overview = next(p for p in DASHBOARDS if p.name == "overview.json")
    flow = [q for q in dashboard_queries(overview) if q.title in FLOW_PANELS]
    assert {q.title for q in flow} == set(FLOW_PANELS)
    for q in flow:
        res = prom.query(q.promql)
        assert res["data"]["result"], f"{q.source}: no data for {q.promql!r}"

    # Prometheus loaded the same rules and evaluates them without errors
    rules = prom.api("rules")
    loaded = [r for g in rules["data"]["groups"] for r in g["rules"]]
    assert len(loaded) == sum(1 for q in queries if q.source.startswith("rules.yml"))
    deadline = time.monotonic() + 10
    while any(r.get("health") == "unknown" for r in loaded) and time.monotonic() < deadline:
        time.sleep(0.5)
        loaded = [r for g in prom.api("rules")["data"]["groups"] for r in g["rules"]]
    assert all(r.get("health") == "ok" for r in loaded), [(r["name"], r.get("lastError")) for r in loaded]

    # the numbers move: a second batch raises the counters Prometheus sees
    asyncio.run(produce(broker.bootstrap, _records(prefix, 100, 15)))
    second = _wait(prom, "sum(tilsyn_events_in_total)", first + 15)
    assert second > first
    _wait(prom, "sum(tilsyn_dead_letter_total)", 4)
    assert prom.value('sum(tilsyn_residents_tracked{job="tilsyn"})') == 5
