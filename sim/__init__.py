"""Simulated homes (see docs/SIMULATOR.md), offline replay and detection-quality evaluation."""
