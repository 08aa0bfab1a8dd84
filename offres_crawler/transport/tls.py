"""TLS verified: the API's and the token endpoint's certificates are checked (Scrapy glue).

Scrapy 2.19 does not verify certificates by default (DOWNLOAD_VERIFY_CERTIFICATES = False): the
project turns it on (settings.py), so the client secret never goes to a server that merely
claims to be the token endpoint. The system's CAs are trusted; OFFRES_CA_BUNDLE (a PEM file)
replaces them by the CAs it holds: for a proxy that re-signs TLS traffic in a company, or a
test server with its own CA. The download handler (handler.py) uses `tls_policy`.

A certificate that cannot be verified is not a transient failure: the token source stops the
crawl at once with one line saying what to do (`tls_failure`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from OpenSSL import SSL
from twisted.internet.error import CertificateError, VerifyError
from twisted.internet.ssl import Certificate, optionsForClientTLS, trustRootFromCertificates
from twisted.web.iweb import IPolicyForHTTPS
from zope.interface import implementer  # type: ignore[import-untyped]  # no stubs

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

CA_BUNDLE_SETTING = "OFFRES_CA_BUNDLE"
_PEM = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL)


class CaBundleError(ValueError):
    """OFFRES_CA_BUNDLE cannot be used (the message is one line, naming the setting)."""


def load_ca_bundle(path: str) -> list[Certificate]:
    """The certificates of a PEM file, or CaBundleError."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise CaBundleError(f"{CA_BUNDLE_SETTING}={path} cannot be read: {exc.strerror or exc}") from None
    blocks = _PEM.findall(data)
    if not blocks:
        raise CaBundleError(f"{CA_BUNDLE_SETTING}={path} holds no PEM certificate "
                            f"(-----BEGIN CERTIFICATE----- ...)")
    try:
        return [Certificate.loadPEM(block) for block in blocks]
    except Exception as exc:
        raise CaBundleError(f"{CA_BUNDLE_SETTING}={path} holds a certificate that cannot be "
                            f"read: {exc}") from None


def tls_problem(settings: BaseSettings) -> str | None:
    """Why the TLS settings cannot be used, in one line (checked before any request)."""
    path = settings.get(CA_BUNDLE_SETTING)
    if not path:
        return None
    if not settings.getbool("DOWNLOAD_VERIFY_CERTIFICATES"):
        return (f"{CA_BUNDLE_SETTING} is set but DOWNLOAD_VERIFY_CERTIFICATES is False: "
                f"certificates would not be verified at all")
    try:
        load_ca_bundle(path)
    except CaBundleError as exc:
        return str(exc)
    return None


@implementer(IPolicyForHTTPS)
class CaBundlePolicy:
    """Verify every server against the CAs of a bundle, with Scrapy's own TLS options
    (DOWNLOAD_TLS_MIN_VERSION, DOWNLOADER_CLIENT_TLS_CIPHERS, ...)."""

    def __init__(self, certificates: list[Certificate], scrapy_policy: Any) -> None:
        self._trust = trustRootFromCertificates(certificates)  # type: ignore[no-untyped-call]
        self._scrapy_policy = scrapy_policy

    def creatorForNetloc(self, hostname: bytes, port: int) -> Any:
        # Scrapy's TLS options, as its own verifying policy passes them (private: checked by
        # tests/test_dependencies.py against the installed Scrapy)
        options = self._scrapy_policy._get_cert_options_kwargs()
        return optionsForClientTLS(hostname.decode("ascii"), trustRoot=self._trust,
                                   extraCertificateOptions=options)


@implementer(IPolicyForHTTPS)
class RefusingPolicy:
    """No TLS connection at all: the CA bundle the user named cannot be used (the crawl is
    refused before its first request anyway, by transport/endpoint_check.py)."""

    def __init__(self, problem: str) -> None:
        self.problem = problem

    def creatorForNetloc(self, hostname: bytes, port: int) -> Any:
        raise CaBundleError(self.problem)


def tls_policy(settings: BaseSettings, scrapy_policy: Any) -> Any:
    """The HTTPS policy of the download handler: Scrapy's, or CaBundlePolicy when
    OFFRES_CA_BUNDLE is set."""
    path = settings.get(CA_BUNDLE_SETTING)
    if not path or not settings.getbool("DOWNLOAD_VERIFY_CERTIFICATES"):
        return scrapy_policy
    try:
        return CaBundlePolicy(load_ca_bundle(path), scrapy_policy)
    except CaBundleError as exc:
        return RefusingPolicy(str(exc))


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception, its causes, and what Twisted wraps (`ResponseNeverReceived.reasons`)."""
    seen: list[BaseException] = []
    todo = [exc]
    while todo and len(seen) < 20:
        current = todo.pop()
        if any(current is known for known in seen):
            continue
        seen.append(current)
        for reason in getattr(current, "reasons", None) or ():
            value = getattr(reason, "value", reason)  # Twisted Failures
            if isinstance(value, BaseException):
                todo.append(value)
        todo += [e for e in (current.__cause__, current.__context__) if e is not None]
    return seen


def tls_failure(exc: BaseException) -> str | None:
    """What failed when `exc` comes from a TLS handshake that failed (most often: a certificate
    that cannot be verified), else None."""
    for cause in _causes(exc):
        if isinstance(cause, SSL.Error | CertificateError | VerifyError) \
                or type(cause).__name__ == "VerificationError":  # the host name does not match
            return str(cause) or type(cause).__name__
    return None
