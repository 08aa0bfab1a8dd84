"""Alias of `offres_crawler.harvest.dates` (documented import of earlier versions)."""

from offres_crawler.harvest.dates import dt_to_str_iso

__all__ = ["dt_to_str_iso"]
