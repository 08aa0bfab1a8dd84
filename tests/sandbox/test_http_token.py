"""The sandbox's token endpoint (REFERENCE Part 1 §9-10, Part 2 §1)."""

from __future__ import annotations

import re
import urllib.parse

import pytest
import requests

from tests.sandbox.httpclient import configured, request, token_request

CLIENT_FAILED = {"error": "invalid_client", "error_description": "Client authentication failed"}


@pytest.fixture(scope="module")
def sb(sandbox):
    # Many token requests in a row: lift the endpoint's own budget for this module only, and the
    # API's (the shared sandbox may have served a whole module within the last second).
    with configured(sandbox, token_rate_limit=1000, rate_limit=1000):
        yield sandbox


def assert_oauth_error(reply, expected: dict) -> None:
    assert reply.status == 400
    assert reply.json() == expected
    assert reply.headers["Content-Type"] == "application/json"
    assert reply.headers["Cache-Control"] == "no-store"
    assert reply.headers["Pragma"] == "no-cache"


def test_token_issued_with_the_documented_shape_and_headers(sb):
    reply = token_request(sb)
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/json;charset=UTF-8"
    assert reply.headers["Cache-Control"] == "no-store"
    assert reply.headers["Pragma"] == "no-cache"
    body = reply.json()
    assert set(body) == {"scope", "expires_in", "token_type", "access_token"}
    assert body["scope"] == "api_offresdemploiv2 o2dsoffre"
    assert body["expires_in"] == 1499
    assert body["token_type"] == "Bearer"
    assert re.fullmatch(r"[A-Za-z0-9]{27}", body["access_token"])


def test_tokens_are_opaque_and_distinct(sb):
    tokens = {token_request(sb).json()["access_token"] for _ in range(5)}
    assert len(tokens) == 5
    assert not any(t.count(".") == 2 for t in tokens)  # not JWTs


@pytest.mark.parametrize("realm", ["realm=/partenaire", "realm=%2Fpartenaire"])
def test_realm_accepted_encoded_or_not(sb, realm):
    url = sb.token_url.split("?")[0] + "?" + realm
    assert token_request(sb, url=url).status == 200


@pytest.mark.parametrize("query", ["", "?realm=/individu", "?realm=partenaire", "?realm="])
def test_missing_or_wrong_realm_fails(sb, query):
    url = sb.token_url.split("?")[0] + query
    assert_oauth_error(token_request(sb, url=url), CLIENT_FAILED)


def test_realm_in_the_body_instead_of_the_query_fails(sb):
    url = sb.token_url.split("?")[0]
    assert_oauth_error(token_request(sb, {"realm": "/partenaire"}, url=url), CLIENT_FAILED)


@pytest.mark.parametrize("form", [
    {"client_id": "PAR_someone_else"},
    {"client_secret": "wrong"},
    {"client_secret": None},
    {"client_id": None},
])
def test_bad_client_credentials(sb, form):
    assert_oauth_error(token_request(sb, form), CLIENT_FAILED)


def test_client_credentials_in_basic_auth_are_not_accepted(sb):
    # REFERENCE Part 2 §1: the id and secret go in the form body, not HTTP Basic.
    import base64
    import urllib.parse

    basic = base64.b64encode(f"{sb.client_id}:{sb.client_secret}".encode()).decode()
    data = urllib.parse.urlencode({"grant_type": "client_credentials",
                                   "scope": "api_offresdemploiv2 o2dsoffre"}).encode()
    reply = request("POST", sb.token_url, data, {"Authorization": f"Basic {basic}",
                                                 "Content-Type": "application/x-www-form-urlencoded"})
    assert_oauth_error(reply, CLIENT_FAILED)


def test_unsupported_grant_type(sb):
    assert_oauth_error(token_request(sb, {"grant_type": "implicit_grant"}), {
        "error": "unsupported_grant_type",
        "error_description": "Grant type is not supported: implicit_grant"})


@pytest.mark.parametrize("scope, named", [
    ("api_offresdemploiv2 o2dsoffre api_quinexistepasv0", "api_quinexistepasv0"),
    ("api_offresdemploiv2", "o2dsoffre"),
    ("o2dsoffre", "api_offresdemploiv2"),
])
def test_invalid_scope(sb, scope, named):
    assert_oauth_error(token_request(sb, {"scope": scope}), {
        "error": "invalid_scope", "error_description": f"Unknown/invalid scope(s): [{named}]"})


