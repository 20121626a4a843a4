"""docker-compose.yml, the topic setup it runs, and the metric names ops/ refers to."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess  # nosec B404
import sys

import pytest
import yaml
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from streams import metrics
from streams.topics import SPECS
from tests.ops.promql import DASHBOARDS, OPS, ROOT, all_queries, metric_names

COMPOSE = ROOT / "docker-compose.yml"


def _compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def _compose_command() -> list[str] | None:
    """`docker compose` (v2 plugin) or `docker-compose` (v1), whichever works here."""
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run([docker, "compose", "version"], capture_output=True, check=False)  # nosec B603
        if probe.returncode == 0:
            return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def test_compose_file_is_valid() -> None:
    if shutil.which("docker") is None and shutil.which("docker-compose") is None:
        pytest.skip("no docker client: cannot run `docker compose config`")
    cmd = _compose_command()
    if cmd is None:
        pytest.skip("docker client without the compose plugin (and no docker-compose): cannot validate")
    for profile in ([], ["--profile", "sim"]):
        res = subprocess.run(  # nosec B603
            [*cmd, "-f", str(COMPOSE), *profile, "config", "-q"], capture_output=True, text=True, cwd=ROOT,
            check=False, env={**os.environ, "TILSYN_SASL_PASSWORD": "x"},
        )
        assert res.returncode == 0, res.stderr


def test_compose_wiring() -> None:
    """Workers, Prometheus targets, health checks and mounted ops/ files agree with each other."""
    doc = _compose()
    services = doc["services"]
    assert services["kafka"]["image"].startswith("apache/kafka:")
    env = services["kafka"]["environment"]
    assert "controller" in env["KAFKA_PROCESS_ROLES"], "KRaft mode (no ZooKeeper)"
    assert not any("zookeeper" in name for name in services)
    workers = sorted(n for n in services if n.startswith("worker-"))
    assert len(workers) >= 2
    ports = set()
    for name in workers:
        svc = services[name]
        assert svc["environment"]["TILSYN_HTTP_HOST"] == "0.0.0.0"  # nosec B104
        assert str(svc["environment"]["TILSYN_HTTP_PORT"]) == "8080"
        assert "/readyz" in " ".join(svc["healthcheck"]["test"])
        assert svc["depends_on"]["topics"]["condition"] == "service_completed_successfully"
        ports.update(svc["ports"])
    assert len(ports) == len(workers), "each worker maps a distinct host port"
    assert services["simulator"]["profiles"] == ["sim"]

    prom = yaml.safe_load((OPS / "prometheus" / "prometheus.yml").read_text())
    job = next(j for j in prom["scrape_configs"] if j["job_name"] == "tilsyn")
    targets = {t for sc in job["static_configs"] for t in sc["targets"]}
    assert targets == {f"{w}:8080" for w in workers}
    assert prom["rule_files"] == ["rules.yml"]
    mounts = " ".join(services["prometheus"]["volumes"] + services["grafana"]["volumes"])
    for path in ("./ops/prometheus", "./ops/grafana/provisioning", "./ops/grafana/dashboards"):
        assert path + ":" in mounts


def _topics_script() -> str:
    svc = _compose()["services"]["topics"]
    assert svc["entrypoint"] == ["python", "-c"]
    (script,) = svc["command"]
    return script


@pytest.mark.broker
def test_compose_topics_service_creates_every_documented_topic(broker, prefix) -> None:
    """Run the `topics` service's own command against the embedded broker and compare with SPECS."""
    partitions = 3
    env = {
        **os.environ, "TILSYN_BROKER": broker.url, "TILSYN_TOPIC_PREFIX": prefix,
        "TILSYN_PARTITIONS": str(partitions),
    }
    res = subprocess.run([sys.executable, "-c", _topics_script()], env=env, cwd=ROOT,  # nosec B603
                         capture_output=True, text=True, timeout=60, check=False)
    assert res.returncode == 0, res.stderr
    expected = {prefix + s.name for s in SPECS}

    async def describe() -> tuple[dict[str, int], dict[str, dict[str, str]]]:
        admin = AIOKafkaAdminClient(bootstrap_servers=broker.bootstrap)
        await admin.start()
        try:
            described = await admin.describe_topics(sorted(expected))
            counts = {d["topic"]: len(d["partitions"]) for d in described if d.get("partitions")}
            resp = await admin.describe_configs(
                [ConfigResource(ConfigResourceType.TOPIC, name) for name in sorted(expected)]
            )
            configs = {res_[3]: {c[0]: c[1] for c in res_[4]} for r in resp for res_ in r.resources}
            return counts, configs
        finally:
            await admin.close()

    counts, configs = asyncio.run(describe())
    assert set(counts) == expected
    assert set(counts.values()) == {partitions}
    for line in res.stdout.splitlines():
        assert line.startswith(f"topic {prefix}")
    assert set(configs) == expected
    for spec in SPECS:
        cfg = configs[prefix + spec.name]
        assert cfg.get("cleanup.policy") == ("compact" if spec.compacted else "delete"), spec.name
        if spec.retention_ms is not None:
            assert cfg.get("retention.ms") == str(spec.retention_ms), spec.name


def _registry_names() -> set[str]:
    names = set()
    for family in metrics.REGISTRY.collect():
        if family.type == "counter":
            names.add(family.name + "_total")
        elif family.type == "histogram":
            names.update(family.name + s for s in ("_bucket", "_sum", "_count"))
        else:
            names.add(family.name)
    return names


def test_every_metric_in_rules_and_dashboards_exists() -> None:
    known = _registry_names() | {"up"}
    queries = all_queries()
    assert len(queries) > 30
    used: set[str] = set()
    for q in queries:
        names = metric_names(q.promql)
        assert names, f"{q.source}: no metric in {q.expr!r}"
        unknown = names - known
        assert not unknown, f"{q.source}: {sorted(unknown)} not in streams/metrics.py"
        used |= names
    assert "tilsyn_events_by_municipality_total" in used
    assert "tilsyn_alert_latency_seconds_bucket" in used


def test_metric_name_parser() -> None:
    assert metric_names(
        'histogram_quantile(0.99, sum by (le, trigger) (rate(a_bucket{x="y(z)"}[5m]))) > 5 and on(le) b offset 1h'
    ) == {"a_bucket", "b"}


def test_dashboards_are_valid_grafana_json() -> None:
    prov = yaml.safe_load((OPS / "grafana" / "provisioning" / "datasources" / "prometheus.yml").read_text())
    uid = prov["datasources"][0]["uid"]
    provider = yaml.safe_load((OPS / "grafana" / "provisioning" / "dashboards" / "dashboards.yml").read_text())
    assert provider["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"
    assert {p.name for p in DASHBOARDS} == {"overview.json", "care-operations.json"}
    uids = set()
    for path in DASHBOARDS:
        d = json.loads(path.read_text())
        assert 36 <= d["schemaVersion"] <= 41
        assert d["uid"] not in uids
        uids.add(d["uid"])
        ids = [p["id"] for p in d["panels"]]
        assert len(ids) == len(set(ids)), f"{path.name}: duplicate panel ids"
        for p in d["panels"]:
            assert p["type"] in ("row", "timeseries", "stat"), p["type"]
            g = p["gridPos"]
            assert g["x"] + g["w"] <= 24
            if p["type"] == "row":
                continue
            assert p["datasource"]["uid"] == uid, f"{path.name}: {p['title']}"
            assert p["targets"], f"{path.name}: {p['title']} has no query"
            for t in p["targets"]:
                assert t["datasource"]["uid"] == uid
