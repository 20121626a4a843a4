"""The settings model: environment names, one-line errors, secrets, routing file, and the documented table."""

from __future__ import annotations

import re
import subprocess  # nosec B404
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

from agents.alerting.rules import ROUTING_FILE
from schemas.alerts import AlertType, RecipientKind, Severity
from streams.settings import Settings, SettingsError, env_name, markdown_table

ROOT = Path(__file__).resolve().parents[2]
OPERATIONS = ROOT / "docs" / "OPERATIONS.md"


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`tilsyn ...` in a clean environment (only PATH and the given TILSYN_* variables)."""
    return subprocess.run(  # nosec B603
        [sys.executable, "-m", "streams.cli", *args], capture_output=True, text=True, timeout=120,
        cwd=ROOT, check=False, env={"PATH": "/usr/bin:/bin", **env},
    )


def test_every_field_is_a_tilsyn_variable_with_the_documented_default() -> None:
    s = Settings.from_env({})
    assert (s.partitions, s.replication, s.min_insync_replicas, s.clock) == (8, 1, None, "wall")
    env = {
        "TILSYN_PARTITIONS": "16", "tilsyn_replication": "3", "TILSYN_MIN_INSYNC_REPLICAS": "2",
        "TILSYN_FAST_REBALANCE": "true", "TILSYN_LOG_LEVEL": "DEBUG", "TILSYN_DATA_DIR": "/data",
        "TILSYN_TOPIC_PREFIX": "", "TILSYN_UNRELATED": "ignored",
    }
    s = Settings.from_env(env)
    assert (s.partitions, s.replication, s.min_insync_replicas) == (16, 3, 2)
    assert s.fast_rebalance is True and s.log_level == "debug" and s.data_dir == Path("/data")
    assert s.topic_prefix == "", "an empty variable counts as unset"
    assert env_name("stall_after_s") == "TILSYN_STALL_AFTER_S"


def test_from_env_with_a_mapping_ignores_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TILSYN_PARTITIONS", "3")
    assert Settings.from_env({}).partitions == 8
    assert Settings.from_env().partitions == 3
    assert Settings().partitions == 3, "the model itself reads the environment"
    assert Settings.from_env(partitions=5).partitions == 5, "keyword overrides (CLI options) win"
    assert Settings.from_env(partitions=None).partitions == 3, "an option not given does not override"


@pytest.mark.parametrize(
    ("env", "variable", "rule"),
    [
        ({"TILSYN_PARTITIONS": "abc"}, "TILSYN_PARTITIONS='abc'", "valid integer"),
        ({"TILSYN_PARTITIONS": "0"}, "TILSYN_PARTITIONS='0'", "greater than or equal to 1"),
        ({"TILSYN_HTTP_PORT": "70000"}, "TILSYN_HTTP_PORT='70000'", "less than or equal to 65535"),
        ({"TILSYN_CLOCK": "utc"}, "TILSYN_CLOCK='utc'", "'wall' or 'event'"),
        ({"TILSYN_FHIR_OUTPUT": "maybe"}, "TILSYN_FHIR_OUTPUT='maybe'", "valid boolean"),
        ({"TILSYN_STATE_FLUSH_S": "-1"}, "TILSYN_STATE_FLUSH_S='-1'", "greater than 0"),
        ({"TILSYN_APP_ID": "my app"}, "TILSYN_APP_ID='my app'", "should match pattern"),
        ({"TILSYN_ROUTING_FILE": "/nonexistent/routing.yaml"}, "TILSYN_ROUTING_FILE", "does not point to a file"),
        ({"TILSYN_REPLICATION": "1", "TILSYN_MIN_INSYNC_REPLICAS": "2"}, "TILSYN_MIN_INSYNC_REPLICAS=2",
         "more than TILSYN_REPLICATION=1"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_variable_and_the_rule(env: dict[str, str], variable: str, rule: str) -> None:
    with pytest.raises(SettingsError) as info:
        Settings.from_env(env)
    message = str(info.value)
    assert "\n" not in message
    assert variable in message and rule in message


def test_every_bad_value_is_reported_at_once() -> None:
    with pytest.raises(SettingsError) as info:
        Settings.from_env({"TILSYN_PARTITIONS": "x", "TILSYN_CLOCK": "y"})
    assert "TILSYN_PARTITIONS='x'" in str(info.value) and "TILSYN_CLOCK='y'" in str(info.value)


def test_the_password_is_a_secret_everywhere() -> None:
    env = {"TILSYN_SECURITY_PROTOCOL": "SASL_SSL", "TILSYN_SASL_USERNAME": "tilsyn", "TILSYN_SASL_PASSWORD": "pw-8c1f"}
    s = Settings.from_env(env)
    assert isinstance(s.sasl_password, SecretStr)
    assert "pw-8c1f" not in repr(s) and "pw-8c1f" not in str(s.model_dump())
    assert s.security.aiokafka_kwargs()["sasl_plain_password"] == "pw-8c1f", "the client still gets it"
    with pytest.raises(SettingsError) as info:  # a bad value elsewhere: the password is not echoed
        Settings.from_env({**env, "TILSYN_SECURITY_PROTOCOL": "SSL"})
    assert "pw-8c1f" not in str(info.value)
    shown = _cli("settings", env=env)
    assert shown.returncode == 0, shown.stderr
    assert "TILSYN_SASL_PASSWORD=**********" in shown.stdout.splitlines()
    assert "pw-8c1f" not in shown.stdout + shown.stderr


def test_worker_with_a_bad_value_exits_with_one_line() -> None:
    res = _cli("worker", env={"TILSYN_PARTITIONS": "abc"})
    assert res.returncode != 0
    assert res.stdout == ""
    (line,) = res.stderr.strip().splitlines()
    assert line.startswith("Error: ") and "TILSYN_PARTITIONS='abc'" in line and "integer" in line
    assert "Traceback" not in res.stderr


def test_worker_with_a_broken_routing_file_exits_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "routing.yaml"
    bad.write_text("rules:\n  - name: no recipients\n    match: {}\n")
    res = _cli("worker", env={"TILSYN_ROUTING_FILE": str(bad), "TILSYN_BROKER": "kafka://127.0.0.1:1"})
    assert res.returncode != 0
    (line,) = res.stderr.strip().splitlines()
    assert line.startswith("Error: ") and str(bad) in line and "invalid" in line


def test_the_worker_routes_with_the_site_routing_file(tmp_path: Path) -> None:
    """TILSYN_ROUTING_FILE replaces the shipped rules in the worker's engine."""
    from streams.cli import _engine

    site = tmp_path / "site-routing.yaml"
    shipped = ROUTING_FILE.read_text()
    assert "to: [response-centre, next-of-kin]\n" in shipped
    # this site has no response centre contract: urgent safety alerts go to the home-care team
    site.write_text(shipped.replace("to: [response-centre, next-of-kin]\n", "to: [homecare]\n", 1))
    alarm = (AlertType.SAFETY_ALARM, Severity.HIGH, frozenset(), None)
    assert _engine(Settings.from_env({})) is None, "default: the worker builds the shipped rules"
    from agents.engine import Engine

    assert Engine().desk.rules.recipients(*alarm) == (RecipientKind.RESPONSE_CENTRE, RecipientKind.NEXT_OF_KIN)
    engine = _engine(Settings.from_env({"TILSYN_ROUTING_FILE": str(site)}))
    assert engine is not None
    assert engine.desk.rules.recipients(*alarm) == (RecipientKind.HOMECARE,)


def _documented_table() -> str:
    text = OPERATIONS.read_text()
    m = re.search(r"<!-- settings-table:[^>]*-->\n(.*?)\n<!-- end settings-table -->", text, re.S)
    assert m, "docs/OPERATIONS.md has no generated settings table"
    return m.group(1)


def test_operations_guide_documents_every_setting_as_the_model_says() -> None:
    assert _documented_table() == markdown_table(), (
        "docs/OPERATIONS.md settings table is stale: paste `tilsyn settings --table` between its markers"
    )
    documented = set(re.findall(r"^\| `(TILSYN_[A-Z0-9_]+)` \|", _documented_table(), re.M))
    assert documented == {env_name(n) for n in Settings.model_fields}
    for name, info in Settings.model_fields.items():
        assert info.description, f"{name} has no description"


def test_settings_table_command_prints_the_table() -> None:
    res = _cli("settings", "--table", env={})
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == markdown_table()
