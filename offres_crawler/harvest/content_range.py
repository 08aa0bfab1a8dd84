"""`Content-Range` and `range`: what a search page tells us, and which windows we may ask for.

REFERENCE Part 1 §1 and §4: a window spans at most 150 rows; its start may not exceed the cap
(3000 today, 1000 on older deployments), so a query reaches rows 0..cap+149 at most. A search
answers `Content-Range: offres p-d/t`; a query without result answers 204 with `*/0`; a window
that starts past the total may come back as 204, an empty body or `offres -1--1/N`: all mean
"nothing here".
"""

from __future__ import annotations

import re
from typing import NamedTuple

PAGE_SIZE = 150
DEFAULT_MAX_START = 3000

MAX_DIGITS = 9  # of any index or total: the whole market is about a million offers
_N = rf"[0-9]{{1,{MAX_DIGITS}}}"  # ASCII digits only (\d also takes other scripts' digits)
_RANGE_RE = re.compile(rf"\s*(?:(?P<unit>[A-Za-z]+)\s+)?"
                       rf"(?:(?P<nothing>-1--1)|(?P<first>{_N})-(?P<last>{_N})|\*)\s*/\s*(?P<total>{_N}|\*)\s*",
                       re.ASCII)
_CAP_RE = re.compile(rf"position de d[ée]but doit [êe]tre inf[ée]rieure ou [ée]gale [àa]\s*({_N})(?![0-9])",
                     re.IGNORECASE)


class ContentRange(NamedTuple):
    """A parsed `Content-Range`, with the api-offres-emploi wrapper's field names.

    `first_index` / `last_index` are None when the window holds nothing (`*/0`, `-1--1/N`);
    `max_results` is the total, None when the server did not say (`*/*`).
    """

    first_index: int | None
    last_index: int | None
    max_results: int | None

    @property
    def empty(self) -> bool:
        return self.first_index is None

    @property
    def count(self) -> int:  # type: ignore[override]  # rows, not tuple.count(): a property by design
        if self.first_index is None or self.last_index is None:
            return 0
        return self.last_index - self.first_index + 1

    def as_wrapper_dict(self) -> dict[str, str | None]:
        """The wrapper's `search()['Content-Range']` shape: the same keys, string values."""
        def s(v: int | None) -> str | None:
            return None if v is None else str(v)
        return {"first_index": s(self.first_index), "last_index": s(self.last_index),
                "max_results": s(self.max_results)}


def parse_content_range(value: str | bytes | None) -> ContentRange | None:
    """Parse `offres 0-149/12345`, `*/0`, `offres */0` or `offres -1--1/12345`; None when the
    header is absent, unreadable or contradicts itself (the caller decides what that means):
    an inverted window (`5-3/10`), a window reaching past the total (`0-149/100`), negative
    indices other than the `-1--1` of an empty window, numbers of more than MAX_DIGITS digits."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    m = _RANGE_RE.fullmatch(value)
    if not m:
        return None
    total = None if m["total"] == "*" else int(m["total"])
    if m["first"] is None:  # `*` or `-1--1`: nothing here
        return ContentRange(None, None, total)
    first, last = int(m["first"]), int(m["last"])
    if last < first or (total is not None and last >= total):
        return None
    return ContentRange(first, last, total)


def format_range(start: int, end: int) -> str:
    """The `range` parameter for rows start..end (both inclusive)."""
    if start < 0 or end < start or end - start + 1 > PAGE_SIZE:
        raise ValueError(f"invalid window {start}-{end}")
    return f"{start}-{end}"


def pages_within_cap(max_start: int, page_size: int = PAGE_SIZE) -> int:
    """How many aligned pages (0-149, 150-299, ...) a query may read with this start cap.

    Aligned windows waste no row of any request; with the legacy cap (1000) that stops at
    900-1049 and leaves the last 100 reachable rows to the next date slice, which costs less than
    an overlapping 1000-1149 window would (see planner.py). A crowded window, which no date cut
    divides, does use them (cursor.py, `_room`).
    """
    if max_start < 0:
        raise ValueError(f"invalid range cap {max_start}")
    return max_start // page_size + 1


def page_window(page: int, page_size: int = PAGE_SIZE) -> tuple[int, int]:
    """Rows of page `page` (0-based): (start, end), both inclusive."""
    return page * page_size, page * page_size + page_size - 1


def range_windows(total: int, max_start: int = DEFAULT_MAX_START,
                  page_size: int = PAGE_SIZE) -> list[tuple[int, int]]:
    """The aligned windows that read a result set of `total` rows as far as the cap allows,
    the end clamped to the total as the API clamps it."""
    windows = []
    for page in range(min(pages_within_cap(max_start, page_size), -(-total // page_size))):
        start, end = page_window(page, page_size)
        windows.append((start, min(end, total - 1)))
    return windows


def parse_cap_message(message: str | None) -> int | None:
    """The start cap N from the API's 400 "La position de début doit être inférieure ou égale à N."
    (None for any other message)."""
    if not message:
        return None
    m = _CAP_RE.search(message)
    return int(m.group(1)) if m else None
