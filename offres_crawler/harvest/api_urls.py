"""The URLs of the API's search and reference lists, built in one place for the spiders and the
Python client, so that both send exactly the same requests.

Parameter values are form-encoded (`data science` -> `data+science`), but the commas between
multiple values and the colons of dates are left as they are: that is how the API's own
examples write them (`typeContrat=CDI,CDD`, `minCreationDate=2022-03-25T14:52:00Z`).
The detail path of one offer is `offres_crawler.offers.ids.detail_path`.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote, urlencode

SEARCH_PATH = "/v2/offres/search"
REFERENTIEL_PATH = "/v2/referentiel/"


def search_url(api_url: str, params: Mapping[str, str]) -> str:
    """`GET {api_url}/v2/offres/search?...` for these parameters (none: no query string)."""
    url = api_url.rstrip("/") + SEARCH_PATH
    return f"{url}?{urlencode(params, safe=',:')}" if params else url


def referentiel_url(api_url: str, name: str) -> str:
    """`GET {api_url}/v2/referentiel/{name}` (check the name first: harvest/referentiels.py)."""
    return api_url.rstrip("/") + REFERENTIEL_PATH + quote(name, safe="")
