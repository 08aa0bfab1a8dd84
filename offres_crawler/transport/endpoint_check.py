"""Refuse, before the first request, endpoints and TLS settings that would expose the credentials.

A spider middleware whose `process_start` raises `CloseSpider("offres_bad_setting")` before the
spider's first request when `OFFRES_API_URL` or `OFFRES_TOKEN_URL` is not https:// (a loopback
host excepted: transport/endpoints.py) or OFFRES_CA_BUNDLE cannot be used (transport/tls.py).
Each problem is one error line naming the setting; the run's verdict is "failed" (exit code 1).
The add-on enables it in every crawl, and gives a refused crawl no feed (addon.py): a user's
`-O` file is left as it was. Certificates not verified at all (DOWNLOAD_VERIFY_CERTIFICATES set
to False by the user) are accepted with a warning.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import CloseSpider

from offres_crawler.transport.endpoints import endpoint_problems
from offres_crawler.transport.tls import tls_problem

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

BAD_SETTING = "offres_bad_setting"  # finish reason of a crawl refused for its settings (exit 1)


def setting_problems(settings: BaseSettings) -> list[str]:
    """Why the crawl must not start, one line each (none: it may)."""
    problems = endpoint_problems(settings)
    tls = tls_problem(settings)
    return [*problems, tls] if tls else problems


class EndpointCheck:
    def __init__(self, crawler: Crawler) -> None:
        self.problems = setting_problems(crawler.settings)
        self.verify = crawler.settings.getbool("DOWNLOAD_VERIFY_CERTIFICATES")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EndpointCheck:
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        if self.problems:
            for problem in self.problems:
                logger.error("Refused setting: %s", problem)
            raise CloseSpider(BAD_SETTING)
        if not self.verify:
            logger.warning("DOWNLOAD_VERIFY_CERTIFICATES is False: the certificates of the API and "
                           "of the token endpoint are not verified, anyone on the path can read the "
                           "client secret; set OFFRES_CA_BUNDLE instead if a certificate is refused")
        async for item_or_request in start:
            yield item_or_request
