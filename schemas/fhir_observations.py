"""FHIR R4 Observation bundles (patient measurements) mapped to tilsyn's DHO measurements.

Norwegian patient-measurement services (Pasientens måledata, PMD) and DHO platforms
send vital signs as a FHIR R4 ``Bundle`` of ``Observation`` resources, coded with
LOINC, SNOMED CT or NPU (through the Norwegian laboratory code list, NLK) and UCUM
units, shaped like the published VKP Observation examples (HL7Norway/VkpObservation:
batch bundles, ``subject.identifier`` with a national identity number, date-only
``effectiveDateTime``, weights in grams). National identity numbers never reach this
module: ``tilsyn gateway`` replaces them by the resident's pseudonym first (see
docs/FHIR.md); a national-id subject that arrives here is refused, observation by
observation.

:func:`read_bundle` takes every usable Observation of a bundle and reports every
unusable one separately, with its reason, so one bad Observation does not cost the
others. Reasons name the entry and the rule broken, never identifiers or values, so
they can go to the dead-letter topic as they are.

Status policy (FHIR ObservationStatus):

* ``final``, ``amended``, ``corrected``: used. An amended or corrected Observation is
  a new reading with its own event id (``<id>#<status>-<versionId>``), so the
  duplicate filter does not drop it; the earlier value is not retracted (detectors
  have no undo), so an alert the wrong value caused is closed by the team as a false alarm.
* ``preliminary``: used. Home devices report a value once; waiting for a final
  status that rarely comes would delay alerts.
* ``registered`` (no result yet), ``cancelled``, ``entered-in-error``, ``unknown``:
  not used; reported as unusable with the status named.

Date-only ``effectiveDateTime`` (``2022-03-16``, as in the VKP examples) is read as
local noon (Europe/Oslo) and the measurement is flagged ``time_precision="day"``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo

import orjson
from pydantic import ValidationError

from schemas.measurements import BloodPressure, Measurement, VitalCode

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
NPU_NLK = "urn:oid:2.16.578.1.12.4.1.1.7280"
"""NPU codes through the Norwegian laboratory code list (NLK), as the VKP Observation profile slices them."""
NPU_IUPAC = "urn:oid:1.2.208.176.2.1"
"""NPU codes under the NPU terminology's own OID (used by Danish and Nordic senders)."""
UCUM = "http://unitsofmeasure.org"

NATIONAL_ID_SYSTEMS: dict[str, str] = {
    "urn:oid:2.16.578.1.12.4.1.4.1": "fødselsnummer",
    "urn:oid:2.16.578.1.12.4.1.4.2": "D-nummer",
    "urn:oid:2.16.578.1.12.4.1.4.3": "H-nummer (felles hjelpenummer)",
}
"""Identifier systems of Norwegian national identity numbers (VkpSubjectIdentifiersCodeSystem)."""

LOCAL_ZONE = ZoneInfo("Europe/Oslo")
"""Zone of a date-only effective time: Norwegian senders, tilsyn's default resident zone."""

OBSERVATION_MAX_AGE_S = 7 * 24 * 3600.0
"""An observation older than this relative to the partition's time is dead-lettered as past_time
when the worker has no wall-clock limit (event clock). Same week as TILSYN's event age limit:
a DHO reading older than a week no longer calls for action (issue #18: a 2006 observation raised
pulse alerts)."""


@dataclass(frozen=True, slots=True)
class Quantity:
    """One supported quantity and the codes that name it in each terminology.

    Sources: LOINC vital-signs codes of the FHIR R4 vital-signs profiles; SNOMED CT codes
    fixed by the VKP Observation profiles (HL7Norway/Velferdsteknologi VKP-R4 and
    HL7Norway/VkpObservation); NPU codes as published in NPU/NLK (the VKP glucose example
    codes NPU02187 under NLK). No NPU code is used for respiratory rate: none was found in
    Norwegian DHO use.
    """

    vital: VitalCode | Literal["blood_pressure"]
    loinc: tuple[str, ...]
    snomed: tuple[str, ...]
    npu: tuple[str, ...]
    display: str
    ucum: str
    """Canonical UCUM unit (what an Observation tilsyn writes uses)."""


