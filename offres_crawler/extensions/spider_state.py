"""Scrapy's SpiderState (`spider.state`, kept in JOBDIR/spider.state between runs), written
atomically: Scrapy's writes the file in place when the spider closes, so a kill at that moment
leaves a truncated pickle that the next run cannot read. Wired by the add-on instead of it."""

from __future__ import annotations

import pickle
from typing import TYPE_CHECKING

from scrapy.extensions.spiderstate import SpiderState

from offres_crawler.files import atomic_write

if TYPE_CHECKING:
    from scrapy import Spider


class AtomicSpiderState(SpiderState):
    def spider_closed(self, spider: Spider) -> None:
        if self.jobdir:
            with atomic_write(self.statefn) as f:
                pickle.dump(getattr(spider, "state", {}), f, protocol=4)
