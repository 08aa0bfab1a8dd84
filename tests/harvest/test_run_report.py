"""A harvest's verdict facts and run report from its planner (harvest/run_report.py), as the
spider and the client both build them."""

from __future__ import annotations

import random

from offres_crawler.harvest.planner import HarvestPlanner
from offres_crawler.harvest.run_report import TRANSPORT_STATS, harvest_facts, harvest_report, with_verdict
from offres_crawler.harvest.verdict import FINISHED, HarvestFacts, RunFacts, decide
from tests.harvest.fakeapi import FakeApi, drive, make_market


def finished_planner(n: int = 2000) -> HarvestPlanner:
    api = FakeApi(make_market(random.Random(5), n), max_start=1000)
    return drive(HarvestPlanner({}), api)


def test_the_facts_are_the_ledger_s_result():
    planner = finished_planner()
    facts = harvest_facts(planner)
    assert facts == HarvestFacts(done=True, fatal=None, expected=2000, collected=2000, missing=0,
                                 requests=planner.requests, reasons=(), work_unsent=False)
    assert harvest_facts(planner, work_unsent=True).work_unsent


def test_the_report_is_the_planner_s_with_the_run_s_figures():
    planner = finished_planner()
    report = harvest_report(planner, started=1_700_000_000.0, finished=1_700_000_012.5,
                            reason=FINISHED, transport={"retries": 2, "429": 1, "tokens": 1, "other": 9})
    assert {k: report[k] for k in ("started_at", "finished_at", "duration_s", "finish_reason")} == {
        "started_at": "2023-11-14T22:13:20+00:00", "finished_at": "2023-11-14T22:13:32+00:00",
        "duration_s": 12.5, "finish_reason": "finished"}
    assert report["transport"] == {"retries": 2, "429": 1, "failures": 0, "tokens": 1}
    assert list(report["transport"]) == list(TRANSPORT_STATS)
    assert report["completeness"]["collected_unique"] == 2000 and report["query"] == {}


def test_the_written_report_carries_the_verdict():
    planner = finished_planner()
    verdict = decide(RunFacts(finish_reason=FINISHED, harvest=harvest_facts(planner)))
    report = with_verdict({"query": {}}, verdict)
    assert report == {"query": {}, "complete": True, "verdict": verdict.to_json()}
