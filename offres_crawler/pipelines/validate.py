"""Validation pipeline: every offer checked against the `Offre` schema of the official spec.

A valid offer passes through untouched, unknown keys included (counted per key in
`offres/unknown_keys/<path>`: the path made one short line, and after UNKNOWN_KEY_STATS distinct
paths the others counted together in `offres/unknown_keys/(others)`: the API names these keys,
and could name millions). An invalid one is never dropped silently: it is written, raw and
with its reasons, to the rejects feed (OFFRES_REJECTS_URI), counted in `offres/rejects/count`
and `offres/rejects/<code>`, and only then removed from the offer feeds. A broken offer met
again (overlapping slices) is written once (`offres/rejects/duplicates`). The first few rejects
are also logged, by id and reason (never the whole offer), each made one bounded line.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DropItem, NotConfigured

from offres_crawler.offers.validation import inspect_offer
from offres_crawler.pipelines.rejects import RejectsWriter
from offres_crawler.pipelines.scope import yields_offers
from offres_crawler.redaction import safe_text

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

UNKNOWN_KEY_STATS = 200  # distinct `offres/unknown_keys/<path>` stats, the rest in "(others)"
OTHER_UNKNOWN_KEYS = "offres/unknown_keys/(others)"


def _reject_key(offer: Any, offer_id: Any) -> Any:
    """What identifies a rejected offer: its id, or its whole content when it has no usable id."""
    if isinstance(offer_id, str) and offer_id:
        return offer_id
    raw = json.dumps(offer, sort_keys=True, ensure_ascii=False, default=repr)
    return hashlib.blake2b(raw.encode(), digest_size=16).digest()


class ValidatePipeline:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("OFFRES_VALIDATE_ENABLED") or not yields_offers(crawler):
            raise NotConfigured
        self.stats = crawler.stats
        self.rejects = RejectsWriter(crawler, settings.get("OFFRES_REJECTS_URI"))
        self.log_first = settings.getint("OFFRES_REJECTS_LOG_FIRST")
        self._seen: set = set()  # rejects are rare: a plain set is small
        self._unknown_stats: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if type(item) is not dict:  # offers are plain dicts; other records pass (see scope.py)
            return item
        offer = item
        report = inspect_offer(offer)
        for _pointer, stat_path, _value in report.unknown:
            self.stats.inc_value(self._unknown_stat(stat_path))
        if report.nulls:
            self.stats.inc_value("offres/validate/null_values", len(report.nulls))
        if report.valid:
            self.stats.inc_value("offres/validate/valid")
            return item
        offer_id = offer.get("id")
        seen_key = _reject_key(offer, offer_id)
        if seen_key in self._seen:  # the same broken offer again (overlapping slices)
            self.stats.inc_value("offres/rejects/duplicates")
            raise DropItem(f"invalid offer {offer_id!r}, already in the rejects feed", log_level="DEBUG")
        self._seen.add(seen_key)
        reason = report.reason()
        self.rejects.write(offer, report.problems, reason)
        self.stats.inc_value("offres/rejects/count")
        for code in {p.code for p in report.problems}:
            self.stats.inc_value(f"offres/rejects/{code}")
        shown = f"{safe_text(repr(offer_id), 80)}: {safe_text(reason)}"  # from the API: one short line
        if self.rejects.count <= self.log_first:
            logger.warning("Rejected offer %s", shown)
        raise DropItem(f"invalid offer {shown} (in the rejects feed)", log_level="DEBUG")

    def _unknown_stat(self, stat_path: str) -> str:
        name = f"offres/unknown_keys/{safe_text(stat_path, 80)}"
        if name in self._unknown_stats:
            return name
        if len(self._unknown_stats) >= UNKNOWN_KEY_STATS:
            return OTHER_UNKNOWN_KEYS
        self._unknown_stats.add(name)
        return name

    async def close_spider(self) -> None:
        await self.rejects.close()
