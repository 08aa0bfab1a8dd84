"""How download errors and answers are classified for retries (no crawl needed)."""

from __future__ import annotations

import pytest
from scrapy.exceptions import (
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Request, Response, TextResponse
from twisted.internet import error as tx_error
from twisted.web._newclient import ResponseNeverReceived

from offres_crawler.transport.api_target import ApiTarget
from offres_crawler.transport.failure_reasons import exception_reason
from offres_crawler.transport.retry import has_malformed_json


@pytest.mark.parametrize(("exc", "reason"), [
    (DownloadTimeoutError("took longer than 60 seconds"), "timeout"),
    (tx_error.TimeoutError(), "timeout"),
    (ResponseDataLossError(), "dataloss"),
    (DownloadConnectionRefusedError(), "connection_refused"),
    (DownloadFailedError("[<Failure ConnectionLost>]"), "connection_lost"),
    (ResponseNeverReceived([]), "connection_lost"),  # a reset kept-alive connection
    (tx_error.ConnectionLost(), "connection_lost"),
    (ConnectionResetError(), "connection_lost"),
    (OSError("decompression failed"), "os_error"),
    (IgnoreRequest(), None),
    (ValueError(), None),
])
def test_exception_reasons(exc, reason):
    assert exception_reason(exc) == reason


URL = "https://api.example/partenaire/offresdemploi/v2/offres/search"


@pytest.mark.parametrize(("status", "body", "malformed"), [
    (206, b'{"resultats": [{"id": "1"}], "filtresPossibles": []}', False),
    (206, b'{"resultats": [{"id": "1"}], "filtresPo', True),  # cut short
    (200, b'{"resultats": [', True),
    (200, b"", False),  # an empty body means "nothing here" (REFERENCE Part 1 section 4)
    (204, b"", False),
    (400, b"<html>not json</html>", False),  # judged as a 400, not as a body
])
def test_only_a_non_empty_success_body_that_does_not_parse_is_malformed(status, body, malformed):
    response = TextResponse(URL, status=status, body=body, encoding="utf-8",
                            headers={"Content-Type": "application/json"})
    assert has_malformed_json(response) is malformed
    assert has_malformed_json(Response(URL, status=status, body=body)) is malformed


@pytest.mark.parametrize(("url", "is_api"), [
    ("https://api.example/partenaire/offresdemploi/v2/offres/search?range=0-149", True),
    ("https://api.example/partenaire/offresdemploi", True),
    ("https://api.example/partenaire/offresdemploiv3/x", False),  # a longer path is another API
    ("https://api.example/connexion/oauth2/access_token?realm=%2Fpartenaire", False),
    ("https://other.example/partenaire/offresdemploi/v2/offres/search", False),
])
def test_api_requests_are_those_under_the_api_url(url, is_api):
    target = ApiTarget({"OFFRES_API_URL": "https://api.example/partenaire/offresdemploi/",
                        "OFFRES_TOKEN_URL": "https://api.example/connexion/oauth2/access_token"})
    assert target.is_api_request(Request(url)) is is_api
