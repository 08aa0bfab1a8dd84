"""Which items the offer pipelines apply to: the plain dicts (offers exactly as the API sent
them) yielded by the spiders listed in OFFRES_OFFER_SPIDERS (default: offres_search and offres_detail).

So another spider's items (a transport probe, a referentiel dump) are never taken for invalid
offers, and records of other classes from an offer spider (a dataclass such as a withdrawal
notice) pass through untouched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


def yields_offers(crawler: Crawler) -> bool:
    name = getattr(crawler.spidercls, "name", None)
    return name in crawler.settings.getlist("OFFRES_OFFER_SPIDERS")
