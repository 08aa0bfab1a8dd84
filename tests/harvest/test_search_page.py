"""The page reader on its own: every kind of answer is a page, a refusal (`error`) or an answer to
ask again (`malformed`), never an exception and never a silent loss (random answers:
test_search_page_fuzz.py)."""

from __future__ import annotations

import pytest

from offres_crawler.harvest.search_page import asked_window, facet_counts, read_search_page

DATE = "Fri, 25 Mar 2022 14:52:00 GMT"


def offers(n: int, start: int = 0) -> list[dict]:
    return [{"id": f"{start + i:07d}", "dateCreation": "2022-03-25T14:51:00.000Z"} for i in range(n)]


def body(n: int, start: int = 0) -> dict:
    return {"resultats": offers(n, start), "filtresPossibles": [
        {"filtre": "typeContrat", "agregation": [{"valeurPossible": "CDI", "nbResultats": 7}]}]}


def test_a_page():
    page = read_search_page(206, "offres 150-299/1000", DATE, body(150, 150), asked=(150, 299))
    assert page.malformed is None and page.error is None
    assert (page.total, page.first, page.server_time) == (1000, 150, 1648219920)
    assert page.rows == [(f"{150 + i:07d}", 1648219860) for i in range(150)]
    assert facet_counts(page.filtres, "typeContrat") == {"CDI": 7}


def test_the_last_page_clamped_to_the_total():
    page = read_search_page(200, "offres 300-352/353", DATE, body(53, 300), asked=(300, 449))
    assert page.malformed is None and len(page.rows) == 53 and page.total == 353


def test_fewer_rows_than_the_window_are_accepted():
    # REFERENCE Part 1 §3: the API may report the full total but serve only some rows; the
    # ledger, not the reader, counts what is missing.
    page = read_search_page(206, "offres 0-149/1000", DATE, body(90))
    assert page.malformed is None and len(page.rows) == 90 and page.total == 1000


@pytest.mark.parametrize(("status", "header", "answer"), [
    (204, "*/0", None), (204, None, None), (204, "offres */0", None),
    (206, "offres -1--1/12", None), (200, None, None), (206, "offres -1--1/12", {"resultats": []}),
])
def test_nothing_here(status, header, answer):
    page = read_search_page(status, header, None, answer)
    assert page.malformed is None and page.error is None and page.empty
    assert page.first is None and page.total == (12 if header and "12" in header else
                                                 (0 if status == 204 else None))


def test_a_refusal_with_the_apis_message_and_the_cap():
    page = read_search_page(400, None, DATE, {"codeHttp": 400, "message":
                            "La position de début doit être inférieure ou égale à 1000."})
    assert page.error.startswith("La position") and page.learned_cap == 1000 and page.malformed is None
    page = read_search_page(400, None, None, {"message": "Valeur du paramètre « commune » incorrecte."})
    assert page.error == "Valeur du paramètre « commune » incorrecte." and page.learned_cap is None
    cap = {"message": "La position de début doit être inférieure ou égale à 1000."}
    assert read_search_page(404, None, None, cap).learned_cap is None  # only a 400 announces it
    for answer in (None, [], "oops", {"message": None}, {"message": 12}):
        page = read_search_page(404, None, None, answer)
        assert page.error in ("HTTP 404", "12") and page.learned_cap is None


@pytest.mark.parametrize("status", [401, 408, 429, 500, 502, 503, 504, 599])
def test_answers_that_may_come_right_are_asked_again_not_refusals(status):
    page = read_search_page(status, "offres 0-149/1000", None, {"message": "busy"})
    assert page.malformed == f"HTTP {status}" and page.error is None and page.empty


