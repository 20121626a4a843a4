"""schemas/asyncapi.yaml: valid AsyncAPI 3.0 (official JSON Schema), complete, and generated from the code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from streams import asyncapi
from streams.topics import SPECS

ROOT = Path(__file__).resolve().parent.parent.parent
SPEC_DIR = ROOT / ".venv" / "share" / "asyncapi-specs" / "6.11.1" / "schemas"
DOC = yaml.safe_load(asyncapi.ASYNCAPI_FILE.read_text(encoding="utf-8"))


def _validator() -> jsonschema.Draft7Validator:
    """The official AsyncAPI 3.0.0 schema (draft-07); its sub-schemas sit under "definitions" by $id."""
    path = SPEC_DIR / "3.0.0.json"
    if not path.exists():
        pytest.fail(f"{path} is missing: `make install` unpacks @asyncapi/specs from npm (ops/install-tools.sh)")
    schema = json.loads(path.read_text())
    registry: Registry = Registry().with_resources(
        (uri, Resource.from_contents(body, default_specification=DRAFT7))
        for uri, body in schema.get("definitions", {}).items()
    )
    return jsonschema.Draft7Validator(schema, registry=registry)


def test_document_is_valid_asyncapi_3() -> None:
    errors = sorted(_validator().iter_errors(DOC), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:10])


def test_the_validator_rejects_a_broken_document() -> None:
    """The check can fail: an operation with an unknown action is not AsyncAPI."""
    broken = json.loads(json.dumps(DOC))
    next(iter(broken["operations"].values()))["action"] = "publish"
    assert list(_validator().iter_errors(broken))


def _resolve(ref: str) -> Any:
    node: Any = DOC
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def test_every_reference_resolves() -> None:
    refs: list[str] = []

    def walk(n: Any) -> None:
        if isinstance(n, dict):
            if isinstance(n.get("$ref"), str):
                refs.append(n["$ref"])
            for v in n.values():
                walk(v)
        elif isinstance(n, list):
            for v in n:
                walk(v)

    walk(DOC)
    assert len(refs) > 50
    for ref in refs:
        assert ref.startswith("#/"), ref
        _resolve(ref)


def test_every_topic_has_its_channel_key_message_and_parties() -> None:
    by_address = {c["address"]: c for c in DOC["channels"].values()}
    for spec in SPECS:
        ch = by_address[spec.name]
        assert ch["x-key"] == spec.key
        assert ch["x-restricted"] == spec.restricted
        assert ch["messages"], spec.name
        assert ch["x-producers"] and ch["x-consumers"]
        policy = ch["bindings"]["kafka"]["topicConfiguration"]["cleanup.policy"]
        assert policy == ["compact" if spec.compacted else "delete"]
    # tilsyn's own processes: the worker never touches a restricted topic
    for op in DOC["operations"].values():
        channel = _resolve(op["channel"]["$ref"])
        if op["tags"][0]["name"] == "worker":
            assert not channel["x-restricted"], channel["address"]


def test_message_payloads_are_the_pydantic_contracts() -> None:
    from schemas.alerts import Alert

    alert_schema = _resolve(DOC["components"]["messages"]["alert"]["payload"]["$ref"])
    assert set(alert_schema["required"]) >= {"alert_id", "resident_id", "type", "severity", "recipient"}
    assert set(alert_schema["properties"]) == set(Alert.model_fields)


def test_document_is_up_to_date_with_the_code() -> None:
    assert not asyncapi.stale(), "schemas/asyncapi.yaml is stale: run `tilsyn schemas --write`"
