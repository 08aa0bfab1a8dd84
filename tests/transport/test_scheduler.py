"""DelayingScheduler without a crawl: held requests, the timer, the engine's wake-up, JOBDIR.

The clocks (`time`, `monotonic`) and the timer (`call_later`) of the scheduler module are
replaced by a fake clock the tests move by hand.
"""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest
from scrapy import Request, Spider
from scrapy.core.scheduler import Scheduler
from scrapy.utils.test import get_crawler

from offres_crawler.transport import scheduler as scheduler_module
from offres_crawler.transport.delays import NOT_BEFORE_META, not_before
from offres_crawler.transport.scheduler import DelayingScheduler


class FakeClock:
    def __init__(self) -> None:
        self.wall, self.mono = 1_700_000_000.0, 500.0
        self.timers: list[list] = []  # [at (monotonic), func, cancelled]

    def advance(self, seconds: float) -> None:
        self.wall += seconds
        self.mono += seconds

    def call_later(self, delay: float, func):
        timer = [self.mono + delay, func, False]
        self.timers.append(timer)
        return SimpleNamespace(cancel=lambda: timer.__setitem__(2, True))

    def armed(self) -> list[float]:
        return [t[0] for t in self.timers if not t[2]]

    def fire_due(self) -> None:
        for timer in [t for t in self.timers if not t[2] and t[0] <= self.mono]:
            timer[2] = True
            timer[1]()


class Wake:
    def __init__(self) -> None:
        self.count = 0

    def schedule(self) -> None:
        self.count += 1


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(scheduler_module, "time", lambda: fake.wall)
    monkeypatch.setattr(scheduler_module, "monotonic", lambda: fake.mono)
    monkeypatch.setattr(scheduler_module, "call_later", fake.call_later)
    return fake


def _crawler(jobdir: str | None = None):
    settings = {"SCHEDULER": "offres_crawler.transport.scheduler.DelayingScheduler",
                # the downloader-aware queue needs a running engine; the logic is the same
                "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.ScrapyPriorityQueue"}
    if jobdir:
        settings["JOBDIR"] = jobdir
    crawler = get_crawler(Spider, settings)
    crawler.stats.open_spider()
    return crawler


def _open(crawler) -> DelayingScheduler:
    scheduler = DelayingScheduler.from_crawler(crawler)
    scheduler.open(Spider.from_crawler(crawler, name="probe"))
    return scheduler


def _request(n: int, clock: FakeClock, delay: float = 0.0, **kwargs) -> Request:
    request = Request(f"http://127.0.0.1/v2/offres/search?n={n}", meta={"n": n}, **kwargs)
    if delay:
        not_before(request.meta, delay, clock.wall)
    return request


def _drain(scheduler: DelayingScheduler) -> list[int]:
    out = []
    while (request := scheduler.next_request()) is not None:
        out.append(request.meta["n"])
    return out


def test_a_delayed_request_is_held_the_others_flow_and_the_spider_stays_open(clock):
    crawler = _crawler()
    scheduler = _open(crawler)
    assert scheduler.enqueue_request(_request(0, clock, delay=4.0, dont_filter=True))
    assert scheduler.enqueue_request(_request(1, clock))
    assert _drain(scheduler) == [1]  # the delayed one does not block the queue
    assert scheduler.has_pending_requests() and len(scheduler) == 1
    assert clock.armed() == [clock.mono + 4.0]
    clock.advance(3.9)
    assert scheduler.next_request() is None and scheduler.has_pending_requests()
    clock.advance(0.1)
    request = scheduler.next_request()
    assert request is not None and request.meta["n"] == 0
    assert NOT_BEFORE_META not in request.meta  # callbacks see the meta they always saw
    assert not scheduler.has_pending_requests()
    stats = crawler.stats
    assert stats.get_value("offres/scheduler/delayed") == 1
    assert stats.get_value("scheduler/enqueued") == stats.get_value("scheduler/dequeued") == 2


def test_the_timer_releases_a_due_request_and_wakes_the_engine(clock):
    crawler = _crawler()
    wake = Wake()
    crawler.engine = SimpleNamespace(_slot=SimpleNamespace(nextcall=wake))
    scheduler = _open(crawler)
    scheduler.enqueue_request(_request(0, clock, delay=2.0))
    scheduler.enqueue_request(_request(1, clock, delay=1.0))
    assert clock.armed() == [clock.mono + 1.0]  # one timer, for the earliest (re-armed)
    clock.advance(1.0)
    clock.fire_due()
    assert wake.count == 1
    assert clock.armed() == [clock.mono + 1.0]  # armed again for the next one
    assert len(scheduler.mqs) == 1  # released into the queue by the timer, not by next_request
    assert _drain(scheduler) == [1]
    clock.advance(1.0)
    clock.fire_due()
    assert wake.count == 2 and clock.armed() == []
    assert _drain(scheduler) == [0]


