"""`harvest()` against the sandbox: every offer of a query beyond the cap, exactly the offers the
`offres_search` spider collects from the same sandbox, with the same verdict and run report."""

from __future__ import annotations

import inspect
import sys

import pyarrow as pa
import pytest

from offres_crawler import settings as project
from offres_crawler.client.client import planner_options
from offres_crawler.harvest.planner import HarvestPlanner
from offres_crawler.harvest.verdict import ReasonCode
from offres_crawler.offers.arrow_rows import offers_from_table, typed_offer
from offres_crawler.offers.arrow_schema import OFFRE_SCHEMA
from tests.client.conftest import new_client, new_requests, traffic
from tests.crawler.search_crawl import alive_ids, search_crawl

CAP = 1150  # rows one query can reach on the sandbox (legacy range mode)


@pytest.fixture(scope="module")
def both(client_sandbox, tmp_path_factory):
    """The whole market (3,000 offers: over the cap) by the client, then by the spider."""
    with new_client(client_sandbox) as client:
        harvest = client.harvest()
        offers = list(harvest)
    spider = search_crawl(tmp_path_factory.mktemp("spider"), client_sandbox)
    return harvest, offers, spider


def test_the_harvest_is_exactly_the_spider_s_set_of_offers(both, client_sandbox):
    harvest, offers, spider = both
    assert spider.returncode == 0, spider.stderr[-2000:]
    ids = [o["id"] for o in offers]
    assert len(ids) == len(set(ids))  # each offer once
    assert set(ids) == spider.ids == alive_ids(client_sandbox)
    assert len(ids) == 3000 > CAP
    by_id = {item["id"]: item for item in spider.items}
    assert all(offer == by_id[offer["id"]] and list(offer) == list(by_id[offer["id"]]) for offer in offers)


def test_the_verdict_and_report_are_the_spider_s(both):
    harvest, offers, spider = both
    assert harvest.verdict.complete and harvest.verdict.status == "complete"
    assert harvest.verdict.counts.collected == harvest.verdict.counts.expected == 3000
    mine, theirs = harvest.report, spider.report
    assert mine["complete"] is theirs["complete"] is True
    assert mine["verdict"]["exit_code"] == theirs["verdict"]["exit_code"] == 0
    assert mine["cap"] == theirs["cap"] == {"configured_max_start": 3000, "max_start": 1000,
                                            "learned_from_api": True, "pages_per_slice": 7}
    assert mine["completeness"] == theirs["completeness"]
    assert [p["label"] for p in mine["passes"]] == [p["label"] for p in theirs["passes"]]
    assert mine["origine_check"] == theirs["origine_check"]
    assert mine["query"] == {} and mine["finish_reason"] == "finished"
    # the same plan; the spider sends several slices' pages side by side, the client one at a time
    assert abs(mine["requests"]["total"] - theirs["requests"]["total"]) <= 3
    assert mine["transport"] == {"retries": 0, "429": 0, "failures": 0, "tokens": 1}
    assert len(offers) == harvest.offers == mine["completeness"]["collected_unique"]


def test_a_filtered_harvest_over_the_cap(client, client_sandbox, tmp_path):
    before = traffic(client_sandbox)
    harvest = client.harvest(typeContrat="CDI")
    ids = {o["id"] for o in harvest}
    assert len(ids) == harvest.report["root"]["total"] > CAP
    assert harvest.verdict.complete
    served = new_requests(before, traffic(client_sandbox), "search")
    assert sum(served.values()) == harvest.report["requests"]["total"]


def test_to_arrow_and_to_pandas(client, client_sandbox):
    table = client.harvest(motsCles="agent").to_arrow()
    assert table.schema == OFFRE_SCHEMA and 150 < table.num_rows < CAP
    offers = list(client.harvest(motsCles="agent"))
    assert offers_from_table(table) == [typed_offer(o) for o in offers]  # lossless
    frame = client.harvest(motsCles="agent").to_pandas()
    assert sorted(frame["id"]) == sorted(o["id"] for o in offers)
    assert str(frame["dateCreation"].dtype) == "datetime64[us, UTC]"
    empty = client.harvest(motsCles="zzqqxxw").to_arrow()
    assert empty.num_rows == 0 and empty.schema == OFFRE_SCHEMA
    assert isinstance(empty, pa.Table)


def test_to_pandas_without_pandas_says_how_to_install_it_and_sends_nothing(client, client_sandbox, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # as if it were not installed
    harvest = client.harvest(motsCles="agent")
    before = traffic(client_sandbox)
    with pytest.raises(ImportError, match=r"^to_pandas\(\) needs pandas, which is not installed: "
                                          r"pip install 'offres-crawler\[analysis\]'$"):
        harvest.to_pandas()
    assert traffic(client_sandbox) == before


def test_a_harvest_runs_once(client):
    harvest = client.harvest(motsCles="aide")
    assert len(list(harvest)) == harvest.report["root"]["total"]
    with pytest.raises(RuntimeError, match="a harvest runs once"):
        list(harvest)
    with pytest.raises(RuntimeError, match="a harvest runs once"):
        harvest.to_arrow()


def test_a_harvest_stopped_early_is_not_complete(client):
    harvest = client.harvest(typeContrat="CDI")
    for n, _ in enumerate(harvest, 1):
        if n == 1:
            with pytest.raises(RuntimeError, match="still running"):
                _ = harvest.verdict
        if n == 200:
            break  # closes the harvest's generator: the run ends there
    verdict = harvest.verdict
    assert not verdict.complete and verdict.exit_code == 1
    assert [r.code for r in verdict.reasons] == [ReasonCode.NOT_FINISHED], verdict.reasons
    assert harvest.report["finish_reason"] == "interrupted" and harvest.report["complete"] is False
    assert harvest.offers == 200
    with pytest.raises(RuntimeError, match="a harvest runs once"):
        list(harvest)


def test_a_query_the_api_refuses_fails_the_harvest(client, client_sandbox):
    before = traffic(client_sandbox)
    harvest = client.harvest(commune="99999")  # well formed, no such commune: the API's 400
    assert list(harvest) == []
    verdict = harvest.verdict
    assert verdict.status == "failed" and verdict.exit_code == 1
    assert ReasonCode.HARVEST_FAILED in {r.code for r in verdict.reasons}
    assert harvest.report["finish_reason"] == "offres_api_refused"
    assert new_requests(before, traffic(client_sandbox), "search") == {"400": 1}


def test_the_planner_gets_every_option_the_spider_gives_it(client, monkeypatch):
    """offres_search.from_crawler builds its planner from five settings: the client reads the same
    five (settings.py's values), so that a new option cannot be forgotten by one of them."""
    options = set(inspect.signature(HarvestPlanner).parameters) - {"query"}
    assert set(planner_options()) == options
    monkeypatch.setattr(project, "OFFRES_SEARCH_REPLICA_LAG", 7)
    monkeypatch.setattr(project, "OFFRES_SEARCH_BUDGET", 4.5)
    harvest = client.harvest(motsCles="aide")
    list(harvest)
    assert (harvest.planner.lag, harvest.planner.budget_factor) == (7, 4.5)
    assert harvest.report["reality"]["budget"]["factor"] == 4.5