def test_missing_scope_is_invalid(sb):
    reply = token_request(sb, {"scope": None})
    assert reply.status == 400
    assert reply.json()["error"] == "invalid_scope"


def test_legacy_application_scope_is_accepted(sb):
    reply = token_request(sb, {"scope": f"application_{sb.client_id} api_offresdemploiv2 o2dsoffre"})
    assert reply.status == 200
    assert reply.json()["scope"] == f"application_{sb.client_id} api_offresdemploiv2 o2dsoffre"


def test_token_url_takes_only_post(sb):
    assert request("GET", sb.token_url).status == 405


def test_token_lifetime_and_token_rate_limit_from_the_command_line(sandbox_factory):
    sb = sandbox_factory("--offers", "1000", "--token-lifetime", "7", "--token-rate-limit", "2")
    replies = [token_request(sb) for _ in range(3)]
    assert [r.status for r in replies] == [200, 200, 429]
    assert replies[0].json()["expires_in"] == 7
    limited = replies[2]
    assert limited.headers["Content-Type"].startswith("text/plain")
    assert int(limited.headers["Retry-After"]) >= 1
    stats = sb.stats()
    assert stats["tokens_issued"] == 2
    assert stats["requests"]["token"] == {"200": 2, "429": 1}
    assert stats["rate_limited"] == 1


def test_token_lifetime_changes_at_run_time(sb):
    with configured(sb, token_lifetime=42):
        assert token_request(sb).json()["expires_in"] == 42
    assert token_request(sb).json()["expires_in"] == 1499


def test_parameters_in_the_query_string_as_poleemploi_io_api_sends_them(sb):
    # poleemploi-io-api 1.0.0 (base/api.py): grant_type and scope as query parameters next to the
    # realm, client_id and client_secret in the form body.
    query = urllib.parse.urlencode({"grant_type": "client_credentials", "scope": "api_offresdemploiv2 o2dsoffre"})
    url = f"{sb.token_url}&{query}"
    reply = token_request(sb, {"grant_type": None, "scope": None}, url=url)
    assert reply.status == 200, reply.body
    assert reply.json()["scope"] == "api_offresdemploiv2 o2dsoffre"


def test_poleemploi_io_api_token_request_as_its_code_makes_it(sb):
    # The same call as poleemploi-io-api 1.0.0's Api._get_access_token (base/api.py), with requests:
    # the realm already in the URL (encoded), requests appending grant_type and scope to it. The
    # package itself is not installed: GPL-3.0, and its import sets up a requests-cache SQLite cache
    # in the working directory (cache.py); this is its request, line for line.
    token_url = sb.token_url.split("/connexion/")[0]
    params = {"grant_type": "client_credentials", "scope": "api_offresdemploiv2 o2dsoffre"}
    data = {"client_secret": sb.client_secret, "client_id": sb.client_id}
    r = requests.post(token_url + "/connexion/oauth2/access_token?realm=%2Fpartenaire", params=params, data=data,
                      timeout=30)
    assert r.status_code == 200, r.content
    assert "grant_type=client_credentials" in r.request.url and "grant_type" not in r.request.body
    token = r.json()
    assert set(token) == {"access_token", "scope", "token_type", "expires_in"}  # its pydantic Token model
    reply = request("GET", f"{sb.api_url}/v2/referentiel/typesContrats",
                    headers={"Authorization": f"{token['token_type']} {token['access_token']}"})
    assert reply.status == 200  # its get_auth_header(): "<token_type> <access_token>"


def test_every_parameter_may_come_from_the_query_string(sb):
    query = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": sb.client_id,
                                    "client_secret": sb.client_secret, "scope": "api_offresdemploiv2 o2dsoffre"})
    reply = request("POST", f"{sb.token_url}&{query}", b"", {"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status == 200, reply.body


def test_the_form_body_wins_over_the_query_string(sb):
    url = f"{sb.token_url}&" + urllib.parse.urlencode({"client_secret": "wrong", "scope": "api_inconnuev1"})
    assert token_request(sb, url=url).status == 200  # the body's good values are used
    url = f"{sb.token_url}&" + urllib.parse.urlencode({"client_secret": sb.client_secret})
    assert_oauth_error(token_request(sb, {"client_secret": "wrong"}, url=url), CLIENT_FAILED)


def test_the_realm_stays_a_query_parameter(sb):
    url = sb.token_url.split("?")[0]
    assert_oauth_error(token_request(sb, {"realm": "/partenaire"}, url=url), CLIENT_FAILED)
