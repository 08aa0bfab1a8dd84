"""Which API and token URLs credentials may be sent to: https://, or http:// on a loopback host."""

from __future__ import annotations

import pytest

from offres_crawler.transport.endpoints import endpoint_problem, endpoint_problems, is_loopback


@pytest.mark.parametrize("url", [
    "https://api.francetravail.io/partenaire/offresdemploi",
    "https://entreprise.francetravail.fr/connexion/oauth2/access_token?realm=%2Fpartenaire",
    "HTTPS://Example.org:8443/x",
    "http://127.0.0.1:8765/partenaire/offresdemploi", "http://127.1.2.3/x",
    "http://localhost:9/x", "http://LOCALHOST./x", "http://[::1]:8080/x",
])
def test_accepted(url):
    assert endpoint_problem("OFFRES_API_URL", url) is None


@pytest.mark.parametrize("url", [
    "http://api.francetravail.io/partenaire/offresdemploi", "http://10.0.0.1/x",
    "http://127.0.0.1.nip.io/x", "http://localhost.example.org/x", "http://[::2]/x",
    "http://0.0.0.0:8765/x", "http://[::ffff:8.8.8.8]/x",
])
def test_plain_http_elsewhere_than_loopback_is_refused(url):
    problem = endpoint_problem("OFFRES_TOKEN_URL", url)
    assert problem is not None and problem.startswith("OFFRES_TOKEN_URL=http://")
    assert "in clear" in problem and "\n" not in problem


def test_other_schemes_and_broken_urls_are_refused():
    assert "https:// URL" in endpoint_problem("OFFRES_API_URL", "ftp://example.org/x")
    assert "https:// URL" in endpoint_problem("OFFRES_API_URL", "example.org/x")
    assert "not a valid URL" in endpoint_problem("OFFRES_API_URL", "https://example.org:port/x")
    assert "https:// URL" in endpoint_problem("OFFRES_API_URL", 42)


def test_the_refusal_shows_neither_a_password_nor_the_path():
    problem = endpoint_problem("OFFRES_TOKEN_URL", "http://user:pa55word@example.org:81/token?key=k3y")
    assert "pa55word" not in problem and "k3y" not in problem and "user" not in problem
    assert problem.startswith("OFFRES_TOKEN_URL=http://example.org:81/... is refused")


def test_both_settings_are_checked():
    settings = {"OFFRES_API_URL": "http://example.org/a", "OFFRES_TOKEN_URL": "http://example.org/t"}
    assert [p.split("=")[0] for p in endpoint_problems(settings)] == ["OFFRES_API_URL", "OFFRES_TOKEN_URL"]
    assert endpoint_problems({}) == []  # unset: settings.py always sets both


def test_loopback():
    assert is_loopback("127.255.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("128.0.0.1") and not is_loopback("localhost.localdomain.evil")
