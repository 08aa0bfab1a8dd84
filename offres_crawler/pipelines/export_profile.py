"""Export profile pipeline: OFFRES_EXPORT_PROFILE=redistribution drops from every feed what the
reuse licence (art. 7) forbids in a redistributed derived database (see analysis/licence.py).

Why a pipeline, and why first (priority 50, before validation): every feed is then written from
offers that never held those fields: the offer feeds (JSONL, Parquet, the snapshot parts) and
also the rejects feed, which the validation pipeline writes itself. A feed item filter could
only keep or drop whole offers. The analysts add-on inserts the pipeline whenever the profile is
on, even when ITEM_PIPELINES was replaced, so the profile cannot be lost silently.

Stats: offres/export_profile/offers, offres/export_profile/dropped/<field>,
offres/export_profile/scrubbed/<kind> (url, courriel, telephone, employeur).
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.exceptions import NotConfigured

from offres_crawler.analysis.licence import redistributable
from offres_crawler.pipelines.scope import yields_offers

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


def export_profile(settings: Any) -> str:
    """The profile named by OFFRES_EXPORT_PROFILE; ValueError if it names none."""
    from offres_crawler.analysis.licence import PROFILES

    profile = (settings.get("OFFRES_EXPORT_PROFILE") or "").strip().lower()
    if profile not in PROFILES:
        raise ValueError(f"OFFRES_EXPORT_PROFILE must be one of {', '.join(PROFILES)}, not {profile!r}")
    return profile


class ExportProfilePipeline:
    def __init__(self, crawler: Crawler) -> None:
        if export_profile(crawler.settings) != "redistribution" or not yields_offers(crawler):
            raise NotConfigured
        self.stats = crawler.stats
        self.stats.set_value("offres/export_profile", "redistribution")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExportProfilePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> dict:
        offer = item if type(item) is dict else ItemAdapter(item).asdict()
        counts: Counter = Counter()
        out = redistributable(offer, counts) if isinstance(offer, dict) else offer
        self.stats.inc_value("offres/export_profile/offers")
        for key, count in counts.items():
            self.stats.inc_value(f"offres/export_profile/{key}", count)
        return out