def test_due_requests_keep_their_priority_in_the_queue(clock):
    scheduler = _open(_crawler())
    scheduler.enqueue_request(_request(0, clock, delay=1.0, priority=-1))  # a retry
    scheduler.enqueue_request(_request(1, clock, priority=0))
    scheduler.enqueue_request(_request(2, clock, delay=1.0, priority=5))
    clock.advance(1.0)
    assert _drain(scheduler) == [2, 1, 0]


def test_the_dupefilter_sees_a_held_request_once(clock):
    crawler = _crawler()
    scheduler = _open(crawler)
    assert scheduler.enqueue_request(_request(0, clock, delay=1.0))
    assert not scheduler.enqueue_request(_request(0, clock, delay=1.0))  # a duplicate, dropped
    clock.advance(1.0)
    assert _drain(scheduler) == [0]  # released without being taken for its own duplicate
    assert crawler.stats.get_value("dupefilter/filtered") == 1


def test_a_graceful_stop_keeps_held_requests_in_jobdir_and_the_resumed_crawl_waits_the_rest(
        clock, tmp_path, caplog):
    jobdir = str(tmp_path / "job")
    scheduler = _open(_crawler(jobdir))
    scheduler.enqueue_request(_request(0, clock, delay=10.0, dont_filter=True))
    scheduler.enqueue_request(_request(1, clock))
    with caplog.at_level(logging.INFO, logger=scheduler_module.__name__):
        scheduler.close("shutdown")
    assert "1 delayed request(s) saved in JOBDIR" in caplog.text
    assert clock.armed() == []  # the timer went with the crawl

    clock.advance(4.0)
    resumed = _open(_crawler(jobdir))
    assert len(resumed) == 2
    assert _drain(resumed) == [1]  # the held one came back from disk and waits 6 s more
    assert len(resumed) == 1 and resumed.has_pending_requests()
    assert clock.armed() == [clock.mono + 6.0]
    clock.advance(6.0)
    request = resumed.next_request()
    assert request is not None and request.meta["n"] == 0
    assert NOT_BEFORE_META not in request.meta
    resumed.close("finished")


def test_without_jobdir_held_requests_go_like_every_scheduled_request(clock, caplog):
    scheduler = _open(_crawler())
    scheduler.enqueue_request(_request(0, clock, delay=10.0))
    with caplog.at_level(logging.INFO, logger=scheduler_module.__name__):
        scheduler.close("shutdown")
    assert "1 delayed request(s) dropped with the other scheduled requests (no JOBDIR)" in caplog.text


def test_a_request_saved_before_its_time_by_a_clock_set_back_waits_no_more_than_its_delay(
        clock, tmp_path):
    jobdir = str(tmp_path / "job")
    scheduler = _open(_crawler(jobdir))
    scheduler.enqueue_request(_request(0, clock, delay=5.0))
    scheduler.close("shutdown")
    clock.wall -= 3600.0  # the wall clock went back an hour between the runs
    resumed = _open(_crawler(jobdir))
    assert resumed.next_request() is None
    assert clock.armed() == [clock.mono + 5.0]


def test_the_scheduler_is_the_one_the_addon_wires_and_the_middlewares_detect():
    from scrapy.settings import Settings

    from offres_crawler.addon import OffresAddon
    from offres_crawler.transport.scheduler import DelayingScheduler
    from tests.project_settings import OFFRES_DEFAULTS

    wired = Settings(OFFRES_DEFAULTS, priority="project")
    OffresAddon().update_settings(wired)
    assert wired["SCHEDULER"] is DelayingScheduler
    own = Settings({**OFFRES_DEFAULTS, "SCHEDULER": "my.Scheduler"}, priority="project")
    OffresAddon().update_settings(own)
    assert own["SCHEDULER"] == "my.Scheduler"  # the user's own scheduler wins
    holds = SimpleNamespace(engine=SimpleNamespace(scheduler=_open(_crawler())))
    crawler = _crawler()
    plain = SimpleNamespace(engine=SimpleNamespace(scheduler=Scheduler.from_crawler(crawler)))
    assert scheduler_module.scheduler_holds_requests(holds)
    assert not scheduler_module.scheduler_holds_requests(plain)
    assert not scheduler_module.scheduler_holds_requests(SimpleNamespace(engine=None))
