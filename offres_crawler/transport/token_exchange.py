"""The OAuth2 client-credentials exchange of the API, done with oauthlib (REFERENCE Part 1 §9-10).

`token_request_body` builds the form body (grant_type, client_id, client_secret, scope; the realm
is a query parameter of the token URL). `read_token_response` turns the endpoint's answer into an
`AccessToken`, or raises:

- `TokenRejected` when the credentials or the configuration are wrong (400 `invalid_client`,
  `invalid_scope`, ...): retrying cannot help, the crawl must stop;
- `TokenTransientError` for answers worth retrying (429, 5xx, 408, an unreadable 200).

Messages never contain the secret or a token: they are built from the error code and the
server's description only, made safe (offres_crawler/redaction.py): the secret masked in every
form should a server ever echo it (the form body URL-encoded, base64, ...), control characters
escaped and the length capped, since they end up in the log, the stats and the verdict.
"""

from __future__ import annotations

from collections.abc import Mapping

from oauthlib.oauth2 import BackendApplicationClient, OAuth2Error

from offres_crawler.redaction import mask_forms, safe_text
from offres_crawler.transport.token_clock import DEFAULT_EXPIRES_IN, AccessToken

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})

# What a user must check for each fatal OAuth error code.
_HINTS = {
    "invalid_client": "check OFFRES_CLIENT_ID and OFFRES_CLIENT_SECRET, and that the "
                      "application subscribes to the API",
    "invalid_scope": "check OFFRES_SCOPE",
    "unauthorized_client": "check that the application may use the client_credentials grant",
    "unsupported_grant_type": "the token endpoint does not accept client_credentials",
    "invalid_grant": "the token endpoint refused the grant",
    "invalid_request": "check OFFRES_TOKEN_URL and OFFRES_SCOPE",
}


class TokenRejected(Exception):
    """The token endpoint refused us for good (wrong credentials, scope or URL)."""

    def __init__(self, error: str, description: str, hint: str) -> None:
        self.error, self.description, self.hint = error, description, hint
        super().__init__(f"{error} ({description}): {hint}" if description else f"{error}: {hint}")


class TokenTransientError(Exception):
    """An answer of the token endpoint that a later attempt may not get again."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        self.reason, self.retry_after = reason, retry_after
        super().__init__(reason)


def _scopes(scope: str) -> str:
    """The scopes, one space between each (oauthlib splits a string on single spaces)."""
    return " ".join(scope.split())


def token_request_body(client_id: str, client_secret: str, scope: str) -> str:
    """The urlencoded form body of the token request. It holds the secret: never log it."""
    client = BackendApplicationClient(client_id=client_id)
    return client.prepare_request_body(scope=_scopes(scope), include_client_id=True,
                                       client_secret=client_secret)


def read_token_response(status: int, body: bytes, *, scope: str, sent_at: float,
                        generation: int, client_secret: str = "") -> AccessToken:
    """Parse the token endpoint's answer (oauthlib does the OAuth parsing and validation)."""
    if status in TRANSIENT_STATUSES:
        raise TokenTransientError(f"http_{status}")
    text = body.decode("utf-8", errors="replace")
    client = BackendApplicationClient(client_id="")  # parsing needs no client id
    params: Mapping[str, object]
    try:
        params = client.parse_request_body_response(text, scope=_scopes(scope))
    except Warning as changed:
        # oauthlib raises a plain Warning with the token set on it as an attribute when the
        # granted scope differs from the requested one; the API grants what it grants, so take
        # the token.
        token = getattr(changed, "token", None)
        if not isinstance(token, Mapping):
            raise TokenTransientError("malformed_token_response") from None
        params = token
    except OAuth2Error as exc:
        if status == 200:
            # A 200 without a usable token (cut short, garbled): another attempt may do better.
            raise TokenTransientError("malformed_token_response") from None
        description = safe_text(mask_forms(exc.description or "", client_secret))
        error = safe_text(mask_forms(exc.error or "oauth2_error", client_secret), 80)
        raise TokenRejected(error, description, _HINTS.get(error, "check OFFRES_TOKEN_URL")) from None
    if status != 200:
        # A non-200 answer that still parsed as a token is not something to trust.
        raise TokenRejected(f"http_{status}", "unexpected token endpoint answer",
                            "check OFFRES_TOKEN_URL") from None
    token_type = str(params.get("token_type", "Bearer"))
    if token_type.lower() != "bearer":
        raise TokenRejected("unsupported_token_type", f"token_type {safe_text(token_type, 40)!r}",
                            "the API expects Bearer tokens")
    expires_in = params.get("expires_in")  # oauthlib made it a number, when present
    lifetime = float(expires_in) if isinstance(expires_in, (int, float)) else DEFAULT_EXPIRES_IN
    return AccessToken(value=str(params["access_token"]), obtained_at=sent_at,
                       expires_in=lifetime or DEFAULT_EXPIRES_IN, generation=generation)
