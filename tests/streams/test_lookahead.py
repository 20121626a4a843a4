"""The alarm look-ahead's bookkeeping: what it may take, and what Faust's path then only acknowledges."""

from __future__ import annotations

from streams.lookahead import Handoff, in_order

T = "safety-events"


def test_a_record_is_taken_only_after_its_predecessor_was_processed() -> None:
    assert in_order(0, set(), None)  # the first record of a partition
    assert in_order(7, {6}, None)
    assert not in_order(7, {5}, None)  # offset 6 is still on its way through Faust
    assert in_order(7, set(), 7)  # everything below the group's committed offset is done
    assert not in_order(7, set(), 6)


def test_faust_delivering_a_processed_offset_claims_it_once() -> None:
    h = Handoff()
    h.mark(T, 3, 41)
    assert h.offsets(T, 3) == {41} and len(h) == 1
    assert not h.claim(T, 3, 40)
    assert not h.claim(T, 2, 41)  # another partition
    assert h.claim(T, 3, 41)
    assert not h.claim(T, 3, 41)  # a second delivery of the same offset is Faust's duplicate, not ours
    assert len(h) == 0


def test_revoked_partitions_and_committed_offsets_are_forgotten() -> None:
    h = Handoff()
    for p, o in ((0, 5), (0, 9), (1, 3), (2, 8)):
        h.mark(T, p, o)
    h.forget_partitions({1})
    assert h.offsets(T, 1) == set()
    h.forget_below({(T, 0): 6})
    assert h.offsets(T, 0) == {9}
    assert h.offsets(T, 2) == {8}
