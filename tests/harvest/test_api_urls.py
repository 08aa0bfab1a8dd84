"""The search and referentiel URLs the spiders and the client send (harvest/api_urls.py)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from offres_crawler.harvest.api_urls import referentiel_url, search_url

API = "https://api.francetravail.io/partenaire/offresdemploi"


def test_search_url_keeps_commas_and_colons_and_encodes_the_rest():
    params = {"motsCles": "data science,été", "typeContrat": "CDI,CDD",
              "minCreationDate": "2024-01-01T00:00:00Z", "sort": "1", "range": "0-149"}
    url = search_url(API + "/", params)
    assert url == (f"{API}/v2/offres/search?motsCles=data+science,%C3%A9t%C3%A9&typeContrat=CDI,CDD"
                   "&minCreationDate=2024-01-01T00:00:00Z&sort=1&range=0-149")
    assert dict(parse_qsl(urlsplit(url).query)) == params  # what the server reads back


def test_search_url_without_parameters_has_no_query_string():
    assert search_url(API, {}) == f"{API}/v2/offres/search"


def test_referentiel_url_is_one_path_segment():
    assert referentiel_url(API, "naturesContrats") == f"{API}/v2/referentiel/naturesContrats"
    assert referentiel_url(API + "/", "a/b?c") == f"{API}/v2/referentiel/a%2Fb%3Fc"
