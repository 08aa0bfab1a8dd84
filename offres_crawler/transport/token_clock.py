"""When an access token may be used and when it must be replaced (REFERENCE Part 1 §10).

The API issues client-credentials tokens with no refresh token (`expires_in` 1499 s live), so a
long harvest needs several. A token is replaced *ahead* of its expiry by a margin proportional to
its lifetime, the smaller of 60 s and a tenth of `expires_in` (TRAPS: a fixed 60 s margin would
renew a 5-second test token on every request). Between the refresh point and the point where it
stops being used, the old token still serves requests while the new one is fetched, so a refresh
never pauses the crawl.

Times are monotonic seconds taken when the token request was *sent*: the server started the
token's clock no earlier than that, so our idea of its expiry is never late.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_REFRESH_MARGIN = 60.0
DEFAULT_EXPIRES_IN = 1499.0  # the API's lifetime (REFERENCE Part 2 §1), if an answer omits it


def refresh_margin(expires_in: float) -> float:
    """Seconds before expiry at which a replacement is fetched."""
    return min(MAX_REFRESH_MARGIN, max(0.0, expires_in) / 10.0)


@dataclass(frozen=True)
class AccessToken:
    """One issued token. Its value never appears in `repr()` (logs, tracebacks)."""

    value: str = field(repr=False)
    obtained_at: float  # monotonic time the token request was sent
    expires_in: float
    generation: int  # 1 for the crawl's first token, +1 for each new one; not a secret

    @property
    def expires_at(self) -> float:
        return self.obtained_at + self.expires_in

    @property
    def refresh_at(self) -> float:
        """From here on a replacement is fetched in the background."""
        return self.expires_at - refresh_margin(self.expires_in)

    @property
    def retire_at(self) -> float:
        """From here on the token is no longer sent: requests wait for the replacement.

        Halfway through the margin, so that a request sent just before still reaches the
        server well before the token dies there.
        """
        return self.expires_at - refresh_margin(self.expires_in) / 2.0

    def needs_refresh(self, now: float) -> bool:
        return now >= self.refresh_at

    def usable(self, now: float) -> bool:
        return now < self.retire_at

    def authorization(self) -> bytes:
        """The `Authorization` header value."""
        return b"Bearer " + self.value.encode("ascii")
