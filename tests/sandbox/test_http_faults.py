"""Faults on demand: 5xx, connection resets, truncated JSON, latency, injected 401/429, all counted."""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.sandbox.httpclient import api_get, content_range, get_token, search


@pytest.fixture(scope="module")
def sb(request):
    # One sandbox for the module, its faults reset between tests (see `clean`).
    from tests.sandboxproc import SandboxProcess

    proc = SandboxProcess(args=["--offers", "1000", "--rate-limit", "1000", "--seed", "3"]).start()
    request.addfinalizer(proc.stop)
    return proc


@pytest.fixture(autouse=True)
def clean(sb):
    sb.control("faults", {"fault_5xx": 0, "fault_reset": 0, "fault_truncate": 0, "latency": [0, 0]})
    sb.control("reset", {})
    yield


@pytest.fixture(scope="module")
def token(sb):
    return get_token(sb)


def is_reset(exc: BaseException) -> bool:
    reason = getattr(exc, "reason", exc)
    return isinstance(reason, (ConnectionResetError, http.client.RemoteDisconnected,
                               http.client.IncompleteRead, ConnectionAbortedError))



def as_text(reply) -> object:
    """The body read as a client reads it: UTF-8 text (a cut may split a character: replaced, as
    Scrapy's TextResponse does), then JSON."""
    return json.loads(reply.body.decode("utf-8", "replace"))


def test_fail_next_5xx(sb, token):
    sb.control("faults", {"fail_next": [{"kind": "5xx", "count": 2}]})
    replies = [search(sb, token, {"range": "0-0"}) for _ in range(3)]
    for reply in replies[:2]:
        assert reply.status in (500, 502, 503)
        assert reply.body == b"" or reply.headers["Content-Type"].startswith("text/html")
    assert replies[2].status == 206
    assert sb.stats()["faults"]["5xx"] == 2


def test_random_5xx_bodies_are_html_or_empty(sb, token):
    sb.control("faults", {"fault_5xx": 1.0})
    replies = [api_get(sb, "/v2/referentiel/typesContrats", token) for _ in range(20)]
    assert {r.status for r in replies} <= {500, 502, 503}
    html = [r for r in replies if r.body]
    assert all(r.headers["Content-Type"].startswith("text/html") and b"<html>" in r.body for r in html)
    assert 0 < len(html) < 20  # both kinds occur
    stats = sb.stats()
    assert stats["faults"]["5xx"] == 20
    assert sum(stats["requests"]["referentiel"].values()) == 20


def test_fail_next_reset_drops_the_connection(sb, token):
    sb.control("faults", {"fail_next": [{"kind": "reset", "count": 1}]})
    with pytest.raises((urllib.error.URLError, ConnectionError, http.client.HTTPException)) as caught:
        search(sb, token, {"range": "0-0"})
    assert is_reset(caught.value), repr(caught.value)
    assert search(sb, token, {"range": "0-0"}).status == 206
    stats = sb.stats()
    assert stats["faults"]["reset"] == 1
    assert stats["requests"]["search"] == {"206": 1}  # a reset sends no status


def test_fail_next_truncate_cuts_the_json_body(sb, token):
    sb.control("faults", {"fail_next": [{"kind": "truncate", "count": 1}]})
    reply = search(sb, token, {"range": "0-9"})
    assert reply.status == 206
    assert content_range(reply) == (0, 9, 1000)
    assert int(reply.headers["Content-Length"]) == len(reply.body)  # a complete HTTP answer...
    with pytest.raises(json.JSONDecodeError):
        as_text(reply)  # ...with a malformed body
    assert reply.body.startswith(b'{"')
    whole = search(sb, token, {"range": "0-9"})
    assert whole.body.startswith(reply.body) and len(whole.body) > len(reply.body)
    assert sb.stats()["faults"]["truncate"] == 1


def test_queued_truncation_waits_for_an_answer_with_a_body(sb, token):
    sb.control("faults", {"fail_next": [{"kind": "truncate", "count": 1}]})
    assert search(sb, token, {"range": "2000-2009"}).status == 204  # nothing to cut
    assert search(sb, token, {"range": "0-0", "sort": "9"}).status == 400  # error bodies stay whole
    reply = search(sb, token, {"range": "0-9"})
    with pytest.raises(json.JSONDecodeError):
        as_text(reply)
    assert json.loads(search(sb, token, {"range": "0-9"}).body)["resultats"]
    assert sb.stats()["faults"]["truncate"] == 1


