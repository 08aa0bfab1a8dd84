"""One search answer handed to the planner: the one reading shared by the offres_search spider
and the Python client (offres_crawler.client), so that both harvest by the same code path.

- `page_offers(status, body)`: the offers of an answer, exactly as returned (those of an answer
  later found malformed too: deduplication comes after), and how many results were not objects.
- `observe_answer(planner, key, url, ...)`: the answer read as a page (`read_search_page`, with
  the window the URL asked for) and given to the planner: an unusable answer counts as a
  failure of its request (asked again within the planner's bounds), anything else as a page.
  The API's text is made one safe line (offres_crawler/redaction.py) before it reaches the
  planner, the verdict or the report.
- `observe_failure(planner, key, reason)`: a request that got no usable answer.

Nearly every request is a search; the planner may also ask for a reference list
(`PlannedRequest.referentiel`, sent to `PlannedRequest.url()`): its answer goes to the planner as
it is.

Each says, in `finish`, why the harvest must stop now (run_report.API_REFUSED or SEARCH_FAILED),
or None. The drivers log, count and stop as their framework wants.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from offres_crawler.harvest.run_report import API_REFUSED, SEARCH_FAILED
from offres_crawler.harvest.search_page import asked_window, read_search_page
from offres_crawler.redaction import safe_text

if TYPE_CHECKING:
    from offres_crawler.harvest.planner import HarvestPlanner

PAGE_STATUSES_WITH_OFFERS = (200, 206)


@dataclass(frozen=True)
class Observed:
    """What the planner made of one answer."""

    malformed: str | None = None  # why the answer is not a page (one safe line): asked again
    refused: str | None = None  # the API refused the request, and its message taught no cap
    finish: str | None = None  # why the harvest must stop now; None: go on


def page_offers(status: int, body: Any) -> tuple[list[dict[str, Any]], int]:
    """(the offers of a 200/206 answer as returned, the number of results that are not objects)."""
    if status not in PAGE_STATUSES_WITH_OFFERS or not isinstance(body, Mapping):
        return [], 0
    results = body.get("resultats") or ()
    if not isinstance(results, list):
        return [], 0
    offers = [offer for offer in results if isinstance(offer, dict)]
    return offers, len(results) - len(offers)


def observe_failure(planner: HarvestPlanner, key: int, reason: str) -> str | None:
    """Request `key` got no usable answer; SEARCH_FAILED when the harvest cannot do without it."""
    planner.observe_failure(key, reason)
    return SEARCH_FAILED if planner.fatal else None


def observe_answer(planner: HarvestPlanner, key: int, url: str, status: int,
                   content_range: str | bytes | None, date: str | bytes | None, body: Any) -> Observed:
    """Hand the answer to request `key` (sent to `url`) to the planner. `body` is the decoded
    JSON, None for an empty body or one that is not JSON."""
    if planner.is_list(key):  # a reference list the planner asked for (harvest/romes.py)
        planner.observe_list(key, status, body)
        return Observed()
    page = read_search_page(status, content_range, date, body, asked=asked_window(url))
    if page.malformed:
        reason = safe_text(page.malformed)
        return Observed(malformed=reason, finish=observe_failure(planner, key, f"unusable answer: {reason}"))
    if page.error:
        page.error = safe_text(page.error)
    refused = page.error if page.error and page.learned_cap is None else None
    planner.observe(key, page)
    return Observed(refused=refused, finish=API_REFUSED if planner.fatal else None)
