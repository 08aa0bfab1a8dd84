"""Churn: offers appear and are withdrawn at the configured rates, deterministically; the past
stays answerable (alive_ids at any earlier instant)."""

from __future__ import annotations

import re

from offres_crawler.sandbox.market import Market, MarketConfig
from offres_crawler.sandbox.query import Query
from tests.openapi import error_summary, offre_validator
from tests.sandbox.market_helpers import ANCHOR_MS, epoch_ms

SECOND = 1000


def churning(new: float = 20.0, gone: float = 10.0, seed: int = 9) -> Market:
    return Market(MarketConfig(offers=2_000, seed=seed, anchor_ms=ANCHOR_MS, churn_new_per_s=new,
                               churn_withdrawn_per_s=gone))


def test_new_offers_arrive_at_the_rate_on_top_of_sort_1(samples):
    m = churning(new=20.0, gone=0.0)
    now = ANCHOR_MS + 30 * SECOND
    result = m.search(Query(sort=1, start=0, end=149), now)
    assert abs(result.total - (2_000 + 600)) <= 1
    top = [m.offer(r) for r in result.rows]
    assert all(ANCHOR_MS < epoch_ms(o["dateCreation"]) <= now for o in top)
    created = [epoch_ms(o["dateCreation"]) for o in top]
    assert created == sorted(created, reverse=True)
    validator = offre_validator(strict=True)
    assert [error_summary(validator, o) for o in top if error_summary(validator, o)] == []
    for o in top:
        ft = o["origineOffre"]["origine"] == "1"
        assert re.match(r"^\d{3}[A-Z]{4}$" if ft else r"^\d{7}$", o["id"])
        assert ft or o["dateCreation"].endswith(".000Z")
        assert m.row_of_id(o["id"]) is not None
    assert len({m.offer_id(r) for r in range(m.n)}) == m.n


def test_withdrawn_offers_are_not_served_but_remembered():
    m = churning(new=5.0, gone=10.0)
    before = ANCHOR_MS + 10 * SECOND
    after = ANCHOR_MS + 60 * SECOND
    alive_before = m.alive_ids(before)
    alive_after = m.alive_ids(after)
    assert abs(len(alive_after) - (2_000 + 300 - 600)) <= 2
    gone = set(alive_before) - set(alive_after)
    assert len(gone) > 400
    served = {m.offer_id(r) for r in m.search(Query(sort=1, start=0, end=m.n), after).rows}
    assert served == set(alive_after) and not served & gone
    assert m.alive_ids(before) == alive_before  # the past does not change
    for offer_id in list(gone)[:20]:
        row = m.row_of_id(offer_id)
        assert m.is_alive(row, before) and not m.is_alive(row, after)
    assert m.alive_count(after) == len(alive_after)


def test_churn_does_not_depend_on_how_often_it_is_applied():
    step, once = churning(), churning()
    for t in range(ANCHOR_MS, ANCHOR_MS + 40 * SECOND, 137):
        step.advance(t)
    end = ANCHOR_MS + 40 * SECOND
    step.advance(end)
    once.advance(end)
    assert step.n == once.n
    assert [step.offer_id(r) for r in range(step.n)] == [once.offer_id(r) for r in range(once.n)]
    assert (step.cols["withdrawn"][: step.n] == once.cols["withdrawn"][: once.n]).all()
    for at in (ANCHOR_MS + 5 * SECOND, ANCHOR_MS + 22_222, end):
        assert step.alive_ids(at) == once.alive_ids(at)
    new_rows = range(2_000, step.n, 97)
    assert [step.offer(r) for r in new_rows] == [once.offer(r) for r in new_rows]


def test_same_seed_same_churn_other_seed_other_churn():
    end = ANCHOR_MS + 20 * SECOND
    a, b, c = churning(seed=1), churning(seed=1), churning(seed=2)
    assert a.alive_ids(end) == b.alive_ids(end) != c.alive_ids(end)


def test_a_search_in_the_past_sees_the_market_of_that_instant():
    m = churning(new=10.0, gone=10.0)
    m.advance(ANCHOR_MS + 30 * SECOND)
    past = ANCHOR_MS + 12 * SECOND
    rows = m.search(Query(sort=1, start=0, end=m.n), past).rows
    assert sorted(m.offer_id(r) for r in rows) == sorted(m.alive_ids(past))


def test_no_churn_without_rates():
    m = Market(MarketConfig(offers=1_000, seed=1, anchor_ms=ANCHOR_MS))
    m.advance(ANCHOR_MS + 3_600 * SECOND)
    assert m.n == 1_000 and m.alive_count(ANCHOR_MS + 3_600 * SECOND) == 1_000
