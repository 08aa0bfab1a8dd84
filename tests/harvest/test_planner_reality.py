"""Property-based: the planner against an in-memory API that does not keep the promises its
documentation does not make (tests/harvest/fakeapi.py plays the sandbox's reality modes): ties in
a new order at every request, answers from replicas behind the clock, noisy totals, and, for the
verdict, lying totals. The cap is lowered to 300 as in test_planner_properties.py, and both caps
the API may enforce are drawn."""

from __future__ import annotations

import math
import os
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from offres_crawler.harvest.planner import HarvestPlanner
from tests.harvest.fakeapi import FakeApi, collected, drive, make_market
from tests.harvest.test_planner_properties import CAP, matches, queries

EXAMPLES = int(os.environ.get("OFFRES_HYPOTHESIS_EXAMPLES", "30"))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    n=st.one_of(st.integers(0, 300), st.integers(1000, 2500)),
    bursts=st.lists(st.integers(20, 140), max_size=3),
    query=queries,
    tie_order=st.sampled_from(["stable", "shuffle"]),
    lag=st.sampled_from([0.0, 3.0]),
    noise=st.sampled_from([0, 3]),
    churn=st.sampled_from([(0, 0), (3, 1)]),
    api_cap=st.sampled_from([CAP, 150]),
)
def test_every_offer_present_throughout_whatever_the_api_does(seed, n, bursts, query, tie_order, lag, noise,
                                                               churn, api_cap):
    rng = random.Random(seed)
    offers = make_market(rng, n, bursts=bursts, imports=6.0)
    api = FakeApi(offers, max_start=api_cap, new_per_s=churn[0], withdrawn_per_s=churn[1],
                  tie_order=tie_order, replica_lag=lag, total_noise=noise, rng=random.Random(seed + 1),
                  reality_rng=random.Random(seed + 3))
    start = api.now
    planner = drive(HarvestPlanner(query, max_start=CAP, lag=int(lag) or 5), api,
                    rng=random.Random(seed + 2))
    throughout = matches(api, query, start) & matches(api, query, api.now)
    assert throughout <= collected(planner, api)
    assert planner.completeness() == 1.0, planner.incomplete_reasons()
    assert planner.contradictions() == []
    assert planner.stopped is None


@settings(max_examples=max(10, EXAMPLES // 2), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n=st.integers(400, 2500), factor=st.sampled_from([0.5, 0.9, 1.5]),
       query=queries, tie_order=st.sampled_from(["stable", "shuffle"]))
def test_lying_totals_are_always_named(seed, n, factor, query, tie_order):
    offers = make_market(random.Random(seed), n, imports=6.0)
    api = FakeApi(offers, lying_totals=factor, tie_order=tie_order, rng=random.Random(seed + 1))
    if len(list(api._match(query))) <= 150:
        return  # one answer: nothing after it to lie
    start = api.now
    planner = drive(HarvestPlanner(query, max_start=CAP), api, rng=random.Random(seed + 2))
    # the planner counts with filtresPossibles, so it may well collect everything; what it can
    # never do is call the run proven while the API's totals contradict its own facet counts
    # beyond an estimate's error. A lie the fake clamps to the rows served (a total is never
    # below them) can shrink into that error (its square root): it is then not named, and the
    # run must then really hold every offer of the query.
    totals = planner.report()["reality"]["totals"]
    if planner.contradictions():
        return
    truth = matches(api, query, start)
    assert totals["max_deviation"] <= math.isqrt(len(truth)) + 1, totals
    assert truth <= collected(planner, api) and planner.completeness() == 1.0, totals
