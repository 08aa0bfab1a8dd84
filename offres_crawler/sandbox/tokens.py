"""The OAuth2 client-credentials token endpoint and the store of issued access tokens.

REFERENCE Part 1 §9-10 and Part 2 §1: `POST {token_url}?realm=/partenaire` with a form body
(grant_type=client_credentials, client_id, client_secret, scope); answers
`{scope, expires_in, token_type: "Bearer", access_token}` with an opaque 27-character token.
Errors are 400 JSON bodies `{"error", "error_description"}` in the shapes of the official docs.
Tokens are never logged.

The parameters are read from the form body and, when absent there, from the query string: a
client written by a France Travail team (`poleemploi-io-api` 1.0.0, whose tests call the live
endpoint) sends grant_type and scope in the query string and only the credentials in the body, so
the real endpoint takes them from either. The realm, though, is a query parameter only.
"""

from __future__ import annotations

import hmac
import secrets
import string
from dataclasses import dataclass

from aiohttp import web

from offres_crawler.sandbox.ratelimit import SlidingWindowLimiter
from offres_crawler.sandbox.responses import JSON_UTF8, json_response, too_many_requests

REALM = "/partenaire"
REQUIRED_SCOPES = ("api_offresdemploiv2", "o2dsoffre")
TOKEN_LENGTH = 27  # as observed live (REFERENCE Part 2 §1)
_TOKEN_ALPHABET = string.ascii_letters + string.digits

# Expiry, revocation and rate windows are judged on a monotonic clock in ms: `--clock-skew`
# moves the market's clock, not the lifetime of tokens.


@dataclass
class IssuedToken:
    client_id: str
    issued_ms: float
    expires_ms: float
    revoked: bool = False


class TokenStore:
    """Issued tokens. `revoke_after_s` (when set) kills every token that long after its issue."""

    def __init__(self, lifetime_s: float = 1499, revoke_after_s: float | None = None) -> None:
        self.lifetime_s = lifetime_s
        self.revoke_after_s = revoke_after_s
        self.issued = 0
        self._tokens: dict[str, IssuedToken] = {}

    def issue(self, client_id: str, now_ms: float) -> str:
        if len(self._tokens) >= 10_000:
            self._prune(now_ms)
        token = "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))
        self._tokens[token] = IssuedToken(client_id, now_ms, now_ms + self.lifetime_s * 1000)
        self.issued += 1
        return token

    def check(self, token: str, now_ms: float) -> tuple[str | None, str]:
        """(client_id, "ok") for a valid token, else (None, "unknown"|"expired"|"revoked")."""
        entry = self._tokens.get(token)
        if entry is None:
            return None, "unknown"
        if now_ms >= entry.expires_ms:
            return None, "expired"
        if entry.revoked or (
            self.revoke_after_s is not None and now_ms >= entry.issued_ms + self.revoke_after_s * 1000
        ):
            return None, "revoked"
        return entry.client_id, "ok"

    def revoke_all(self) -> int:
        for entry in self._tokens.values():
            entry.revoked = True
        return len(self._tokens)

    def _prune(self, now_ms: float) -> None:
        self._tokens = {t: e for t, e in self._tokens.items() if e.expires_ms > now_ms}


def oauth_error(error: str, description: str) -> web.Response:
    # Error bodies carry a plain `application/json` content type (REFERENCE Part 2 §1).
    return json_response({"error": error, "error_description": description}, status=400,
                         content_type="application/json")


class TokenEndpoint:
    """The aiohttp handler of `POST /connexion/oauth2/access_token`."""

    def __init__(self, client_id: str, client_secret: str, store: TokenStore,
                 limiter: SlidingWindowLimiter, clock_ms, on_limited) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.store = store
        self.limiter = limiter  # the token endpoint's own budget, per client id
        self._clock_ms = clock_ms  # monotonic ms
        self._on_limited = on_limited  # called with each 429 sent, for the stats

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.post()
        form = {**request.query, **body}  # the body wins over the query string
        client_id = str(form.get("client_id", ""))
        decision = self.limiter.check(client_id, self._clock_ms())
        if not decision.accepted:
            self._on_limited()
            return too_many_requests(decision)
        # The realm must be a query parameter (aiohttp decodes `%2Fpartenaire`). Without it, or
        # with another realm, the client is not found there: authentication fails as for a bad id.
        if request.query.get("realm") != REALM:
            return oauth_error("invalid_client", "Client authentication failed")
        secret = str(form.get("client_secret", ""))
        if not (hmac.compare_digest(client_id.encode(), self.client_id.encode())
                and hmac.compare_digest(secret.encode(), self.client_secret.encode())):
            return oauth_error("invalid_client", "Client authentication failed")
        grant_type = str(form.get("grant_type", ""))
        if not grant_type:
            return oauth_error("invalid_request", "Grant type is required")
        if grant_type != "client_credentials":
            return oauth_error("unsupported_grant_type", f"Grant type is not supported: {grant_type}")
        scopes = str(form.get("scope", "")).split()
        # Legacy clients add `application_<client_id>`: accepted, as live probes show.
        unknown = [s for s in scopes if s not in REQUIRED_SCOPES and s != f"application_{client_id}"]
        missing = [s for s in REQUIRED_SCOPES if s not in scopes]
        if unknown or missing:
            return oauth_error("invalid_scope", f"Unknown/invalid scope(s): [{', '.join(unknown or missing)}]")
        token = self.store.issue(client_id, self._clock_ms())
        body = {"scope": " ".join(scopes), "expires_in": int(self.store.lifetime_s),
                "token_type": "Bearer", "access_token": token}
        return json_response(body, content_type=JSON_UTF8)
