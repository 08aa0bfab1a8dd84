"""Feeds a spider adds for itself, from `from_crawler` (settings are not frozen yet then, and the
spider's arguments are known): read the FEEDS the user gave, replace them as a whole."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.settings import SETTINGS_PRIORITIES

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)


def given_feeds(settings: BaseSettings) -> dict[str, dict[str, Any]]:
    """The FEEDS set so far (`-O`/`-o`, `-s FEEDS=...`, settings.py), options copied."""
    return {str(uri): dict(options or {}) for uri, options in settings.getdict("FEEDS").items()}


def set_feeds(settings: BaseSettings, feeds: dict[str, dict[str, Any]]) -> None:
    """Replace FEEDS, at no lower priority than they had (`-O` is a command-line setting)."""
    priority = max(settings.getpriority("FEEDS") or 0, SETTINGS_PRIORITIES["spider"])
    settings.set("FEEDS", feeds, priority=priority)


def without_snapshot(settings: BaseSettings, spider_name: str) -> None:
    """Switch the snapshot layout off: it is the day's full-market harvest, and a list of
    referentiel entries or a few offers fetched by id must never be published as one."""
    if settings.getbool("OFFRES_SNAPSHOT"):
        logger.warning("OFFRES_SNAPSHOT is for full-market harvests: ignored by %s", spider_name)
        priority = max(settings.getpriority("OFFRES_SNAPSHOT") or 0, SETTINGS_PRIORITIES["spider"])
        settings.set("OFFRES_SNAPSHOT", False, priority=priority)


def fill_template(template: str, **values: str) -> str:
    """Put `values` into `%(name)s` placeholders of a feed URI, leaving Scrapy's own
    (`%(time)s`, `%(batch_id)05d`, ...) for the feed exporter."""
    for name, value in values.items():
        template = template.replace(f"%({name})s", value)
    return template
