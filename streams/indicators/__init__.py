"""The indicators worker, its gauges and the monthly report (issue 16)."""
