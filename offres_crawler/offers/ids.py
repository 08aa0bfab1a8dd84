"""Offer ids given to the detail spider: their format, the detail path, the `ids` argument
(files of ids: offers/ids_file.py).

An id is sent only when it has the API's format, `OFFER_ID` (REFERENCE Part 2 §6: 7 ASCII
capital letters or digits, `179QWXC` for France Travail's offers, `8521039` for partners'; the
sandbox, like the API, answers 400 to anything else): so `.`, `..`, `a/b` or `?x` never become a
path. An argument with another id is refused; in a file, such a line is skipped (counted, its
line named).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from offres_crawler.redaction import quoted as _show

FRANCE_TRAVAIL = "france_travail"  # 3 digits + 4 upper-case letters: 179QWXC
PARTENAIRE = "partenaire"  # 7 digits: 8521039
OFFER_ID = re.compile(r"[0-9A-Z]{7}")  # what the API does not refuse as malformed
ID_RULE = "the API's ids are 7 capital letters or digits, e.g. 179QWXC or 8521039"
_FORMATS = ((FRANCE_TRAVAIL, re.compile(r"[0-9]{3}[A-Z]{4}")), (PARTENAIRE, re.compile(r"[0-9]{7}")))


class IdsError(ValueError):
    """Ids that cannot be used; `str()` is the one-line message for the user."""



def clean_id(raw: Any) -> str | None:
    """The id as the API expects it (surrounding blanks removed), None when nothing is left."""
    if not isinstance(raw, str):
        return None
    value = raw.strip().lstrip("\ufeff").strip()
    return value or None


def is_offer_id(offer_id: str) -> bool:
    """True when `offer_id` has the API's id format (OFFER_ID)."""
    return isinstance(offer_id, str) and OFFER_ID.fullmatch(offer_id) is not None


def not_an_id(offer_id: str) -> str:
    return f"{_show(offer_id)} is not an offer id ({ID_RULE})"


def id_format(offer_id: str) -> str | None:
    """FRANCE_TRAVAIL, PARTENAIRE, or None for an id of neither known format (sent anyway)."""
    for name, pattern in _FORMATS:
        if pattern.fullmatch(offer_id):
            return name
    return None


def detail_path(offer_id: str) -> str:
    """`/v2/offres/{id}`; ValueError for anything but an offer id, which is one path segment of
    letters and digits (no `.`, `..`, `/`, `?`, `#`: never another resource)."""
    if not is_offer_id(offer_id):
        raise ValueError(not_an_id(offer_id))
    return f"/v2/offres/{quote(offer_id, safe='')}"


def ids_from_argument(value: str) -> Iterator[str]:
    """The ids of `-a ids=ID1,ID2` (commas or blanks between them), empty ones left out."""
    for raw in re.split(r"[,\s]+", value or ""):
        offer_id = clean_id(raw)
        if offer_id is not None:
            yield offer_id


def parse_ids_argument(value: str) -> list[str]:
    """The ids of `-a ids=...`; IdsError naming the first one that is not an offer id."""
    ids = list(ids_from_argument(value))
    for offer_id in ids:
        if not is_offer_id(offer_id):
            raise IdsError(f"ids: {not_an_id(offer_id)}")
    return ids
