"""Salary normalisation pipeline (OFFRES_SALARY_NORMALISATION=1; off by default).

Adds to each offer a key (OFFRES_SALARY_FIELD, default `offres_salaire`) holding what
`api.salary.normalise_offer` derives from `salaire.libelle` / `salaire.commentaire`: minimum,
maximum, period, months, annual gross euros, ... (see analysis/salary.py). The API's own `salaire`
is left untouched. An offer whose salary states no amount passes as it is, without the key (the
API omits absent keys too); one with an amount leaves as a new dict, the item yielded left as it
was. The key is unknown to the offer schema, so Parquet feeds keep it in their column
`extra_keys_json` (`utils.load_snapshot` gives it back as a column). It runs after validation and
deduplication (priority 500, set by the analysts add-on), so duplicates are not parsed twice.

Stats: offres/salary/libelle, offres/salary/commentaire (where the amount came from),
offres/salary/none (no amount stated), offres/salary/implausible (flagged, not corrected).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.exceptions import NotConfigured

from offres_crawler.analysis.salary import normalise_offer
from offres_crawler.pipelines.scope import yields_offers

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class SalaryPipeline:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("OFFRES_SALARY_NORMALISATION") or not yields_offers(crawler):
            raise NotConfigured
        self.stats = crawler.stats
        self.field = settings.get("OFFRES_SALARY_FIELD")
        smic = settings.get("OFFRES_SMIC_HOURLY")
        self.smic_hourly = float(smic) if smic not in (None, "") else None
        self._cache: dict[tuple, Any] = {}  # libellés repeat a lot across a market

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SalaryPipeline:
        return cls(crawler)

    def _normalise(self, offer: Any) -> Any:
        salaire = offer.get("salaire")
        date = offer.get("dateCreation")
        key = ((salaire.get("libelle"), salaire.get("commentaire")) if isinstance(salaire, dict) else None,
               date[:10] if isinstance(date, str) else None)
        if key not in self._cache:
            if len(self._cache) > 100_000:  # bounded: a long crawl meets endless comments
                self._cache.clear()
            self._cache[key] = normalise_offer(offer, smic_hourly_eur=self.smic_hourly)
        return self._cache[key]

    def process_item(self, item: Any) -> Any:
        offer = item if type(item) is dict else ItemAdapter(item)
        salary = self._normalise(offer)
        if salary is None:
            self.stats.inc_value("offres/salary/none")
            return item
        self.stats.inc_value(f"offres/salary/{salary.source}")
        if salary.plausible is False:
            self.stats.inc_value("offres/salary/implausible")
        out = dict(item) if type(item) is dict else ItemAdapter(item).asdict()
        out[self.field] = salary.as_dict()
        return out