QUANTITIES: tuple[Quantity, ...] = (
    Quantity("spo2", ("59408-5", "2708-6"), ("431314004",), ("NPU03011",), "Oxygen saturation", "%"),
    Quantity("pulse", ("8867-4",), ("364075005", "78564009"), ("NPU21692",), "Heart rate", "/min"),
    Quantity("temperature", ("8310-5",), ("276885007",), ("NPU08676",), "Body temperature", "Cel"),
    Quantity("weight", ("29463-7",), ("27113001",), ("NPU03804",), "Body weight", "kg"),
    Quantity("respiratory_rate", ("9279-1",), ("86290005",), (), "Respiratory rate", "/min"),
    Quantity("blood_glucose", ("2339-0", "15074-8"), ("434912009",), ("NPU02187",), "Blood glucose", "mmol/L"),
    Quantity("blood_pressure", ("85354-9",), ("75367002",), (), "Blood pressure panel", "mm[Hg]"),
)

SYSTOLIC_CODES = {(LOINC, "8480-6"), (SNOMED, "271649006")}
DIASTOLIC_CODES = {(LOINC, "8462-4"), (SNOMED, "271650006")}
O2_FLOW_CODES = {(LOINC, "3151-8")}  # inhaled oxygen flow rate: SpO2 taken on supplemental oxygen when > 0

CODE_TABLE: dict[tuple[str, str], Quantity] = {}
for _q in QUANTITIES:
    CODE_TABLE.update({(LOINC, c): _q for c in _q.loinc})
    CODE_TABLE.update({(SNOMED, c): _q for c in _q.snomed})
    CODE_TABLE.update({(s, c): _q for c in _q.npu for s in (NPU_NLK, NPU_IUPAC)})
"""(system, code) -> quantity, for every supported coding."""

QUANTITY_OF: dict[str, Quantity] = {q.vital: q for q in QUANTITIES}

USED_STATUSES = frozenset({"final", "amended", "corrected", "preliminary"})
"""Observation statuses whose value is used (see the module docstring for the policy)."""

READABLE_BUNDLE_TYPES = frozenset({"batch", "transaction", "collection", "message", "searchset"})


@dataclass(frozen=True, slots=True)
class _UnitAlias:
    """A UCUM unit the project does not list, rewritten to one it does."""

    unit: str
    factor: float = 1.0


# UCUM spellings in use by devices that schemas.units does not list; everything
# else is passed through and schemas.units accepts or rejects it with its reason.
_UCUM_ALIASES: dict[str, _UnitAlias] = {
    "1/min": _UnitAlias("/min"),
    "{beat}/min": _UnitAlias("{beats}/min"),
    "{breath}/min": _UnitAlias("{breaths}/min"),
    "%{saturation}": _UnitAlias("%"),
    "g": _UnitAlias("kg", 0.001),
    "mmol/l": _UnitAlias("mmol/L"),
    "mg/dl": _UnitAlias("mg/dL"),
}


class FhirMappingError(ValueError):
    """A FHIR record (or one of its observations) that cannot be used; ``reason`` holds no personal data."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Rejected:
    """One unusable entry of a bundle: where it is, why, and its own JSON (for the dead letter)."""

    index: int
    reason: str
    resource: bytes
    national_id: bool = False
    """The entry named the patient by a national identity number (the dead letter must not copy it)."""


@dataclass(slots=True)
class BundleResult:
    """Every usable observation of a bundle as an event, every unusable one with its reason."""

    events: list[tuple[int, Measurement | BloodPressure]] = field(default_factory=list)
    """(entry index, event) for each usable Observation, in bundle order."""
    rejected: list[Rejected] = field(default_factory=list)
    entries: list[Any] = field(default_factory=list)
    """The bundle's entries as parsed JSON (the dead-letter value of an observation rejected later)."""

    def entry_bytes(self, index: int) -> bytes:
        return entry_bytes(self.entries[index]) if 0 <= index < len(self.entries) else b"null"


