"""What one search response tells the planner, read from its status, headers and body.

Kept free of Scrapy: the spider and the tests' in-memory API both hand over plain values.

An answer is one of three things, and never an exception:
- a page (`malformed` and `error` None): its rows, the total and window its Content-Range gives;
- a refusal (`error`, a 4xx with the API's message; `learned_cap` when a 400 announces the start
  cap): asking again cannot help;
- an answer that cannot be trusted (`malformed`, the reason): a 5xx, 408 or 429 that reached the
  reader, a status the API does not use, or a 2xx that contradicts itself. The caller asks again
  (within its bounds: `HarvestPlanner.observe_failure`), it never reads it as a page.

No silent loss: every element of `resultats` is one row, in order (an answer whose `resultats`
is not a list of objects is `malformed`, never fewer rows); a 2xx that holds rows is never read
as "nothing here"; an accepted total is never lower than the rows the window served; rows never
outnumber the window the Content-Range announces. Fewer rows than the window announces are
accepted: the API serves them so on purpose (REFERENCE Part 1 §3, origine passes), and the
ledger counts what is missing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from offres_crawler.harvest.content_range import parse_cap_message, parse_content_range
from offres_crawler.harvest.dates import http_date_to_epoch, parse_api_timestamp, timestamp_second

PAGE_STATUSES = (200, 204, 206)
ASK_AGAIN_STATUSES = (401, 408, 429)  # and every 5xx: they may come right on another attempt
SHOWN = 80  # characters of a header quoted in a reason


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
    malformed: str | None = None  # why this answer cannot be trusted: ask again, do not read it
    instants: list[int | None] = field(default_factory=list)  # each row's dateCreation, epoch ms
    romes: list[str | None] = field(default_factory=list)  # each row's romeCode (harvest/romes.py)

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
    value = offer.get("dateCreation") if isinstance(offer, dict) else None
    if not isinstance(value, str):
        return None
    try:
        return timestamp_second(value)
    except (TypeError, ValueError):
        return None


def offer_instant(offer: Any) -> int | None:
    """The epoch millisecond of an offer's dateCreation (ties of sort=1 are equal instants), None
    when absent or unreadable."""
    value = offer.get("dateCreation") if isinstance(offer, dict) else None
    if not isinstance(value, str):
        return None
    try:
        return round(parse_api_timestamp(value).timestamp() * 1000)
    except (TypeError, ValueError):
        return None


def _rome(offer: Any) -> str | None:
    code = offer.get("romeCode") if isinstance(offer, dict) else None
    return code if isinstance(code, str) and code else None


def asked_window(url: str) -> tuple[int, int] | None:
    """The window (`range=p-d`) a search URL asks for; None when it names none."""
    values = parse_qs(urlsplit(url).query).get("range")
    parsed = parse_content_range(f"{values[0]}/*") if values else None
    if parsed is None or parsed.first_index is None or parsed.last_index is None:
        return None
    return parsed.first_index, parsed.last_index


def read_search_page(status: int, content_range: str | bytes | None, date: str | bytes | None,
                     body: Any, asked: tuple[int, int] | None = None) -> SearchPage:
    """Build a SearchPage. `body` is the decoded JSON (dict) or None for an empty body; for a
    4xx it is the error object {"codeErreur", "codeHttp", "message"} when there is one. `asked`
    is the window requested (first, last), when known: an answer for another window is
    malformed."""
    page = SearchPage(status=status, server_time=http_date_to_epoch(date))
    if status in ASK_AGAIN_STATUSES or status >= 500:
        page.malformed = f"HTTP {status}"
        return page
    if status >= 400:
        message = body.get("message") if isinstance(body, dict) else None
        page.error = str(message) if message else f"HTTP {status}"
        page.learned_cap = parse_cap_message(str(message)) if status == 400 and message else None
        return page
    page.malformed = _read_body(page, body)
    cr = parse_content_range(content_range)
    if cr is not None:
        page.total, page.first = cr.max_results, cr.first_index
    if page.malformed is None:
        page.malformed = _contradiction(status, content_range, cr, len(page.rows), asked)
    if status == 204 and page.total is None:
        page.total = 0
    return page


def _read_body(page: SearchPage, body: Any) -> str | None:
    """Fill rows and filtres from a 2xx body; the reason it is unusable, None when it is fine."""
    if body is None:
        return None
    if not isinstance(body, dict):
        return f"the body is a JSON {type(body).__name__}, not an object"
    if "resultats" not in body:
        return "the body has no 'resultats'"
    offers = body["resultats"]
    if not isinstance(offers, list):
        return f"'resultats' is a JSON {type(offers).__name__}, not a list"
    page.rows = [(offer_key(o), offer_second(o)) for o in offers]
    page.instants = [offer_instant(o) for o in offers]
    page.romes = [_rome(o) for o in offers]
    filtres = body.get("filtresPossibles")
    page.filtres = filtres if isinstance(filtres, list) else None
    strays = [i for i, o in enumerate(offers) if not isinstance(o, dict)]
    if strays:
        return f"{len(strays)} element(s) of 'resultats' are not offers (first at index {strays[0]})"
    return None


def _contradiction(status: int, header: str | bytes | None, cr: Any, rows: int,
                   asked: tuple[int, int] | None) -> str | None:
    """Why status, Content-Range and rows cannot all be true; None when they agree."""
    if status not in PAGE_STATUSES:
        return f"HTTP {status}, a status the API does not use for a search"
    if header is not None and cr is None:
        shown = header.decode("latin-1") if isinstance(header, bytes) else str(header)
        return f"unreadable or self-contradicting Content-Range {shown[:SHOWN]!r}"
    if status == 204:
        if rows or (cr is not None and not cr.empty):
            return "a 204 (no result) that holds rows or a window"
        return None
    if cr is None:
        return f"{rows} rows without a Content-Range" if rows else None
    if cr.empty:
        if rows:
            return f"{rows} rows in an answer whose Content-Range says there is nothing here"
        if asked is not None and cr.max_results is not None and asked[0] < cr.max_results:
            return (f"nothing served for the window {asked[0]}-{asked[1]} of a total of "
                    f"{cr.max_results}")
        return None
    if rows > cr.count:
        return f"{rows} rows for the {cr.count} of the window {cr.first_index}-{cr.last_index}"
    if asked is not None and (cr.first_index != asked[0] or cr.last_index > asked[1]):
        return (f"the window {cr.first_index}-{cr.last_index} answered for "
                f"{asked[0]}-{asked[1]}")
    return None


def facet_counts(filtres: list[dict[str, Any]] | None, name: str) -> dict[str, int] | None:
    """{valeurPossible: nbResultats} of one facet of filtresPossibles, None when not reported or
    when one of its counts is not a count (a facet with a bucket missing would split the query
    into parts that do not cover it)."""
    for f in filtres or []:
        if isinstance(f, dict) and f.get("filtre") == name:
            agregation = f.get("agregation")
            if not isinstance(agregation, list):
                return None
            out: dict[str, int] = {}
            for a in agregation:
                count = a.get("nbResultats") if isinstance(a, dict) else None
                value = a.get("valeurPossible") if isinstance(a, dict) else None
                if (type(count) is not int or count < 0 or not isinstance(value, (str, int))
                        or isinstance(value, bool) or str(value) in out):
                    return None
                out[str(value)] = count
            return out
    return None
