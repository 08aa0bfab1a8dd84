"""`scrapy crawl offres_search` against an API that does not keep the promises its documentation
does not make (sandbox/reality.py): ties in a new order at every request, answers from replicas
behind the clock, noisy totals, lying totals. Complete under the first three, never fooled by
the last (harvest/counts.py, harvest/ties.py, harvest/lag.py)."""

from __future__ import annotations

import math

from tests.crawler.search_crawl import alive_ids, sandbox_args, search_crawl


def test_shuffled_ties_every_offer_whatever_their_order(sandbox_factory, tmp_path):
    # partner imports put ~6 offers on one instant, the bursts 200 and 1,200: page boundaries fall
    # inside; the legacy cap (1,150 rows a query) makes more slices, so more boundaries between
    # them (both caps: tests/harvest/test_planner_reality.py)
    sb = sandbox_factory(*sandbox_args("--tie-order", "shuffle", "--bursts", "1x200,1x1200", "--range-mode",
                                       "legacy", offers=3000, seed=11))
    run = search_crawl(tmp_path, sb)
    assert run.returncode == 0, run.report and run.report["verdict"]
    assert run.ids == alive_ids(sb)
    ties = run.report["reality"]["ties"]
    assert ties["order"] == "unstable" and ties["reorderings_seen"] >= 1
    # neither burst comes in one answer: 200 offers split on typeContrat (two answers), 1,200 on
    # packs of ROME codes (harvest/crowds.py says when each is cheaper)
    crowds = run.report["reality"]["crowds"]
    assert crowds["rome_codes"]["list"] == "loaded" and crowds["rome_codes"]["requests"] == 1
    assert crowds["splits_on_rome_codes"] >= 1 and crowds["splits_on_facets"] >= 1
    assert run.report["requests"]["total"] <= 1.25 * math.ceil(3000 / 150) + 20


def test_replica_lag_noisy_totals_and_churn_every_offer_alive_throughout(sandbox_factory, tmp_path):
    sb = sandbox_factory(*sandbox_args("--replica-lag", "2", "--total-noise", "3", "--churn-new", "4",
                                       "--churn-withdrawn", "2", offers=3000, seed=12))
    at_start = alive_ids(sb)
    run = search_crawl(tmp_path, sb, settings={"OFFRES_SEARCH_REPLICA_LAG": 2})
    throughout = at_start & alive_ids(sb)
    assert run.returncode == 0, run.report and run.report["verdict"]
    assert throughout <= run.ids
    totals = run.report["reality"]["totals"]
    assert totals["totals_disagreeing_with_facets"] > 0  # the noise was seen, and tolerated
    assert run.report["reality"]["contradictions"] == []


def test_lying_totals_never_make_a_complete_run(sandbox_factory, tmp_path):
    sb = sandbox_factory(*sandbox_args("--lying-totals", "0.5", offers=2000, seed=13))
    run = search_crawl(tmp_path, sb, settings={"OFFRES_SNAPSHOT": "1",
                                               "OFFRES_SNAPSHOT_DIR": str(tmp_path / "snap")})
    assert run.returncode == 3
    verdict = run.report["verdict"]
    assert verdict["status"] == "incomplete" and run.report["complete"] is False
    reasons = {r["code"]: r for r in verdict["reasons"]}
    assert "totals_contradict" in reasons
    assert any("facet counts" in d for d in reasons["totals_contradict"]["details"])
    assert run.report["reality"]["contradictions"] == list(reasons["totals_contradict"]["details"])
    # nothing published: the parts stay in staging, no snapshot_date= folder, no manifest
    assert not list((tmp_path / "snap").glob("snapshot_date=*"))
