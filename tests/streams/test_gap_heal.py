"""Which partitions the worker reads again from their committed offset (``streams.app.never_delivered``).

The worker's commit can only advance past a record it processed. A partition whose committed
record never arrives (dropped by Faust's fetch loop, or a partition not delivered at all after a
restart) would hold its commit forever; the worker seeks it back instead. The broker side of this
is covered by tests/faults/test_commits.py (five kill -9 restarts, offsets read from the broker).
"""

from __future__ import annotations

from streams.app import never_delivered

K = ("sensor-events", 1)


def test_a_partition_with_waiting_records_none_of_them_delivered_is_read_again_after_the_limit() -> None:
    stuck: dict = {}
    assert never_delivered([K], {K: 100}, {K: 4080}, {}, stuck, now=0.0, after_s=10.0) == []
    assert never_delivered([K], {K: 100}, {K: 4080}, {}, stuck, now=9.9, after_s=10.0) == []
    assert never_delivered([K], {K: 100}, {K: 4080}, {}, stuck, now=10.0, after_s=10.0) == [(K, 100, False)]
    # and again only after another full wait
    assert never_delivered([K], {K: 100}, {K: 4080}, {}, stuck, now=15.0, after_s=10.0) == []
    assert never_delivered([K], {K: 100}, {K: 4080}, {}, stuck, now=20.0, after_s=10.0) == [(K, 100, False)]


def test_a_gap_below_processed_offsets_is_read_again_even_when_the_broker_under_reports_the_end() -> None:
    stuck: dict = {}
    seen = {K: {101, 102, 103}}
    never_delivered([K], {K: 100}, {K: 100}, seen, stuck, now=0.0, after_s=10.0)
    assert never_delivered([K], {K: 100}, {K: 100}, seen, stuck, now=10.0, after_s=10.0) == [(K, 100, False)]


def test_no_seek_while_the_commit_moves_when_the_committed_record_was_processed_or_nothing_waits() -> None:
    stuck: dict = {}
    never_delivered([K], {K: 100}, {K: 500}, {}, stuck, now=0.0, after_s=10.0)
    assert never_delivered([K], {K: 200}, {K: 500}, {}, stuck, now=10.0, after_s=10.0) == []  # moved: clock restarts
    assert never_delivered([K], {K: 200}, {K: 500}, {}, stuck, now=19.0, after_s=10.0) == []
    # processed here, its acknowledgement pending: the commit follows within twice the limit, no seek
    assert never_delivered([K], {K: 200}, {K: 500}, {K: {200, 201}}, stuck, now=28.0, after_s=10.0) == []
    # everything committed
    assert never_delivered([K], {K: 500}, {K: 500}, {}, stuck, now=60.0, after_s=10.0) == []
    assert never_delivered([K], {K: 500}, {K: 500}, {}, stuck, now=80.0, after_s=10.0) == []
    # never committed yet (a new group): Faust starts from the reset policy, nothing to seek to
    assert never_delivered([K], {}, {K: 500}, {}, {}, now=80.0, after_s=10.0) == []


def test_a_processed_record_whose_commit_stands_still_twice_the_limit_is_read_again() -> None:
    stuck: dict = {}
    seen = {K: {200, 201, 202}}
    assert never_delivered([K], {K: 200}, {K: 500}, seen, stuck, now=0.0, after_s=10.0) == []
    assert never_delivered([K], {K: 200}, {K: 500}, seen, stuck, now=19.0, after_s=10.0) == []
    assert never_delivered([K], {K: 200}, {K: 500}, seen, stuck, now=20.0, after_s=10.0) == [(K, 200, True)]
