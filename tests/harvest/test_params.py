from __future__ import annotations

import json

import pytest

from offres_crawler.harvest.params import CATALOGUE, ParamError, suggest, validate_search_params


def refused(args: dict) -> ParamError:
    with pytest.raises(ParamError) as exc:
        validate_search_params(args)
    return exc.value


def test_every_parameter_of_the_official_spec_is_known(samples):
    spec = json.loads((samples / "openapi" / "offres-emploi-v2.openapi.json").read_text(encoding="utf-8"))
    names = {p["name"].strip() for p in spec["paths"]["/v2/offres/search"]["get"]["parameters"]
             if p.get("in") == "query"}
    assert names - {"range"} <= set(CATALOGUE)  # range is the harvest's own
    assert "range" in names


def test_a_valid_query_comes_back_normalised():
    out = validate_search_params({"typeContrat": "CDI, CDD", "motsCles": "data,python",
                                  "departement": "2A,75", "salaireMin": "2000.5",
                                  "periodeSalaire": "M", "sort": "1"})
    assert out == {"typeContrat": "CDI,CDD", "motsCles": "data,python", "departement": "2A,75",
                   "salaireMin": "2000.5", "periodeSalaire": "M", "sort": "1"}


def test_no_argument_is_the_whole_market():
    assert validate_search_params({}) == {}


@pytest.mark.parametrize("typo, meant", [("motcles", "motsCles"), ("MotsCles", "motsCles"),
                                         ("typeContract", "typeContrat"), ("departements", "departement"),
                                         ("origineOffres", "origineOffre")])
def test_unknown_name_gets_a_suggestion(typo, meant):
    err = refused({typo: "x"})
    assert err.name == typo
    assert f"did you mean {meant}?" in str(err)
    assert "unknown search parameter" in str(err)
    assert suggest(typo) == meant


def test_unknown_name_without_a_close_match():
    err = refused({"zzzzqqq": "1"})
    assert "unknown search parameter" in str(err) and "did you mean" not in str(err)


def test_range_is_refused_with_an_explanation():
    err = refused({"range": "0-149"})
    assert err.name == "range" and "chosen by the harvest" in str(err)


def test_sort_other_than_1_is_refused_with_an_explanation():
    assert "creation-date order" in str(refused({"sort": "0"}))
    assert "one of 0, 1, 2" in str(refused({"sort": "7"}))


@pytest.mark.parametrize("args, name, fragment", [
    ({"typeContrat": "CDX"}, "typeContrat", "not a typesContrats code"),
    ({"natureContrat": "ZZ"}, "natureContrat", "not a naturesContrats code"),
    ({"experience": "5"}, "experience", "one of 0, 1, 2, 3, 4"),
    ({"publieeDepuis": "2"}, "publieeDepuis", "1, 3, 7, 14, 31"),
    ({"origineOffre": "3"}, "origineOffre", "one of 1, 2"),
    ({"tempsPlein": "yes"}, "tempsPlein", "not a boolean"),
    ({"grandDomaine": "Z"}, "grandDomaine", "grandDomaine code"),
    ({"departement": "20"}, "departement", "not a département code"),
    ({"region": "99"}, "region", "not a region code"),
    ({"codeROME": "M18"}, "codeROME", "ROME code"),
    ({"codeNAF": "7820Z"}, "codeNAF", "99.99X"),
    ({"commune": "7505"}, "commune", "INSEE commune code"),
    ({"dureeHebdoMin": "875"}, "dureeHebdoMin", "HHMM"),
    ({"dureeContratMax": "120"}, "dureeContratMax", "out of range"),
    ({"dureeContratMin": "1,5"}, "dureeContratMin", "single value"),
    ({"salaireMin": "-3", "periodeSalaire": "M"}, "salaireMin", "amount in euros"),
    ({"minCreationDate": "2024-01-01", "maxCreationDate": "2024-02-01T00:00:00Z"},
     "minCreationDate", "yyyy-MM-ddTHH:mm:ssZ"),
    ({"appellation": "404278,10438"}, "appellation", "single value"),
    ({"departement": "01,02,03,04,05,06"}, "departement", "at most 5"),
    ({"secteurActivite": "01,02,03"}, "secteurActivite", "at most 2"),
    ({"typeContrat": "CDI,,CDD"}, "typeContrat", "empty value"),
    ({"typeContrat": "CDI,CDI"}, "typeContrat", "repeated"),
    ({"qualification": ""}, "qualification", "empty value"),
])
def test_value_rules(args, name, fragment):
    err = refused(args)
    assert err.name == name
    assert fragment in str(err)
    assert "\n" not in str(err)


@pytest.mark.parametrize("mots, fragment", [
    ("a,b,c,d,e,f,g,h", "at most 7 keywords"),
    ("data,x", "shorter than 2"),
    ("data,75001", "postcode"),
    ("c'est", "characters outside"),
    ("un_mot", "characters outside"),
])
def test_mots_cles_rules(mots, fragment):
    err = refused({"motsCles": mots})
    assert err.name == "motsCles" and fragment in str(err)


def test_mots_cles_accepts_the_documented_characters_and_accents():
    assert validate_search_params({"motsCles": "développeur,C++,.net,R&D,a/b"})["motsCles"] == \
        "développeur,C++,.net,R&D,a/b"


@pytest.mark.parametrize("args, name, fragment", [
    ({"salaireMin": "2000"}, "salaireMin", "needs periodeSalaire"),
    ({"periodeSalaire": "A"}, "periodeSalaire", "needs salaireMin"),
    ({"minCreationDate": "2024-01-01T00:00:00Z"}, "minCreationDate", "needs maxCreationDate"),
    ({"maxCreationDate": "2024-01-01T00:00:00Z"}, "maxCreationDate", "needs minCreationDate"),
    ({"distance": "10"}, "distance", "give commune as well"),
    ({"minCreationDate": "2024-02-01T00:00:00Z", "maxCreationDate": "2024-01-01T00:00:00Z"},
     "minCreationDate", "later than maxCreationDate"),
    ({"dureeHebdoMin": "3500", "dureeHebdoMax": "2000"}, "dureeHebdoMin", "greater than dureeHebdoMax"),
])
def test_pairs(args, name, fragment):
    err = refused(args)
    assert err.name == name and fragment in str(err)


def test_pairs_given_together_pass():
    out = validate_search_params({"commune": "75056", "distance": "0",
                                  "minCreationDate": "2024-01-01T00:00:00Z",
                                  "maxCreationDate": "2024-01-01T00:00:00Z"})
    assert out["distance"] == "0"


def test_the_first_error_is_stable():
    args = {"zeta": "1", "alpha": "1"}
    assert refused(args).name == "alpha"
