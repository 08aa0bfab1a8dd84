"""The page-chain rule of slices.py, on hand-made sequences of answers (reads are placed by their
first row; `page()` turns it back into a page number)."""
from __future__ import annotations

from offres_crawler.harvest.slices import SliceReader
from offres_crawler.harvest.windows import Window

DEPTH = 21


def reader(est=None) -> SliceReader:
    return SliceReader(1, Window.of({}, min_sent=0, lo=0, max_sent=10, hi=9), "cursor", est_total=est)


def keys(page: int, n: int = 150, tag: str = "") -> list[str]:
    return [f"{tag}{page}-{i}" for i in range(n)]


def page(s: SliceReader) -> int | None:
    row = s.next_page(DEPTH)
    return None if row is None else row // 150


def answer(s: SliceReader, seq: int, total: int, n: int | None = None, tag: str = "",
           exact: bool = False) -> int:
    row = s.next_page(DEPTH)
    assert row is not None and row % 150 == 0
    s.in_flight = row
    count = n if n is not None else max(0, min(150, total - row))
    s.record(row, seq, total, keys(row // 150, count, tag), exact=exact)
    return row // 150


def test_pages_are_read_from_the_last_to_the_first():
    s = reader(est=450)
    pages = [answer(s, i, 450) for i in range(3)]
    assert pages == [2, 1, 0]
    assert page(s) is None


def test_over_the_cap_reading_starts_at_the_deepest_page():
    s = reader(est=10_000)
    assert answer(s, 1, 10_000) == 20
    assert page(s) == 19


def test_a_low_estimate_is_corrected_and_the_early_page_read_again_only_if_the_total_moved():
    s = reader(est=200)  # really 450: page 1 first, then page 2, then page 1 only if rows moved
    assert answer(s, 1, 450) == 1
    assert answer(s, 2, 450) == 2
    assert answer(s, 3, 450) == 0  # same total at both reads: page 1 stands
    assert page(s) is None

    s = reader(est=200)
    answer(s, 1, 450)
    assert answer(s, 2, 449) == 2  # a withdrawal in between: page 1 may have lost a row to page 0..
    assert answer(s, 3, 449) == 1  # ..so it is read again after page 2
    assert answer(s, 4, 449) == 0


def test_page_zero_read_first_is_read_again_when_the_total_changed():
    s = reader(est=None)
    assert answer(s, 1, 450) == 0
    assert answer(s, 2, 450) == 2
    assert answer(s, 3, 448) == 1
    assert page(s) == 0  # page 0 came before page 1 and rows moved since
    answer(s, 4, 448)
    assert page(s) is None


def test_an_empty_page_past_the_end_without_a_total_steps_down():
    s = reader(est=460)
    assert page(s) == 3
    s.in_flight = 450
    s.record(450, 1, 0, [])  # 204 "*/0": says nothing about the total
    assert s.total is None
    assert page(s) == 2


def test_an_empty_page_with_a_total_replans():
    s = reader(est=460)
    assert page(s) == 3
    s.in_flight = 450
    s.record(450, 1, 440, [])  # "offres -1--1/440"
    assert page(s) == 2


def test_a_page_failing_twice_is_given_up_and_the_ledger_sees_the_gap():
    s = reader(est=300)
    answer(s, 1, 300)  # page 1
    s.in_flight = 0
    assert not s.fail(0, 2)
    assert page(s) == 0
    s.in_flight = 0
    assert s.fail(0, 3)
    assert page(s) is None
    assert s.settle(DEPTH) is False  # short: one more full reading
    assert page(s) == 1


def test_the_ledger_reads_a_short_slice_again_then_judges_on_the_smallest_count():
    s = reader(est=300)
    answer(s, 1, 300)
    answer(s, 2, 300, n=140)  # ten rows not served
    assert s.settle(DEPTH) is False
    answer(s, 3, 295, tag="b")
    answer(s, 4, 295, n=140, tag="b")
    assert s.settle(DEPTH) is True
    assert s.status == "complete"  # the second reading's keys are new: 430 distinct >= 295


def test_a_slice_short_at_every_reading_is_read_three_times_in_all_then_short():
    s = reader(est=300)
    for reading in range(3):
        answer(s, 2 * reading, 300, n=100)
        answer(s, 2 * reading + 1, 300, n=100)  # the same 100 keys per page every time
        assert s.settle(DEPTH) is (reading == 2)
    assert s.status == "short" and s.readings == 3 and (s.final_expected, s.final_collected) == (300, 200)


def test_with_exact_counts_the_moment_an_answer_describes_orders_the_reads_not_its_arrival():
    # page 2 is read first and counts 449; page 1 comes later but from an earlier moment (450):
    # a withdrawal between the two may have moved a row from page 1's territory to page 2's
    # unseen, so page 1 is read again; an answer counting 449 or less stands.
    s = reader(est=450)
    assert answer(s, 1, 449, exact=True) == 2
    assert answer(s, 2, 450, exact=True) == 1
    assert page(s) == 1
    assert answer(s, 3, 449, exact=True) == 1
    assert page(s) == 0
    # an earlier read with a smaller count describes a later moment: it stands
    s = reader(est=None)
    assert answer(s, 1, 440, exact=True) == 0
    assert answer(s, 2, 441, exact=True) == 2
    assert answer(s, 3, 441, exact=True) == 1
    assert page(s) is None


def test_a_page_that_keeps_describing_an_earlier_moment_is_taken_after_three_reads_again():
    s = reader(est=450)
    answer(s, 1, 449, exact=True)  # page 2
    answer(s, 2, 450, exact=True)  # page 1, from an earlier moment
    assert page(s) == 1
    s.rereads[150] = 3  # the cursor counts the reads again it sends
    assert page(s) == 0  # taken as it is: the ledger's count check stands behind it


def test_over_the_cap_the_ledger_allows_for_rows_pushed_below_the_last_page():
    s = reader(est=10_000)
    for seq in range(21):
        answer(s, seq, 10_000 - seq)  # a withdrawal between every two reads
    s.keys = set(list(s.keys)[:3150 - 20])  # what those withdrawals cost in distinct rows
    assert s.expected(DEPTH) == 3150 - 20
    assert s.settle(DEPTH) is True and s.status == "complete"
