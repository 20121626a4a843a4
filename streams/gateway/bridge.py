"""What the gateway does to one record, apart from Kafka I/O (docs/FHIR.md, "Identity flow").

Inbound, :func:`pseudonymise_bundle` turns a FHIR Observation bundle that names
patients by national identity number into one pseudonymous bundle per resident:
each Observation is rebuilt from an allow-list of elements (code, status, time,
value, components, device), its subject replaced by the keyed pseudonym. Names,
performers, notes, narrative and anything else are not copied, and a rebuilt
Observation that still contains the national identity number anywhere (an id built
from it, say) is rejected instead of forwarded.

Outbound, :class:`Reidentification` holds what the care system allows (pseudonym ->
national identity number, from the compacted ``identity.reidentification`` topic)
and :meth:`Reidentification.apply_to_message` puts the number back into an alert
message's Patient references; a resident the care system has not listed keeps the
pseudonym.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson
from pydantic import ValidationError

from schemas.fhir_observations import NATIONAL_ID_SYSTEMS, FhirMappingError, entry_bytes, load_bundle
from schemas.identity import ReidentificationEntry
from streams.gateway.identity import NationalIdError, Pseudonymiser, validate

PSEUDONYM_SYSTEM = "urn:tilsyn:resident"
"""Identifier system the gateway writes the pseudonym under (as the worker's own messages do)."""

@dataclass(frozen=True, slots=True)
class Refused:
    """One entry the gateway does not forward: its index, the reason, its original JSON."""

    index: int
    reason: str
    original: bytes


@dataclass(slots=True)
class Inbound:
    """The pseudonymous bundles to forward (resident id -> bundle bytes) and the refused entries."""

    bundles: dict[str, bytes] = field(default_factory=dict)
    refused: list[Refused] = field(default_factory=list)
    observations: int = 0


def _keep(resource: dict[str, Any], key: str, out: dict[str, Any]) -> None:
    if key in resource:
        out[key] = resource[key]


def _identifiers(items: Any) -> list[dict[str, str]]:
    kept = []
    for ident in items if isinstance(items, list) else ():
        if isinstance(ident, dict) and isinstance(ident.get("value"), str):
            if ident.get("system") in NATIONAL_ID_SYSTEMS:
                continue
            kept.append({k: ident[k] for k in ("system", "value") if isinstance(ident.get(k), str)})
    return kept


def _minimal(resource: dict[str, Any], pseudonym: str) -> dict[str, Any]:
    """The Observation rebuilt from an allow-list of elements, subject = the pseudonym."""
    out: dict[str, Any] = {"resourceType": "Observation"}
    for key in ("id", "status", "category", "code", "effectiveDateTime", "effectiveInstant",
                "effectivePeriod", "valueQuantity"):
        _keep(resource, key, out)
    meta = resource.get("meta")
    if isinstance(meta, dict):
        kept = {k: meta[k] for k in ("versionId", "profile") if k in meta}
        if kept:
            out["meta"] = kept
    idents = _identifiers(resource.get("identifier"))
    if idents:
        out["identifier"] = idents
    comps = resource.get("component")
    if isinstance(comps, list):
        out["component"] = [
            {k: c[k] for k in ("code", "valueQuantity") if k in c} for c in comps if isinstance(c, dict)
        ]
    device = resource.get("device")
    device_ids = _identifiers([device.get("identifier")]) if isinstance(device, dict) else []
    if device_ids:
        out["device"] = {"identifier": device_ids[0]}
    out["subject"] = {"identifier": {"system": PSEUDONYM_SYSTEM, "value": pseudonym}}
    return out


def pseudonymise_bundle(raw: bytes, ids: Pseudonymiser, *, allow_synthetic: bool = False) -> Inbound:
    """One pseudonymous bundle per resident from a bundle with national-id subjects.

    Raises :class:`FhirMappingError` when the record is not a FHIR bundle at all.
    """
    data, entries = load_bundle(raw)
    result = Inbound()
    per_resident: dict[str, list[dict[str, Any]]] = {}
    for i, entry in enumerate(entries):
        what = f"entry {i}"
        resource = entry.get("resource") if isinstance(entry, dict) else None
        rtype = resource.get("resourceType") if isinstance(resource, dict) else None
        if data.get("type") == "message" and rtype == "MessageHeader":
            continue
        try:
            if not isinstance(resource, dict):
                raise FhirMappingError(f"{what} has no resource")
            if rtype != "Observation":
                raise FhirMappingError(f"{what} is not an Observation; the gateway forwards Observations only")
            result.observations += 1
            subject = resource.get("subject")
            ident = subject.get("identifier") if isinstance(subject, dict) else None
            if not isinstance(ident, dict) or not isinstance(ident.get("value"), str):
                raise FhirMappingError(f"{what} has no subject.identifier.value")
            system, value = ident.get("system"), ident["value"]
            if system not in NATIONAL_ID_SYSTEMS:
                raise FhirMappingError(
                    f"{what}: subject identifier system is not a national identity number OID "
                    "(pseudonymous bundles go to measurements.fhir directly)"
                )
            try:
                validate(str(system), value, allow_synthetic=allow_synthetic)
            except NationalIdError as exc:
                raise FhirMappingError(f"{what}: {exc}") from None
            pseudonym = ids.pseudonym(value)
            minimal = _minimal(resource, pseudonym)
            full_url = entry.get("fullUrl") if isinstance(entry, dict) else None
            out_entry: dict[str, Any] = {"resource": minimal}
            if isinstance(full_url, str):
                out_entry["fullUrl"] = full_url
            if value.encode() in orjson.dumps(out_entry):
                raise FhirMappingError(
                    f"{what} repeats the national identity number outside its subject (id, fullUrl, "
                    "identifier or code); not forwarded"
                )
            per_resident.setdefault(pseudonym, []).append(out_entry)
        except FhirMappingError as exc:
            result.refused.append(Refused(i, exc.reason, entry_bytes(entry)))
    for pseudonym, kept in per_resident.items():
        bundle = {"resourceType": "Bundle", "type": "collection", "entry": kept}
        result.bundles[pseudonym] = orjson.dumps(bundle)
    return result


class Reidentification:
    """pseudonym -> national identity number, for the residents the care system lists.

    Filled from the compacted ``identity.reidentification`` topic (key: the national
    identity number; value: :class:`schemas.identity.ReidentificationEntry`; a tombstone
    withdraws the resident).
    """

    __slots__ = ("_by_number", "_by_pseudonym", "ids")

    def __init__(self, ids: Pseudonymiser) -> None:
        self.ids = ids
        self._by_pseudonym: dict[str, tuple[str, str]] = {}
        self._by_number: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._by_pseudonym)

    def apply(self, key: bytes | None, value: bytes | None, *, allow_synthetic: bool = False) -> str | None:
        """Take one record of the re-identification topic; returns a reason when it is unusable."""
        if value is None:
            number = key.decode("ascii", "replace") if key else ""
            pseudonym = self._by_number.pop(number, None)
            if pseudonym is not None:
                self._by_pseudonym.pop(pseudonym, None)
            return None
        try:
            entry = ReidentificationEntry.model_validate_json(value)
            validate(entry.system, entry.value, allow_synthetic=allow_synthetic)
        except ValidationError as exc:
            return "re-identification record is invalid: " + "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors(include_input=False)
            )
        except NationalIdError as exc:
            return f"re-identification record: {exc}"
        pseudonym = self.ids.pseudonym(entry.value)
        self._by_pseudonym[pseudonym] = (entry.system, entry.value)
        self._by_number[entry.value] = pseudonym
        return None

    def national(self, pseudonym: str) -> tuple[str, str] | None:
        return self._by_pseudonym.get(pseudonym)

    def apply_to_message(self, raw: bytes) -> tuple[bytes, bool]:
        """The message with the resident's national id in every Patient reference, when listed.

        Returns the (possibly unchanged) bytes and whether the national id was put in.
        """
        try:
            bundle = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return raw, False
        changed = False
        for entry in bundle.get("entry", ()) if isinstance(bundle, dict) else ():
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if not isinstance(resource, dict):
                continue
            for key in ("patient", "subject"):
                ref = resource.get(key)
                if not isinstance(ref, dict):
                    continue
                ident = ref.get("identifier")
                if not isinstance(ident, dict) or not isinstance(ident.get("value"), str):
                    continue
                found = self._by_pseudonym.get(ident["value"])
                if found is not None:
                    ref["identifier"] = {"system": found[0], "value": found[1]}
                    changed = True
        return (orjson.dumps(bundle), True) if changed else (raw, False)

