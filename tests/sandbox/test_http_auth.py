"""401 on the API for a missing, unknown, expired or revoked token (REFERENCE Part 1 §9)."""

from __future__ import annotations

import time

import pytest

from tests.sandbox.httpclient import api_get, get_token, request, search


def assert_401(reply) -> None:
    """An empty body and `WWW-Authenticate: Bearer` (live 2026-08-22) with the headers of France
    Travail's "Erreurs fréquentes" page."""
    assert reply.status == 401
    assert reply.body == b""
    assert reply.headers["WWW-Authenticate"] == "Bearer"
    assert reply.headers["Content-Type"] == "application/json"
    assert reply.headers["Cache-Control"] == "no-store"
    assert reply.headers["Pragma"] == "no-cache"


PATHS = ["/v2/offres/search", "/v2/offres/1234567", "/v2/referentiel/typesContrats"]


@pytest.mark.parametrize("path", PATHS)
def test_missing_token(sandbox, path):
    assert_401(api_get(sandbox, path, None))


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Basic abc", "abcdefghijklmnopqrstuvwxyz0"])
def test_malformed_authorization_header(sandbox, header):
    assert_401(request("GET", f"{sandbox.api_url}/v2/offres/search", headers={"Authorization": header}))


@pytest.mark.parametrize("path", PATHS)
def test_unknown_token(sandbox, path):
    assert_401(api_get(sandbox, path, "rJEr40urkiEHRl4wjuvlcWqdzGE"))


def test_bearer_scheme_is_case_insensitive(sandbox):
    token = get_token(sandbox)
    for _ in range(3):  # the shared sandbox's rate limit may be in use: wait it out
        reply = request("GET", f"{sandbox.api_url}/v2/referentiel/typesContrats",
                        headers={"Authorization": f"bearer {token}"})
        if reply.status != 429:
            break
        time.sleep(int(reply.headers["Retry-After"]))
    assert reply.status == 200


def test_expired_token(sandbox_factory):
    sb = sandbox_factory("--offers", "1000", "--token-lifetime", "1")
    token = get_token(sb)
    assert search(sb, token, {"range": "0-0"}).status == 206
    time.sleep(1.1)
    assert_401(search(sb, token, {"range": "0-0"}))
    fresh = get_token(sb)
    assert search(sb, fresh, {"range": "0-0"}).status == 206
    stats = sb.stats()
    assert stats["requests"]["search"] == {"206": 2, "401": 1}
    assert stats["faults"]["revoked"] == 0  # expiry is not a revocation


def test_revoked_tokens(sandbox_factory):
    sb = sandbox_factory("--offers", "1000")
    first, second = get_token(sb), get_token(sb)
    assert search(sb, first, {"range": "0-0"}).status == 206
    assert sb.control("revoke", {})["revoked"] == 2
    assert_401(search(sb, first, {"range": "0-0"}))
    assert_401(search(sb, second, {"range": "0-0"}))
    assert search(sb, get_token(sb), {"range": "0-0"}).status == 206  # new tokens work
    assert sb.stats()["faults"]["revoked"] == 2


def test_early_revocation_before_expiry(sandbox_factory):
    sb = sandbox_factory("--offers", "1000", "--revoke-after", "1")
    token = get_token(sb)
    assert search(sb, token, {"range": "0-0"}).status == 206
    time.sleep(1.1)
    reply = search(sb, token, {"range": "0-0"})
    assert_401(reply)
    stats = sb.stats()
    assert stats["faults"]["revoked"] == 1
    assert stats["requests"]["search"] == {"206": 1, "401": 1}


def test_unauthenticated_requests_do_not_touch_the_rate_limit(sandbox_factory):
    sb = sandbox_factory("--offers", "1000", "--rate-limit", "1")
    for _ in range(5):
        assert_401(search(sb, "nonsense", {"range": "0-0"}))
    assert search(sb, get_token(sb), {"range": "0-0"}).status == 206
    assert sb.stats()["max_requests_per_second"] == {sb.client_id: 1}
