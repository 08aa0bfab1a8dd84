"""The crawl's access token: fetched once for all waiters, renewed ahead of expiry, dropped on 401.

One `TokenSource` per crawler (`shared(crawler, TokenSource)`), used by `TokenMiddleware` (which
makes API requests wait for a token and handles 401s) and by the download handler (which writes
the `Authorization` header at the moment a request is sent).

- Single flight: at most one token request is pending; everyone who needs a token waits for it.
- Refresh ahead: at `AccessToken.refresh_at` a timer starts a fetch in the background while
  requests keep using the old token until `retire_at` (offres_crawler/transport/token_clock.py); a
  request that finds the token past `refresh_at` starts it too, should the timer be late.
- The token request goes through `crawler.engine.download_async` with its own download slot, so
  the API's pace never delays it and it never counts against the API's budget.
- Transient failures of the token endpoint (5xx, 429, connection errors, timeouts) are retried
  with backoff (`Retry-After` honoured). Refusals (400 `invalid_client`, `invalid_scope`, ...)
  close the spider at once with reason `offres_auth_failed` and one error line naming the
  problem; waiting requests are dropped and no further token request is sent. So does a TLS
  handshake that fails (a certificate that cannot be verified: transport/tls.py), with reason
  `offres_tls_failed`.

Neither the client secret nor a token is ever logged, put in stats, in `request.meta` or in an
exception message: both are registered with offres_crawler/redaction.py as soon as they are
known, which masks them in every form in every log record and every text made safe.
"""

from __future__ import annotations

import logging
from time import monotonic
from typing import TYPE_CHECKING

from scrapy import Request, signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.asyncio import CallLaterResult, call_later, sleep
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from twisted.internet.defer import Deferred

from offres_crawler.redaction import SECRETS, protect_logs, safe_text
from offres_crawler.transport.api_target import TOKEN_SLOT
from offres_crawler.transport.backoff import backoff_delay, parse_retry_after
from offres_crawler.transport.environment import CLIENT_ID, CLIENT_SECRET, from_environment
from offres_crawler.transport.failure_reasons import exception_reason
from offres_crawler.transport.tls import tls_failure
from offres_crawler.transport.token_clock import AccessToken
from offres_crawler.transport.token_exchange import (
    FORM_CONTENT_TYPE,
    TokenRejected,
    TokenTransientError,
    read_token_response,
    token_request_body,
)

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

AUTH_FAILED = "offres_auth_failed"
TOKEN_UNAVAILABLE = "offres_token_unavailable"
TLS_FAILED = "offres_tls_failed"  # the token endpoint's certificate could not be verified


def client_credentials(settings: BaseSettings) -> tuple[str, str]:
    """(client id, client secret): settings first, then the environment (never a file of the
    repository)."""
    client_id = (settings.get("OFFRES_CLIENT_ID") or from_environment(CLIENT_ID) or "").strip()
    return client_id, settings.get("OFFRES_CLIENT_SECRET") or from_environment(CLIENT_SECRET) or ""