def _validation_summary(exc: ValidationError, limit: int = 3) -> str:
    """Locations and rules of a pydantic error, without the input values."""
    parts = []
    for err in exc.errors(include_input=False, include_url=False):
        loc = ".".join(str(p) for p in err["loc"]) or "record"
        parts.append(f"{loc}: {err['msg']}")
    more = f" (+{len(parts) - limit} more)" if len(parts) > limit else ""
    return "; ".join(parts[:limit]) + more


def load_bundle(raw: bytes | str | Mapping[str, Any]) -> tuple[dict[str, Any], list[Any]]:
    """The bundle as a dict and its entries; raises FhirMappingError when it is not a bundle at all."""
    if isinstance(raw, Mapping):
        data = dict(raw)
    else:
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise FhirMappingError("not valid JSON") from None
    if not isinstance(data, dict):
        raise FhirMappingError("a FHIR Bundle must be a JSON object")
    if data.get("resourceType") != "Bundle":
        raise FhirMappingError("resourceType must be 'Bundle'")
    if data.get("type") not in READABLE_BUNDLE_TYPES:
        raise FhirMappingError(f"Bundle.type must be one of {', '.join(sorted(READABLE_BUNDLE_TYPES))}")
    entries = data.get("entry") or []
    if not isinstance(entries, list):
        raise FhirMappingError("Bundle.entry must be a list")
    return data, entries


def validate_observation(resource: Any, what: str) -> Any:
    """The resource as a fhir.resources Observation (R4B, wire-compatible with R4 here)."""
    # imported here: fhir.resources is heavy and only FHIR workers need it
    from fhir.resources.R4B.observation import Observation

    if not isinstance(resource, dict):
        raise FhirMappingError(f"{what} has no resource")
    rtype = resource.get("resourceType")
    if rtype != "Observation":
        shown = rtype if isinstance(rtype, str) and rtype.isalpha() and len(rtype) < 40 else "?"
        raise FhirMappingError(f"{what} is a {shown}; only Observation resources are accepted")
    try:
        return Observation.model_validate(resource)
    except ValidationError as exc:
        raise FhirMappingError(f"{what} is not a valid FHIR R4 Observation: {_validation_summary(exc)}") from None
    except (KeyError, TypeError, ValueError, AttributeError):
        raise FhirMappingError(f"{what} is not a valid FHIR R4 Observation") from None


def _codings(concept: Any) -> list[tuple[str, str]]:
    if concept is None:
        return []
    return [(str(c.system), str(c.code)) for c in concept.coding or () if c.system and c.code]


def quantity_of(concept: Any, what: str) -> Quantity:
    """The one supported quantity the codings name (LOINC, SNOMED CT or NPU); conflicting codings are refused."""
    codings = _codings(concept)
    found = {CODE_TABLE[c].vital: CODE_TABLE[c] for c in codings if c in CODE_TABLE}
    if not found:
        shown = ", ".join(f"{s} {c}" for s, c in codings[:4]) if codings else "no coding"
        raise FhirMappingError(
            f"{what} has unsupported code ({shown}); supported: LOINC, SNOMED CT or NPU codes for "
            f"{', '.join(q.vital for q in QUANTITIES)} (see docs/FHIR.md)"
        )
    if len(found) > 1:
        raise FhirMappingError(f"{what} has codings for different quantities ({', '.join(sorted(found))})")
    return next(iter(found.values()))


def _quantity(q: Any, what: str) -> tuple[float, str]:
    if q is None or q.value is None:
        raise FhirMappingError(f"{what} has no valueQuantity.value")
    unit = q.code if q.code else q.unit
    if not unit:
        raise FhirMappingError(f"{what} has a valueQuantity without a UCUM unit")
    if q.code and q.system not in (None, UCUM):
        raise FhirMappingError(f"{what} has a unit outside UCUM ({UCUM})")
    value = float(q.value) if isinstance(q.value, Decimal | int | float) else q.value
    alias = _UCUM_ALIASES.get(unit)
    if alias is not None:
        return value * alias.factor, alias.unit
    return value, unit


