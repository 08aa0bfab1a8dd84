"""The planner driven against the in-memory API of fakeapi.py: scenarios, each with its reason."""
from __future__ import annotations

import logging
import math
import random

import pytest

from offres_crawler.harvest.planner import HarvestPlanner
from tests.harvest.fakeapi import BASE, FakeApi, collected, drive, make_market, make_offer


def lower_bound(n: int) -> int:
    return math.ceil(n / 150)


def harvest(offers, query=None, *, order_seed=3, planner_kw=None, **api_kw):
    """Harvest with the default cap (3000) against a fake API configured by `api_kw`; answers to
    requests sent together come back in a random order. These scenarios count the requests of
    paging: the planner takes answers as current (lag 0: no closing reads) unless `planner_kw`
    says otherwise, and `paging()` leaves out the two counts of the query (start and end), which
    test_planner_reality.py covers with the rest."""
    api = FakeApi(offers, **api_kw)
    alive_at_start = api.alive()
    planner = HarvestPlanner(query or {}, **{"lag": 0, **(planner_kw or {})})
    drive(planner, api, rng=random.Random(order_seed))
    return planner, api, alive_at_start


def paging(planner: HarvestPlanner) -> int:
    """Requests made to page the query: all but the counts of the query at its start and end."""
    return planner.requests - planner.ledger.by_purpose.get("count", 0)


def test_fewer_than_150_offers_cost_the_root_and_two_heads():
    offers = make_market(random.Random(1), 120)
    planner, api, alive = harvest(offers)
    assert collected(planner, api) == alive
    assert planner.requests == 3  # root + one head per origine; each head holds its whole pass
    assert planner.completeness() == 1.0
    assert planner.origine_check.ok


def test_allowing_for_lagging_replicas_reads_each_open_pass_again_later():
    offers = make_market(random.Random(1), 120)
    planner, api, alive = harvest(offers, planner_kw={"lag": 5})
    assert collected(planner, api) == alive
    # and each head's seconds once more, once every replica has them (harvest/lag.py)
    assert planner.ledger.by_purpose == {"root": 1, "head": 2, "closing": 2}
    closing = [r for r in api.requests if "maxCreationDate" in r]
    assert len(closing) == 2 and all(r["minCreationDate"] == "2000-01-01T00:00:00Z" for r in closing)


def test_a_query_fixing_origine_is_one_request_when_small():
    offers = make_market(random.Random(1), 200)
    planner, api, _ = harvest(offers, {"origineOffre": "2"})
    assert planner.requests == 1
    assert collected(planner, api) == {o.id for o in offers if o.origine == "2"}


def test_no_result_is_one_request_and_complete():
    planner, api, _ = harvest([])
    assert planner.requests == 1
    assert planner.expected() == 0 and planner.completeness() == 1.0
    assert planner.report()["root"]["total"] == 0


def test_under_the_cap_every_offer_in_about_the_minimum_of_requests():
    offers = make_market(random.Random(2), 2900)
    planner, api, alive = harvest(offers, {"origineOffre": "1"})
    n = len([o for o in offers if o.origine == "1"])
    assert collected(planner, api) == {o.id for o in offers if o.origine == "1"}
    assert paging(planner) <= lower_bound(n) + 1  # the head's 150 rows overlap one slice page


def test_over_the_cap_the_cursor_stays_close_to_the_minimum():
    offers = make_market(random.Random(3), 30_000)
    planner, api, alive = harvest(offers)
    assert collected(planner, api) == alive
    assert paging(planner) <= 1.05 * lower_bound(len(offers))
    assert all(int(r["range"].split("-")[0]) <= 3000 for r in api.requests)


def test_same_second_bursts_are_split_on_a_facet_whose_counts_add_up():
    rng = random.Random(4)
    offers = make_market(rng, 8000, bursts=[4000, 3500])
    planner, api, alive = harvest(offers)
    assert collected(planner, api) == alive
    report = planner.report()
    assert len(report["facet_splits"]) == 2
    assert all(s["sum_check"] for s in report["facet_splits"])
    assert not any("typeContrat" in r and "natureContrat" in r for r in api.requests)
    budget = 1.05 * lower_bound(len(offers)) + report["requests"]["facet_split_overhead"]
    assert paging(planner) <= budget


def test_the_legacy_cap_is_learned_from_the_400_and_logged_once(caplog):
    offers = make_market(random.Random(5), 5000, bursts=[1500])
    with caplog.at_level(logging.WARNING, logger="offres_crawler.harvest.planner"):
        planner, api, alive = harvest(offers, max_start=1000)
    assert collected(planner, api) == alive
    assert planner.max_start == 1000 and planner.depth == 7 and planner.report()["cap"]["learned_from_api"]
    assert sum("caps the range start at 1000" in r.getMessage() for r in caplog.records) == 1
    starts = [int(r["range"].split("-")[0]) for r in api.requests]
    assert sum(s > 1000 for s in starts) == 1  # one 400, then no window past the cap


