"""TLS verified: a token endpoint whose certificate the crawler cannot verify receives nothing (not
even a request line, let alone the client secret) and the crawl stops at once with one line
saying what to do; with its CA in OFFRES_CA_BUNDLE the same crawl works. And the API or token
URLs in plain http:// to anything but a loopback host are refused before any request.

The HTTPS server is a LocalServer in front of the sandbox, with a certificate signed by a CA
the test makes (tests/crawler/certs.py); it records everything it receives."""

from __future__ import annotations

import json

import pytest

from tests.crawler.api_spiders import crawl
from tests.crawler.certs import make_pki
from tests.crawler.local_server import LocalServer
from tests.sandbox.httpclient import configured

LISTS = "domaines,langues"


@pytest.fixture(scope="module")
def sb(sandbox):
    with configured(sandbox, rate_limit=50):
        yield sandbox


@pytest.fixture
def https_sandbox(sb, tmp_path):
    """The sandbox behind HTTPS, and the test's PKI."""
    pki = make_pki(tmp_path)
    server = LocalServer(sb.root_url, tls=pki.server_context())
    yield server, pki
    server.close()


def _over(server: LocalServer, sb) -> dict:
    return {"OFFRES_API_URL": sb.api_url.replace(sb.root_url, server.url()),
            "OFFRES_TOKEN_URL": sb.token_url.replace(sb.root_url, server.url()),
            "OFFRES_TOKEN_RETRY_TIMES": "3"}


def _errors(run) -> list[str]:
    return [line for line in run.log.splitlines() if "] ERROR: " in line]


def test_an_unverifiable_certificate_gets_nothing_and_stops_the_crawl(tmp_path, sb, https_sandbox):
    server, _ = https_sandbox
    verdict = tmp_path / "verdict.json"
    run = crawl(tmp_path, sb, "referentiels", args={"names": LISTS},
                settings={**_over(server, sb), "OFFRES_VERDICT_FILE": str(verdict)})
    assert run.returncode == 1, run.log[-3000:]
    assert run.stats()["finish_reason"] == "offres_tls_failed"
    assert json.loads(verdict.read_text())["verdict"]["finish_reason"] == "offres_tls_failed"
    (error,) = [line for line in _errors(run) if "TLS" in line]
    assert "certificate verify failed" in error and "set OFFRES_CA_BUNDLE" in error
    # what the server received: one handshake, refused by the crawler; not a byte of HTTP
    assert server.received == []
    assert server.failed_handshakes(1) == 1  # not retried: the next attempt meets the same certificate
    assert "offres/token/requests" in run.stats() and run.stats()["offres/token/requests"] == 1


def test_with_its_ca_in_offres_ca_bundle_the_crawl_works(tmp_path, sb, https_sandbox):
    server, pki = https_sandbox
    run = crawl(tmp_path, sb, "referentiels", args={"names": LISTS},
                settings={**_over(server, sb), "OFFRES_CA_BUNDLE": str(pki.ca_pem)})
    assert run.returncode == 0, run.log[-3000:]
    assert server.handshakes_failed == 0
    assert [(r.method, r.path.split("?")[0]) for r in server.received] == [
        ("POST", "/connexion/oauth2/access_token"),
        *sorted(("GET", f"/partenaire/offresdemploi/v2/referentiel/{n}") for n in LISTS.split(","))]
    assert run.stats()["offres/referentiels/lists"] == 2


def test_an_unusable_ca_bundle_is_refused_before_any_request(tmp_path, sb, https_sandbox):
    server, _ = https_sandbox
    bad = tmp_path / "not-a-bundle.pem"
    bad.write_text("no certificate here\n")
    for n, (bundle, why) in enumerate(((tmp_path / "missing.pem", "cannot be read"),
                                       (bad, "holds no PEM certificate"))):
        run = crawl(tmp_path, sb, "referentiels", args={"names": LISTS}, name=f"run{n}",
                    settings={**_over(server, sb), "OFFRES_CA_BUNDLE": str(bundle)})
        assert run.returncode == 1
        assert run.stats()["finish_reason"] == "offres_bad_setting"
        (error,) = _errors(run)
        assert f"OFFRES_CA_BUNDLE={bundle} {why}" in error
    assert server.received == [] and server.handshakes_failed == 0


@pytest.mark.parametrize("setting", ["OFFRES_TOKEN_URL", "OFFRES_API_URL"])
def test_plain_http_off_loopback_is_refused_before_any_request_and_no_file_is_touched(tmp_path, sb, setting):
    users_file = tmp_path / "mine.jsonl"
    users_file.write_text('{"kept": true}\n')
    verdict = tmp_path / "verdict.json"
    before = sb.stats()["requests"]
    run = crawl(tmp_path, sb, "referentiels", args={"names": LISTS},
                settings={setting: "http://api.example.org/partenaire/x", "OFFRES_VERDICT_FILE": str(verdict)},
                feeds={str(users_file): {"format": "jsonl", "overwrite": True}})
    assert run.returncode == 1
    (error,) = _errors(run)
    assert f"{setting}=http://api.example.org/... is refused: plain http" in error
    assert json.loads(verdict.read_text())["verdict"]["finish_reason"] == "offres_bad_setting"
    assert users_file.read_text() == '{"kept": true}\n'
    assert not (tmp_path / "run" / "ref").exists()  # no list file, no run report
    assert sb.stats()["requests"] == before  # neither the token endpoint nor the API
