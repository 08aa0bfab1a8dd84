"""GET /v2/offres/{id} (200, 204, 400) and the 16 referentiels (REFERENCE Part 1 §4, Part 2 §2)."""

from __future__ import annotations

import re

import pytest

from tests.sandbox.httpclient import api_get, get_token, search

REFERENTIELS = ("appellations", "nafs", "communes", "continents", "departements", "domaines",
                "langues", "metiers", "naturesContrats", "niveauxFormations", "pays", "permis",
                "regions", "secteursActivites", "themes", "typesContrats")
BAD_ID = "Le format de l'id de l'offre recherchée est incorrect."


def test_detail_of_a_live_offer_is_the_search_result(sb, token):
    offers = search(sb, token, {"range": "0-4", "sort": "1"}).json()["resultats"]
    for offer in offers:
        reply = api_get(sb, f"/v2/offres/{offer['id']}", token)
        assert reply.status == 200
        assert reply.headers["Content-Type"] == "application/json;charset=UTF-8"
        assert reply.json() == offer


def test_detail_of_an_unknown_id_is_204(sb, token):
    reply = api_get(sb, "/v2/offres/ZZZZZZZ", token)
    assert reply.status == 204
    assert reply.body == b""


@pytest.mark.parametrize("bad", ["abc", "12345678", "123456", "123abcd", "123-ABC"])
def test_detail_of_a_malformed_id_is_400(sb, token, bad):
    reply = api_get(sb, f"/v2/offres/{bad}", token)
    assert reply.status == 400
    body = reply.json()
    assert body["message"] == BAD_ID
    assert body["codeHttp"] == 400
    assert re.fullmatch(r"\d{13}", body["codeErreur"])


def test_detail_of_a_withdrawn_offer_is_204(sandbox_factory):
    sb = sandbox_factory("--offers", "1000", "--churn-withdrawn", "20", "--rate-limit", "100")
    token = get_token(sb)
    before = set(sb.control("alive")["ids"])
    sb.control("faults", {"clock_skew": 30.0})  # jump the server clock: withdrawals happen
    after = set(sb.control("alive")["ids"])
    gone = sorted(before - after)
    assert gone
    reply = api_get(sb, f"/v2/offres/{gone[0]}", token)
    assert reply.status == 204
    assert reply.body == b""
    # an offer still alive after its request was alive during it (withdrawals are final): the
    # market keeps shrinking, so one may vanish before it is asked; take the first that did not
    for candidate in sorted(after)[:20]:
        status = api_get(sb, f"/v2/offres/{candidate}", token).status
        if candidate in set(sb.control("alive")["ids"]):
            assert status == 200
            break
    else:
        pytest.fail("all 20 offers alive a moment ago were withdrawn before they could be asked")


@pytest.mark.parametrize("name", REFERENTIELS)
def test_each_referentiel(sb, token, name):
    reply = api_get(sb, f"/v2/referentiel/{name}", token)
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/json;charset=UTF-8"
    entries = reply.json()
    assert isinstance(entries, list) and entries
    assert all(isinstance(e["code"], str) and isinstance(e["libelle"], str) for e in entries)
    assert entries == api_get(sb, f"/v2/referentiel/{name}", token).json()  # stable
    if name != "communes":  # communes has one row per (INSEE code, postcode) pair
        assert len({e["code"] for e in entries}) == len(entries)


@pytest.mark.parametrize("name", ["niveauxExperience", "typeContrats", "TYPESCONTRATS"])
def test_unknown_referentiel_is_404(sb, token, name):
    assert api_get(sb, f"/v2/referentiel/{name}", token).status == 404


def test_offers_carry_codes_of_the_referentiels(sb, token):
    types = {e["code"] for e in api_get(sb, "/v2/referentiel/typesContrats", token).json()}
    offers = search(sb, token, {"range": "0-149"}).json()["resultats"]
    assert {o["typeContrat"] for o in offers if "typeContrat" in o} <= types
