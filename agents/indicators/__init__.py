"""Quality indicators per municipality and service (issue 16): definitions, windows, the per-partition book."""
