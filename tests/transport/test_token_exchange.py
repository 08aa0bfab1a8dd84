from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest

from offres_crawler.transport.token_exchange import (
    TokenRejected,
    TokenTransientError,
    read_token_response,
    token_request_body,
)

SCOPE = "api_offresdemploiv2 o2dsoffre"
SECRET = "s3cret&with spaces=and+signs"


def _read(status: int, body: bytes | str, **kw):
    if isinstance(body, str):
        body = body.encode()
    return read_token_response(status, body, scope=SCOPE, sent_at=10.0, generation=4,
                               client_secret=SECRET, **kw)


def test_body_is_the_client_credentials_form_of_the_reference():
    form = parse_qs(token_request_body("PAR_app_0123", SECRET, SCOPE), strict_parsing=True)
    assert form == {"grant_type": ["client_credentials"], "client_id": ["PAR_app_0123"],
                    "client_secret": [SECRET], "scope": [SCOPE]}


def test_success_gives_a_token_timed_from_the_send():
    token = _read(200, json.dumps({"scope": SCOPE, "expires_in": 1499, "token_type": "Bearer",
                                   "access_token": "rJEr40urkiEHRl4wjuvlcWqdzGE"}))
    assert (token.value, token.obtained_at, token.expires_in, token.generation) == (
        "rJEr40urkiEHRl4wjuvlcWqdzGE", 10.0, 1499.0, 4)


def test_a_narrower_granted_scope_still_gives_the_token():
    token = _read(200, json.dumps({"scope": "o2dsoffre", "expires_in": 5, "token_type": "Bearer",
                                   "access_token": "abc"}))
    assert (token.value, token.expires_in) == ("abc", 5.0)


def test_missing_expires_in_falls_back_to_the_documented_lifetime():
    token = _read(200, json.dumps({"token_type": "Bearer", "access_token": "abc"}))
    assert token.expires_in == 1499.0


@pytest.mark.parametrize(("body", "error", "hint"), [
    ('{"error":"invalid_client","error_description":"Client authentication failed"}',
     "invalid_client", "OFFRES_CLIENT_SECRET"),
    ('{"error":"invalid_scope","error_description":"Unknown/invalid scope(s): [api_x]"}',
     "invalid_scope", "OFFRES_SCOPE"),
    ('{"error":"unsupported_grant_type","error_description":"Grant type is not supported"}',
     "unsupported_grant_type", "client_credentials"),
])
def test_refusals_are_final_and_name_the_setting_to_check(body, error, hint):
    with pytest.raises(TokenRejected) as caught:
        _read(400, body)
    assert caught.value.error == error
    assert error in str(caught.value) and hint in str(caught.value)


def test_a_refusal_never_repeats_the_secret():
    body = json.dumps({"error": "invalid_client", "error_description": f"bad secret {SECRET}"})
    with pytest.raises(TokenRejected) as caught:
        _read(401, body)
    assert SECRET not in str(caught.value)
    assert "***" in str(caught.value)


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504, 408])
def test_overload_and_server_errors_are_transient(status):
    with pytest.raises(TokenTransientError) as caught:
        _read(status, "<html>busy</html>")
    assert caught.value.reason == f"http_{status}"


@pytest.mark.parametrize("body", ['{"access_token": "abc", "token_ty', "", "<html></html>"])
def test_a_garbled_success_is_transient(body):
    with pytest.raises(TokenTransientError) as caught:
        _read(200, body)
    assert caught.value.reason == "malformed_token_response"


def test_a_non_bearer_token_is_refused():
    with pytest.raises(TokenRejected) as caught:
        _read(200, json.dumps({"token_type": "mac", "access_token": "abc", "expires_in": 10}))
    assert caught.value.error == "unsupported_token_type"


def test_an_unexpected_page_at_the_token_url_is_refused():
    with pytest.raises(TokenRejected) as caught:
        _read(404, "<html>Not Found</html>")
    assert "OFFRES_TOKEN_URL" in str(caught.value)


def test_every_documented_oauth_error_body_is_a_final_refusal(samples):
    bodies = sorted((samples / "errors").glob("oauth-400-*.json"))
    assert bodies, "no oauth-400-*.json in the samples"
    for path in bodies:
        expected = json.loads(path.read_text(encoding="utf-8"))
        with pytest.raises(TokenRejected) as caught:
            _read(400, path.read_bytes())
        assert caught.value.error == expected["error"], path.name
        assert caught.value.description == expected["error_description"], path.name


def test_the_documented_token_response_parses(samples):
    path = samples / "token" / "token-response.doc-example-francetravail-io.json"
    expected = json.loads(path.read_text(encoding="utf-8"))
    token = _read(200, path.read_bytes())
    assert (token.value, token.expires_in) == (expected["access_token"], expected["expires_in"])
