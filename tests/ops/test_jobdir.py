"""What a JOBDIR holds survives a kill at any instant: the request queues give back exactly what
was queued, every file the project writes there is replaced atomically, the folder is private."""

from __future__ import annotations

import pytest
from scrapy import Request, Spider
from scrapy.utils.test import get_crawler

import offres_crawler.settings as project_settings
from offres_crawler.transport.scheduler import DelayingScheduler


def _scheduler(jobdir, **settings):
    every = {k: getattr(project_settings, k) for k in dir(project_settings) if k.isupper()}
    every.update({"SCHEDULER": DelayingScheduler, "JOBDIR": str(jobdir),
                  # the downloader-aware queue needs a running engine; the files are the same
                  "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.ScrapyPriorityQueue", **settings})
    crawler = get_crawler(Spider, every)
    crawler.stats.open_spider()
    scheduler = DelayingScheduler.from_crawler(crawler)
    scheduler.open(Spider.from_crawler(crawler, name="probe"))
    return scheduler


def _start_request(n: int) -> Request:
    # what Scrapy makes of a request from start(): it goes to the start queue
    return Request(f"http://127.0.0.1/v2/offres/{n}", meta={"n": n, "is_start_request": True},
                   dont_filter=True)


def _drain(scheduler) -> list[int]:
    out = []
    while (request := scheduler.next_request()) is not None:
        out.append(request.meta["n"])
    return out


@pytest.mark.parametrize("queue, stale", [
    (None, False),  # the project's setting
    ("scrapy.squeues.PickleFifoDiskQueue", True),  # Scrapy's default, for the record
])
def test_a_start_request_queued_when_the_crawl_is_killed_comes_back_and_nothing_else(tmp_path, queue, stale):
    """Scrapy's default start queue writes its index only when the crawl closes: after a kill,
    the next run reads back a request of the killed run in place of its own first one, which
    is then lost (offres_detail lost one id in about five killed runs)."""
    extra = {} if queue is None else {"SCHEDULER_START_DISK_QUEUE": queue}
    killed = _scheduler(tmp_path / "job", **extra)
    for n in (1, 2):
        killed.enqueue_request(_start_request(n))
    assert killed.next_request().meta["n"] == 1  # 1 sent; 2 still queued when the process dies

    resumed = _scheduler(tmp_path / "job", **extra)
    resumed.enqueue_request(_start_request(3))
    got = _drain(resumed)
    if stale:
        assert 1 in got and 3 not in got  # the bug this setting avoids
    else:
        assert got == [2, 3]  # what was queued, once: never a request sent already, none lost


@pytest.mark.parametrize("torn", [b"", b'{"0": [1'])
def test_a_queue_index_a_kill_left_torn_is_set_aside_not_fatal(tmp_path, caplog, torn):
    """Scrapy writes requests.queue/active.json in place when the crawl closes: a kill at that
    instant left it empty, and every later run died opening its scheduler."""
    closing = _scheduler(tmp_path / "job")
    closing.enqueue_request(_start_request(1))
    closing.close("shutdown")
    index = tmp_path / "job" / "requests.queue" / "active.json"
    assert index.is_file() and [p.name for p in index.parent.glob(".active.json.*")] == []
    index.write_bytes(torn)  # what the kill left
    resumed = _scheduler(tmp_path / "job")
    resumed.enqueue_request(_start_request(2))
    assert 2 in _drain(resumed)  # the scheduler opened, and works
    assert "active.json cannot be read" in caplog.text
