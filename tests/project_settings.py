"""The project's OFFRES_ defaults, for tests that build settings or crawlers in-process.

Components read every OFFRES_ setting without a default of their own: the project's settings
module holds the defaults, and `scrapy crawl` loads it. Settings or a crawler built here get the
same OFFRES_ defaults (only those: the module's add-ons and extensions are not what these tests
are about), then the test's own settings on top.
"""

from __future__ import annotations

from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

from offres_crawler import settings as project

OFFRES_DEFAULTS = {name: value for name, value in vars(project).items() if name.startswith("OFFRES_")}


def project_crawler(spidercls: type[Spider] | None = None, settings: dict[str, Any] | None = None) -> Crawler:
    return get_crawler(spidercls, {**OFFRES_DEFAULTS, **(settings or {})})
