"""The wrapper's calls under the wrapper's names and shapes, against the sandbox: `search` (one
page, `Content-Range` parsed, `filtresPossibles`), `referentiel`, plus `offre`. Where the
api-offres-emploi wrapper can answer the same call, both answers are compared whole."""

from __future__ import annotations

import logging

import pytest
from requests.exceptions import HTTPError

from offres_crawler.client import ApiError
from offres_crawler.harvest.referentiels import NAMES, UnknownReferentielError
from offres_crawler.offers.ids import IdsError, parse_ids_argument
from tests.client.conftest import new_requests, traffic
from tests.sandbox.httpclient import api_get, content_range, get_token, search
from tests.sandbox.test_client_api_offres_emploi import wrapper_pointed_at


@pytest.fixture(scope="module")
def wrapper(client_sandbox):
    """api-offres-emploi 0.0.2, unchanged, its hard-coded hosts pointed at the sandbox."""
    with wrapper_pointed_at(client_sandbox) as api:
        yield api


@pytest.fixture(scope="module")
def token(client_sandbox):
    return get_token(client_sandbox)


@pytest.mark.parametrize("params", [None, {"motsCles": "agent", "range": "150-299", "sort": "0"},
                                    {"typeContrat": "CDI,CDD", "minCreationDate": "2025-01-01T00:00:00Z",
                                     "maxCreationDate": "2025-01-15T00:00:00Z"}],
                         ids=["no-parameters", "keywords-second-page", "contracts-dates"])
def test_search_answers_what_the_wrapper_answers(client, wrapper, params):
    mine = client.search(params=params)
    theirs = wrapper.search(params=params)
    assert mine == theirs  # the API's body, and Content-Range parsed into the same strings
    assert list(mine) == list(theirs) == ["resultats", "filtresPossibles", "Content-Range"]  # the API's order


def test_search_is_one_page_with_its_content_range_and_filters(client, client_sandbox, token):
    out = client.search(params={"typeContrat": "CDI", "range": "150-299", "sort": "1"})
    direct = search(client_sandbox, token, {"typeContrat": "CDI", "range": "150-299", "sort": "1"})
    first, last, total = content_range(direct)
    assert out["Content-Range"] == {"first_index": str(first), "last_index": str(last),
                                    "max_results": str(total)}
    assert out["resultats"] == direct.json()["resultats"] and len(out["resultats"]) == last - first + 1
    assert {f["filtre"] for f in out["filtresPossibles"]} == {"typeContrat", "experience",
                                                               "qualification", "natureContrat"}


def test_a_search_without_result_has_the_same_shape(client):
    out = client.search(params={"motsCles": "zzqqxxw"})  # the API answers 204, no body
    assert out == {"filtresPossibles": [], "resultats": [],
                   "Content-Range": {"first_index": None, "last_index": None, "max_results": "0"}}


def test_a_search_the_api_refuses_raises_an_http_error_with_its_message(client, caplog):
    with pytest.raises(ApiError) as refused:
        client.search(params={"commune": "99999"})  # well formed, but no such commune
    error = refused.value
    assert isinstance(error, HTTPError)  # what the wrapper raised: `except HTTPError` still works
    assert error.status == 400 and error.reason == "http_400" and error.response is None
    assert error.message == "Valeur du paramètre « commune » incorrecte."  # the API's own words
    assert error.message in str(error) and "commune=99999" in str(error)
    with caplog.at_level(logging.WARNING, logger="offres_crawler.client"):
        assert client.search(params={"commune": "99999"}, silent_http_errors=True) is None
    assert "« commune » incorrecte" in caplog.text


def test_referentiel_is_the_list_the_api_serves(client, client_sandbox, wrapper, token):
    for name in ("metiers", "departements", "typesContrats"):
        served = api_get(client_sandbox, f"/v2/referentiel/{name}", token).json()
        assert client.referentiel(name) == served == wrapper.referentiel(name)


def test_an_unknown_referentiel_is_refused_before_any_request(client, client_sandbox):
    before = traffic(client_sandbox)
    for name in ("metier", "domaine", ""):
        with pytest.raises(UnknownReferentielError) as refused:
            client.referentiel(name)
        assert ", ".join(NAMES) in str(refused.value)
    with pytest.raises(UnknownReferentielError, match="did you mean 'metiers'"):
        client.referentiel("metier")
    assert traffic(client_sandbox) == before


def test_offre_is_the_offer_or_none_when_withdrawn(client, client_sandbox, token):
    offer = client.search(params={"range": "0-0", "sort": "1"})["resultats"][0]
    assert client.offre(offer["id"]) == api_get(client_sandbox, f"/v2/offres/{offer['id']}", token).json()
    before = traffic(client_sandbox)
    assert client.offre("000XXXX") is None  # gone: the API answers 204
    assert new_requests(before, traffic(client_sandbox), "detail") == {"204": 1}
    with pytest.raises(ValueError, match="offre_id"):
        client.offre("  ")  # an empty id would ask another resource: never sent


def test_a_malformed_offer_id_is_refused_by_the_detail_spider_s_rule_before_any_request(client, client_sandbox):
    before = traffic(client_sandbox)
    for bad in ("not-an-id!", "../search", "179QWX", "179qwxc", "179QWXC?x=1"):  # one id each for -a ids=
        with pytest.raises(IdsError) as refused:
            client.offre(bad)
        with pytest.raises(IdsError) as spider_refused:
            parse_ids_argument(bad)  # `scrapy crawl offres_detail -a ids=...`
        assert str(refused.value).partition(": ")[2] == str(spider_refused.value).partition(": ")[2]
        assert str(refused.value).startswith("offre_id: ")
    with pytest.raises(IdsError, match="^offre_id: 'not an id' is not an offer id"):
        client.offre("not an id")
    with pytest.raises(IdsError, match="offre_id: an offer id is a str"):
        client.offre(179)
    assert traffic(client_sandbox) == before
