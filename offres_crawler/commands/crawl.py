"""`scrapy crawl` whose exit code says whether the harvest can be trusted.

- 0: the spider finished normally and nothing marked the run incomplete;
- 1: it did not start, or it closed for another reason than "finished" (e.g.
  `offres_auth_failed`, `offres_token_unavailable`, `shutdown`, `closespider_timeout`);
- 3: it finished, but the stat `offres/incomplete` is set: some data is missing (a request
  failed for good, or the search spider found offers it could not collect).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from offres_crawler.middlewares.failures import INCOMPLETE_STAT

if TYPE_CHECKING:
    import argparse

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INCOMPLETE = 3


def exit_code(stats: Mapping[str, Any]) -> int:
    if stats.get("finish_reason") != "finished":
        return EXIT_FAILED
    if stats.get(INCOMPLETE_STAT):
        return EXIT_INCOMPLETE
    return EXIT_OK


class Command(ScrapyCrawlCommand):
    def short_desc(self) -> str:
        return "Run a spider; exit code 0 complete, 1 failed, 3 incomplete"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) < 1:
            raise UsageError
        if len(args) > 1:
            raise UsageError("running 'scrapy crawl' with more than one spider is not supported")
        assert self.crawler_process
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = EXIT_FAILED
            return
        self.exitcode = exit_code(crawler.stats.get_stats())
        if self.exitcode != EXIT_OK:
            logger.info("Exit code %d (finish reason %r, incomplete: %r)", self.exitcode,
                        crawler.stats.get_value("finish_reason"),
                        bool(crawler.stats.get_value(INCOMPLETE_STAT)))
