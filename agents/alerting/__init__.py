"""From alert candidates to alerts: routing, de-duplication, escalation, FHIR rendering."""
