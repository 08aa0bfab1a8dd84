"""A harvest stopped midway resumes from its JOBDIR: the plan is kept, the offers of both runs
together are the whole market, and the requests are those of one uninterrupted run."""

from __future__ import annotations

import math

from tests.crawler.search_crawl import alive_ids, sandbox_args, search_crawl, search_requests


def test_a_stopped_harvest_resumes_where_it_stopped(sandbox_factory, tmp_path):
    sb = sandbox_factory(*sandbox_args(offers=6000, seed=11))
    jobdir = tmp_path / "job"
    first = search_crawl(tmp_path, sb, settings={"JOBDIR": str(jobdir), "CLOSESPIDER_PAGECOUNT": 12},
                         name="first")
    assert first.returncode == 1  # stopped early: not finished
    assert (jobdir / "offres_search.planner.pickle").exists()
    sent_first = sum(search_requests(sb).values())

    second = search_crawl(tmp_path, sb, settings={"JOBDIR": str(jobdir)}, name="second")
    assert second.returncode == 0, second.log[-3000:]
    assert "resuming the harvest saved in" in second.log
    assert first.ids | second.ids == alive_ids(sb)
    assert not (jobdir / "offres_search.planner.pickle").exists()
    total = sum(search_requests(sb).values())
    assert total - sent_first > 0
    assert total <= 1.05 * math.ceil(6000 / 150) + 4  # the plan was not started over
    assert second.report["completeness"]["missing"] == 0
