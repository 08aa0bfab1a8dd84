"""Alias of `offres_crawler.harvest.content_range` (documented import of earlier versions)."""

from offres_crawler.harvest.content_range import ContentRange, parse_content_range

__all__ = ["ContentRange", "parse_content_range"]