def _subject(obs: Any, what: str) -> str:
    ident = obs.subject.identifier if obs.subject is not None else None
    if ident is None or not ident.value:
        raise FhirMappingError(
            f"{what} has no subject.identifier.value (the pseudonymous resident id is required)"
        )
    if ident.system in NATIONAL_ID_SYSTEMS:
        raise FhirMappingError(
            f"{what}: subject is a national identity number ({NATIONAL_ID_SYSTEMS[ident.system]}); "
            "publish such bundles to measurements.fhir.national for tilsyn gateway"
        )
    return str(ident.value)


def _effective(resource: Mapping[str, Any], obs: Any, what: str) -> tuple[datetime, Literal["instant", "day"]]:
    raw = resource.get("effectiveDateTime")
    if isinstance(raw, str) and len(raw) == 10:
        # date only: local noon, flagged imprecise
        try:
            d = date.fromisoformat(raw)
        except ValueError:
            raise FhirMappingError(f"{what}: effectiveDateTime is not a valid date") from None
        return datetime.combine(d, time(12, 0), LOCAL_ZONE), "day"
    if isinstance(raw, str) and len(raw) in (4, 7):
        raise FhirMappingError(f"{what}: effectiveDateTime gives only a year or month; a day is needed")
    t = obs.effectiveDateTime if obs.effectiveDateTime is not None else obs.effectiveInstant
    if t is None and obs.effectivePeriod is not None:
        t = obs.effectivePeriod.end or obs.effectivePeriod.start
    if not isinstance(t, datetime):
        raise FhirMappingError(f"{what} needs effectiveDateTime, effectiveInstant or effectivePeriod")
    if t.tzinfo is None or t.utcoffset() is None:
        raise FhirMappingError(f"{what}: effective time has no UTC offset")
    return t, "instant"


def _event_id(obs: Any, full_url: str | None, resource: Mapping[str, Any]) -> str:
    if obs.id:
        base = str(obs.id)
    elif full_url:
        base = full_url[-100:]
    else:
        # stable across re-deliveries of the same observation
        digest = hashlib.sha256(orjson.dumps(resource, option=orjson.OPT_SORT_KEYS)).hexdigest()
        base = f"fhir-{digest[:40]}"
    if obs.status in ("amended", "corrected"):
        version = obs.meta.versionId if obs.meta is not None and obs.meta.versionId else None
        if version is None:
            version = hashlib.sha256(orjson.dumps(resource, option=orjson.OPT_SORT_KEYS)).hexdigest()[:12]
        base = f"{base}#{obs.status}-{version}"
    return base[-128:]


def _device(obs: Any) -> str | None:
    dev = obs.device
    if dev is not None and dev.identifier is not None and dev.identifier.value:
        return str(dev.identifier.value)[:128]
    return None


def _on_oxygen(obs: Any, what: str) -> bool | None:
    for comp in obs.component or ():
        if set(_codings(comp.code)) & O2_FLOW_CODES:
            flow, _ = _quantity(comp.valueQuantity, f"{what} oxygen flow component")
            return flow > 0
    return None


