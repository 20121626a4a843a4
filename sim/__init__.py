"""Simulated homes, offline replay and detection-quality evaluation."""
