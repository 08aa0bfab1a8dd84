"""The query counted up to C at the start (counts.py): taken from the first answer itself when
its rows reach down to C, asked with a request only when they do not (a bulk import after C)."""

from __future__ import annotations

import random

import pytest

from offres_crawler.harvest.ledger import Purpose
from offres_crawler.harvest.planner import HarvestPlanner
from tests.harvest.fakeapi import BASE, FakeApi, make_market, make_offer

QUERY = {"origineOffre": "1"}


def run(offers: list, **api_kw) -> tuple[HarvestPlanner, FakeApi, list[Purpose]]:
    api = FakeApi(offers, **api_kw)
    planner = HarvestPlanner(QUERY, max_start=3000)
    purposes = []
    while requests := planner.next_requests():
        for r in requests:
            purposes.append(r.purpose)
            if r.delay:
                api.advance(r.delay)
            planner.observe(r.key, api.search(r.params))
    return planner, api, purposes


def up_to_mark(offers: list, mark: int) -> int:
    return sum(1 for o in offers if o.origine == "1" and o.ms // 1000 <= mark)


def test_the_first_answer_counts_up_to_c_when_its_rows_reach_it():
    offers = make_market(random.Random(4), 4000)
    planner, api, purposes = run(offers)
    assert planner.completeness() == 1.0
    audit = planner.audit
    assert purposes.count(Purpose.COUNT) == 1  # the count at the end only
    assert audit.start is not None and audit.mark is not None and audit.start.exact
    assert audit.start.count == audit.end.count == up_to_mark(offers, audit.mark)


def test_a_bulk_import_after_c_is_counted_with_a_request():
    rng = random.Random(4)
    offers = make_market(rng, 4000)
    # 300 offers in the very last second before the crawl: the first answer's 150 rows stop above C
    offers += [make_offer(rng, f"I{j:04d}", BASE * 1000, origine="1") for j in range(300)]
    planner, api, purposes = run(offers)
    assert planner.completeness() == 1.0
    audit = planner.audit
    assert purposes.count(Purpose.COUNT) == 2  # at the start and at the end
    assert audit.start is not None and audit.mark is not None and audit.mark < BASE
    assert audit.start.count == audit.end.count == up_to_mark(offers, audit.mark)


@pytest.mark.parametrize("max_inclusive", [True, False])
def test_c_is_an_empty_second_so_the_counts_mean_one_thing_whatever_the_bounds(max_inclusive):
    """Offers on every second of the last minute but one: C is that one, and both readings of
    maxCreationDate count the same offers up to it, the start's and the end's."""
    rng = random.Random(5)
    offers = make_market(rng, 3000)
    gap = BASE - 30
    offers += [make_offer(rng, f"S{s}", s * 1000, origine="1") for s in range(BASE - 60, BASE) if s != gap]
    planner, api, purposes = run(offers, max_inclusive=max_inclusive)
    audit = planner.audit
    assert planner.completeness() == 1.0 and purposes.count(Purpose.COUNT) == 1
    assert audit.mark == gap
    assert audit.start.count == audit.end.count == up_to_mark(offers, gap)
    assert len(planner.ledger.ids) - audit.newer == up_to_mark(offers, gap)  # collected up to C
