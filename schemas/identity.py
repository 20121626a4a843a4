"""The re-identification record a care system publishes for the gateway.

Topic ``identity.reidentification`` (compacted, access-restricted; only the care
system writes it and only ``tilsyn gateway`` reads it). Key: the national identity
number. A record says: alerts about this person may carry the national identity
number to the national hub. A tombstone (null value) withdraws that. Detection
workers never read this topic.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from schemas.base import StrictModel


class ReidentificationEntry(StrictModel):
    """One resident whose outbound FHIR messages may name them by national identity number."""

    system: Literal[
        "urn:oid:2.16.578.1.12.4.1.4.1", "urn:oid:2.16.578.1.12.4.1.4.2", "urn:oid:2.16.578.1.12.4.1.4.3"
    ] = Field(description="OID of the number's kind: fødselsnummer, D-nummer or H-nummer (FH-nummer).")
    value: Annotated[str, StringConstraints(pattern=r"^\d{11}$")] = Field(
        description="The national identity number (11 digits, check digits verified by the gateway)."
    )
