"""The 16 referentiels: shapes, real codes and quirks, and consistency with the offers."""

from __future__ import annotations

import json
import re

from offres_crawler.sandbox.facts import rome
from offres_crawler.sandbox.referentiels import GRANDS_DOMAINES, NAMES, PARTENAIRES
from tests.openapi import error_summary, schema_validator
from tests.sandbox.market_helpers import OfferView, market, rendered

SHAPES = {"communes": "Commune", "departements": "Departement", "regions": "Region"}


def test_the_16_referentiels_exist_with_the_spec_shapes(samples):
    refs = market().referentiels
    assert set(refs) == set(NAMES) and len(NAMES) == 16
    for name, entries in refs.items():
        validator = schema_validator(SHAPES.get(name, "Referentiel"), strict=True)
        assert entries, name
        bad = [e for e in entries if error_summary(validator, e) or not all(e.values())]
        assert bad == [], name
        if name != "communes":  # one commune row per postcode
            codes = [e["code"] for e in entries]
            assert len(codes) == len(set(codes)), name


def test_departements_and_regions_match_the_real_lists(samples):
    refs = market().referentiels
    real_depts = json.loads((samples / "referentiels" / "departements.datascientest-mar26.json").read_text("utf-8"))
    real_regions = json.loads((samples / "referentiels" / "regions.datascientest-mar26.json").read_text("utf-8"))
    assert sorted(refs["departements"], key=lambda d: d["code"]) == sorted(real_depts, key=lambda d: d["code"])
    assert refs["regions"] == real_regions


def test_codes_of_contract_and_education_lists_match_the_reference(samples):
    refs = market().referentiels
    folder = samples / "referentiels"
    for name, path in (("typesContrats", "reconstructed/typesContrats.reconstructed.json"),
                       ("niveauxFormations", "reconstructed/niveauxFormations.reconstructed.json"),
                       ("naturesContrats", "naturesContrats.les-emplois-mock.json")):
        real = json.loads((folder / path).read_text("utf-8"))
        assert [e["code"] for e in refs[name]] == [e["code"] for e in real], name
    grands = json.loads((folder / "reconstructed" / "grandDomaine-values.from-openapi.json").read_text("utf-8"))
    assert list(GRANDS_DOMAINES) == [g["code"] for g in grands]


def test_region_spelling_quirk_and_unsorted_departements():
    refs = market().referentiels
    assert {"code": "11", "libelle": "Ile-de-France"} in refs["regions"]
    nested = {d["region"]["libelle"] for d in refs["departements"] if d["region"]["code"] == "11"}
    assert nested == {"Île-de-France"}
    codes = [d["code"] for d in refs["departements"]]
    assert len(codes) == 101 and codes != sorted(codes)


def test_communes_look_like_the_insee_list():
    communes = market().referentiels["communes"]
    depts = {d["code"] for d in market().referentiels["departements"]}
    assert len({c["code"] for c in communes}) > 2_000
    for c in communes:
        assert c["codeDepartement"] in depts
        assert re.match(r"^(\d{5}|2[AB]\d{3})$", c["code"]) and c["code"].startswith(c["codeDepartement"]), c
        assert re.match(r"^[A-Z0-9 ]+$", c["libelle"]), c
        assert re.match(r"^\d{5}$", c["codePostal"]), c
    codes = {c["code"] for c in communes}
    for first, count in ((75101, 20), (13201, 16), (69381, 9)):
        assert {str(first + k) for k in range(count)} <= codes
    assert "75056" not in codes  # Paris appears as arrondissements only


def test_commune_coordinates_lie_in_france():
    cat = market().catalog
    c = cat.communes
    for i, code in enumerate(c.codes):
        lat, lon = c.lat[i], c.lon[i]
        if code.startswith("97"):
            assert -22 < lat < 18 and (-62 < lon < -51 or 44 < lon < 56), code
        elif code.startswith(("2A", "2B")):
            assert 41.3 < lat < 43.1 and 8.5 < lon < 9.6, code
        else:
            assert 42.2 < lat < 51.2 and -5.2 < lon < 8.4, code


def test_every_code_an_offer_carries_exists_in_its_referentiel():
    m = market(offers=6_000, seed=3)
    refs = m.referentiels
    view = OfferView(m)
    codes = {name: {e["code"] for e in entries} for name, entries in refs.items()}
    libelles = {name: {e["libelle"] for e in entries} for name, entries in refs.items()}
    for _, o in rendered(m):
        assert o["typeContrat"] in codes["typesContrats"]
        assert view.nature(o) in codes["naturesContrats"]
        assert o["romeCode"] in codes["metiers"]
        assert o["romeCode"][:3] in codes["domaines"]
        assert rome.grand_domaine_of(o["romeCode"]) in GRANDS_DOMAINES
        assert o["appellationlibelle"] in libelles["appellations"]
        place = o["lieuTravail"]
        if "commune" in place:
            assert place["commune"] in codes["communes"]
            rows = [c for c in refs["communes"] if c["code"] == place["commune"]]
            assert place["codePostal"] in {c["codePostal"] for c in rows}
        dept = view.departement(o)
        if dept:
            assert dept in codes["departements"]
        if view.region(o):
            assert view.region(o) in codes["regions"]
        if "codeNAF" in o:
            assert o["codeNAF"] in codes["nafs"] and o["secteurActivite"] in codes["secteursActivites"]
            assert o["codeNAF"].startswith(o["secteurActivite"])
        for f in o.get("formations", ()):
            assert f["niveauLibelle"] in libelles["niveauxFormations"]
        for p in o.get("permis", ()):
            assert p["libelle"] in libelles["permis"]
        for lang in o.get("langues", ()):
            assert lang["libelle"] in libelles["langues"]
        for partner in o["origineOffre"].get("partenaires", ()):
            assert partner["nom"] in PARTENAIRES
