"""What one search response tells the planner, read from its status, headers and body.

Kept free of Scrapy: the spider and the tests' in-memory API both hand over plain values.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from offres_crawler.api.content_range import parse_cap_message, parse_content_range
from offres_crawler.api.dates import http_date_to_epoch, timestamp_second

logger = logging.getLogger(__name__)


@dataclass
class SearchPage:
    """One answer of `GET /v2/offres/search`, reduced to what planning needs."""

    status: int
    total: int | None = None  # Content-Range total; None when the server did not say
    first: int | None = None  # first row index of the window (None: nothing here)
    rows: list[tuple[str, int | None]] = field(default_factory=list)  # (offer key, creation second)
    filtres: list[dict[str, Any]] | None = None  # filtresPossibles as returned
    server_time: int | None = None  # the Date header, epoch seconds
    error: str | None = None  # the API's message on a 4xx
    learned_cap: int | None = None  # start cap announced by a 400

    @property
    def empty(self) -> bool:
        return not self.rows


def offer_key(offer: Any) -> str:
    """The id that identifies an offer; an offer without a usable id (the sandbox can emit such
    malformed ones) is keyed by a digest of its content so that it is still counted once."""
    if isinstance(offer, dict):
        oid = offer.get("id")
        if isinstance(oid, str) and oid:
            return oid
    blob = json.dumps(offer, sort_keys=True, ensure_ascii=False, default=str).encode()
    return "#" + hashlib.blake2b(blob, digest_size=10).hexdigest()


def offer_second(offer: Any) -> int | None:
    """The epoch second of an offer's dateCreation, None when absent or unreadable."""
    if not isinstance(offer, dict):
        return None
    try:
        return timestamp_second(offer.get("dateCreation"))
    except (TypeError, ValueError):
        return None


def read_search_page(status: int, content_range: str | bytes | None, date: str | bytes | None,
                     body: Any) -> SearchPage:
    """Build a SearchPage. `body` is the decoded JSON (dict) or None for an empty body; for a
    4xx it is the error object {"codeErreur", "codeHttp", "message"} when there is one."""
    page = SearchPage(status=status, server_time=http_date_to_epoch(date))
    if status >= 400:
        message = body.get("message") if isinstance(body, dict) else None
        page.error = str(message) if message else f"HTTP {status}"
        page.learned_cap = parse_cap_message(message) if status == 400 else None
        return page
    cr = parse_content_range(content_range)
    if cr is not None:
        page.total, page.first = cr.max_results, cr.first_index
    if status == 204 and page.total is None:
        page.total = 0 if cr is None else cr.max_results
    if isinstance(body, dict):
        offers = body.get("resultats") or []
        page.rows = [(offer_key(o), offer_second(o)) for o in offers]
        filtres = body.get("filtresPossibles")
        page.filtres = filtres if isinstance(filtres, list) else None
    if page.rows and page.first is None:
        page.first = 0 if cr is None else cr.first_index
    return page


def facet_counts(filtres: list[dict[str, Any]] | None, name: str) -> dict[str, int] | None:
    """{valeurPossible: nbResultats} of one facet of filtresPossibles, None when not reported."""
    for f in filtres or []:
        if isinstance(f, dict) and f.get("filtre") == name:
            out: dict[str, int] = {}
            for a in f.get("agregation") or []:
                try:
                    out[str(a["valeurPossible"])] = int(a["nbResultats"])
                except (KeyError, TypeError, ValueError):
                    continue
            return out
    return None
