"""Dead-letter records: the original bytes, with origin and reason in headers.

Like Kafka Connect's dead-letter queue with context headers: the value and key
are the rejected record's own, untouched, so a fixed consumer can re-publish
them; the headers say where they came from and why they were rejected.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

MAX_DEAD_LETTER_BYTES = 768 * 1024
"""Values beyond 768 KiB are cut; length and SHA-256 of the whole original go in headers
so the loss is visible and the source can be traced. With key and headers the dead
letter must stay under the 1,000,000-byte request limit of the worker's producer (and
Kafka's ~1 MB message limit): a 1 MiB copy did not fit, the send failed and the worker
died, then died again on the same record after every restart."""

MAX_DEAD_LETTER_KEY_BYTES = 16 * 1024
"""Keys beyond 16 KiB are cut the same way (no resident id is that long)."""


@dataclass(frozen=True, slots=True)
class DeadLetter:
    key: bytes | None
    value: bytes
    headers: list[tuple[str, bytes]]


def dead_letter(
    *,
    topic: str,
    partition: int,
    offset: int,
    timestamp_ms: int | None,
    key: bytes | None,
    value: bytes | None,
    code: str,
    reason: str,
) -> DeadLetter:
    """Build the dead-letter record for a rejected input record."""
    original = value or b""
    headers = [
        ("tilsyn.dlq.reason_code", code.encode()),
        ("tilsyn.dlq.reason", reason.encode()),
        ("tilsyn.dlq.topic", topic.encode()),
        ("tilsyn.dlq.partition", str(partition).encode()),
        ("tilsyn.dlq.offset", str(offset).encode()),
    ]
    if timestamp_ms is not None:
        headers.append(("tilsyn.dlq.timestamp_ms", str(timestamp_ms).encode()))
    if value is None:
        headers.append(("tilsyn.dlq.null_value", b"true"))
    if key is not None and len(key) > MAX_DEAD_LETTER_KEY_BYTES:
        headers.append(("tilsyn.dlq.original_key_length", str(len(key)).encode()))
        key = key[:MAX_DEAD_LETTER_KEY_BYTES]
    if len(original) > MAX_DEAD_LETTER_BYTES:
        headers.append(("tilsyn.dlq.original_length", str(len(original)).encode()))
        headers.append(("tilsyn.dlq.original_sha256", hashlib.sha256(original).hexdigest().encode()))
        original = original[:MAX_DEAD_LETTER_BYTES]
    return DeadLetter(key=key, value=original, headers=headers)