@pytest.mark.parametrize("min_inclusive, max_inclusive",
                         [(True, True), (False, False), (True, False), (False, True)])
def test_correct_whatever_the_inclusivity_of_the_date_bounds(min_inclusive, max_inclusive):
    offers = make_market(random.Random(6), 9000, bursts=[3300], hot_seconds=40)
    planner, api, alive = harvest(offers, min_inclusive=min_inclusive, max_inclusive=max_inclusive)
    assert collected(planner, api) == alive
    assert planner.completeness() == 1.0


def test_origine_quirk_does_not_hide_partner_offers():
    offers = make_market(random.Random(7), 6000)
    planner, api, alive = harvest(offers, origine_quirk=True)
    assert collected(planner, api) == alive
    assert planner.origine_check.ok


def test_origine_totals_that_do_not_add_up_bring_an_unfiltered_pass():
    offers = make_market(random.Random(8), 4000)
    for o in offers[:300]:
        o.origine = "3"  # in no origine pass
    planner, api, alive = harvest(offers)
    assert not planner.origine_check.ok
    assert [p["label"] for p in planner.report()["passes"]][-1] == "all origines"
    assert collected(planner, api) == alive


def test_past_the_end_answered_204_without_a_total():
    offers = make_market(random.Random(9), 7000, bursts=[3200])
    planner, api, alive = harvest(offers, past_end="204")
    assert collected(planner, api) == alive


def test_without_a_date_header_the_newest_offer_stands_in_for_the_clock():
    offers = make_market(random.Random(10), 5000)
    planner, api, alive = harvest(offers, send_date=False, new_per_s=2, withdrawn_per_s=1)
    assert alive & api.alive() <= collected(planner, api)
    assert any("Date header" in w for w in planner.report()["warnings"])


def test_churn_never_hides_an_offer_alive_throughout():
    offers = make_market(random.Random(11), 25_000, bursts=[4000])
    planner, api, alive = harvest(offers, new_per_s=2, withdrawn_per_s=1)
    throughout = alive & api.alive()
    assert throughout <= collected(planner, api)
    assert planner.completeness() == 1.0


def test_heavy_withdrawals_are_not_counted_missing():
    offers = make_market(random.Random(12), 12_000)
    planner, api, alive = harvest(offers, withdrawn_per_s=30)
    assert alive & api.alive() <= collected(planner, api)
    assert planner.missing() == 0