@pytest.mark.parametrize(("status", "header", "answer", "reason"), [
    (201, "offres 0-149/1000", body(150), "HTTP 201, a status the API does not use for a search"),
    (302, None, None, "HTTP 302, a status the API does not use for a search"),
    (206, "offres 0-149/1000", [offers(1)], "the body is a JSON list, not an object"),
    (206, "offres 0-149/1000", "resultats", "the body is a JSON str, not an object"),
    (206, "offres 0-149/1000", 150, "the body is a JSON int, not an object"),
    (206, "offres 0-149/1000", {}, "the body has no 'resultats'"),
    (206, "offres 0-149/1000", {"filtresPossibles": []}, "the body has no 'resultats'"),
    (206, "offres 0-149/1000", {"resultats": None}, "'resultats' is a JSON NoneType, not a list"),
    (206, "offres 0-149/1000", {"resultats": "abc"}, "'resultats' is a JSON str, not a list"),
    (206, "offres 0-149/1000", {"resultats": {"id": "179QWXC"}}, "'resultats' is a JSON dict, not a list"),
    (206, "offres 0-149/1000", {"resultats": [*offers(2), 3, None]},
     "2 element(s) of 'resultats' are not offers (first at index 2)"),
    (206, "offres 5-3/10", body(3), "unreadable or self-contradicting Content-Range 'offres 5-3/10'"),
    (206, "offres 0-149/100", body(100), "unreadable or self-contradicting Content-Range 'offres 0-149/100'"),
    (206, b"garbage\xff", body(1), "unreadable or self-contradicting Content-Range 'garbage\xff'"),
    (206, "", None, "unreadable or self-contradicting Content-Range ''"),
    (206, None, body(150), "150 rows without a Content-Range"),
    (206, "offres -1--1/1000", body(1), "1 rows in an answer whose Content-Range says there is nothing here"),
    (206, "*/0", body(2), "2 rows in an answer whose Content-Range says there is nothing here"),
    (206, "offres 0-149/1000", body(151), "151 rows for the 150 of the window 0-149"),
    (206, "offres 0-0/1000", body(2), "2 rows for the 1 of the window 0-0"),
    (204, "*/0", body(1), "a 204 (no result) that holds rows or a window"),
    (204, "offres 0-149/1000", None, "a 204 (no result) that holds rows or a window"),
])
def test_answers_that_cannot_be_trusted(status, header, answer, reason):
    page = read_search_page(status, header, DATE, answer)
    assert page.malformed == reason and page.error is None


@pytest.mark.parametrize(("header", "answer", "asked", "reason"), [
    ("offres 150-299/1000", body(150), (0, 149), "the window 150-299 answered for 0-149"),
    ("offres 0-149/1000", body(150), (0, 99), "the window 0-149 answered for 0-99"),
    ("offres -1--1/1000", None, (150, 299), "nothing served for the window 150-299 of a total of 1000"),
])
def test_an_answer_for_another_window(header, answer, asked, reason):
    assert read_search_page(206, header, None, answer, asked=asked).malformed == reason


@pytest.mark.parametrize(("header", "rows", "asked"), [
    ("offres 0-99/1000", 100, (0, 99)),  # the window itself
    ("offres 150-200/201", 51, (150, 299)),  # clamped to the total
    ("offres -1--1/150", 0, (150, 299)),  # starts at the total: nothing there
    ("*/0", 0, (0, 149)),
])
def test_an_answer_for_the_window_asked(header, rows, asked):
    answer = body(rows, asked[0]) if rows else None
    page = read_search_page(206, header, None, answer, asked=asked)
    assert page.malformed is None and len(page.rows) == rows


def test_rows_keep_every_element_in_order_even_without_id_or_date():
    odd = [{"id": "179QWXC"}, {"intitule": "no id"}, {"id": 7}, {"id": "179QWXC"},
           {"id": "8521039", "dateCreation": "not a date"}]
    page = read_search_page(206, "offres 0-4/5", None, {"resultats": odd})
    assert page.malformed is None and len(page.rows) == 5
    assert page.rows[0] == ("179QWXC", None) and page.rows[3] == ("179QWXC", None)
    assert page.rows[1][0].startswith("#") and page.rows[2][0].startswith("#")
    assert page.rows[1][0] != page.rows[2][0] and page.rows[4] == ("8521039", None)


def test_asked_window():
    assert asked_window("http://x/v2/offres/search?sort=1&range=150-299") == (150, 299)
    assert asked_window("http://x/v2/offres/search?range=0-0&x=1") == (0, 0)
    for url in ("http://x/search", "http://x/search?range=", "http://x/search?range=5-3",
                "http://x/search?range=a-b"):
        assert asked_window(url) is None


@pytest.mark.parametrize(("agregation", "expected"), [
    ([{"valeurPossible": "CDI", "nbResultats": 0}, {"valeurPossible": 1, "nbResultats": 5}],
     {"CDI": 0, "1": 5}),
    ([], {}),
    ([{"valeurPossible": "CDI", "nbResultats": -1}], None),
    ([{"valeurPossible": "CDI", "nbResultats": "5"}], None),
    ([{"valeurPossible": "CDI", "nbResultats": 5.5}], None),
    ([{"valeurPossible": "CDI", "nbResultats": True}], None),
    ([{"valeurPossible": "CDI"}], None),
    ([{"valeurPossible": None, "nbResultats": 1}], None),
    ([{"valeurPossible": "CDI", "nbResultats": 1}, {"valeurPossible": "CDI", "nbResultats": 2}], None),
    (["CDI"], None),
    ("CDI", None),
])
def test_facet_counts_refuse_a_facet_with_an_unreadable_bucket(agregation, expected):
    filtres = [{"filtre": "experience", "agregation": []},
               {"filtre": "typeContrat", "agregation": agregation}]
    assert facet_counts(filtres, "typeContrat") == expected
    assert facet_counts(filtres, "natureContrat") is None
