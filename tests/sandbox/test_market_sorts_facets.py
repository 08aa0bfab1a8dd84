"""Sorts (deterministic, total, stable across pages) and facets (counted over the whole set)."""

from __future__ import annotations

import collections

import pytest

from offres_crawler.sandbox.query import Query
from tests.sandbox.market_helpers import ANCHOR_MS, OfferView, epoch_ms, km, market, norm_words, rendered

NOW = ANCHOR_MS
QUERIES = [{}, {"departement": ["75", "69"]}, {"typeContrat": ["CDD"], "natureContrat": ["E2"]},
           {"motsCles": ["agent"]}, {"publieeDepuis": 7}, {"origineOffre": 2, "region": "84"}]


def page(m, filters, sort, start, end):
    return m.search(Query(filters=filters, sort=sort, start=start, end=end), NOW)


def full(m, filters, sort):
    return page(m, filters, sort, 0, m.n).rows


@pytest.mark.parametrize("filters", QUERIES)
def test_facets_equal_naive_counts_over_the_whole_result(filters):
    m = market()
    view = OfferView(m)
    offers = dict(rendered(m))
    result = page(m, filters, 1, 0, 149)
    rows = full(m, filters, 1)
    assert len(rows) == result.total and len(result.rows) == min(150, result.total)
    naive = {
        "typeContrat": collections.Counter(offers[r]["typeContrat"] for r in rows),
        "experience": collections.Counter(view.experience_bucket(offers[r]) for r in rows),
        "qualification": collections.Counter(view.qualification(offers[r]) for r in rows),
        "natureContrat": collections.Counter(view.nature(offers[r]) for r in rows),
    }
    order = {"experience": ["0", "4", "1", "2", "3"], "qualification": ["0", "9", "X"]}
    assert list(result.facets) == ["typeContrat", "experience", "qualification", "natureContrat"]
    for name, counts in naive.items():
        expected_order = order.get(name) or sorted(counts)
        expected = [(v, counts[v]) for v in expected_order if counts[v]]
        assert result.facets[name] == expected, name
        assert sum(n for _, n in result.facets[name]) == result.total


def test_an_empty_result_has_no_rows_and_no_facets():
    result = page(market(), {"motsCles": ["zzzunknown"]}, 0, 0, 149)
    assert (result.total, result.rows, result.facets) == (0, [], {})


@pytest.mark.parametrize("sort", [0, 1, 2])
@pytest.mark.parametrize("filters", QUERIES + [{"commune": ["69123"], "distance": 30}])
def test_sorts_are_total_deterministic_and_stable_across_pages(sort, filters):
    m = market()
    everything = full(m, filters, sort)
    assert len(set(everything)) == len(everything)
    pages = []
    for start in range(0, len(everything), 150):
        pages += page(m, filters, sort, start, start + 149).rows
    assert pages == everything == full(m, filters, sort)
    assert page(m, filters, sort, len(everything), len(everything) + 149).rows == []


def test_window_end_is_clamped_to_the_total():
    m = market()
    total = page(m, {"departement": ["75"]}, 1, 0, 0).total
    rows = page(m, {"departement": ["75"]}, 1, total - 10, total + 139).rows
    assert rows == full(m, {"departement": ["75"]}, 1)[total - 10:]


def test_sort_1_is_creation_descending_then_pertinence():
    m = market(offers=6_000, seed=5, bursts=((1, 500),))
    offers = dict(rendered(m))
    rows = full(m, {}, 1)
    keys = [(epoch_ms(offers[r]["dateCreation"]), int(m.cols["score"][r])) for r in rows]
    assert keys == sorted(keys, reverse=True)


def test_sort_0_is_pertinence_then_creation_descending():
    m = market()
    offers = dict(rendered(m))
    rows = full(m, {}, 0)
    keys = [(int(m.cols["score"][r]), epoch_ms(offers[r]["dateCreation"])) for r in rows]
    assert keys == sorted(keys, reverse=True)


def keyword_score(o: dict, keywords: list[str]) -> int:
    title = norm_words(o["intitule"])
    rome = norm_words(o["romeCode"]) | norm_words(o["romeLibelle"])
    skills = set().union(*(norm_words(c["libelle"]) for c in o.get("competences", ())))
    score = sum(2 * (w in title) + (w in rome) + (w in skills) for k in keywords for w in norm_words(k))
    return min(score, 31)


def test_with_keywords_pertinence_counts_the_matches():
    m = market()
    offers = dict(rendered(m))
    keywords = ["agent", "entretien"]
    rows = full(m, {"motsCles": keywords}, 0)
    assert len(rows) > 20
    keys = [(keyword_score(offers[r], keywords), int(m.cols["score"][r]), epoch_ms(offers[r]["dateCreation"]))
            for r in rows]
    assert keys == sorted(keys, reverse=True)
    assert len({k[0] for k in keys}) > 1


def test_sort_2_is_distance_then_pertinence():
    m = market()
    offers = dict(rendered(m))
    cat = m.catalog
    i = cat.communes.codes.index("33063")
    centre = (cat.communes.lat[i], cat.communes.lon[i])
    rows = full(m, {"commune": ["33063"], "distance": 60}, 2)
    assert len(rows) > 20
    dist = [km(*centre, offers[r]["lieuTravail"]["latitude"], offers[r]["lieuTravail"]["longitude"]) for r in rows]
    assert all(a <= b + 0.1 for a, b in zip(dist, dist[1:]))  # distances are compared by 100 m
    assert dist[0] == 0.0 and dist[-1] > 10
    # Without a commune, sort 2 falls back to pertinence.
    assert full(m, {"departement": ["33"]}, 2) == full(m, {"departement": ["33"]}, 0)
