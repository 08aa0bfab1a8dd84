"""inspect_offer: what makes an offer invalid, what it keeps and reports."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from offres_crawler.offers.validation import (
    BAD_DATE,
    BAD_ID,
    BAD_TYPE,
    MISSING_ID,
    NOT_AN_OBJECT,
    inspect_offer,
    parse_datetime_us,
)

VALID = {
    "id": "179LKRN", "intitule": "Boulanger (H/F)", "dateCreation": "2024-11-28T11:57:05.591Z",
    "dateActualisation": "2024-11-29T08:00:00.000Z",
    "lieuTravail": {"libelle": "69 - LYON 03", "latitude": 45.76, "longitude": 4.85},
    "entreprise": {"entrepriseAdaptee": False}, "nombrePostes": 1, "alternance": False,
    "competences": [{"code": "1", "libelle": "Pétrir", "exigence": "E"}], "salaire": {},
    "contexteTravail": {"horaires": ["Travail en journée"]},
    "origineOffre": {"origine": "2", "partenaires": [{"nom": "INDEED"}]},
}


def _with(**changes):
    offer = copy.deepcopy(VALID)
    offer.update(changes)
    return offer


def _sample_offers(samples):
    offers = []
    for path in sorted((samples / "offres").glob("*.json")):
        offers += json.loads(path.read_text("utf-8"))
    offers += json.loads(next((samples / "search").glob("*.json")).read_text("utf-8"))["resultats"]
    return offers


def test_every_real_sample_offer_is_valid_without_surprises(samples):
    offers = _sample_offers(samples)
    assert len(offers) == 2406 + 3
    reports = [inspect_offer(offer) for offer in offers]
    assert [r.reason() for r in reports if not r.valid] == []
    assert [r.unknown for r in reports if r.unknown] == []
    assert [r.nulls for r in reports if r.nulls] == []


def test_a_valid_offer_reports_nothing():
    report = inspect_offer(VALID)
    assert (report.valid, report.problems, report.unknown, report.nulls) == (True, [], [], [])


@pytest.mark.parametrize("offer, code, path", [
    (["not", "an", "object"], NOT_AN_OBJECT, ""),
    ({k: v for k, v in VALID.items() if k != "id"}, MISSING_ID, "id"),
    (_with(id=None), MISSING_ID, "id"),
    (_with(id=""), BAD_ID, "id"),
    (_with(id="   "), BAD_ID, "id"),
    (_with(id=179), BAD_ID, "id"),
    (_with(intitule=3), BAD_TYPE, "intitule"),
    (_with(nombrePostes="1"), BAD_TYPE, "nombrePostes"),
    (_with(nombrePostes=1.0), BAD_TYPE, "nombrePostes"),
    (_with(nombrePostes=True), BAD_TYPE, "nombrePostes"),
    (_with(nombrePostes=2**31), BAD_TYPE, "nombrePostes"),
    (_with(alternance="false"), BAD_TYPE, "alternance"),
    (_with(alternance=0), BAD_TYPE, "alternance"),
    (_with(lieuTravail={"latitude": "45.76"}), BAD_TYPE, "lieuTravail.latitude"),
    (_with(lieuTravail={"latitude": True}), BAD_TYPE, "lieuTravail.latitude"),
    (_with(lieuTravail="Lyon"), BAD_TYPE, "lieuTravail"),
    (_with(competences={"code": "1"}), BAD_TYPE, "competences"),
    (_with(competences=[{"code": "1"}, {"code": 2}]), BAD_TYPE, "competences[1].code"),
    (_with(outilsBureautiques="Tableur"), BAD_TYPE, "outilsBureautiques"),
    (_with(contexteTravail={"horaires": [1]}), BAD_TYPE, "contexteTravail.horaires[0]"),
    (_with(origineOffre={"partenaires": [{"nom": ["x"]}]}), BAD_TYPE, "origineOffre.partenaires[0].nom"),
    (_with(salaire={"listeComplements": [{"code": 1}]}), BAD_TYPE, "salaire.listeComplements[0].code"),
    (_with(dateCreation=1732795025), BAD_TYPE, "dateCreation"),
    (_with(dateCreation="28/11/2024"), BAD_DATE, "dateCreation"),
    (_with(dateCreation="2024-11-28"), BAD_DATE, "dateCreation"),
    (_with(dateCreation="2024-11-28T11:57:05"), BAD_DATE, "dateCreation"),  # no UTC offset
    (_with(dateActualisation="2024-02-30T11:57:05Z"), BAD_DATE, "dateActualisation"),
])
def test_broken_offers_are_invalid_with_the_reason(offer, code, path):
    report = inspect_offer(offer)
    assert not report.valid
    assert [(p.code, p.path) for p in report.problems] == [(code, path)]
    assert code in report.reason() and path in report.reason()


def test_every_problem_of_an_offer_is_reported():
    report = inspect_offer(_with(id="", nombrePostes="2", lieuTravail={"longitude": "x"}))
    assert [(p.code, p.path) for p in report.problems] == [
        (BAD_ID, "id"), (BAD_TYPE, "lieuTravail.longitude"), (BAD_TYPE, "nombrePostes")]


def test_unknown_keys_are_kept_and_reported_at_any_depth():
    offer = _with(nouveauChamp={"a": 1}, lieuTravail={"libelle": "x", "pays": "FR"},
                  competences=[{"libelle": "a"}, {"libelle": "b", "niveau": 3}])
    report = inspect_offer(offer)
    assert report.valid
    assert sorted(report.unknown) == sorted([
        ("/nouveauChamp", "nouveauChamp", {"a": 1}),
        ("/lieuTravail/pays", "lieuTravail.pays", "FR"),
        ("/competences/1/niveau", "competences[].niveau", 3),
    ])


def test_explicit_nulls_are_accepted_and_recorded():
    report = inspect_offer(_with(salaire=None, lieuTravail={"libelle": "x", "commune": None},
                                 outilsBureautiques=["a", None]))
    assert report.valid
    assert sorted(report.nulls) == ["/lieuTravail/commune", "/salaire"]


def test_json_pointers_escape_slash_and_tilde():
    report = inspect_offer(_with(**{"a/b~c": 1}))
    assert report.unknown == [("/a~1b~0c", "a/b~c", 1)]


@pytest.mark.parametrize("text, expected", [
    ("1970-01-01T00:00:00Z", 0),
    ("1970-01-01T00:00:01.5Z", 1_500_000),
    ("2024-11-28T11:57:05.591Z", 1_732_795_025_591_000),
    ("2024-11-28T12:57:05.591+01:00", 1_732_795_025_591_000),
    ("2024-11-28T11:57:05.591234Z", 1_732_795_025_591_234),
    ("2024-11-28T11:57:05.5912345Z", None),  # beyond microseconds
    ("2024-11-28 11:57:05Z", None),
    ("2024-02-30T00:00:00Z", None),  # well-formed, impossible
    ("", None),
    (None, None),
    ({"date": "2024-11-28T11:57:05Z"}, None),  # unhashable: not memoised, not a date either
    (["2024-11-28T11:57:05Z"], None),
])
def test_parse_datetime_us(text, expected):
    assert parse_datetime_us(text) == expected
    assert parse_datetime_us(text) == expected  # memoised: the same answer again


# -- agreement with the official spec, read as JSON Schema by an independent validator --------

_LEAF_VALUES = st.one_of(
    st.text(max_size=5), st.integers(-(2**40), 2**40), st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(), st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.sampled_from(["2024-11-28T11:57:05.591Z", "2024-11-28T11:57:05+02:00", "2024-13-28T11:57:05Z",
                     "2024-11-28"]),
)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from _paths(sub, (*prefix, key))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            yield from _paths(sub, (*prefix, index))


@pytest.fixture(scope="module")
def oracle_cases(samples):
    from tests.openapi import offre_validator
    return _sample_offers(samples)[::40], offre_validator()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_validity_agrees_with_the_spec_as_json_schema(oracle_cases, data):
    offers, validator = oracle_cases
    offer = copy.deepcopy(data.draw(st.sampled_from(offers)))
    paths = [p for p in _paths(offer) if p]
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths))
        parent = offer
        try:
            for seg in path[:-1]:
                parent = parent[seg]
            parent[path[-1]] = data.draw(_LEAF_VALUES)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation replaced this branch
    spec_valid = validator.is_valid(offer)
    has_id = isinstance(offer.get("id"), str) and bool(offer["id"].strip())
    assert inspect_offer(offer).valid == (spec_valid and has_id)
