"""Property: whatever the stream, the indicator totals equal the raw alert counts."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from agents.indicators.book import IndicatorBook
from agents.indicators.definitions import merge
from schemas.alerts import AlertType, RecipientKind, Severity
from tests.agents.indicators.streams import ack, alert, at, care

TYPES = (AlertType.SAFETY_ALARM, AlertType.DEVICE_SILENT, AlertType.MISSED_MEASUREMENT, AlertType.NEWS2)
MUNIS = ("0301", "4601", "5001")

event = st.tuples(
    st.integers(0, 5),  # resident
    st.floats(0, 40 * 24, allow_nan=False),  # hours after T0: crosses month ends
    st.sampled_from(TYPES),
    st.sampled_from(list(Severity)),
    st.booleans(),  # also sent to next of kin
    st.one_of(st.none(), st.floats(0, 30 * 24, allow_nan=False)),  # acknowledged after hours
)


@settings(max_examples=25, deadline=None)
@given(st.lists(event, max_size=40), st.integers(1, 4))
def test_indicator_totals_equal_raw_alert_counts(events: list, shards: int) -> None:
    books = [IndicatorBook(s) for s in range(shards)]
    for r in range(6):
        books[r % shards].care(f"r-{r}", care(f"r-{r}", MUNIS[r % 3], when=at(hours=-1)))
    stream = []
    for n, (r, hours, type_, sev, nok, ack_after) in enumerate(events):
        rid = f"r-{r}"
        stream.append((hours, "alert", alert(rid, n, at(hours=hours), type_, sev, municipality=MUNIS[r % 3])))
        if nok:
            stream.append((hours, "alert", alert(rid, n, at(hours=hours), type_, sev, RecipientKind.NEXT_OF_KIN,
                                                 "nok-1", MUNIS[r % 3])))
        if ack_after is not None:
            stream.append((hours + ack_after, "ack", ack(rid, n, at(hours=hours + ack_after))))
    # a partition delivers in order of arrival, not of event time: acks interleave with later alerts
    for _, what, msg in sorted(stream, key=lambda x: x[0]):
        book = books[int(msg.resident_id[2:]) % shards]
        book.alert(msg) if what == "alert" else book.ack(msg)
    for b in books:
        b.advance(at(days=80).timestamp())
    records = [r for b in books for r in b.records()]
    totals = merge(records)
    raw_by_muni = Counter(MUNIS[r % 3] for r, *_ in events)
    raw_by_type = Counter(t.value for _, _, t, *_ in events)
    for window in ("day", "week", "month"):
        per_window = [t for k, t in totals.items() if k[0] == window and k[3] == "ALL"]
        assert sum(t.alerts for t in per_window) == len(events)
        for muni in MUNIS:
            assert sum(t.alerts for t in per_window if t.municipality == muni) == raw_by_muni[muni]
        by_type: Counter[str] = Counter()
        for t in per_window:
            by_type.update(t.alerts_by_type)
            assert sum(t.alerts_by_severity.values()) == sum(t.alerts_by_category.values()) == t.alerts
            assert t.false_alarms <= t.acknowledged <= t.alerts
            assert sum(t.ack_histogram()) == t.acknowledged
        assert by_type == raw_by_type
        assert sum(t.next_of_kin_notices for t in per_window) == sum(1 for e in events if e[4])
        assert sum(t.acknowledged for t in per_window) == sum(1 for e in events if e[5] is not None and e[5] <= 7 * 24)
