"""The count at the end of a one-pass query made by its closing read (count_flow.py, lag.py): page
0 of the query bounded above like the closing window, asked once every replica has the head's
seconds. Its rows are the closing read when they reach the head's oldest second, and its count
less its rows created after C is the count at the end when they reach below C; otherwise the
rest of the closing window is read on its own and / or the query counted with a request."""

from __future__ import annotations

import json
import random

import pytest

from offres_crawler.harvest.dates import epoch_to_param
from offres_crawler.harvest.ledger import Purpose
from offres_crawler.harvest.planned import PlannedRequest
from offres_crawler.harvest.planner import HarvestPlanner
from tests.harvest.fakeapi import BASE, FakeApi, collected, drive, make_market, make_offer

QUERY = {"origineOffre": "1"}
FLOOR = "2000-01-01T00:00:00Z"


def run(api: FakeApi, *, fail_merged: bool = False) -> tuple[HarvestPlanner, list[PlannedRequest]]:
    """Harvest QUERY with the default lag (5 s); every request in the order sent. The count that
    reads the closing window is the request planned while count_state is "waiting-closing"."""
    planner = HarvestPlanner(QUERY, max_start=3000)
    sent: list[PlannedRequest] = []
    while requests := planner.next_requests():
        for r in requests:
            merged = planner.count_state == "waiting-closing" and r.purpose is Purpose.COUNT
            sent.append(r)
            if r.delay:
                api.advance(r.delay)
            if merged and fail_merged:
                api.advance(api.step)
                planner.observe_failure(r.key, "injected")
                continue
            planner.observe(r.key, api.search(r.params))
    assert planner.done
    return planner, sent


def purposes(sent: list[PlannedRequest]) -> list[Purpose]:
    return [r.purpose for r in sent]


