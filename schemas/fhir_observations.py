"""FHIR R4 Observation bundles (LOINC vital signs) mapped to tilsyn's DHO measurements.

Norwegian patient-measurement services send vital signs as a FHIR R4 ``Bundle``
of ``Observation`` resources coded with LOINC and UCUM. :func:`measurements_from_bundle`
validates the bundle with ``fhir.resources`` (R4B models, wire-compatible with R4
for Bundle and Observation), then maps each observation to a :class:`Measurement`
or :class:`BloodPressure`, which normalise units and check plausibility as any
other DHO record does.

Every failure is a :class:`FhirMappingError` (a ``ValueError``) whose message names
the observation and the rule broken but never repeats identifiers or values, so
it can go to the dead-letter topic as it is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import orjson
from pydantic import ValidationError

from schemas.measurements import BloodPressure, Measurement, VitalCode

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"

NATIONAL_ID_SYSTEMS = frozenset(
    {
        "urn:oid:2.16.578.1.12.4.1.4.1",  # fødselsnummer
        "urn:oid:2.16.578.1.12.4.1.4.2",  # D-nummer
        "urn:oid:2.16.578.1.12.4.1.4.3",  # H-nummer (help number)
    }
)
"""Identifier systems of Norwegian national identity numbers: never a tilsyn resident id."""

USABLE_STATUSES = frozenset({"final", "amended", "corrected", "preliminary"})
"""Observation statuses whose value may be used; other statuses are skipped, not rejected."""

LOINC_VITALS: dict[str, VitalCode] = {
    "59408-5": "spo2",  # Oxygen saturation in Arterial blood by Pulse oximetry
    "2708-6": "spo2",  # Oxygen saturation in Arterial blood
    "8867-4": "pulse",  # Heart rate
    "8310-5": "temperature",  # Body temperature
    "29463-7": "weight",  # Body weight
    "9279-1": "respiratory_rate",  # Respiratory rate
    "2339-0": "blood_glucose",  # Glucose [Mass/volume] in Blood
    "15074-8": "blood_glucose",  # Glucose [Moles/volume] in Blood
}
"""LOINC code of a single-value vital sign -> internal measurement code."""

LOINC_BP_PANEL = "85354-9"  # Blood pressure panel with all children optional
LOINC_SYSTOLIC = "8480-6"
LOINC_DIASTOLIC = "8462-4"
LOINC_O2_FLOW = "3151-8"  # Inhaled oxygen flow rate: SpO2 taken on supplemental oxygen when > 0

SUPPORTED_CODES: tuple[str, ...] = (*LOINC_VITALS, LOINC_BP_PANEL)


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
    """A FHIR bundle that cannot be mapped; ``reason`` is readable and holds no personal data."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _validation_summary(exc: ValidationError, limit: int = 3) -> str:
    """Locations and rules of a pydantic error, without the input values."""
    parts = []
    for err in exc.errors(include_input=False, include_url=False):
        loc = ".".join(str(p) for p in err["loc"]) or "record"
        parts.append(f"{loc}: {err['msg']}")
    more = f" (+{len(parts) - limit} more)" if len(parts) > limit else ""
    return "; ".join(parts[:limit]) + more


def _load(raw: bytes | str | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(raw, Mapping):
        return dict(raw)
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise FhirMappingError("not valid JSON") from None
    if not isinstance(data, dict):
        raise FhirMappingError("a FHIR Bundle must be a JSON object")
    return data


def _validate_bundle(data: dict[str, Any]) -> Any:
    """The bundle as fhir.resources models; structural errors become FhirMappingError."""
    # imported here: fhir.resources is heavy and only FHIR workers need it
    from fhir.resources.R4B.bundle import Bundle

    if data.get("resourceType") != "Bundle":
        raise FhirMappingError("resourceType must be 'Bundle'")
    try:
        return Bundle.model_validate(data)
    except ValidationError as exc:
        raise FhirMappingError(f"not a valid FHIR R4 Bundle: {_validation_summary(exc)}") from None
    except (KeyError, TypeError, ValueError, AttributeError):
        # fhir.resources raises KeyError for an unknown resourceType inside an entry
        raise FhirMappingError("not a valid FHIR R4 Bundle: an entry holds an unknown resource type") from None


def _loinc_codes(concept: Any) -> list[str]:
    if concept is None:
        return []
    return [c.code for c in concept.coding or () if c.system == LOINC and c.code]


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
            f"{what}: subject identifier is a national identity number; "
            "send the pseudonymous resident id instead"
        )
    return str(ident.value)


def _time(obs: Any, what: str) -> datetime:
    t = obs.effectiveDateTime if obs.effectiveDateTime is not None else obs.effectiveInstant
    if not isinstance(t, datetime):
        raise FhirMappingError(
            f"{what} needs effectiveDateTime (or effectiveInstant) with a time of day and offset"
        )
    if t.tzinfo is None or t.utcoffset() is None:
        raise FhirMappingError(f"{what}: effectiveDateTime has no UTC offset")
    return t


