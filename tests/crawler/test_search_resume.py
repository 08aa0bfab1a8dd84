"""A harvest stopped midway resumes from its JOBDIR: the plan is kept, the offers of both runs
together are the whole market, and the requests are those of one uninterrupted run."""

from __future__ import annotations

import logging
import math

import pytest
from scrapy.utils.test import get_crawler

from offres_crawler.jobdir import resume
from tests.crawler.search_crawl import alive_ids, sandbox_args, search_crawl, search_requests


def test_a_stopped_harvest_resumes_where_it_stopped(sandbox_factory, tmp_path):
    sb = sandbox_factory(*sandbox_args(offers=6000, seed=11))
    jobdir = tmp_path / "job"
    first = search_crawl(tmp_path, sb, settings={"JOBDIR": str(jobdir), "CLOSESPIDER_PAGECOUNT": 12},
                         name="first")
    assert first.returncode == 1  # stopped early: not finished
    assert (jobdir / "offres_checkpoint.json").exists()
    sent_first = sum(search_requests(sb).values())

    second = search_crawl(tmp_path, sb, settings={"JOBDIR": str(jobdir)}, name="second")
    assert second.returncode == 0, second.log[-3000:]
    assert "resuming the harvest saved in" in second.log
    assert first.ids | second.ids == alive_ids(sb)
    assert not (jobdir / "offres_checkpoint.json").exists()
    total = sum(search_requests(sb).values())
    assert total - sent_first > 0
    assert total <= 1.05 * math.ceil(6000 / 150) + 4  # the plan was not started over
    assert second.report["completeness"]["missing"] == 0


def _spider(jobdir, **query):
    import offres_crawler.settings as project
    from offres_crawler.spiders.offres_search import OffresSearchSpider

    settings = {k: getattr(project, k) for k in dir(project) if k.isupper()}
    crawler = get_crawler(OffresSearchSpider, {**settings, "JOBDIR": str(jobdir), "OFFRES_SEARCH_OFFERS_URI": ""})
    return OffresSearchSpider.from_crawler(crawler, **query)


@pytest.mark.parametrize("change, warning", [
    (None, None),
    (lambda state: {**state, "version": 99}, "cannot be taken up (planner state version 99"),
    (lambda state: {**state, "query": {"typeContrat": "CDI"}}, "is that of another query"),
    (lambda state: "not a planner", "cannot be taken up"),
])
def test_a_saved_plan_is_taken_up_only_when_it_is_this_querys_and_readable(tmp_path, caplog, change, warning):
    saved = _spider(tmp_path, departement="75").planner
    saved.next_requests()  # the root is in flight
    state = saved.to_dict()
    spider = _spider(tmp_path, departement="75")
    resume(spider.crawler).restored = state if change is None else change(state)
    with caplog.at_level(logging.WARNING):
        spider._resume_planner()
    if warning is None:
        assert spider.planner.plan_id == saved.plan_id and spider.planner.knows(1)
        assert spider.planner.to_dict() == state
        assert [r.key for r in spider._resent] == [1]  # the root, asked again
    else:
        assert spider.planner.plan_id != saved.plan_id and spider.planner.requests == 0
        assert warning in caplog.text and "starting afresh" in caplog.text
