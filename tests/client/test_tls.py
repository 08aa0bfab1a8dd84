"""TLS for the client: certificates verified, an unverifiable one refused at once (never retried,
no secret sent), a company CA trusted through `client.session.verify`."""

from __future__ import annotations

import pytest

from offres_crawler.client import AuthenticationError, OffresClient
from tests.client.conftest import CLIENT_RATE, FAST_RETRY
from tests.crawler.certs import make_pki
from tests.crawler.local_server import LocalServer


@pytest.fixture
def https(client_sandbox, tmp_path):
    """The sandbox behind HTTPS with a certificate of the test's own CA, and that CA."""
    pki = make_pki(tmp_path)
    server = LocalServer(client_sandbox.root_url, tls=pki.server_context())
    yield server, pki
    server.close()


def https_client(sb, server: LocalServer, **options) -> OffresClient:
    return OffresClient(sb.client_id, sb.client_secret, api_url=sb.api_url.replace(sb.root_url, server.url()),
                        token_url=sb.token_url.replace(sb.root_url, server.url()), rate_limit=CLIENT_RATE,
                        retry=FAST_RETRY, **options)


def test_a_certificate_that_does_not_verify_is_refused_at_once(client_sandbox, https):
    server, _ = https
    with https_client(client_sandbox, server) as client, pytest.raises(AuthenticationError) as refused:
        client.search(params={"range": "0-0"})
    assert refused.value.reason == "tls_failed" and refused.value.attempts == 1
    assert "TLS handshake failed ([SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed" in str(refused.value)
    assert str(refused.value).endswith("trust its CA: OffresClient(..., ca_bundle='/path/to/ca.pem')")
    assert client_sandbox.client_secret not in str(refused.value)
    assert server.received == [] and server.failed_handshakes(1) == 1  # no secret sent, not retried


def test_a_company_ca_is_trusted_through_ca_bundle(client_sandbox, https, monkeypatch):
    server, pki = https
    # requests lets this variable override a session's CAs; the client's own choice wins
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    with https_client(client_sandbox, server, ca_bundle=pki.ca_pem) as client:
        page = client.search(params={"range": "0-4"})
        assert len(page["resultats"]) == 5 and client.referentiel("typesContrats")
    paths = [got.path.split("?")[0] for got in server.received]
    first_search = paths.index("/partenaire/offresdemploi/v2/offres/search")
    # the token, then the search, both over the company CA's TLS; the token request may have been
    # sent more than once (the sandbox's token endpoint answers 429 beyond 5 a second per client
    # id, and earlier tests of the worker fetch tokens too), one token was issued all the same
    assert first_search >= 1 and set(paths[:first_search]) == {"/connexion/oauth2/access_token"}
    assert len(server.tokens) == 1


def test_an_unusable_ca_bundle_is_refused_at_once(tmp_path):
    with pytest.raises(ValueError, match=r"ca_bundle='.*missing.pem' cannot be read"):
        OffresClient("id", "secret", ca_bundle=tmp_path / "missing.pem")
    (tmp_path / "empty.pem").write_text("not a certificate")
    with pytest.raises(ValueError, match="holds no PEM certificate"):
        OffresClient("id", "secret", ca_bundle=tmp_path / "empty.pem")
