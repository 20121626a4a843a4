"""Detection logic: pure, deterministic per-resident state machines (no Kafka, no clock)."""
