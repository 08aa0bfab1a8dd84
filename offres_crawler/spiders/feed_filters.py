"""Feed item filters (FEEDS `item_filter`) that route the items of the referentiels and
offres_detail spiders to their own feeds."""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy.extensions.feedexport import ItemFilter

from offres_crawler.api.withdrawal import OfferWithdrawal

logger = logging.getLogger(__name__)

# Feed option naming the one list a per-list feed of the referentiels spider takes.
REFERENTIEL_OPTION = "offres_referentiel"
# Item key that names the list an entry of the referentiels spider comes from.
REFERENTIEL_KEY = "referentiel"


class OneReferentiel(ItemFilter):
    """Accepts the entries of the list named by the feed option `offres_referentiel`."""

    def __init__(self, feed_options: dict[str, Any] | None) -> None:
        super().__init__(feed_options)
        self.name = (feed_options or {}).get(REFERENTIEL_OPTION)

    def accepts(self, item: Any) -> bool:
        adapter = item if type(item) is dict else ItemAdapter(item)  # entries are plain dicts
        return adapter.get(REFERENTIEL_KEY) == self.name and super().accepts(item)


class NoWithdrawals(ItemFilter):
    """Accepts everything but withdrawal records, which have a feed of their own."""

    def accepts(self, item: Any) -> bool:
        return not isinstance(item, OfferWithdrawal) and super().accepts(item)
