"""The 16 referentiel names, choosing lists by name, entry shapes, the announced size."""

from __future__ import annotations

import json

import pytest

from offres_crawler.harvest.referentiels import (
    NAMES,
    UnknownReferentielError,
    announced_size,
    entry_problems,
    parse_names,
    shape_of,
    suggestion,
)
from tests.openapi import load_spec

REFERENTIEL_PATH = "/v2/referentiel/"


def test_the_names_are_the_paths_of_the_official_spec(samples):
    spec = load_spec()
    paths = {p[len(REFERENTIEL_PATH):] for p in spec["paths"] if p.startswith(REFERENTIEL_PATH)}
    assert len(NAMES) == len(set(NAMES)) == 16
    assert set(NAMES) == paths


def test_the_entry_shapes_are_those_of_the_official_spec(samples):
    spec = load_spec()
    for name in NAMES:
        schema = spec["paths"][REFERENTIEL_PATH + name]["get"]["responses"]["200"]["content"]
        ref = next(iter(schema.values()))["schema"]["items"]["$ref"]
        assert ref == f"#/components/schemas/{shape_of(name)}", name


def test_no_names_means_every_list_in_a_fixed_order():
    assert parse_names(None) == list(NAMES)
    assert parse_names("") == list(NAMES)
    assert parse_names(" , ") == list(NAMES)


def test_names_keep_their_order_without_repeats_or_blanks():
    assert parse_names("metiers,communes") == ["metiers", "communes"]
    assert parse_names(" communes , metiers,communes,") == ["communes", "metiers"]
    assert parse_names(["typesContrats", "nafs"]) == ["typesContrats", "nafs"]


def test_one_unknown_name_refuses_the_whole_choice_and_lists_the_valid_names():
    with pytest.raises(UnknownReferentielError) as caught:
        parse_names("metiers,metier,xyzzy")
    error = caught.value
    assert error.unknown == ["metier", "xyzzy"]
    message = str(error)
    assert "'metier' (did you mean 'metiers'?)" in message
    assert "'xyzzy'," not in message and "'xyzzy'." in message  # nothing close: no suggestion
    assert message.endswith("Valid names: " + ", ".join(NAMES))


@pytest.mark.parametrize(("typed", "meant"), [
    ("Metiers", "metiers"),  # the API's paths are case-sensitive: refused, but suggested
    ("TYPESCONTRATS", "typesContrats"),
    ("typeContrats", "typesContrats"),
    ("natureContrats", "naturesContrats"),
    ("naf", "nafs"),
    ("secteurActivite", "secteursActivites"),
    ("niveauFormation", "niveauxFormations"),
    ("departement", "departements"),
])
def test_misspelt_names_are_refused_with_a_suggestion(typed, meant):
    assert suggestion(typed) == meant
    with pytest.raises(UnknownReferentielError, match=f"did you mean '{meant}'"):
        parse_names(typed)


def test_names_nothing_like_a_list_get_no_suggestion():
    assert suggestion("niveauxExperience") is None
    assert suggestion("salaire") is None


@pytest.mark.parametrize(("name", "shape"), [
    ("communes", "Commune"), ("departements", "Departement"), ("regions", "Region"),
    ("metiers", "Referentiel"), ("typesContrats", "Referentiel"), ("pays", "Referentiel"),
])
def test_shape_of_each_list(name, shape):
    assert shape_of(name) == shape


def test_well_formed_entries_have_no_problem():
    assert entry_problems("metiers", {"code": "M1805", "libelle": "Études et dév."}) == []
    assert entry_problems("communes", {"code": "21704", "libelle": "VILLIERS LE DUC",
                                       "codePostal": "21400", "codeDepartement": "21"}) == []
    assert entry_problems("departements", {"code": "01", "libelle": "Ain", "region": {
        "code": "84", "libelle": "Auvergne-Rhône-Alpes"}}) == []
    # a field the API may add one day is not a problem
    assert entry_problems("regions", {"code": "84", "libelle": "ARA", "nouveau": 1}) == []


def test_problems_name_what_is_missing_or_mistyped():
    assert entry_problems("metiers", {"code": "M1805"}) == ["no 'libelle'"]
    assert entry_problems("metiers", {"code": 1805, "libelle": "x"}) == ["'code' is int, not str"]
    assert entry_problems("communes", {"code": "21704", "libelle": "X"}) == [
        "no 'codePostal'", "no 'codeDepartement'"]
    assert entry_problems("departements", {"code": "01", "libelle": "Ain",
                                           "region": {"code": 84}}) == [
        "'region.code' is int, not str", "no 'region.libelle'"]
    assert entry_problems("departements", {"code": "01", "libelle": "Ain", "region": "84"}) == [
        "'region' is str, not dict"]
    assert entry_problems("pays", ["01", "France"]) == ["entry is list, not an object"]


REAL_DUMPS = {
    "appellations": "appellations.vimchun-2024-11-28.json",
    "communes": "communes.reconstructed-from-pass-emploi-2021-12.json",
    "departements": "departements.datascientest-mar26.json",
    "naturesContrats": "naturesContrats.les-emplois-mock.json",
    "pays": "pays.vimchun.json",
    "regions": "regions.datascientest-mar26.json",
    "typesContrats": "reconstructed/typesContrats.reconstructed.json",
    "niveauxFormations": "reconstructed/niveauxFormations.reconstructed.json",
}


@pytest.mark.parametrize("name", sorted(REAL_DUMPS))
def test_real_dumps_have_the_expected_shapes(samples, name):
    entries = json.loads((samples / "referentiels" / REAL_DUMPS[name]).read_text("utf-8"))
    assert entries
    assert [e for e in entries if entry_problems(name, e)] == []


@pytest.mark.parametrize(("header", "size"), [
    ("metiers */532", 532), ("communes */35329", 35329), (b"pays */221", 221), ("*/18", 18),
    (" nafs * / 61 ", 61),
])
def test_announced_size(header, size):
    assert announced_size(header) == size


@pytest.mark.parametrize("header", [None, "", "metiers */*", "offres 0-149/3000", "garbage"])
def test_no_announced_size(header):
    assert announced_size(header) is None