def map_observation(
    resource: Mapping[str, Any], full_url: str | None, what: str
) -> Measurement | BloodPressure:
    """One Observation (JSON object) as a DHO measurement event; raises FhirMappingError."""
    obs = validate_observation(resource, what)
    if obs.status not in USED_STATUSES:
        raise FhirMappingError(
            f"{what} has status {obs.status!r}: not used (tilsyn uses final, amended, corrected and preliminary)"
        )
    q = quantity_of(obs.code, what)
    when, precision = _effective(resource, obs, what)
    common: dict[str, Any] = {
        "event_id": _event_id(obs, full_url, resource),
        "resident_id": _subject(obs, what),
        "time": when,
        "device_id": _device(obs),
        "time_precision": precision,
    }
    try:
        if q.vital == "blood_pressure":
            parts: dict[str, tuple[float, str]] = {}
            for comp in obs.component or ():
                codes = set(_codings(comp.code))
                for side, known in (("systolic", SYSTOLIC_CODES), ("diastolic", DIASTOLIC_CODES)):
                    if codes & known:
                        parts[side] = _quantity(comp.valueQuantity, f"{what} {side} component")
            missing = [s for s in ("systolic", "diastolic") if s not in parts]
            if missing:
                raise FhirMappingError(f"{what} (blood pressure panel) lacks {' and '.join(missing)} component")
            (sys_v, sys_u), (dia_v, dia_u) = parts["systolic"], parts["diastolic"]
            if sys_u != dia_u:
                raise FhirMappingError(f"{what}: systolic and diastolic use different units")
            return BloodPressure.model_validate(
                {**common, "systolic": sys_v, "diastolic": dia_v, "unit": sys_u}
            )
        value, unit = _quantity(obs.valueQuantity, what)
        fields: dict[str, Any] = {**common, "code": q.vital, "value": value, "unit": unit}
        if q.vital == "spo2":
            fields["on_oxygen"] = _on_oxygen(obs, what)
        # model_validate, not the constructor: only validation applies the unit conversion
        return Measurement.model_validate(fields)
    except ValidationError as exc:
        raise FhirMappingError(f"{what} ({q.vital}): {_validation_summary(exc)}") from None


def entry_bytes(entry: Any) -> bytes:
    """An entry's own JSON (the dead-letter value for one unusable observation)."""
    try:
        return orjson.dumps(entry)
    except TypeError:
        return b"null"


def read_bundle(raw: bytes | str | Mapping[str, Any]) -> BundleResult:
    """Every Observation of a bundle mapped to a measurement event, or rejected with its reason.

    Raises :class:`FhirMappingError` only when the record is not a bundle at all (not JSON,
    not a Bundle, an unreadable bundle type). A message bundle's MessageHeader is skipped;
    every other entry is an Observation or is rejected on its own.
    """
    data, entries = load_bundle(raw)
    out = BundleResult(entries=entries)
    for i, entry in enumerate(entries):
        what = f"entry {i}"
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if data.get("type") == "message" and isinstance(resource, dict) and resource.get(
            "resourceType"
        ) == "MessageHeader":
            continue
        full_url = entry.get("fullUrl") if isinstance(entry, dict) else None
        try:
            if not isinstance(resource, dict):
                raise FhirMappingError(f"{what} has no resource")
            event = map_observation(resource, full_url if isinstance(full_url, str) else None, f"{what} (Observation)")
            out.events.append((i, event))
        except FhirMappingError as exc:
            national = _names_national_id(resource)
            out.rejected.append(Rejected(i, exc.reason, entry_bytes(redact_subject(entry) if national else entry),
                                         national))
    return out


def _names_national_id(resource: Any) -> bool:
    if not isinstance(resource, dict):
        return False
    subject = resource.get("subject")
    ident = subject.get("identifier") if isinstance(subject, dict) else None
    return isinstance(ident, dict) and ident.get("system") in NATIONAL_ID_SYSTEMS


def redact_subject(entry: Any) -> Any:
    """The entry with its subject reduced to the identifier system (no value, no name)."""
    if not isinstance(entry, dict) or not isinstance(entry.get("resource"), dict):
        return entry
    resource = dict(entry["resource"])
    subject = resource.get("subject")
    if isinstance(subject, dict):
        ident = subject.get("identifier")
        system = ident.get("system") if isinstance(ident, dict) else None
        resource["subject"] = {"identifier": {"system": system, "value": "[redacted]"}}
    for key in ("performer", "text", "note", "contained"):
        resource.pop(key, None)
    return {**entry, "resource": resource}
