"""One API call of the client, sent as a crawl sends it: paced, authorized, retried.

- Pace: the crawl's `SlidingWindowPacer` (transport/pacer.py), the server's own rule (at most
  `rate_limit` requests in any second, plus a margin), shared by every client of the same
  application in the process (client/pace.py); the client waits for its turn, then sends.
  `rate_limit=0` switches the pace off.
- 429: every later request waits for the `Retry-After` (the pace is paused, its margin widened),
  then the request is sent again, up to OFFRES_RATELIMIT_RETRY_TIMES times.
- 401: the token is dropped, a new one fetched, the request sent once more; a second 401 is final.
- 5xx, 408, resets, timeouts, a 200/206 whose body is not JSON: retried with the crawl's backoff
  (transport/backoff.py, transport/retry_rules.py), up to OFFRES_RETRY_TIMES times.
- Any other answer is final and handed back as it is (`Answer`); only a call that got no answer
  at all after its retries raises (ApiError).

One request at a time: the client is synchronous (use one client per thread).
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import requests
from oauthlib.oauth2 import TokenExpiredError

from offres_crawler.client.errors import ApiError, AuthenticationError
from offres_crawler.client.policy import exception_reason, final_error
from offres_crawler.client.tls import plain_http_allowed
from offres_crawler.transport.api_error import api_error_message
from offres_crawler.transport.backoff import backoff_delay, parse_retry_after
from offres_crawler.transport.retry_rules import MALFORMED_JSON, retried_status, status_reason

if TYPE_CHECKING:
    from offres_crawler.client.auth import Authenticator
    from offres_crawler.client.pace import SharedPace
    from offres_crawler.client.policy import RetryPolicy
    from offres_crawler.transport.token_clock import AccessToken

logger = logging.getLogger(__name__)

JsonT = TypeVar("JsonT", list[Any], dict[str, Any])


@dataclass(frozen=True)
class Answer:
    """The final answer to one call (after its retries)."""

    url: str
    status: int
    headers: Mapping[str, str]  # case-insensitive (requests' own mapping)
    body: bytes
    data: Any  # the decoded JSON; None for an empty body or one that is not JSON
    attempts: int
    malformed: bool = False  # a 200/206 whose body is still not JSON after the retries

    @property
    def failure(self) -> str | None:
        """Why this is not a usable result (`http_404`, `malformed_json`, ...); None for a 2xx."""
        if self.malformed:
            return MALFORMED_JSON
        return None if 200 <= self.status < 300 else status_reason(self.status)

    def result(self, expected: type[JsonT], what: str) -> JsonT:
        """The decoded body when the call succeeded with a JSON `expected` (list, dict); else
        ApiError (the API's refusal, or "not_a_<what>")."""
        if self.failure is not None:
            raise self.error()
        if not isinstance(self.data, expected):
            raise ApiError(f"not_a_{what}", f"the answer is not a JSON {what} ({len(self.body)} bytes)",
                           url=self.url, status=self.status)
        return self.data

    def error(self) -> ApiError:
        """This answer as the exception a failed call raises (with the API's message)."""
        message = "the body is not valid JSON" if self.malformed else api_error_message(self.body)
        return ApiError(self.failure or "unexpected", message, url=self.url, status=self.status,
                        attempts=self.attempts)


def _decode(status: int, body: bytes) -> tuple[Any, bool]:
    """(decoded JSON or None, whether a 200/206 body failed to parse)."""
    if not body.strip():
        return None, False
    try:
        return json.loads(body), False
    except (ValueError, RecursionError):  # RecursionError: JSON nested too deep
        return None, status in (200, 206)


class ApiSession:
    def __init__(self, auth: Authenticator, policy: RetryPolicy, *, pace: SharedPace | None,
                 plain_http: bool, user_agent: str) -> None:
        self.auth = auth
        self.http = auth.session  # one connection pool for the token and the API
        self.http.headers.update({"Accept": "application/json", "User-Agent": user_agent})
        self.policy = policy
        self.pace = pace  # shared by every client of the application in the process (pace.py)
        self.counts: Counter[str] = Counter()  # "requests", "retries", "429", "401"
        self._plain_http = plain_http

    def _turn(self) -> AccessToken:
        """Wait until the pace lets one more request go, and the token to send it with. The
        send is timed from when the token is in hand (a token fetch takes time too)."""
        if self.pace is None:
            return self.auth.current()
        return self.pace.turn(self.auth.current)

    def _rate_limited(self, retry_after: float) -> None:
        self.counts["429"] += 1
        if self.pace is None:
            time.sleep(retry_after)
        else:
            self.pace.rate_limited(retry_after)

    def get(self, url: str) -> Answer:
        """GET `url` (under the API's base URL) until a final answer; ApiError when none came."""
        attempts = retries = rate_limited = 0
        auth_retried = expired = False
        while True:
            token = self._turn()
            attempts += 1
            self.counts["requests"] += 1
            try:
                with plain_http_allowed(self._plain_http):
                    # verify given explicitly, or requests lets REQUESTS_CA_BUNDLE override the session's
                    response = self.http.get(url, timeout=self.policy.timeout, verify=self.http.verify)
                status, body = response.status_code, response.content
            except TokenExpiredError:
                # oauthlib's own clock (wall time, whole seconds) says the token expired: the
                # machine slept, or a very short lifetime was rounded. Nothing was sent.
                if expired:
                    raise AuthenticationError("token_expired", "every new token is already expired",
                                              url=url) from None
                expired = True
                attempts -= 1
                self.counts["requests"] -= 1
                self.auth.invalidate(token.generation)
                continue
            except requests.RequestException as exc:
                reason = exception_reason(exc)
                if reason is None:
                    final, message = final_error(exc)
                    raise ApiError(final, message, url=url, attempts=attempts) from None
                failure = reason
                answer = None
            else:
                data, malformed = _decode(status, body)
                answer = Answer(url, status, response.headers, body, data, attempts, malformed)
                if status == 401:
                    self.counts["401"] += 1
                    self.auth.invalidate(token.generation)
                    if not auth_retried:
                        auth_retried = True
                        continue
                    logger.warning("Still 401 after a new token: giving up %s", url)
                    return answer
                if status == 429:
                    self._rate_limited(parse_retry_after(response.headers.get("Retry-After"),
                                                         default=self.policy.retry_after_default,
                                                         maximum=self.policy.retry_after_max))
                    rate_limited += 1
                    if rate_limited > self.policy.ratelimit_retry_times:
                        return answer
                    logger.warning("Rate limited (429): every API request waits for the Retry-After, "
                                   "then %s is retried", url)
                    continue
                if not (retried_status(status) or malformed):
                    return answer
                failure = status_reason(status) if retried_status(status) else MALFORMED_JSON
            retries += 1
            if retries > self.policy.retry_times:
                logger.error("Gave up %s after %d attempts (%s)", url, attempts, failure)
                if answer is not None:
                    return answer
                raise ApiError(failure, f"no answer after {attempts} attempts", url=url, attempts=attempts)
            self.counts["retries"] += 1
            delay = backoff_delay(retries, self.policy.backoff_base, self.policy.backoff_max)
            logger.warning("Retrying %s in %.1f s (%s, retry %d of %d)", url, delay, failure, retries,
                           self.policy.retry_times)
            time.sleep(delay)
