"""tilsyn's benchmark harness (``python -m bench``; ``make bench``).

One run, one embedded broker: the plain-consumer ceiling, a naive Faust agent
baseline, the tilsyn worker end to end (throughput, latency, memory, recovery)
and the offline paths (replay, detector state size, simulator). Results go to
``bench/results.json`` and a table on stdout; docs/PERFORMANCE.md explains them.
"""
