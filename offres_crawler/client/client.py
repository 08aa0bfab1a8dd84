"""`OffresClient`: France Travail's "Offres d'emploi v2" API from Python, synchronously.

The api-offres-emploi wrapper's calls under its names and shapes (`search`, `referentiel`), an
offer by id (`offre`), and a whole query beyond the API's cap (`harvest`), with the crawl's
authentication, pace, retries, argument rules and verdict. docs/client.md has the details and
the migration table from the wrapper.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from offres_crawler import __version__
from offres_crawler import settings as project
from offres_crawler.client.arguments import harvest_params, page_params
from offres_crawler.client.auth import Authenticator
from offres_crawler.client.harvest import Harvest
from offres_crawler.client.pace import application_pace
from offres_crawler.client.policy import RetryPolicy
from offres_crawler.client.session import Answer, ApiSession
from offres_crawler.client.tls import check_ca_bundle, plain_http
from offres_crawler.harvest.api_urls import referentiel_url, search_url
from offres_crawler.harvest.content_range import ContentRange, parse_content_range
from offres_crawler.harvest.referentiels import UnknownReferentielError, parse_names
from offres_crawler.offers.ids import ID_RULE, IdsError, clean_id, detail_path, is_offer_id, not_an_id
from offres_crawler.redaction import SECRETS, protect_logs
from offres_crawler.transport.environment import API_URL, CLIENT_ID, CLIENT_SECRET, TOKEN_URL, from_environment

logger = logging.getLogger(__name__)

DEFAULT_RATE_LIMIT = project.OFFRES_RATE_LIMIT
USER_AGENT = f"offres-crawler/{__version__} (Python client; requests)"
NO_CREDENTIALS = ("no client credentials: give client_id and client_secret, or set the environment "
                  "variables OFFRES_CLIENT_ID and OFFRES_CLIENT_SECRET")


def planner_options() -> dict[str, Any]:
    """The planner's options, from the settings a crawl reads (`offres_search.from_crawler`),
    with their defaults: the client plans exactly as `scrapy crawl offres_search` does."""
    return {"max_start": project.OFFRES_RANGE_MAX_START,
            "creation_floor": project.OFFRES_CREATION_FLOOR,
            "sum_tolerance": project.OFFRES_SUM_TOLERANCE,
            "lag": project.OFFRES_SEARCH_REPLICA_LAG,
            "budget": project.OFFRES_SEARCH_BUDGET}


class OffresClient:
    """A client of the API for notebooks and scripts (one request at a time; one client per thread).

    Every argument left to None comes from the environment (OFFRES_CLIENT_ID,
    OFFRES_CLIENT_SECRET, OFFRES_API_URL, OFFRES_TOKEN_URL: the lines the sandbox prints can be
    exported as they are), then from the crawl's defaults (offres_crawler/settings.py).
    `rate_limit`: requests per second, as the server counts them (0: no pace). `retry`: the
    retry rules, the crawl's by default. `ca_bundle`: a PEM file of the CAs to trust instead of
    the system's, as a crawl's OFFRES_CA_BUNDLE (a company proxy that re-signs TLS traffic).
    """

    def __init__(self, client_id: str | None = None, client_secret: str | None = None, *,
                 api_url: str | None = None, token_url: str | None = None,
                 rate_limit: float | None = DEFAULT_RATE_LIMIT, retry: RetryPolicy | None = None,
                 ca_bundle: str | os.PathLike[str] | None = None) -> None:
        self.client_id = (client_id or from_environment(CLIENT_ID) or "").strip()
        secret = client_secret or from_environment(CLIENT_SECRET) or ""
        if not (self.client_id and secret):
            raise ValueError(NO_CREDENTIALS)
        protect_logs()  # as a crawl does: every form of the secret, and the tokens, masked in every log record
        SECRETS.add(self, secret, self.client_id)
        self.api_url = (api_url or from_environment(API_URL) or project.OFFRES_API_URL).rstrip("/")
        self.token_url = token_url or from_environment(TOKEN_URL) or project.OFFRES_TOKEN_URL
        plain = plain_http(self.api_url, "api_url") | plain_http(self.token_url, "token_url")
        self.rate_limit = DEFAULT_RATE_LIMIT if rate_limit is None else rate_limit
        if not isinstance(self.rate_limit, (int, float)) or self.rate_limit < 0:
            raise ValueError(f"rate_limit must be a number of requests per second (0: no pace), "
                             f"not {self.rate_limit!r}")
        self.retry = retry or RetryPolicy()
        auth = Authenticator(client_id=self.client_id, client_secret=secret, token_url=self.token_url,
                             scope=project.OFFRES_SCOPE, policy=self.retry, plain_http=plain)
        pace = (application_pace(self.api_url, self.client_id, self.rate_limit, self.retry.rate_margin)
                if self.rate_limit > 0 else None)
        self._session = ApiSession(auth, self.retry, pace=pace, plain_http=plain, user_agent=USER_AGENT)
        if ca_bundle is not None:
            self._session.http.verify = check_ca_bundle(ca_bundle)

    def __repr__(self) -> str:  # never the secret, never a token
        return (f"OffresClient(client_id={self.client_id!r}, api_url={self.api_url!r}, "
                f"rate_limit={self.rate_limit!r})")

    @property
    def session(self) -> Any:
        """The underlying `requests_oauthlib.OAuth2Session` (proxies, certificates: `session.proxies`)."""
        return self._session.http

    def close(self) -> None:
        self._session.http.close()

    def __enter__(self) -> OffresClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the wrapper's calls --------------------------------------------------------------------
    def search(self, params: Mapping[str, Any] | None = None,
               silent_http_errors: bool = False) -> dict[str, Any] | None:
        """One page of `GET /v2/offres/search`: the API's body (`filtresPossibles`, `resultats`)
        with `Content-Range` parsed as the wrapper did (`first_index`, `last_index`,
        `max_results`, as strings). No result (204): empty lists and `max_results` "0".
        Parameters are checked first (ParamError); an API refusal raises ApiError, or with
        `silent_http_errors` is logged and gives None."""
        url = search_url(self.api_url, page_params(params))
        answer = self._session.get(url)
        if answer.failure is not None:
            self._refused(answer, silent_http_errors)
            return None
        out = dict(answer.data) if isinstance(answer.data, dict) else {}
        out.setdefault("filtresPossibles", [])
        out.setdefault("resultats", [])
        found = parse_content_range(answer.headers.get("Content-Range"))
        if found is None and answer.status == 204:
            found = ContentRange(None, None, 0)
        out["Content-Range"] = (found or ContentRange(None, None, None)).as_wrapper_dict()
        return out

    def referentiel(self, referentiel: str) -> list[dict[str, Any]]:
        """One of the 16 reference lists (`metiers`, `communes`, ...), as the API serves it. An
        unknown name raises UnknownReferentielError (with a did-you-mean) before any request."""
        if not isinstance(referentiel, str) or not referentiel.strip():
            raise UnknownReferentielError([str(referentiel)])
        [name] = parse_names([referentiel.strip()])
        return self._session.get(referentiel_url(self.api_url, name)).result(list, "list")

    # -- beyond the wrapper ---------------------------------------------------------------------
    def offre(self, offre_id: str) -> dict[str, Any] | None:
        """One offer by id (`GET /v2/offres/{id}`), as the API returns it; None when it is gone
        (withdrawn: the API answers 204). An id the API would refuse as malformed is refused
        before any request, by the detail spider's rule (IdsError, a ValueError)."""
        if not isinstance(offre_id, str):
            raise IdsError(f"offre_id: an offer id is a str ({ID_RULE}), not {type(offre_id).__name__}")
        oid = clean_id(offre_id)
        if oid is None or not is_offer_id(oid):
            raise IdsError(f"offre_id: {not_an_id(offre_id)}")
        answer = self._session.get(self.api_url + detail_path(oid))
        if answer.status == 204:
            return None
        return answer.result(dict, "object")

    def harvest(self, **params: Any) -> Harvest:
        """Every offer of a query, however many (the whole market without parameters), planned
        as `scrapy crawl offres_search` plans it. Parameters are checked now, by the crawl's
        rules (ParamError, nothing sent); the harvest runs when iterated, or by `to_pandas()` /
        `to_arrow()`; then `.verdict` and `.report` say how complete it was."""
        query = harvest_params(params)
        return Harvest(self._session, self.api_url, query, planner_options())

    @staticmethod
    def _refused(answer: Answer, silent: bool) -> None:
        """Raise the API's refusal, or with `silent_http_errors` log it (the wrapper printed it)."""
        error = answer.error()
        if not silent:
            raise error
        logger.warning("%s", error)
