"""Loss, duplicate and order detection by seq."""

from __future__ import annotations

from loadtests.seqcheck import StreamLedger, add_to_ranges, check, count_in, union


def ledger(circle: str, join: int, seqs: list[int], open_at_end: bool = True) -> StreamLedger:
    lg = StreamLedger(circle, join_seq=join, open_at_end=open_at_end)
    for s in seqs:
        lg.add(s)
    return lg


def test_a_complete_stream_is_one_range() -> None:
    lg = ledger("c", 0, list(range(1, 1001)))
    assert lg.ranges == [[1, 1000]] and lg.duplicates == 0 and lg.reordered == 0


def test_a_missing_seq_is_lost() -> None:
    full = ledger("c", 0, [1, 2, 3, 4, 5])
    holed = ledger("c", 0, [1, 2, 4, 5])
    report = check([full, holed], {"c": [[1, 5]]})
    assert report.lost == 1 and report.streams_with_loss == 1 and report.duplicated == 0
    assert "missing 1 of 5" in report.examples[0]


def test_a_doubled_seq_is_a_duplicate() -> None:
    lg = ledger("c", 0, [1, 2, 2, 3])
    report = check([lg], {"c": [[1, 3]]})
    assert report.duplicated == 1 and report.lost == 0


def test_out_of_order_is_counted_but_not_lost() -> None:
    lg = ledger("c", 0, [1, 3, 2, 4])
    assert lg.reordered == 1 and lg.ranges == [[1, 4]]
    assert check([lg], {"c": [[1, 4]]}).lost == 0


def test_messages_before_the_join_point_are_not_expected() -> None:
    late = ledger("c", 10, [11, 12])
    assert check([late], {"c": [[1, 12]]}).lost == 0


def test_acked_but_never_delivered_is_lost_for_every_open_receiver() -> None:
    a, b = ledger("c", 0, [1, 2]), ledger("c", 0, [1, 2])
    report = check([a, b], {"c": [[1, 3]]})  # seq 3 was acknowledged, nobody got it
    assert report.lost == 2


def test_a_seq_someone_received_counts_as_existing() -> None:
    a, b = ledger("c", 0, [1, 2, 3]), ledger("c", 0, [1, 3])
    assert check([a, b], {}).lost == 1


def test_a_stream_that_ended_early_is_checked_up_to_its_last_seq() -> None:
    gone = ledger("c", 0, [1, 2], open_at_end=False)
    assert check([gone], {"c": [[1, 10]]}).lost == 0


def test_circles_are_checked_separately() -> None:
    a, b = ledger("a", 0, [1, 2]), ledger("b", 0, [1])
    report = check([a, b], {"a": [[1, 2]], "b": [[1, 2]]})
    assert report.lost == 1 and report.streams == 2


def test_range_helpers() -> None:
    r: list[list[int]] = []
    for s in (5, 1, 3, 2, 4, 9):
        assert add_to_ranges(r, s)
    assert r == [[1, 5], [9, 9]] and not add_to_ranges(r, 3)
    assert union([[[1, 2]], [[3, 4], [8, 9]], [[9, 12]]]) == [[1, 4], [8, 12]]
    assert count_in([[1, 5], [9, 9]], 2, float("inf")) == 4
    assert count_in([[1, 5], [9, 9]], 0, 4) == 4
