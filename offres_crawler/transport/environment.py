"""The settings the environment may give: the API's two URLs and the client credentials.

The sandbox prints `OFFRES_API_URL=...` and `OFFRES_TOKEN_URL=...` as its first lines: exported
as they are, they point a crawl (the add-on, offres_crawler/addon.py) and the Python client
(offres_crawler.client) at it. Credentials come from the environment too (or from settings),
never from a file of the repository. A blank value counts as unset; surrounding blanks, which a
copy-paste brings and the token endpoint refuses, are dropped.

Who wins, for a crawl: `-s NAME=VALUE` (or any value other than settings.py's default), then the
environment, then settings.py. For the client: its arguments, then the environment, then
settings.py.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

API_URL = "OFFRES_API_URL"
TOKEN_URL = "OFFRES_TOKEN_URL"
CLIENT_ID = "OFFRES_CLIENT_ID"
CLIENT_SECRET = "OFFRES_CLIENT_SECRET"
URL_SETTINGS = (API_URL, TOKEN_URL)


def from_environment(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The value of environment variable `name`, stripped; None when unset or blank."""
    value = (os.environ if environ is None else environ).get(name, "")
    return value.strip() or None
