"""`scrapy crawl offres_search` against the sandbox: every offer, close to the fewest requests.

Each sandbox here runs at 50 requests/s (the crawler at 40): the rate is not what these tests are
about, the request count and completeness are (the sandbox counts requests itself)."""

from __future__ import annotations

import math
import time

import pytest

from tests.crawler.search_crawl import alive_ids, finish_crawl, sandbox_args, search_crawl, search_requests, start_crawl
from tests.sandbox.httpclient import get_token, search
from tests.sandboxproc import SandboxProcess

ANCHOR = "2025-01-15T12:00:00Z"


@pytest.fixture(scope="module")
def market():
    sb = SandboxProcess(args=sandbox_args("--anchor", ANCHOR, offers=5000, seed=3)).start()
    yield sb
    sb.stop()


@pytest.fixture(scope="module")
def whole_market(market, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("whole")
    before = sum(search_requests(market).values())
    run = search_crawl(tmp, market)
    return run, sum(search_requests(market).values()) - before


def test_the_whole_market_over_the_cap_every_offer_once(market, whole_market):
    run, sent = whole_market
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.ids == alive_ids(market)
    assert len(run.items) == len(run.ids)  # overlaps between slices were dropped by dedup
    stats = run.stats()
    assert stats["offres/expected"] == stats["offres/collected"] == 5000
    assert stats["offres/missing"] == 0 and "offres/incomplete" not in stats
    assert sent == run.report["requests"]["total"] == stats["offres/search/requests"]
    # and the query counted up to a closed second at the end; at the start, the first answer's
    # own rows count it (count_flow.py)
    assert run.report["requests"]["by_purpose"]["count"] == 1
    assert run.report["reality"]["totals"]["count_at_start"]["exact"]
    assert sent - 1 <= 1.05 * math.ceil(5000 / 150)


def test_the_run_report_says_what_was_done(whole_market):
    run, _ = whole_market
    r = run.report
    assert r["query"] == {} and r["root"]["total"] == 5000
    assert {f["filtre"] for f in r["root"]["filtresPossibles"]} == \
        {"typeContrat", "experience", "qualification", "natureContrat"}
    assert [p["label"] for p in r["passes"]] == ["origineOffre=1", "origineOffre=2"]
    assert r["origine_check"]["ok"] and r["origine_check"]["sum"] == 5000
    assert r["slices"] and all(s["status"] == "complete" for s in r["slices"])
    assert r["completeness"] == {"expected": 5000, "missing": 0, "collected_unique": 5000,
                                 "ratio": 1.0, "fatal": None}
    assert r["transport"] == {"retries": 0, "429": 0, "failures": 0, "tokens": 1}
    assert r["duration_s"] > 0 and r["finish_reason"] == "finished" and r["complete"] is True


def test_offers_are_written_exactly_as_the_api_returned_them(market, whole_market):
    run, _ = whole_market
    by_id = {item["id"]: item for item in run.items}
    served = search(market, get_token(market), {"range": "0-149", "sort": "1"}).json()["resultats"]
    for offer in served[:40]:
        item = by_id[offer["id"]]
        assert item == offer and list(item) == list(offer)  # every key, in the API's order


def test_fewer_than_150_offers_take_one_request(market, tmp_path):
    before = search_requests(market)
    args = {"origineOffre": "2", "minCreationDate": "2025-01-15T00:00:00Z",
            "maxCreationDate": "2025-01-15T12:00:00Z"}
    run = search_crawl(tmp_path, market, args)
    assert run.returncode == 0
    total = run.report["root"]["total"]
    assert 0 < total < 150 and len(run.ids) == total
    assert sum(search_requests(market).values()) - sum(before.values()) == 1
    assert all(item["origineOffre"]["origine"] == "2" for item in run.items)
    assert all(args["minCreationDate"] <= item["dateCreation"] < "2025-01-15T12:00:01" for item in run.items)


def test_under_the_cap_one_pass_in_about_the_fewest_requests(market, tmp_path):
    before = sum(search_requests(market).values())
    run = search_crawl(tmp_path, market, {"origineOffre": "1"})
    assert run.returncode == 0
    total = run.report["root"]["total"]
    assert 150 < total <= 3150 and len(run.ids) == total
    assert {item["origineOffre"]["origine"] for item in run.items} == {"1"}
    # the head's page overlaps the frozen slice's first page: one request more than the minimum,
    # and the count of the query up to a closed second at the end (the first answer counts it at
    # the start: count_flow.py)
    assert run.report["requests"]["by_purpose"]["count"] == 1
    assert sum(search_requests(market).values()) - before <= math.ceil(total / 150) + 1 + 1


def test_a_query_without_result_is_one_204(market, tmp_path):
    before = search_requests(market)
    run = search_crawl(tmp_path, market, {"motsCles": "zzqqxxww"})
    after = search_requests(market)
    assert run.returncode == 0
    assert {s: n - before.get(s, 0) for s, n in after.items() if n != before.get(s, 0)} == {"204": 1}
    assert run.items == []
    assert run.report["root"]["total"] == 0 and run.report["completeness"]["ratio"] == 1.0


def test_same_second_bursts_over_the_cap_are_split_on_facets_that_add_up(sandbox_factory, tmp_path):
    sb = sandbox_factory(*sandbox_args("--bursts", "2x4000", offers=12000, seed=5))
    run = search_crawl(tmp_path, sb)
    assert run.returncode == 0
    assert run.ids == alive_ids(sb)
    splits = run.report["facet_splits"]
    assert len({s["slice"] for s in splits}) >= 2
    assert all(s["sum_check"] for s in splits)
    assert not any("typeContrat" in s["window"]["params"] and "natureContrat" in s["window"]["params"]
                   for s in run.report["slices"])
    lower = math.ceil(12000 / 150)
    counts = run.report["requests"]["by_purpose"]["count"]  # at the end (counts.py, count_flow.py)
    assert counts == 1
    assert run.report["requests"]["total"] - counts <= 1.05 * lower + run.report["requests"]["facet_split_overhead"]


def test_churn_never_hides_an_offer_alive_throughout(sandbox_factory, tmp_path):
    sb = sandbox_factory(*sandbox_args("--churn-new", "5", "--churn-withdrawn", "3",
                                       "--latency", "20-80", offers=8000, seed=6))
    at_start = alive_ids(sb)
    run = search_crawl(tmp_path, sb)
    throughout = at_start & alive_ids(sb)
    assert run.returncode == 0
    assert throughout <= run.ids
    assert run.report["completeness"]["missing"] == 0


def test_the_legacy_cap_is_learned_from_the_400_message(sandbox_factory, tmp_path):
    sb = sandbox_factory(*sandbox_args("--range-mode", "legacy", "--bursts", "1x1500", offers=6000, seed=7))
    run = search_crawl(tmp_path, sb)
    assert run.returncode == 0
    assert run.ids == alive_ids(sb)
    assert run.report["cap"] == {"configured_max_start": 3000, "max_start": 1000,
                                 "learned_from_api": True, "pages_per_slice": 7}
    learned = [line for line in run.log.splitlines() if "caps the range start at 1000" in line]
    assert len(learned) == 1  # logged once
    # only the first slice of each origine pass asked past the cap before it was learned
    assert search_requests(sb).get("400", 0) <= 2
    assert run.stats()["offres/search/range_max_start"] == 1000


def test_the_origine_quirk_does_not_hide_partner_offers(sandbox_factory, tmp_path):
    sb = sandbox_factory(*sandbox_args("--origine-quirk", offers=4000, seed=8))
    run = search_crawl(tmp_path, sb)
    assert run.returncode == 0
    assert run.ids == alive_ids(sb)
    assert {item["origineOffre"]["origine"] for item in run.items} == {"1", "2"}


def test_offers_that_could_not_be_fetched_make_the_run_incomplete(sandbox_factory, tmp_path):
    sb = sandbox_factory(*sandbox_args("--latency", "150-150", offers=4000, seed=9))
    proc, feed = start_crawl(tmp_path, sb, settings={"OFFRES_RETRY_TIMES": 0})
    deadline = time.monotonic() + 60
    while sum(search_requests(sb).values()) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    # from the passes' first slices on, every answer is a 503 (and comes at once)
    sb.control("faults", {"fault_5xx": 1.0, "latency": [0, 0]})
    run = finish_crawl(proc, feed)
    assert run.returncode == 3  # finished, incomplete
    assert run.report["completeness"]["missing"] > 0 and run.report["complete"] is False
    assert run.stats()["offres/missing"] == run.report["completeness"]["missing"]
    missing = f"{run.report['completeness']['missing']:,} offers missing"
    ledger = [line for line in run.log.splitlines() if f"Why the run is incomplete: {missing} (" in line]
    assert ledger and len(ledger) == min(20, len(run.report["verdict"]["reasons"][0]["details"]))
    assert run.report["verdict"]["reasons"][0]["code"] == "offers_missing"
