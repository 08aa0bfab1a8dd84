"""Not-before times in request meta, and the heap that holds requests until they are due."""

from __future__ import annotations

import math

import pytest

from offres_crawler.transport.delays import NOT_BEFORE_META, DueHeap, not_before, remaining_delay


def test_a_request_waits_out_its_delay_then_goes():
    meta: dict = {}
    not_before(meta, 4.0, now=1000.0)
    assert remaining_delay(meta, 1000.0) == 4.0
    assert remaining_delay(meta, 1003.0) == pytest.approx(1.0)
    assert remaining_delay(meta, 1004.0) == 0.0
    assert remaining_delay(meta, 2000.0) == 0.0


def test_a_clock_set_back_never_makes_a_request_wait_longer_than_its_delay():
    meta: dict = {}
    not_before(meta, 4.0, now=1000.0)
    assert remaining_delay(meta, 100.0) == 4.0  # the clock went back 900 s (a resumed crawl)


@pytest.mark.parametrize("delay", [0.0, -1.0, math.inf, math.nan])
def test_no_positive_finite_delay_means_no_hold(delay):
    meta: dict = {NOT_BEFORE_META: (5000.0, 4.0)}
    not_before(meta, delay, now=1000.0)
    assert NOT_BEFORE_META not in meta
    assert remaining_delay(meta, 1000.0) == 0.0


@pytest.mark.parametrize("value", [None, 12.0, "soon", (1.0,), (1.0, 2.0, 3.0), ("a", "b"),
                                   (math.nan, 4.0), (math.inf, math.inf)])
def test_a_value_not_written_by_not_before_never_holds_a_request(value):
    assert remaining_delay({NOT_BEFORE_META: value}, 1000.0) == 0.0


def test_a_value_read_back_as_a_list_still_holds():  # what a JSON-based queue would give back
    assert remaining_delay({NOT_BEFORE_META: [1004.0, 4.0]}, 1000.0) == 4.0


def test_the_heap_hands_out_what_is_due_earliest_first_ties_in_arrival_order():
    heap: DueHeap[str] = DueHeap()
    assert heap.next_due() is None and heap.pop_due(1e9) == []
    for item, due in [("c", 3.0), ("a", 1.0), ("b1", 2.0), ("b2", 2.0), ("d", 4.0)]:
        heap.push(item, due)
    assert len(heap) == 5 and heap.next_due() == 1.0
    assert heap.pop_due(0.5) == []
    assert heap.pop_due(2.0) == ["a", "b1", "b2"]
    assert heap.next_due() == 3.0 and len(heap) == 2
    assert heap.drain() == ["c", "d"]
    assert len(heap) == 0 and heap.next_due() is None


def test_items_that_do_not_compare_can_be_held():
    heap: DueHeap[dict] = DueHeap()
    heap.push({"x": 1}, 1.0)
    heap.push({"x": 2}, 1.0)
    assert heap.drain() == [{"x": 1}, {"x": 2}]
