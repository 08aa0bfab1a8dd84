"""`scrapy crawl` whose exit code is the run's verdict (harvest/verdict.py), decided once at the
end of the run (extensions/run_end.py), and whose log on a terminal is at WARNING beside a
progress bar unless a level is asked for (extensions/terminal.py):

- 0: complete: the spider finished and nothing is missing;
- 1: failed: it did not start, or it closed for another reason than "finished" (e.g.
  `offres_auth_failed`, `offres_token_unavailable`, `offres_bad_argument`, `shutdown`,
  `closespider_timeout`), or the API refused the harvest;
- 3: incomplete: it finished, but something is missing (a request failed for good, offers the
  search spider could not collect, a list a spider did not get, a feed not stored).
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Any

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError
from scrapy.utils.conf import feed_process_params_from_cli

from offres_crawler.extensions.terminal import terminal_log_level
from offres_crawler.harvest.verdict import EXIT_FAILED, EXIT_INCOMPLETE, EXIT_OK
from offres_crawler.run_context import run_context

if TYPE_CHECKING:
    import argparse

logger = logging.getLogger(__name__)

__all__ = ["EXIT_FAILED", "EXIT_INCOMPLETE", "EXIT_OK", "Command"]


def appended_parquet(settings: Any, output: list[str] | None) -> list[str]:
    """The `-o` targets (append) written as Parquet: a Parquet file cannot be appended to."""
    if not output:
        return []
    feeds = feed_process_params_from_cli(settings, output)
    return [uri for uri, options in feeds.items()
            if (options.get("format") or "").lower() == "parquet"]


class Command(ScrapyCrawlCommand):
    def short_desc(self) -> str:
        return "Run a spider; exit code 0 complete, 1 failed, 3 incomplete"

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        # On a terminal (a progress bar), Scrapy's log at WARNING unless asked: decided here,
        # before the crawler process configures logging (extensions/terminal.py)
        level = terminal_log_level(self.settings, stream=sys.stderr)
        if level is not None:
            self.settings.set("LOG_LEVEL", level, priority="project")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) < 1:
            raise UsageError
        if len(args) > 1:
            raise UsageError("running 'scrapy crawl' with more than one spider is not supported")
        assert self.crawler_process
        refused = appended_parquet(self.settings, opts.output)
        if refused:  # before the crawl: no file touched, no request sent
            logger.error("-o %s: a Parquet file cannot be appended to; use -O to write it anew",
                         ", ".join(refused))
            self.exitcode = EXIT_FAILED
            return
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = EXIT_FAILED
            return
        verdict = run_context(crawler).verdict
        if verdict is None:  # the end of the run never came (see the errors above)
            logger.error("The run ended without a verdict: exit code %d", EXIT_FAILED)
            self.exitcode = EXIT_FAILED
            return
        self.exitcode = verdict.exit_code