class TokenSource:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self._crawler = crawler
        self._stats = crawler.stats
        self._token_url: str = settings.get("OFFRES_TOKEN_URL")
        self._scope: str = settings.get("OFFRES_SCOPE")
        self._client_id, self._client_secret = client_credentials(settings)
        # masked in every log record and every text made safe while the crawler lives
        protect_logs()
        SECRETS.add(crawler, self._client_secret, self._client_id)
        self._retry_times = settings.getint("OFFRES_TOKEN_RETRY_TIMES")
        self._backoff_base = settings.getfloat("OFFRES_RETRY_BACKOFF_BASE")
        self._backoff_max = settings.getfloat("OFFRES_RETRY_BACKOFF_MAX")
        self._retry_after_default = settings.getfloat("OFFRES_RETRY_AFTER_DEFAULT")
        self._retry_after_max = settings.getfloat("OFFRES_RETRY_AFTER_MAX")
        self._token: AccessToken | None = None
        self._generation = 0
        self._fetching = False
        self._waiters: list[Deferred[None]] = []
        self._closed_reason: str | None = None  # set when no token will ever come
        self._refresh_timer: CallLaterResult | None = None
        self._spider_closed = False
        self._fetch_task: Deferred[None] | None = None
        self._close_task: Deferred[None] | None = None
        crawler.signals.connect(self._on_spider_closed, signal=signals.spider_closed)

    # -- what the transport asks ----------------------------------------------------------------
    def token_for_send(self, now: float) -> AccessToken | None:
        """The token to send now, or None when the caller must `await ready()` first."""
        if self._closed_reason:
            raise IgnoreRequest(f"no access token ({self._closed_reason})")
        token = self._token
        if token is not None and token.usable(now):
            if token.needs_refresh(now):
                self._start_fetch(ahead=True)
            return token
        self._start_fetch()
        return None

    async def ready(self) -> None:
        """Return once a usable token exists (at once on the usual path)."""
        while self.token_for_send(monotonic()) is None:
            waiter: Deferred[None] = Deferred()
            self._waiters.append(waiter)
            await maybe_deferred_to_future(waiter)

    def invalidate(self, generation: int | None) -> bool:
        """Drop the current token after a 401, only if the failing request carried it.

        Requests sent with an older token also come back 401 when it dies; they must not
        throw away the replacement that is already in use.
        """
        if self._token is None or generation != self._token.generation:
            return False
        logger.info("The API refused access token #%d (401): fetching a new one", generation)
        self._stats.inc_value("offres/token/invalidated")
        self._token = None
        return True

    # -- fetching -------------------------------------------------------------------------------
    def _start_fetch(self, *, ahead: bool = False) -> None:
        if self._fetching or self._closed_reason:
            return
        if ahead:
            self._stats.inc_value("offres/token/refresh_ahead")
        self._fetching = True
        self._fetch_task = deferred_from_coro(self._fetch())  # never fails: _fetch catches all

    def _refresh_due(self, generation: int) -> None:
        self._refresh_timer = None
        if self._token is not None and self._token.generation == generation:
            self._start_fetch(ahead=True)

    def _cancel_refresh(self) -> None:
        if self._refresh_timer is not None:
            self._refresh_timer.cancel()
            self._refresh_timer = None

    def _on_spider_closed(self) -> None:
        self._spider_closed = True  # a fetch still waiting to retry gives up quietly
        self._cancel_refresh()

    async def _fetch(self) -> None:
        try:
            if not (self._client_id and self._client_secret):
                self._close(AUTH_FAILED, "no client credentials: set OFFRES_CLIENT_ID and "
                                         "OFFRES_CLIENT_SECRET (settings or environment variables)")
                return
            token = await self._fetch_with_retries()
            if token is not None:
                SECRETS.add(self._crawler, token.value)  # before anything can log it
                self._token = token
                self._cancel_refresh()
                self._refresh_timer = call_later(max(0.0, token.refresh_at - monotonic()),
                                                 self._refresh_due, token.generation)
                self._stats.inc_value("offres/token/fetched")
                logger.debug("Obtained access token #%d, valid %.0f s", token.generation,
                             token.expires_in)
        except TokenRejected as exc:
            self._stats.set_value("offres/token/error", exc.error)
            self._close(AUTH_FAILED, f"the token endpoint refused the request: {exc}")
        except Exception:  # a bug must not leave waiters hanging forever
            if not self._spider_closed:
                logger.exception("Unexpected error while fetching an access token")
                self._close(TOKEN_UNAVAILABLE, "unexpected error while fetching an access token")
        finally:
            self._fetching = False
            waiters, self._waiters = self._waiters, []
            for waiter in waiters:
                if not waiter.called:
                    waiter.callback(None)

    async def _fetch_with_retries(self) -> AccessToken | None:
        attempt = 0
        while not self._spider_closed:
            sent_at = monotonic()
            self._stats.inc_value("offres/token/requests")
            try:
                response = await self._crawler.engine.download_async(self._token_request())
            except IgnoreRequest as exc:
                self._close(TOKEN_UNAVAILABLE, f"the token request was dropped: {exc}")
                return None
            except Exception as exc:
                tls = tls_failure(exc)
                if tls is not None:  # another attempt meets the same certificate
                    self._close(TLS_FAILED, f"the TLS connection to the token endpoint failed "
                                            f"({safe_text(tls, 200)}): if its certificate is signed "
                                            f"by a CA of your own, set OFFRES_CA_BUNDLE to its PEM file")
                    return None
                failure = TokenTransientError(exception_reason(exc) or type(exc).__name__)
            else:
                try:
                    token = read_token_response(
                        response.status, response.body, scope=self._scope, sent_at=sent_at,
                        generation=self._generation + 1, client_secret=self._client_secret)
                except TokenTransientError as exc:
                    failure = exc
                    if response.status == 429:
                        failure.retry_after = parse_retry_after(
                            response.headers.get("Retry-After"),
                            default=self._retry_after_default, maximum=self._retry_after_max)
                else:
                    self._generation = token.generation
                    return token
            attempt += 1
            if attempt > self._retry_times:
                self._stats.inc_value("offres/token/retry/max_reached")
                self._close(TOKEN_UNAVAILABLE, f"no access token after {attempt} attempts "
                                               f"(last: {failure.reason})")
                return None
            self._stats.inc_value("offres/token/retry/count")
            self._stats.inc_value(f"offres/token/retry/reason_count/{failure.reason}")
            delay = (failure.retry_after if failure.retry_after is not None
                     else backoff_delay(attempt, self._backoff_base, self._backoff_max))
            logger.warning("Token request failed (%s), retrying in %.1f s", failure.reason, delay)
            await sleep(delay)
        return None

    def _token_request(self) -> Request:
        body = token_request_body(self._client_id, self._client_secret, self._scope)
        return Request(
            self._token_url, method="POST", body=body,
            headers={"Content-Type": FORM_CONTENT_TYPE, "Accept": "application/json"},
            meta={"download_slot": TOKEN_SLOT, "dont_retry": True, "dont_redirect": True,
                  "allow_offsite": True, "dont_cache": True},
            callback=NO_CALLBACK, dont_filter=True,
        )

    # -- giving up ------------------------------------------------------------------------------
    def _close(self, reason: str, message: str) -> None:
        """Stop the crawl: one error line, drop every waiting request, close the spider."""
        if self._closed_reason:
            return
        self._closed_reason = reason
        self._token = None
        self._cancel_refresh()
        what = "Authentication failed" if reason == AUTH_FAILED else "No access token"
        logger.error("%s, stopping the crawl (%s): %s", what, reason, message)
        engine = self._crawler.engine
        if engine is not None and engine.spider is not None:
            self._close_task = deferred_from_coro(engine.close_spider_async(reason=reason))
