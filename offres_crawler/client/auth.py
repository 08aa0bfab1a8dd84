"""The client's access token, with requests-oauthlib: fetched before the first call, replaced
ahead of its expiry, dropped when the API answers 401.

An `OAuth2Session` over a `BackendApplicationClient` (OAuth2's client-credentials grant) fetches
the token (`fetch_token`, client id and secret in the form body, the realm in the token URL's
query string) and adds it to every API request. The token endpoint's answer is read by the
crawler's own code (transport/token_exchange.py, through the session's `access_token_response`
hook): the same errors, hints and masking as a crawl; and the token lives by the crawler's clock
(transport/token_clock.py): a new one min(60 s, lifetime / 10) before the old one expires.
Transient failures of the token endpoint (5xx, 429 with its Retry-After, resets, timeouts) are
retried with the crawl's backoff; a refusal (wrong credentials, scope, URL) raises
AuthenticationError at once.

Secrets: as in a crawl, the client secret and every token are registered with
offres_crawler/redaction.py, which masks them in every form in every log record of the process.
requests-oauthlib also logs the token request's body (it holds the client secret) and every
token it handles at DEBUG level: its DEBUG lines are dropped as well (`SecretsFilter`), so that a
notebook with `logging.basicConfig(level=logging.DEBUG)` shows neither, even in a form the mask
would not know.
"""

from __future__ import annotations

import logging
import time
from time import monotonic
from typing import TYPE_CHECKING

import requests
from oauthlib.oauth2 import BackendApplicationClient
from requests_oauthlib import OAuth2Session

from offres_crawler.client.errors import AuthenticationError
from offres_crawler.client.policy import exception_reason, final_error
from offres_crawler.client.tls import plain_http_allowed
from offres_crawler.redaction import SECRETS
from offres_crawler.transport.backoff import backoff_delay, parse_retry_after
from offres_crawler.transport.token_exchange import TokenRejected, TokenTransientError, read_token_response

if TYPE_CHECKING:
    from offres_crawler.client.policy import RetryPolicy
    from offres_crawler.transport.token_clock import AccessToken

logger = logging.getLogger(__name__)

OAUTH_LOGGER = "requests_oauthlib.oauth2_session"


class SecretsFilter(logging.Filter):
    """Drops requests-oauthlib's DEBUG lines: they print the client secret and the tokens."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


def quiet_requests_oauthlib() -> None:
    oauth_logger = logging.getLogger(OAUTH_LOGGER)
    if not any(isinstance(f, SecretsFilter) for f in oauth_logger.filters):
        oauth_logger.addFilter(SecretsFilter())


quiet_requests_oauthlib()


class Authenticator:
    def __init__(self, *, client_id: str, client_secret: str, token_url: str, scope: str,
                 policy: RetryPolicy, plain_http: bool) -> None:
        self.session = OAuth2Session(client=BackendApplicationClient(client_id=client_id))
        self.session.register_compliance_hook("access_token_response", self._read_answer)
        self._secret = client_secret
        self._token_url = token_url
        self._scope = scope
        self._policy = policy
        self._plain_http = plain_http
        self.token: AccessToken | None = None
        self.fetched = 0  # tokens obtained (the run report's "tokens")
        self._generation = 0
        self._sent_at = 0.0
        self._issued: AccessToken | None = None

    def __repr__(self) -> str:
        return f"<Authenticator token_url={self._token_url!r} tokens={self.fetched}>"

    def current(self) -> AccessToken:
        """A token to send now: the current one, or a new one from its refresh point on."""
        token = self.token
        if token is None or token.needs_refresh(monotonic()):
            token = self._fetch()
        return token

    def invalidate(self, generation: int) -> None:
        """A 401 to a request sent with token `generation`: that token is dead."""
        if self.token is not None and self.token.generation == generation:
            logger.info("The API refused access token #%d (401): fetching a new one", generation)
            self.token = None

    def _fetch(self) -> AccessToken:
        attempt = 0
        while True:
            retry_after: float | None = None
            try:
                return self._fetch_once()
            except TokenRejected as exc:
                raise AuthenticationError(exc.error, f"the token endpoint refused the request: {exc}",
                                          url=self._token_url) from None
            except TokenTransientError as exc:
                reason, retry_after = exc.reason, exc.retry_after
            except requests.RequestException as exc:
                found = exception_reason(exc)
                if found is None:
                    reason, message = final_error(exc)
                    raise AuthenticationError(reason, message, url=self._token_url) from None
                reason = found
            attempt += 1
            if attempt > self._policy.token_retry_times:
                raise AuthenticationError(reason, f"no access token (last error: {reason})",
                                          url=self._token_url, attempts=attempt)
            delay = retry_after if retry_after is not None else backoff_delay(
                attempt, self._policy.backoff_base, self._policy.backoff_max)
            logger.warning("Token request failed (%s), retrying in %.1f s", reason, delay)
            time.sleep(delay)

    def _fetch_once(self) -> AccessToken:
        self._sent_at, self._issued = monotonic(), None
        with plain_http_allowed(self._plain_http):
            self.session.fetch_token(self._token_url, include_client_id=True, client_secret=self._secret,
                                     scope=self._scope, timeout=self._policy.timeout,
                                     # explicit, or REQUESTS_CA_BUNDLE would win; passed on to requests,
                                     # which takes a CA file too (the stubs say bool only)
                                     verify=self.session.verify)  # type: ignore[arg-type]
        token = self._issued
        if token is None:  # the hook always sets it or raises; a requests-oauthlib change would get here
            raise TokenTransientError("no_token_read")
        SECRETS.add(self, token.value)  # masked in every log record, before anything can log it
        self.token, self._generation = token, token.generation
        self.fetched += 1
        logger.debug("Obtained access token #%d, valid %.0f s", token.generation, token.expires_in)
        return token

    def _read_answer(self, response: requests.Response) -> requests.Response:
        """requests-oauthlib's `access_token_response` hook: read the answer as a crawl does."""
        try:
            self._issued = read_token_response(response.status_code, response.content, scope=self._scope,
                                               sent_at=self._sent_at, generation=self._generation + 1,
                                               client_secret=self._secret)
        except TokenTransientError as exc:
            if response.status_code == 429:
                exc.retry_after = parse_retry_after(response.headers.get("Retry-After"),
                                                    default=self._policy.retry_after_default,
                                                    maximum=self._policy.retry_after_max)
            raise
        return response