def up_to(offers: list, mark: int, at: float) -> int:
    return sum(1 for o in offers if o.origine == "1" and o.ms // 1000 <= mark and o.born <= at < o.died)


def head_top(planner: HarvestPlanner) -> int:
    top = planner.passes.root.seen_at
    assert top is not None
    return top


def merged_requests(planner: HarvestPlanner, sent: list[PlannedRequest]) -> list[PlannedRequest]:
    """The counts of the whole query bounded above like the closing window."""
    top = epoch_to_param(head_top(planner) + 1)
    return [r for r in sent if r.purpose is Purpose.COUNT and r.params.get("maxCreationDate") == top
            and r.params.get("minCreationDate") == FLOOR]


@pytest.mark.parametrize("max_inclusive", [True, False])
def test_in_a_stable_world_one_request_is_the_closing_read_and_the_count_at_the_end(max_inclusive):
    offers = make_market(random.Random(4), 4000)
    api = FakeApi(offers, max_inclusive=max_inclusive)
    planner, sent = run(api)
    assert collected(planner, api) == {o.id for o in offers if o.origine == "1"}
    assert planner.completeness() == 1.0 and planner.contradictions() == []
    # no closing slice, no count of its own: one count, the closing read's
    assert purposes(sent).count(Purpose.COUNT) == 1 and Purpose.CLOSING not in purposes(sent)
    [merged] = merged_requests(planner, sent)
    assert merged.params["range"] == "0-149" and merged.params["sort"] == "1"
    assert merged.delay > 0  # not before every replica has the head's seconds
    audit = planner.audit
    assert audit.closing_by_count and audit.end_from_rows
    assert audit.mark is not None and audit.start is not None and audit.end is not None
    assert audit.end.exact and audit.start.count == audit.end.count == up_to(offers, audit.mark, api.now)
    assert audit.end.total == audit.end.count
    lag = planner.report()["reality"]["lag"]
    assert lag == {"allowance_s": 5, "closing_requests": 0, "count_requests": 1, "closing_read_by_the_count": True}


def test_a_burst_in_the_heads_seconds_is_read_as_the_closing_window_then_counted():
    """200 offers of the head's last second that its replica had not indexed yet: the closing
    window holds more than a page, so the count's page reaches neither the head's oldest second
    nor C. The closing window is read on its own, then the query counted with a request."""
    rng = random.Random(4)
    offers = make_market(rng, 4000)
    burst = [make_offer(rng, f"L{j:04d}", BASE * 1000 + j, origine="1", born=BASE + 1.0) for j in range(200)]
    api = FakeApi(offers + burst)
    planner, sent = run(api)
    assert {o.id for o in burst} <= collected(planner, api)
    assert collected(planner, api) == {o.id for o in offers + burst if o.origine == "1"}
    assert planner.completeness() == 1.0 and planner.contradictions() == []
    assert len(merged_requests(planner, sent)) == 1
    assert purposes(sent).count(Purpose.COUNT) == 2  # the closing read's, then a count of its own
    assert purposes(sent).count(Purpose.CLOSING) >= 2  # 350 offers in the closing window
    assert sent[-1].purpose is Purpose.COUNT and sent[-1] not in merged_requests(planner, sent)
    audit = planner.audit
    assert not audit.closing_by_count and not audit.end_from_rows
    assert audit.start.count == audit.end.count == up_to(offers, audit.mark, api.now)


def test_a_few_offers_more_in_the_heads_seconds_leave_only_the_rest_of_the_closing_window():
    """20 offers the head could not show: the count's page holds the closing window's newest
    150 offers and reaches below C, so it is the count at the end; the seconds it does not hold
    in full, down to the head's oldest, are read on their own (one page)."""
    rng = random.Random(4)
    offers = make_market(rng, 4000)
    late = [make_offer(rng, f"L{j:04d}", (BASE - 1) * 1000 + j, origine="1", born=BASE + 1.0) for j in range(20)]
    api = FakeApi(offers + late)
    planner, sent = run(api)
    assert collected(planner, api) == {o.id for o in offers + late if o.origine == "1"}
    assert planner.completeness() == 1.0 and planner.contradictions() == []
    assert purposes(sent).count(Purpose.COUNT) == 1 and purposes(sent).count(Purpose.CLOSING) == 1
    [rest] = [r for r in sent if r.purpose is Purpose.CLOSING]
    oldest = min(planner.passes.root.seconds)
    assert rest.params["minCreationDate"] == epoch_to_param(oldest - 1)
    assert rest.params["maxCreationDate"] < epoch_to_param(BASE - 1)  # below the late offers
    audit = planner.audit
    assert not audit.closing_by_count and audit.end_from_rows
    assert audit.start.count == audit.end.count == up_to(offers, audit.mark, api.now)


def test_a_withdrawal_during_the_crawl_is_seen_by_the_closing_reads_count():
    rng = random.Random(4)
    offers = make_market(rng, 4000)
    gone = sorted((o for o in offers if o.origine == "1"), key=lambda o: o.ms)[100]
    gone.died = BASE + 3.0  # a few requests into the crawl
    api = FakeApi(offers)
    planner, sent = run(api)
    assert planner.completeness() == 1.0 and planner.contradictions() == []
    audit = planner.audit
    assert audit.closing_by_count and audit.end_from_rows
    assert audit.start.count - audit.end.count == 1
    assert audit.end.count == up_to(offers, audit.mark, api.now)
    assert planner.report()["reality"]["totals"]["withdrawals_seen"] >= 1


def test_an_offer_up_to_c_not_collected_is_named_by_the_closing_reads_count():
    """The count's page finds, up to C, an offer that no read of the harvest brought (here one
    that appears only then): the shortfall check sees it, counts again after the lag, and the
    harvest is not called complete."""
    rng = random.Random(4)
    offers = make_market(rng, 4000)
    api = FakeApi(offers)
    planner = HarvestPlanner(QUERY, max_start=3000)
    old = min(o.ms for o in offers)
    ghost = make_offer(rng, "GHOST", old + 1000, origine="1")
    sent = []
    while requests := planner.next_requests():
        for r in requests:
            if planner.count_state == "waiting-closing" and r.purpose is Purpose.COUNT:
                ghost.born = api.now  # there from the count's answer on
                api.offers.append(ghost)
            sent.append(r)
            if r.delay:
                api.advance(r.delay)
            planner.observe(r.key, api.search(r.params))
    assert planner.audit.end_from_rows
    assert planner.audit.end.count == up_to(api.offers, planner.audit.mark, api.now)
    assert purposes(sent).count(Purpose.COUNT) >= 2  # counted again once no replica can be behind
    assert "GHOST" not in planner.keys
    assert planner.completeness() < 1.0
    assert any("count at the end" in r for r in planner.incomplete_reasons())


def test_an_offer_hidden_by_replica_lag_from_the_head_is_brought_by_the_closing_reads_count():
    """The head's answer comes from a replica 4 s behind: an offer created 2 s before the crawl
    is not in it. The count made once every replica has the head's seconds brings it."""
    rng = random.Random(4)
    offers = make_market(rng, 4000)
    hidden = make_offer(rng, "HIDDEN", (BASE - 2) * 1000, origine="1", born=BASE - 2.0)

    class Behind(random.Random):
        """The replica of the first answer is 4 s behind, every other one up to date."""

        calls = 0

        def uniform(self, a: float, b: float) -> float:
            self.calls += 1
            return 4.0 if self.calls == 1 else 0.0

    api = FakeApi(offers + [hidden], replica_lag=5.0, reality_rng=Behind(1))
    first = api.search({**QUERY, "sort": "1", "range": "0-149"})
    assert "HIDDEN" not in {k for k, _ in first.rows}  # what the head's replica shows
    api = FakeApi(offers + [hidden], replica_lag=5.0, reality_rng=Behind(1))
    planner, sent = run(api)
    assert "HIDDEN" in planner.keys
    assert collected(planner, api) == {o.id for o in offers + [hidden] if o.origine == "1"}
    assert planner.completeness() == 1.0 and planner.contradictions() == []
    # brought by the count: what the closing window read on its own, if anything, is below it
    assert all(r.params["maxCreationDate"] < epoch_to_param(BASE - 2) for r in sent if r.purpose is Purpose.CLOSING)
    assert planner.audit.end_from_rows


def test_when_the_closing_reads_count_fails_the_closing_window_is_read_then_counted():
    offers = make_market(random.Random(4), 4000)
    api = FakeApi(offers)
    planner, sent = run(api, fail_merged=True)
    assert collected(planner, api) == {o.id for o in offers if o.origine == "1"}
    assert planner.completeness() == 1.0 and planner.contradictions() == []
    assert purposes(sent).count(Purpose.CLOSING) == 1 and purposes(sent).count(Purpose.COUNT) == 2
    assert sent[-1].purpose is Purpose.COUNT and planner.count_failures == 0
    assert planner.ledger.warnings == []
    audit = planner.audit
    assert not audit.closing_by_count and not audit.end_from_rows
    assert audit.start.count == audit.end.count == up_to(offers, audit.mark, api.now)


def test_a_planner_saved_while_the_closing_reads_count_is_awaited_goes_on_alike():
    offers = make_market(random.Random(4), 4000)
    planner, sent = run(FakeApi(list(offers)))
    at = sent.index(merged_requests(planner, sent)[0])
    first = drive(HarvestPlanner(QUERY, max_start=3000), FakeApi(list(offers)))
    again = drive(HarvestPlanner(QUERY, max_start=3000), FakeApi(list(offers)), restore_at=at)
    saved = first.to_dict()
    assert again.audit.closing_by_count and again.audit.end_from_rows
    assert again.requests == first.requests and again.ledger.by_purpose == first.ledger.by_purpose
    assert again.audit.end == first.audit.end and len(again.keys) == len(first.keys)
    assert json.loads(json.dumps(saved))["passes"]["deferred"] is None  # read by then
