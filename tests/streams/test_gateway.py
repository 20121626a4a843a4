"""The identity bridge without a broker: numbers checked, pseudonyms keyed, nothing national forwarded."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import orjson
import pytest

from agents.alerting.fhir import render_bundle
from schemas.fhir_observations import read_bundle
from streams.gateway.bridge import PSEUDONYM_SYSTEM, Reidentification, pseudonymise_bundle
from streams.gateway.identity import (
    DNR,
    FHN,
    FNR,
    KeyFileError,
    NationalIdError,
    Pseudonymiser,
    load_key,
    validate,
)

PMD = Path(__file__).resolve().parent.parent / "fixtures" / "pmd" / "pmd-batch-bundle.json"
KEY = Pseudonymiser(bytes(range(32)))
SUBJECT, PERFORMER = "15834510062", "03815210009"  # synthetic (Tenor: month + 80), valid check digits


@pytest.mark.parametrize(("system", "value", "kind"), [
    (FNR, SUBJECT, "fødselsnummer"), (DNR, "45834510085", "D-nummer"), (FHN, "90841210017", "H-nummer"),
])
def test_valid_numbers_of_each_kind(system: str, value: str, kind: str) -> None:
    assert validate(system, value, allow_synthetic=True).startswith(kind)


@pytest.mark.parametrize(("system", "value", "rule"), [
    (FNR, "15834510063", "check digits"),      # last digit changed
    (FNR, "1583451006", "11 digits"),
    (FNR, SUBJECT, "date of birth"),            # synthetic month 83 without allow_synthetic
    (DNR, SUBJECT, "date of birth"),            # day 15 is no D-number
    (FHN, "45834510085", "start with 8 or 9"),
    ("urn:oid:1.2.3", SUBJECT, "not a national identity number OID"),
])
def test_invalid_numbers_are_refused_without_repeating_them(system: str, value: str, rule: str) -> None:
    with pytest.raises(NationalIdError) as info:
        validate(system, value)
    assert rule in str(info.value)
    assert value not in str(info.value)


def test_pseudonym_is_keyed_deterministic_and_can_never_look_like_a_national_id() -> None:
    p = KEY.pseudonym(SUBJECT)
    assert p == KEY.pseudonym(SUBJECT)
    assert p != Pseudonymiser(bytes(range(1, 33))).pseudonym(SUBJECT), "another key, another pseudonym"
    assert p != KEY.pseudonym(PERFORMER)
    assert p.startswith("p-") and p[2:].isalpha() and len(p) == 30
    assert "key" not in repr(KEY).replace("key=***", "")


def test_key_file_rules(tmp_path: Path) -> None:
    good = tmp_path / "key"
    good.write_text(os.urandom(32).hex() + "\n")
    good.chmod(0o600)
    assert len(load_key(good).key) == 32
    short = tmp_path / "short"
    short.write_bytes(b"too short")
    short.chmod(0o600)
    with pytest.raises(KeyFileError, match="at least 32 bytes"):
        load_key(short)
    good.chmod(0o666)
    with pytest.raises(KeyFileError, match="writable by others"):
        load_key(good)
    with pytest.raises(KeyFileError, match="cannot read"):
        load_key(tmp_path / "missing")


def _pmd() -> dict[str, Any]:
    return orjson.loads(PMD.read_bytes())


def test_published_pmd_batch_is_forwarded_pseudonymised_with_nothing_national_or_personal() -> None:
    result = pseudonymise_bundle(PMD.read_bytes(), KEY, allow_synthetic=True)
    assert not result.refused
    pseudonym = KEY.pseudonym(SUBJECT)
    assert list(result.bundles) == [pseudonym]
    raw = result.bundles[pseudonym]
    for secret in (SUBJECT, PERFORMER, "Sørgård", "Ærlend", "Demo"):
        assert secret.encode() not in raw, secret
    # the worker reads what the gateway forwards: every observation of the examples is used
    read = read_bundle(raw)
    assert not read.rejected, [r.reason for r in read.rejected]
    codes = sorted(getattr(e, "code", e.kind) for _, e in read.events)
    assert codes == ["blood_glucose", "blood_pressure", "pulse", "spo2", "temperature", "weight"]
    assert all(e.resident_id == pseudonym and e.time_precision == "day" for _, e in read.events)
    weight = next(e for _, e in read.events if getattr(e, "code", "") == "weight")
    assert weight.value == 49.0  # 49000 g
    subject = orjson.loads(raw)["entry"][0]["resource"]["subject"]
    assert subject == {"identifier": {"system": PSEUDONYM_SYSTEM, "value": pseudonym}}


def test_bad_entries_are_refused_one_by_one_with_their_original_bytes() -> None:
    bundle = _pmd()
    bad_digits = copy.deepcopy(bundle["entry"][1])
    bad_digits["resource"]["subject"]["identifier"]["value"] = "15834510063"
    leaky = copy.deepcopy(bundle["entry"][2])
    leaky["resource"]["id"] = f"weight-{SUBJECT}"
    patient = {"resource": {"resourceType": "Patient", "identifier": [{"system": FNR, "value": SUBJECT}]}}
    bundle["entry"] = [bundle["entry"][0], bad_digits, leaky, patient]
    result = pseudonymise_bundle(orjson.dumps(bundle), KEY, allow_synthetic=True)
    reasons = {r.index: r.reason for r in result.refused}
    assert set(reasons) == {1, 2, 3}
    assert "check digits" in reasons[1]
    assert "repeats the national identity number" in reasons[2]
    assert "not an Observation" in reasons[3]
    assert all(SUBJECT not in r for r in reasons.values())
    # the restricted dead letter keeps each entry exactly as sent
    assert [orjson.loads(r.original) for r in result.refused] == [bad_digits, leaky, patient]
    (raw,) = result.bundles.values()
    assert len(orjson.loads(raw)["entry"]) == 1


def test_bundle_with_two_patients_becomes_two_bundles_keyed_by_pseudonym() -> None:
    bundle = _pmd()
    other = copy.deepcopy(bundle["entry"][1])
    other["resource"]["subject"]["identifier"] = {"system": DNR, "value": "45834510085"}
    bundle["entry"].append(other)
    result = pseudonymise_bundle(orjson.dumps(bundle), KEY, allow_synthetic=True)
    assert set(result.bundles) == {KEY.pseudonym(SUBJECT), KEY.pseudonym("45834510085")}


def _alert_message(resident_id: str) -> bytes:
    from datetime import UTC, datetime

    from schemas.alerts import (
        Alert,
        AlertType,
        Category,
        Evidence,
        Recipient,
        RecipientKind,
        Severity,
        VkpService,
    )

    t = datetime(2024, 3, 1, 8, tzinfo=UTC)
    return render_bundle(Alert(
        alert_id="pulse-x-000000001", resident_id=resident_id, type=AlertType.PULSE, category=Category.DETERIORATION,
        severity=Severity.HIGH, recipient=Recipient(kind=RecipientKind.RESPONSE_CENTRE, team_id="rsp-oslo"),
        municipality="0301", vkp_service=VkpService.DHO, episode_start=t, time=t,
        evidence=(Evidence(nb="Puls 140", en="Pulse 140"),), details={"pulse_per_min": 140},
    ))


def test_reidentification_only_for_residents_the_care_system_lists() -> None:
    reid = Reidentification(KEY)
    listed, unlisted = KEY.pseudonym(SUBJECT), KEY.pseudonym(PERFORMER)
    assert reid.apply(SUBJECT.encode(), orjson.dumps({"system": FNR, "value": SUBJECT}), allow_synthetic=True) is None
    out, national = reid.apply_to_message(_alert_message(listed))
    assert national
    msg = orjson.loads(out)
    refs = [e["resource"].get("patient") or e["resource"].get("subject") for e in msg["entry"]
            if e["resource"]["resourceType"] in ("DetectedIssue", "Observation")]
    assert len(refs) == 2 and all(r["identifier"] == {"system": FNR, "value": SUBJECT} for r in refs)
    assert listed.encode() not in out
    same, national = reid.apply_to_message(_alert_message(unlisted))
    assert not national and same == _alert_message(unlisted)
    # a tombstone withdraws it
    reid.apply(SUBJECT.encode(), None)
    assert not reid.apply_to_message(_alert_message(listed))[1]


def test_invalid_reidentification_records_are_refused() -> None:
    reid = Reidentification(KEY)
    assert "check digits" in (reid.apply(b"k", orjson.dumps({"system": FNR, "value": "15834510063"}),
                                         allow_synthetic=True) or "")
    assert "invalid" in (reid.apply(b"k", b'{"system": "urn:x", "value": "1"}') or "")
    assert len(reid) == 0
