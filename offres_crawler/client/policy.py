"""The client's retry and timing rules: the crawl's own settings (offres_crawler/settings.py,
docs/transport.md), read from there so that both follow the same numbers, and the names of the
errors that are worth another attempt."""

from __future__ import annotations

import ssl
from dataclasses import dataclass

import requests

from offres_crawler import settings as project
from offres_crawler.redaction import safe_text

TLS_FAILED = "tls_failed"  # as a crawl's offres_tls_failed: a certificate that cannot be verified
TLS_HINT = ("if a proxy of your company re-signs TLS traffic, trust its CA: "
            "OffresClient(..., ca_bundle='/path/to/ca.pem')")
# requests' exceptions -> the failure reasons of a crawl (transport/failure_reasons.py).
_DATA_LOSS = (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long the client retries; the defaults are the crawl's."""

    retry_times: int = project.OFFRES_RETRY_TIMES  # 5xx, 408, resets, timeouts, bodies cut short
    backoff_base: float = project.OFFRES_RETRY_BACKOFF_BASE  # seconds (transport/backoff.py)
    backoff_max: float = project.OFFRES_RETRY_BACKOFF_MAX
    ratelimit_retry_times: int = project.OFFRES_RATELIMIT_RETRY_TIMES  # one request answered 429
    retry_after_default: float = project.OFFRES_RETRY_AFTER_DEFAULT  # a 429 without Retry-After
    retry_after_max: float = project.OFFRES_RETRY_AFTER_MAX
    token_retry_times: int = project.OFFRES_TOKEN_RETRY_TIMES
    rate_margin: float = project.OFFRES_RATE_MARGIN  # seconds added to each window (pacer.py)
    timeout: float = project.DOWNLOAD_TIMEOUT  # seconds, per request


def _causes(exc: BaseException) -> list[BaseException]:
    """`exc` and what it wraps (requests -> urllib3 -> socket), a few levels deep."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(chain) < 8:
        chain.append(current)
        inner = getattr(current, "reason", None)
        if not isinstance(inner, BaseException) and current.args and isinstance(current.args[0], BaseException):
            inner = current.args[0]
        current = inner if isinstance(inner, BaseException) else (current.__cause__ or current.__context__)
    return chain


def exception_reason(exc: BaseException) -> str | None:
    """The failure reason of a requests error worth retrying; None for one that is not (a bad
    URL, a TLS certificate that does not verify: retrying cannot help)."""
    if isinstance(exc, requests.exceptions.SSLError):
        return None
    if isinstance(exc, requests.Timeout):
        return "timeout"
    if isinstance(exc, _DATA_LOSS):
        return "dataloss"
    if isinstance(exc, requests.ConnectionError):
        names = {type(e).__name__ for e in _causes(exc)}
        if "ConnectionRefusedError" in names:
            return "connection_refused"
        if "NameResolutionError" in names or "gaierror" in names:
            return "dns_lookup"
        return "connection_lost"
    return None


def final_error(exc: requests.RequestException) -> tuple[str, str]:
    """(reason, one-line message) of a requests error that retrying cannot help."""
    if isinstance(exc, requests.exceptions.SSLError):
        detail = next((str(cause) for cause in _causes(exc) if isinstance(cause, ssl.SSLError)), str(exc))
        return TLS_FAILED, f"TLS handshake failed ({safe_text(detail, 200)}); {TLS_HINT}"
    return type(exc).__name__, safe_text(str(exc))
