"""Search answers: 200/206/204, Content-Range, Accept-Range, range caps in both modes, the origine
quirk and filtresPossibles (REFERENCE Part 1 §1, §3, §4; Part 2 §4)."""

from __future__ import annotations

import time

import pytest

from offres_crawler.sandbox.query import FACETS
from tests.sandbox.httpclient import content_range, get_token, search

DAY_MS = 86_400_000


def iso(ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms // 1000))


@pytest.fixture(scope="module")
def small(sb, token):
    """A creation-date window holding between 2 and 149 offers, and its total."""
    now = sb.stats()["now_ms"]
    for days_back in range(30, 90, 5):
        params = {"minCreationDate": iso(now - days_back * DAY_MS),
                  "maxCreationDate": iso(now - (days_back - 1) * DAY_MS), "sort": "1"}
        reply = search(sb, token, {**params, "range": "0-0"})
        if reply.status == 206 and 2 <= content_range(reply)[2] <= 149:
            return params, content_range(reply)[2]
    pytest.fail("no one-day window with 2..149 offers in the shared 5,000-offer market")


def assert_success_headers(reply) -> None:
    assert reply.headers["Content-Type"] == "application/json;charset=UTF-8"
    assert reply.headers["Accept-Range"] == "150"


def test_default_window_is_the_first_150(sb, token):
    reply = search(sb, token)
    assert reply.status == 206
    assert_success_headers(reply)
    first, last, total = content_range(reply)
    assert (first, last) == (0, 149) and total == 5000
    assert len(reply.json()["resultats"]) == 150


def test_a_window_inside_the_results_is_partial(sb, token):
    reply = search(sb, token, {"range": "10-19"})
    assert reply.status == 206
    assert content_range(reply) == (10, 19, 5000)
    assert len(reply.json()["resultats"]) == 10


def test_windows_page_through_distinct_offers(sb, token):
    ids = []
    for start in (0, 150, 300):
        reply = search(sb, token, {"range": f"{start}-{start + 149}", "sort": "1"})
        ids += [offer["id"] for offer in reply.json()["resultats"]]
    assert len(ids) == len(set(ids)) == 450


def test_the_window_reaching_the_end_answers_200_clamped(sb, token, small):
    params, total = small
    reply = search(sb, token, {**params, "range": "0-149"})
    assert reply.status == 200
    assert_success_headers(reply)
    assert content_range(reply) == (0, total - 1, total)
    assert len(reply.json()["resultats"]) == total

    reply = search(sb, token, {**params, "range": f"{total - 1}-{total + 20}"})
    assert reply.status == 200
    assert content_range(reply) == (total - 1, total - 1, total)
    assert len(reply.json()["resultats"]) == 1


def test_a_window_ending_just_before_the_last_offer_is_partial(sb, token, small):
    params, total = small
    reply = search(sb, token, {**params, "range": f"0-{total - 2}"})
    assert reply.status == 206
    assert content_range(reply) == (0, total - 2, total)


def test_a_window_starting_past_the_total_is_204(sb, token, small):
    params, total = small
    for start in (total, total + 100):
        reply = search(sb, token, {**params, "range": f"{start}-{start + 9}"})
        assert reply.status == 204
        assert reply.body == b""
        assert reply.headers["Content-Range"] == "*/0"


def test_no_result_is_204_with_an_empty_body(sb, token):
    now = sb.stats()["now_ms"]
    reply = search(sb, token, {"minCreationDate": iso(now + DAY_MS), "maxCreationDate": iso(now + 2 * DAY_MS)})
    assert reply.status == 204
    assert reply.body == b""
    assert reply.headers["Content-Range"] == "*/0"


def test_current_range_cap(sb, token):
    reply = search(sb, token, {"range": "3000-3149"})
    assert reply.status == 206
    assert content_range(reply) == (3000, 3149, 5000)
    assert len(reply.json()["resultats"]) == 150


def test_legacy_range_cap(sandbox_factory):
    sb = sandbox_factory("--offers", "2000", "--range-mode", "legacy", "--rate-limit", "100")
    token = get_token(sb)
    reply = search(sb, token, {"range": "1000-1149"})
    assert reply.status == 206
    assert content_range(reply) == (1000, 1149, 2000)
    reply = search(sb, token, {"range": "1001-1001"})
    assert reply.status == 400
    assert reply.json()["message"] == "La position de début doit être inférieure ou égale à 1000."
    # and back to the current cap at run time
    sb.control("faults", {"range_mode": "current"})
    assert search(sb, token, {"range": "1001-1001"}).status == 206
    reply = search(sb, token, {"range": "3001-3001"})
    assert reply.json()["message"] == "La position de début doit être inférieure ou égale à 3000."


def test_filtres_possibles_count_the_whole_result_set(sb, token):
    body = search(sb, token, {"range": "0-0"}).json()
    facets = {f["filtre"]: f["agregation"] for f in body["filtresPossibles"]}
    assert [f["filtre"] for f in body["filtresPossibles"]] == [n for n in FACETS if n in facets]
    assert set(facets) == set(FACETS)
    for name, buckets in facets.items():
        values = [b["valeurPossible"] for b in buckets]
        assert len(values) == len(set(values)), name
        assert all(b["nbResultats"] >= 1 for b in buckets), name
    # every offer falls in exactly one bucket of each facet (qualification "X" and experience
    # "0" stand for "not specified"): the buckets add up to the total, not to the page
    for name, buckets in facets.items():
        assert sum(b["nbResultats"] for b in buckets) == 5000, name


def test_filtres_possibles_follow_the_filters(sb, token):
    everything = search(sb, token, {"range": "0-0"}).json()["filtresPossibles"]
    contract, count = next(
        (b["valeurPossible"], b["nbResultats"]) for f in everything if f["filtre"] == "typeContrat"
        for b in f["agregation"])
    reply = search(sb, token, {"typeContrat": contract, "range": "0-0"})
    assert content_range(reply)[2] == count
    facets = {f["filtre"]: f["agregation"] for f in reply.json()["filtresPossibles"]}
    assert facets["typeContrat"] == [{"valeurPossible": contract, "nbResultats": count}]
    for name in FACETS:
        assert sum(b["nbResultats"] for b in facets[name]) == count, name


def test_sort_1_is_creation_descending(sb, token):
    offers = search(sb, token, {"sort": "1", "range": "0-149"}).json()["resultats"]
    created = [o["dateCreation"] for o in offers]
    assert created == sorted(created, reverse=True)


def test_origine_quirk(sandbox_factory):
    sb = sandbox_factory("--offers", "1000", "--origine-quirk", "--rate-limit", "100")
    token = get_token(sb)
    totals = {o: content_range(search(sb, token, {"origineOffre": o, "range": "0-0"}))[2] for o in ("1", "2")}
    assert totals["1"] > 0 and totals["2"] > 0
    reply = search(sb, token, {"range": "0-149"})
    # the full total and facets are reported...
    assert content_range(reply) == (0, 149, totals["1"] + totals["2"])
    body = reply.json()
    contracts = next(f["agregation"] for f in body["filtresPossibles"] if f["filtre"] == "typeContrat")
    assert sum(b["nbResultats"] for b in contracts) == totals["1"] + totals["2"]
    # ...but only France Travail's own offers are served
    assert {o["origineOffre"]["origine"] for o in body["resultats"]} == {"1"}
    partner = search(sb, token, {"origineOffre": "2", "range": "0-149"}).json()["resultats"]
    assert {o["origineOffre"]["origine"] for o in partner} == {"2"}

    sb.control("faults", {"origine_quirk": False})
    served = search(sb, token, {"range": "0-149"}).json()["resultats"]
    assert {o["origineOffre"]["origine"] for o in served} == {"1", "2"}


def test_offers_served_over_http_validate_against_the_official_schema(sb, token, samples):
    from tests.openapi import offre_validator

    validator = offre_validator(strict=True)
    offers = search(sb, token, {"range": "0-149", "sort": "1"}).json()["resultats"]
    assert len(offers) == 150
    for offer in offers:
        assert not list(validator.iter_errors(offer)), offer.get("id")


def test_malformed_share_reaches_the_served_offers(sandbox_factory, samples):
    from tests.openapi import offre_validator

    validator = offre_validator(strict=True)
    sb = sandbox_factory("--offers", "1000", "--malformed-share", "1")
    offers = search(sb, get_token(sb), {"range": "0-149"}).json()["resultats"]
    assert len(offers) == 150
    # each one is broken: a value of the wrong type, or no id at all
    assert all("id" not in o or list(validator.iter_errors(o)) for o in offers)
