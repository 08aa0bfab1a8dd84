"""Fuzzing the page reader (hypothesis, bounded): random statuses, Content-Range and Date headers
and bodies give a page, a refusal or an answer to ask again; never an exception, never a silent
loss. A silent loss would be a page (neither `error` nor `malformed`) that:
- leaves out or invents a row: its rows are not exactly the elements of `resultats`, in order;
- reads rows as "nothing here", or a 204 as holding rows;
- accepts a total lower than the rows served (first + rows), or more rows than its window;
- holds rows without knowing where they start (no readable Content-Range);
- answers another window than the one asked;
- gives a facet count that is not a count.

More examples: OFFRES_HYPOTHESIS_EXAMPLES=2000 pytest tests/harvest/test_search_page_fuzz.py
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from offres_crawler.harvest.content_range import parse_content_range
from offres_crawler.harvest.search_page import (
    ASK_AGAIN_STATUSES,
    facet_counts,
    offer_key,
    offer_second,
    read_search_page,
)

EXAMPLES = int(os.environ.get("OFFRES_HYPOTHESIS_EXAMPLES", "40"))
FUZZ = settings(max_examples=10 * EXAMPLES, deadline=5000, suppress_health_check=[HealthCheck.too_slow])

small = st.integers(-3, 400)
big = st.integers(-(10**12), 10**12)
numbers = st.one_of(small, small, big)
json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)
dates = st.sampled_from(["2022-03-25T14:51:00.000Z", "2022-03-25T14:51:00Z", "0001-01-01T00:00:00+01:00",
                         "9999-12-31T23:59:59-01:00", "２０２４-11-28T11:57:05Z", "", "x"]) | st.text(max_size=30)
offers = st.fixed_dictionaries({}, optional={"id": st.text(max_size=9) | json_scalars,
                                             "dateCreation": dates | json_scalars,
                                             "intitule": st.text(max_size=10)})
rows = st.lists(st.one_of(offers, offers, offers, json_values), max_size=160)
buckets = st.fixed_dictionaries({}, optional={"valeurPossible": json_scalars,
                                              "nbResultats": json_scalars | st.integers(0, 10**6)})
filtres = st.lists(st.fixed_dictionaries({"filtre": st.sampled_from(["typeContrat", "natureContrat", "x"]),
                                          "agregation": st.lists(buckets, max_size=5) | json_values}),
                   max_size=3) | json_values
bodies = st.one_of(
    st.none(),
    st.fixed_dictionaries({"resultats": rows}, optional={"filtresPossibles": filtres}),
    st.fixed_dictionaries({}, optional={"resultats": json_values, "filtresPossibles": filtres,
                                        "message": json_scalars}),
    json_values,
)
units = st.sampled_from(["offres ", "", "offres  ", "bytes ", "x"])
ranges = st.one_of(
    st.none(),
    st.builds(lambda u, a, b, t: f"{u}{a}-{b}/{t}", units, numbers, numbers, numbers | st.just("*")),
    st.builds(lambda u, t: f"{u}*/{t}", units, numbers | st.just("*")),
    st.builds(lambda u, t: f"{u}-1--1/{t}", units, numbers),
    st.text(max_size=25), st.binary(max_size=25),
)
http_dates = st.none() | st.text(max_size=40) | st.binary(max_size=40) | st.datetimes().map(
    lambda d: d.strftime("%a, %d %b %Y %H:%M:%S GMT"))
statuses = st.sampled_from([200, 204, 206, 200, 206, 400, 401, 404, 408, 429, 500, 503]) | st.integers(100, 599)
asked = st.none() | st.tuples(st.integers(0, 3150), st.integers(0, 149)).map(lambda t: (t[0], t[0] + t[1]))


@st.composite
def near_pages(draw) -> tuple:
    """Answers one step away from consistent: each number off by -2..2 or not."""
    served = draw(st.lists(offers, max_size=12))
    off = st.integers(-2, 2) | st.just(0)
    first = draw(st.integers(0, 3000))
    last = first + len(served) - 1 + draw(off)
    total = last + 1 + draw(off | st.integers(0, 10**4))
    header = draw(st.sampled_from([f"offres {first}-{last}/{total}", f"offres -1--1/{total}", "*/0",
                                   f"{first}-{last}/*", None]))
    span = max(len(served), 1) + draw(st.integers(0, 3))
    window = draw(st.none() | st.just((first + draw(off), first + draw(off) + span - 1)))
    status = draw(st.sampled_from([200, 204, 206]))
    return status, header, None, {"resultats": served}, window


@FUZZ
@given(st.tuples(statuses, ranges, http_dates, bodies, asked) | near_pages())
def test_every_answer_is_a_page_a_refusal_or_asked_again(answer):
    status, content_range, date, body, window = answer
    page = read_search_page(status, content_range, date, body, asked=window)  # never raises
    assert page.status == status
    assert page.server_time is None or isinstance(page.server_time, int)
    if page.malformed is not None:
        event("asked again")
        assert isinstance(page.malformed, str) and page.malformed and page.error is None
        return
    if page.error is not None:
        event("refused")
        assert 400 <= status < 500 and status not in ASK_AGAIN_STATUSES and isinstance(page.error, str)
        assert page.learned_cap is None or (status == 400 and 0 <= page.learned_cap < 10**9)
        assert page.empty
        return
    event("page with rows" if page.rows else "page without rows")
    assert status in (200, 204, 206)
    served = body.get("resultats") if isinstance(body, dict) else None
    assert page.rows == [(offer_key(o), offer_second(o)) for o in served or []]  # none left out or added
    if status == 204:
        assert page.empty and page.total is not None
    if page.rows:
        assert page.first is not None and page.first >= 0  # where the rows start is known
        assert page.total is None or page.total >= page.first + len(page.rows)  # not fewer than served
        window_served = parse_content_range(content_range)
        assert window_served is not None and len(page.rows) <= window_served.count  # not more than said
        if window is not None:
            assert page.first == window[0] and page.first + len(page.rows) - 1 <= window[1]
    for key, second in page.rows:
        assert isinstance(key, str) and key
        assert second is None or isinstance(second, int)
    for name in ("typeContrat", "natureContrat", "x"):
        counts = facet_counts(page.filtres, name)
        assert counts is None or all(type(n) is int and n >= 0 for n in counts.values())


@FUZZ
@given(st.integers(0, 3000), st.integers(1, 150), st.integers(0, 5000), st.data())
def test_a_consistent_answer_is_read_whole(first, span, total, data):
    """Answers as the API writes them are pages, with every row, whatever the numbers."""
    last = min(first + span - 1, total - 1)
    if first >= total:
        page = read_search_page(204, "*/0", None, None, asked=(first, first + span - 1))
        assert page.malformed is None and page.empty and page.total == 0
        return
    count = data.draw(st.integers(0, last - first + 1), label="rows served")  # fewer: origine quirk
    served = [{"id": f"{first + i:07d}", "dateCreation": "2022-03-25T14:51:00.000Z"} for i in range(count)]
    status = 200 if last == total - 1 else 206
    page = read_search_page(status, f"offres {first}-{last}/{total}", None, {"resultats": served},
                            asked=(first, first + span - 1))
    assert page.malformed is None and page.error is None
    assert [key for key, _ in page.rows] == [o["id"] for o in served]
    assert (page.first, page.total) == (first, total)