def test_a_users_date_window_is_respected_exactly():
    offers = make_market(random.Random(13), 6000)
    lo, hi = BASE - 40 * 86400, BASE - 10 * 86400
    from offres_crawler.harvest.dates import epoch_to_param
    query = {"minCreationDate": epoch_to_param(lo), "maxCreationDate": epoch_to_param(hi)}
    planner, api, alive = harvest(offers, query)
    assert collected(planner, api) == {o.id for o in offers if lo <= o.ms // 1000 <= hi}
    assert all(epoch_to_param(lo) <= r["minCreationDate"] for r in api.requests if "minCreationDate" in r)
    assert all(r["maxCreationDate"] <= epoch_to_param(hi) for r in api.requests if "maxCreationDate" in r)


def test_a_user_query_with_both_ored_facets_splits_on_experience_only():
    rng = random.Random(14)
    offers = make_market(rng, 3000, bursts=[3400])
    query = {"typeContrat": "CDI,CDD,MIS,SAI,LIB,FRA", "natureContrat": "E1"}
    planner, api, alive = harvest(offers, query)
    assert collected(planner, api) == alive
    assert {s["facet"] for s in planner.report()["facet_splits"]} == {"experience"}
    assert all(r["typeContrat"] == query["typeContrat"] and r["natureContrat"] == "E1" for r in api.requests)


def test_a_second_beyond_every_facet_is_reported_unreachable():
    offers = [make_offer(random.Random(i), f"X{i:05d}", (BASE - 3600) * 1000, origine="1")
              for i in range(3400)]
    for o in offers:
        o.typeContrat, o.natureContrat, o.experience, o.qualification = "CDI", "E1", "1", "X"
        o.experienceExigence, o.dureeHebdo = "E", "1"
    planner, api, _ = harvest(offers, {"origineOffre": "1"})
    assert planner.missing() == 3400 - 3150
    assert planner.completeness() < 1.0
    assert planner.report()["unreachable"]


def test_a_refused_query_is_fatal_with_the_apis_message():
    planner = HarvestPlanner({})
    [req] = planner.next_requests()
    from offres_crawler.harvest.search_page import read_search_page
    planner.observe(req.key, read_search_page(400, None, None, {
        "codeErreur": "1", "codeHttp": 400, "message": "Valeur du paramètre « commune » incorrecte."}))
    assert planner.done and planner.next_requests() == []
    assert "commune" in planner.fatal and planner.completeness() == 0.0


def test_a_page_that_keeps_failing_is_refetched_once_then_counted_missing():
    offers = make_market(random.Random(15), 4000)
    api = FakeApi(offers)
    planner = HarvestPlanner({"origineOffre": "1"}, lag=0)
    doomed = None  # every read of page 1 of the first slice fails
    queue = []
    while True:
        queue.extend(planner.next_requests())
        if not queue:
            break
        req = queue.pop(0)
        if req.purpose == "slice" and req.page == 1 and doomed in (None, req.unit):
            doomed = req.unit
            planner.observe_failure(req.key, "connection reset")
            continue
        planner.observe(req.key, api.search(req.params))
    assert planner.done
    [bad] = [s for s in planner.report()["slices"] if s["id"] == doomed]
    assert bad["refetched"] and bad["status"] == "short" and bad["pages_given_up"] == [1]
    assert planner.missing() == 150
    assert planner.incomplete_reasons() == [f"slice {doomed} short by 150"]


def test_report_is_json_ready_and_carries_the_root_facets():
    import json
    offers = make_market(random.Random(16), 1000)
    planner, _, _ = harvest(offers)
    report = json.loads(json.dumps(planner.report()))
    assert report["root"]["total"] == 1000
    assert {f["filtre"] for f in report["root"]["filtresPossibles"]} == \
        {"typeContrat", "experience", "qualification", "natureContrat"}
    assert report["completeness"]["ratio"] == 1.0
    assert report["requests"]["total"] == planner.requests


def crowd(n: int, second: int, **attrs) -> list:
    rng = random.Random(n)
    offers = [make_offer(rng, f"C{i:05d}", second * 1000, origine="1") for i in range(n)]
    for o in offers:
        o.typeContrat, o.natureContrat, o.experience, o.qualification = "CDI", "E1", "1", "X"
        for k, v in attrs.items():
            setattr(o, k, v)
    return offers


def test_a_crowd_no_count_divides_is_split_on_a_covering_facet_the_api_does_not_count():
    offers = crowd(3400, BASE - 3600)
    planner, api, alive = harvest(offers, {"origineOffre": "1"})
    assert collected(planner, api) == alive
    [split] = planner.report()["facet_splits"]
    assert split["facet"] == "experienceExigence" and not split["counted_by_api"]
    assert split["sum_check"] and split["sum"] == 3400


def test_offers_outside_every_value_of_an_uncounted_facet_are_reported():
    offers = crowd(3400, BASE - 3600)
    for o in offers[:60]:
        o.experienceExigence = "?"  # no value of the split reaches them
    planner, api, _ = harvest(offers, {"origineOffre": "1"})
    assert planner.missing() == 60
    assert planner.incomplete_reasons()[0].endswith("experienceExigence values do not add up to the total")


def test_a_slice_that_never_answers_is_given_up_and_counted_missing():
    offers = make_market(random.Random(17), 4000)
    api = FakeApi(offers)
    planner = HarvestPlanner({"origineOffre": "1"}, lag=0)
    queue = []
    while True:
        queue.extend(planner.next_requests())
        if not queue:
            break
        assert len(api.requests) < 100
        req = queue.pop(0)
        if req.purpose == "slice":  # every slice request fails for good
            planner.observe_failure(req.key, "http_503")
            continue
        planner.observe(req.key, api.search(req.params))
    assert planner.done
    [frozen] = planner.report()["slices"]
    assert frozen["status"] == "failed" and frozen["requests"] == 2
    [one_pass] = planner.report()["passes"]
    # the head's 150 offers are in; the frozen window's estimate (offers not newer than the
    # head's oldest second) is what could not be read
    assert planner.missing() == one_pass["frozen_estimate"]
    assert one_pass["head_total"] - 150 <= planner.missing() < one_pass["head_total"]
    assert planner.completeness() < 1.0


def test_under_the_legacy_cap_a_crowd_just_over_seven_pages_is_read_down_to_the_cap_not_split():
    offers = make_market(random.Random(6), 3000, bursts=[1100])
    planner, api, alive = harvest(offers, max_start=1000)
    assert collected(planner, api) == alive and planner.completeness() == 1.0
    report = planner.report()
    assert report["facet_splits"] == []  # 1,100 offers in one second: rows 0 to 1,149 reach them
    crowd = [s for s in report["slices"] if s["role"] == "crowded"]
    assert len(crowd) == 1 and crowd[0]["requests"] == 8 and crowd[0]["status"] == "complete"
    starts = [int(r["range"].split("-")[0]) for r in api.requests
              if r.get("maxCreationDate") == crowd[0]["window"]["params"]["maxCreationDate"]]
    assert max(starts) == 1000