def test_random_truncation_of_details(sb, token):
    offer_id = search(sb, token, {"range": "0-0"}).json()["resultats"][0]["id"]
    sb.control("faults", {"fault_truncate": 1.0})
    for _ in range(5):
        reply = api_get(sb, f"/v2/offres/{offer_id}", token)
        assert reply.status == 200
        with pytest.raises(json.JSONDecodeError):
            as_text(reply)
    assert sb.stats()["faults"]["truncate"] == 5


def test_fail_next_429_and_401(sb, token):
    sb.control("faults", {"fail_next": [{"kind": "429", "count": 1}, {"kind": "401", "count": 1}]})
    limited = search(sb, token, {"range": "0-0"})
    assert limited.status == 429
    assert limited.text == "Dépassement de quota"
    assert int(limited.headers["Retry-After"]) >= 1
    refused = search(sb, token, {"range": "0-0"})
    assert refused.status == 401
    assert refused.headers["WWW-Authenticate"] == "Bearer" and refused.body == b""
    assert search(sb, token, {"range": "0-0"}).status == 206  # the token was fine all along
    stats = sb.stats()
    assert stats["rate_limited"] == 1
    assert stats["requests"]["search"] == {"429": 1, "401": 1, "206": 1}


def test_fail_next_is_served_in_order(sb, token):
    config = sb.control("faults", {"fail_next": [{"kind": "5xx", "count": 1}, {"kind": "429", "count": 2}]})
    assert config["fail_next"] == [{"kind": "5xx", "count": 1}, {"kind": "429", "count": 2}]
    statuses = [search(sb, token, {"range": "0-0"}).status for _ in range(4)]
    assert statuses[0] in (500, 502, 503) and statuses[1:] == [429, 429, 206]
    assert sb.control("faults")["fail_next"] == []


def test_latency_never_blocks_other_requests(sb, token):
    sb.control("faults", {"latency": [500, 500]})
    began = time.monotonic()
    with ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(lambda _: search(sb, token, {"range": "0-0"}).status, range(6)))
    elapsed = time.monotonic() - began
    assert statuses == [206] * 6
    assert 0.5 <= elapsed < 1.5  # six 500 ms answers served side by side, not one after another


def test_latency_range_is_uniform_between_bounds(sb, token):
    sb.control("faults", {"latency": "100-300"})
    durations = []
    for _ in range(4):
        began = time.monotonic()
        assert search(sb, token, {"range": "0-0"}).status == 206
        durations.append(time.monotonic() - began)
    assert all(0.1 <= d < 0.6 for d in durations)


def test_fault_options_from_the_command_line(sandbox_factory):
    sb = sandbox_factory("--offers", "1000", "--fault-5xx", "1", "--latency", "50-50")
    assert sb.control("faults")["fault_5xx"] == 1.0
    assert sb.control("faults")["latency"] == [50.0, 50.0]
    token = get_token(sb)  # the token endpoint is not subject to API faults
    assert search(sb, token, {"range": "0-0"}).status in (500, 502, 503)


@pytest.mark.parametrize("payload", [
    {"fault_5xx": 2}, {"fault_reset": -0.1}, {"latency": [300, 100]}, {"range_mode": "ancient"},
    {"rate_limit": "three"}, {"no_such_option": 1}, {"fail_next": [{"kind": "meteor", "count": 1}]},
    {"fail_next": [{"kind": "5xx", "count": -1}]}, {"fault_5xx": 0.6, "fault_reset": 0.6},
    {"origine_quirk": "yes"}, {"token_lifetime": 0}, {"tie_order": "random"}, {"replica_lag": -1},
    {"total_noise": 1.5}, {"lying_totals": 0}, {"total_noise": 2, "lying_totals": "half"},
])
def test_bad_fault_options_are_refused_and_change_nothing(sb, payload):
    before = sb.control("faults")
    with pytest.raises(urllib.error.HTTPError) as caught:
        sb.control("faults", payload)
    assert caught.value.code == 400
    assert "error" in json.loads(caught.value.read())
    assert sb.control("faults") == before