def _event_id(obs: Any, full_url: str | None, resource: dict[str, Any]) -> str:
    if obs.id:
        return str(obs.id)
    if full_url:
        return full_url[-128:]
    # stable across re-deliveries of the same observation
    digest = hashlib.sha256(orjson.dumps(resource, option=orjson.OPT_SORT_KEYS)).hexdigest()
    return f"fhir-{digest[:40]}"


def _device(obs: Any) -> str | None:
    dev = obs.device
    if dev is not None and dev.identifier is not None and dev.identifier.value:
        return str(dev.identifier.value)
    return None


def _on_oxygen(obs: Any, what: str) -> bool | None:
    for comp in obs.component or ():
        if LOINC_O2_FLOW in _loinc_codes(comp.code):
            flow, _ = _quantity(comp.valueQuantity, f"{what} oxygen flow component")
            return flow > 0
    return None


def _map_observation(obs: Any, full_url: str | None, resource: dict[str, Any], what: str) -> Any:
    codes = _loinc_codes(obs.code)
    known = [c for c in codes if c in LOINC_VITALS or c == LOINC_BP_PANEL]
    if not known:
        shown = ", ".join(repr(c) for c in codes) if codes else "no LOINC coding"
        raise FhirMappingError(
            f"{what} has unsupported code ({shown}); supported LOINC codes: {', '.join(SUPPORTED_CODES)}"
        )
    loinc = known[0]
    common: dict[str, Any] = {
        "event_id": _event_id(obs, full_url, resource),
        "resident_id": _subject(obs, what),
        "time": _time(obs, what),
        "device_id": _device(obs),
    }
    try:
        if loinc == LOINC_BP_PANEL:
            parts: dict[str, tuple[float, str]] = {}
            for comp in obs.component or ():
                for c in _loinc_codes(comp.code):
                    if c in (LOINC_SYSTOLIC, LOINC_DIASTOLIC):
                        parts[c] = _quantity(comp.valueQuantity, f"{what} component {c}")
            missing = [c for c in (LOINC_SYSTOLIC, LOINC_DIASTOLIC) if c not in parts]
            if missing:
                raise FhirMappingError(
                    f"{what} (blood pressure panel {LOINC_BP_PANEL}) lacks component(s) {', '.join(missing)}"
                )
            (sys_v, sys_u), (dia_v, dia_u) = parts[LOINC_SYSTOLIC], parts[LOINC_DIASTOLIC]
            if sys_u != dia_u:
                raise FhirMappingError(f"{what}: systolic and diastolic use different units")
            return BloodPressure.model_validate(
                {**common, "systolic": sys_v, "diastolic": dia_v, "unit": sys_u}
            )
        code = LOINC_VITALS[loinc]
        value, unit = _quantity(obs.valueQuantity, what)
        fields: dict[str, Any] = {**common, "code": code, "value": value, "unit": unit}
        if code == "spo2":
            fields["on_oxygen"] = _on_oxygen(obs, what)
        # model_validate, not the constructor: only validation applies the unit conversion
        return Measurement.model_validate(fields)
    except ValidationError as exc:
        raise FhirMappingError(f"{what} (LOINC {loinc}): {_validation_summary(exc)}") from None


def measurements_from_bundle(raw: bytes | str | Mapping[str, Any]) -> list[Measurement | BloodPressure]:
    """Map a FHIR R4 Bundle of LOINC-coded vital-sign Observations to DHO measurement events.

    ``raw`` is the record value (JSON bytes) or an already parsed bundle. Observations
    whose status says the value is not usable (registered, cancelled, entered-in-error,
    unknown) are skipped; an empty result is the caller's to reject. Raises
    :class:`FhirMappingError` for invalid JSON, a bundle that is not valid FHIR R4,
    a resource that is not an Observation, an unsupported LOINC code, a missing or
    national-id subject, a time without offset, or an implausible value.
    """
    data = _load(raw)
    bundle = _validate_bundle(data)
    raw_entries = data.get("entry") or []
    out: list[Measurement | BloodPressure] = []
    for i, entry in enumerate(bundle.entry or ()):
        what = f"entry {i}"
        res = entry.resource
        if res is None:
            raise FhirMappingError(f"{what} has no resource")
        rtype = res.get_resource_type()
        if rtype != "Observation":
            raise FhirMappingError(f"{what} is a {rtype}; only Observation resources are accepted")
        what = f"entry {i} (Observation)"
        if res.status not in USABLE_STATUSES:
            continue
        resource = raw_entries[i].get("resource", {}) if i < len(raw_entries) else {}
        out.append(_map_observation(res, entry.fullUrl, resource, what))
    return out
