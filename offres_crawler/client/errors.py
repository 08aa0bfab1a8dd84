"""What the client raises when a call fails for good.

Bad arguments are refused before anything is sent, with the crawler's own exceptions (both
`ValueError`s): `offres_crawler.harvest.params.ParamError` (one line naming the parameter and the
rule, as `scrapy crawl offres_search` prints it) and
`offres_crawler.harvest.referentiels.UnknownReferentielError` (with a did-you-mean).
"""

from __future__ import annotations

import requests


class ApiError(requests.HTTPError):
    """An API call failed for good: the API refused it (a 4xx), or it still failed after its
    retries (5xx, 429, timeouts, resets, a body cut short).

    A `requests.HTTPError`, as the api-offres-emploi wrapper raised, so `except HTTPError` goes
    on working; but it carries neither the request nor the response, whose headers hold the
    access token. What it says: `status` (None when no answer came), `reason` (`http_400`,
    `http_503`, `timeout`, `connection_lost`, `malformed_json`, ...: the names of the crawl's
    error list), `message` (the API's own message when it gave one), `url`, `attempts`.
    """

    def __init__(self, reason: str, message: str, *, url: str, status: int | None = None,
                 attempts: int = 1) -> None:
        self.reason, self.message, self.url = reason, message, url
        self.status, self.attempts = status, attempts
        what = f"HTTP {status}" if status is not None else reason
        tries = f" (after {attempts} attempts)" if attempts > 1 else ""
        super().__init__(f"{what} for {url}: {message}{tries}")


class AuthenticationError(ApiError):
    """No access token: the token endpoint refused the credentials or the configuration
    (`reason` is its OAuth error, e.g. `invalid_client`, and the message says what to check), or
    it gave none after its retries. Never carries the client secret or a token."""
