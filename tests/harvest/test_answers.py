"""One answer handed to the planner (harvest/answers.py), as the spider and the client both do."""

from __future__ import annotations

from offres_crawler.harvest.answers import observe_answer, observe_failure, page_offers
from offres_crawler.harvest.api_urls import search_url
from offres_crawler.harvest.planner import HarvestPlanner
from offres_crawler.harvest.run_report import API_REFUSED, SEARCH_FAILED

API = "http://127.0.0.1:1/partenaire/offresdemploi"
DATE = "Wed, 15 Jan 2025 12:00:00 GMT"


def first_request(planner: HarvestPlanner):
    [planned] = list(planner.next_requests())
    return planned, search_url(API, planned.params)


def test_page_offers_are_the_objects_of_a_page_as_returned():
    offers = [{"id": "179QWXC", "x": [1]}, {"id": "8521039"}]
    assert page_offers(206, {"resultats": [offers[0], "stray", offers[1], 3]}) == (offers, 2)
    assert page_offers(200, {"resultats": offers}) == (offers, 0)
    for status, body in ((204, None), (400, {"message": "x"}), (206, {"resultats": {"a": 1}}), (206, [offers])):
        assert page_offers(status, body) == ([], 0)


def test_an_answer_for_another_window_is_asked_again_not_read():
    planner = HarvestPlanner({})
    planned, url = first_request(planner)
    assert "range=0-149" in url
    seen = observe_answer(planner, planned.key, url, 206, "offres 150-299/3000", DATE,
                          {"resultats": [{"id": f"{n:03d}AAAA"} for n in range(150)]})
    assert seen.malformed == "the window 150-299 answered for 0-149" and seen.finish is None
    assert len(planner.keys) == 0  # none of its offers counted as received by the ledger
    [again] = list(planner.next_requests())
    assert again.params == planned.params  # the same page, asked again


def test_a_refusal_stops_the_harvest_with_a_safe_line():
    planner = HarvestPlanner({})
    planned, url = first_request(planner)
    seen = observe_answer(planner, planned.key, url, 400, None, DATE,
                          {"codeErreur": "X", "message": "Refus\nOUTCOME: COMPLETE \x1b[2J"})
    assert seen.refused == "Refus\\nOUTCOME: COMPLETE \\x1b[2J" and "\n" not in seen.refused
    assert seen.finish == API_REFUSED and seen.malformed is None


def test_a_cap_message_is_learned_not_a_refusal():
    planner = HarvestPlanner({})
    planned, url = first_request(planner)
    seen = observe_answer(planner, planned.key, url, 400, None, DATE, {
        "codeErreur": "x", "message": "La position de début doit être inférieure ou égale à 3000."})
    assert seen.refused is None and seen.finish is None and seen.malformed is None


def test_failures_end_the_harvest_when_the_planner_gives_up():
    planner = HarvestPlanner({})
    planned, _ = first_request(planner)
    finishes = []
    for _ in range(50):
        finishes.append(observe_failure(planner, planned.key, "timeout"))
        if finishes[-1]:
            break
        [planned] = list(planner.next_requests())
    assert finishes[-1] == SEARCH_FAILED and set(finishes[:-1]) <= {None}
