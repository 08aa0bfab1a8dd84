"""Search filters: the engine's result set equals a naive recomputation over the rendered offers
(what a client sees, read with the referentiels), for every filter and random combinations."""

from __future__ import annotations

import random

import pytest

from offres_crawler.sandbox import generation as gen
from offres_crawler.sandbox.facts import geography as geo
from offres_crawler.sandbox.facts import rome
from offres_crawler.sandbox.query import Query
from tests.sandbox.market_helpers import (
    ANCHOR_MS,
    DAY_S,
    OfferView,
    epoch_ms,
    epoch_s,
    km,
    market,
    norm_words,
    rendered,
)

NOW = ANCHOR_MS


def engine_rows(m, filters: dict, now: int = NOW) -> set[int]:
    result = m.search(Query(filters=filters, sort=1, start=0, end=m.n), now)
    assert result.total == len(result.rows)
    return set(result.rows)


def salary_in(period: str, offer_period: str, amount: float) -> float | None:
    if period == "C" or offer_period == "C":
        return amount if period == offer_period else None
    monthly = {"M": amount, "A": amount / 12, "H": amount * gen.HOURS_PER_MONTH}[offer_period]
    return {"M": monthly, "A": monthly * 12, "H": monthly / gen.HOURS_PER_MONTH}[period]


class Naive:
    """Each filter written again from REFERENCE §3, over the offers' JSON."""

    def __init__(self, m) -> None:
        self.m = m
        self.view = OfferView(m)
        self.offers = rendered(m)
        refs = m.referentiels
        self.appellation = {e["code"]: e["libelle"] for e in refs["appellations"]}
        self.country = {label: code for code, _, label, _, _ in geo.COUNTRIES}
        self.continent = {code: cont for code, _, _, cont, _ in geo.COUNTRIES}
        self.theme = {code: set(gds) for code, _, gds in rome.THEMES}
        cat = m.catalog
        self.commune_xy = {code: (cat.communes.lat[i], cat.communes.lon[i]) for i, code in enumerate(cat.communes.codes)}
        self.neighbours = {cat.dept_codes[i]: {cat.dept_codes[j] for j in n} for i, n in enumerate(cat.dept_neighbours)}
        self.flags = m.cols["flags"]

    def rows(self, f: dict, now: int = NOW) -> set[int]:
        if "commune" in f:
            self._reached = self.reach(f["commune"], f.get("distance", 10))
        return {row for row, o in self.offers if self.keep(row, o, f, now)}

    def keep(self, row: int, o: dict, f: dict, now: int) -> bool:
        v = self.view
        created = epoch_ms(o["dateCreation"])
        if created > now:
            return False
        if "minCreationDate" in f and epoch_s(o["dateCreation"]) < f["minCreationDate"]:
            return False
        if "maxCreationDate" in f and epoch_s(o["dateCreation"]) > f["maxCreationDate"]:
            return False
        if "publieeDepuis" in f and created < now - f["publieeDepuis"] * DAY_S * 1000:
            return False
        if "typeContrat" in f or "natureContrat" in f:
            if not (o["typeContrat"] in f.get("typeContrat", ()) or v.nature(o) in f.get("natureContrat", ())):
                return False
        if "experience" in f and v.experience_bucket(o) != str(f["experience"]):
            return False
        if "experienceExigence" in f and o["experienceExige"] != f["experienceExigence"]:
            return False
        if "qualification" in f and v.qualification(o) != f["qualification"]:
            return False
        origin = o["origineOffre"]["origine"]
        partner = o["origineOffre"].get("partenaires", [{}])[0].get("nom")
        if f.get("origineOffre") == 1:
            if origin != "1":
                return False
        elif "partenaires" in f:
            listed = partner in f["partenaires"]
            if f["modeSelectionPartenaires"] == "INCLUS":
                ok = listed
            else:
                ok = origin == "2" and not listed
            if not (ok or ("origineOffre" not in f and origin == "1")):
                return False
        elif f.get("origineOffre") == 2 and origin != "2":
            return False
        converti = o.get("dureeTravailLibelleConverti")
        if "tempsPlein" in f and converti != ("Temps plein" if f["tempsPlein"] else "Temps partiel"):
            return False
        if "dureeHebdo" in f and converti != {0: None, 1: "Temps plein", 2: "Temps partiel"}[f["dureeHebdo"]]:
            return False
        minutes = v.weekly_minutes(o)
        for key, sign in (("dureeHebdoMin", 1), ("dureeHebdoMax", -1)):
            if key in f:
                limit = f[key] // 100 * 60 + f[key] % 100
                if minutes is None or sign * (minutes - limit) < 0:
                    return False
        months = v.contract_months(o)
        if "dureeContratMin" in f and (months is None or months < f["dureeContratMin"] - 1e-9):
            return False
        if "dureeContratMax" in f and (months is None or months > f["dureeContratMax"] + 1e-9):
            return False
        if "salaireMin" in f:
            sal = v.salary(o)
            value = None if sal is None else salary_in(f["periodeSalaire"], sal[0], sal[1])
            if value is None or value < f["salaireMin"]:
                return False
        if "accesTravailleurHandicape" in f and o["accessibleTH"] != f["accesTravailleurHandicape"]:
            return False
        if "offresMRS" in f and bool(self.flags[row] & gen.F_MRS) != f["offresMRS"]:
            return False
        if "offresManqueCandidats" in f and bool(self.flags[row] & gen.F_MANQUE) != f["offresManqueCandidats"]:
            return False
        ea = o["entreprise"]["entrepriseAdaptee"] == f["entreprisesAdaptees"] if "entreprisesAdaptees" in f else None
        he = bool(self.flags[row] & gen.F_HANDI) == f["employeursHandiEngages"] if "employeursHandiEngages" in f else None
        if (ea, he) != (None, None) and not (ea or he):
            return False
        code = o["romeCode"]
        if "grandDomaine" in f and rome.grand_domaine_of(code) != f["grandDomaine"]:
            return False
        if "domaine" in f and code[:3] != f["domaine"]:
            return False
        if "codeROME" in f and code not in f["codeROME"]:
            return False
        if "theme" in f and rome.grand_domaine_of(code) not in self.theme[f["theme"]]:
            return False
        if "appellation" in f and o["appellationlibelle"] != self.appellation[f["appellation"]]:
            return False
        if "secteurActivite" in f and o.get("secteurActivite") not in f["secteurActivite"]:
            return False
        if "codeNAF" in f and o.get("codeNAF") not in f["codeNAF"]:
            return False
        if "niveauFormation" in f and f["niveauFormation"] not in {v.niveau_code[x["niveauLibelle"]] for x in o.get("formations", ())}:
            return False
        if "permis" in f and f["permis"] not in {v.permis_code[x["libelle"]] for x in o.get("permis", ())}:
            return False
        if "paysContinent" in f:
            country = self.country.get(o["lieuTravail"]["libelle"], "99100")
            if f["paysContinent"] not in (country, self.continent[country]):
                return False
        if "departement" in f:
            depts = set(f["departement"])
            if f.get("inclureLimitrophes"):
                depts = {n for d in depts for n in self.neighbours[d]}
            if v.departement(o) not in depts:
                return False
        if "region" in f and v.region(o) != f["region"]:
            return False
        if "commune" in f and o["lieuTravail"].get("commune") not in self._reached:
            return False
        if "motsCles" in f:
            words = v.keyword_words(o)
            for keyword in f["motsCles"]:
                if not norm_words(keyword) <= words:
                    return False
        return True

    def reach(self, communes: list[str], distance: int) -> set[str]:
        """Communes within the radius of any given one; Paris, Marseille and Lyon count as one
        town made of arrondissements (reaching one, or giving the town's code, brings all)."""
        towns = {"75056": "75", "13055": "13", "69123": "69"}
        arrondissements = {str(n) for first, count in ((75101, 20), (13201, 16), (69381, 9))
                           for n in range(first, first + count)}

        def town(code):
            return code[:2] if code in arrondissements else None

        centres = set()
        for code in communes:
            centres |= {c for c in self.commune_xy if town(c) == towns[code]} if code in towns else {code}
        reached = set(centres)
        if distance > 0:
            for centre in centres:
                reached |= {c for c, (lat, lon) in self.commune_xy.items()
                            if km(*self.commune_xy[centre], lat, lon) <= distance}
        whole = {town(c) for c in reached} - {None}
        return reached | {c for c in self.commune_xy if town(c) in whole}


@pytest.fixture(scope="module")
def naive():
    return Naive(market())


def some(naive, attr) -> str:
    """A value of an attribute that occurs in the market (so the filter is not empty)."""
    values = [attr(o) for _, o in naive.offers]
    values = [x for x in values if x]
    return sorted(values)[len(values) // 3]


def cases(naive) -> list[dict]:
    o_dept = some(naive, naive.view.departement)
    one = rendered(naive.m)[1234][1]
    second = epoch_s(one["dateCreation"])
    return [
        {"typeContrat": ["CDD"]},
        {"typeContrat": ["CDI", "CDD"]},
        {"natureContrat": ["E2"]},
        {"typeContrat": ["CDD", "MIS"], "natureContrat": ["E2", "FS"]},
        {"experience": 0}, {"experience": 1}, {"experience": 2}, {"experience": 3}, {"experience": 4},
        {"experienceExigence": "D"}, {"experienceExigence": "S"}, {"experienceExigence": "E"},
        {"qualification": "0"}, {"qualification": "9"},
        {"origineOffre": 1}, {"origineOffre": 2},
        {"partenaires": ["INDEED", "METEOJOB"], "modeSelectionPartenaires": "INCLUS"},
        {"partenaires": ["INDEED", "METEOJOB"], "modeSelectionPartenaires": "INCLUS", "origineOffre": 2},
        {"partenaires": ["INDEED", "METEOJOB"], "modeSelectionPartenaires": "EXCLU"},
        {"partenaires": ["INDEED", "METEOJOB"], "modeSelectionPartenaires": "EXCLU", "origineOffre": 2},
        {"partenaires": ["INDEED"], "modeSelectionPartenaires": "INCLUS", "origineOffre": 1},
        {"tempsPlein": True}, {"tempsPlein": False},
        {"dureeHebdo": 0}, {"dureeHebdo": 1}, {"dureeHebdo": 2},
        {"dureeHebdoMin": 2000, "dureeHebdoMax": 3700}, {"dureeHebdoMax": 2430},
        {"dureeContratMin": 0.5, "dureeContratMax": 3}, {"dureeContratMin": 6.0},
        {"salaireMin": 2500, "periodeSalaire": "M"}, {"salaireMin": 40000, "periodeSalaire": "A"},
        {"salaireMin": 15, "periodeSalaire": "H"}, {"salaireMin": 150, "periodeSalaire": "C"},
        {"accesTravailleurHandicape": True}, {"offresMRS": True}, {"offresManqueCandidats": True},
        {"offresManqueCandidats": False},
        {"entreprisesAdaptees": True}, {"employeursHandiEngages": True},
        {"entreprisesAdaptees": True, "employeursHandiEngages": True},
        {"grandDomaine": "M18"}, {"grandDomaine": "M"}, {"grandDomaine": "G"}, {"domaine": "G16"},
        {"codeROME": ["M1805", "G1602", "N1103"]}, {"theme": "7"},
        {"appellation": naive.m.catalog.appellation_codes[3]},
        {"secteurActivite": ["56", "62"]}, {"codeNAF": ["78.20Z", "56.10A"]},
        {"niveauFormation": "NV1"}, {"permis": "B"},
        {"paysContinent": "99100"}, {"paysContinent": "99137"}, {"paysContinent": "04"},
        {"paysContinent": "02"},
        {"departement": [o_dept]}, {"departement": ["75", "92", "93"]},
        {"departement": ["69"], "inclureLimitrophes": True},
        {"region": "11"}, {"region": "84"}, {"region": "94"},
        {"commune": ["69123"]}, {"commune": ["75108"], "distance": 0}, {"commune": ["33063"], "distance": 30},
        {"commune": ["13208", "06088"], "distance": 5}, {"commune": ["35238"], "distance": 0},
        {"motsCles": ["cuisinier"]}, {"motsCles": ["agent", "accueil"]}, {"motsCles": ["m1805"]},
        {"motsCles": ["Développeur"]}, {"motsCles": ["développeur web"]},
        {"motsCles": ["hygiène", "infirmier"]}, {"motsCles": ["zzzunknown"]},
        {"minCreationDate": second, "maxCreationDate": second},
        {"minCreationDate": second - 3 * DAY_S, "maxCreationDate": second},
        {"publieeDepuis": 1}, {"publieeDepuis": 7}, {"publieeDepuis": 31},
        {"departement": ["75"], "typeContrat": ["CDI"], "publieeDepuis": 31, "motsCles": ["agent"]},
    ]


def test_every_filter_matches_its_naive_definition(naive):
    failures = {}
    nonempty = 0
    for f in cases(naive):
        expected = naive.rows(f)
        got = engine_rows(naive.m, f)
        nonempty += bool(expected)
        if got != expected:
            failures[repr(f)] = (len(got), len(expected), sorted(got ^ expected)[:5])
    assert failures == {}
    assert nonempty >= 70  # the cases really select offers


def test_random_combinations_match_the_naive_definition(naive):
    rng = random.Random(5)
    pool = [f for f in cases(naive) if "minCreationDate" not in f]
    failures = {}
    for _ in range(40):
        f = {}
        for part in rng.sample(pool, rng.randint(2, 3)):
            f.update(part)
        if "partenaires" in f and "modeSelectionPartenaires" not in f:
            continue
        expected, got = naive.rows(f), engine_rows(naive.m, f)
        if got != expected:
            failures[repr(f)] = (len(got), len(expected))
    assert failures == {}


def test_type_and_nature_are_ored_together():
    m = market()
    cdd = engine_rows(m, {"typeContrat": ["CDD"]})
    e2 = engine_rows(m, {"natureContrat": ["E2"]})
    both = engine_rows(m, {"typeContrat": ["CDD"], "natureContrat": ["E2"]})
    assert both == cdd | e2 and len(both) > max(len(cdd), len(e2))


def test_location_filters_drop_offers_without_that_attribute():
    m = market()
    depts = [e["code"] for e in m.referentiels["departements"]]
    by_dept = set().union(*(engine_rows(m, {"departement": depts[i:i + 5]}) for i in range(0, 101, 5)))
    regions = set().union(*(engine_rows(m, {"region": r["code"]}) for r in m.referentiels["regions"]))
    everything = engine_rows(m, {})
    assert by_dept < regions < everything
    no_departement = everything - by_dept  # "France", a region, a country: about 17 %
    assert 0.15 < len(no_departement) / len(everything) < 0.19
    offers = dict(rendered(m))
    assert {offers[r]["lieuTravail"]["libelle"] for r in everything - regions} >= {"France", "Luxembourg"}


def test_keywords_are_anded():
    m = market()
    a, b = engine_rows(m, {"motsCles": ["agent"]}), engine_rows(m, {"motsCles": ["accueil"]})
    assert engine_rows(m, {"motsCles": ["agent", "accueil"]}) == a & b
    assert a & b and a - b and b - a


def test_keywords_ignore_case_and_accents():
    m = market()
    assert engine_rows(m, {"motsCles": ["Développeur"]}) == engine_rows(m, {"motsCles": ["DEVELOPPEUR"]}) != set()
    assert engine_rows(m, {"motsCles": ["manoeuvre"]}) == engine_rows(m, {"motsCles": ["MANŒUVRE"]})


def test_creation_date_bounds_are_inclusive_at_second_resolution():
    m = market()
    row, o = rendered(m)[2000]
    s = epoch_s(o["dateCreation"])
    assert row in engine_rows(m, {"minCreationDate": s, "maxCreationDate": s})
    assert row not in engine_rows(m, {"minCreationDate": s + 1, "maxCreationDate": s + 10})
    assert row not in engine_rows(m, {"minCreationDate": s - 10, "maxCreationDate": s - 1})


def test_commune_distance_zero_is_that_commune_only_and_paris_is_one_town():
    m = market(offers=6_000, seed=3)
    offers = dict(rendered(m))
    rennes = engine_rows(m, {"commune": ["35238"], "distance": 0})
    assert rennes and {offers[r]["lieuTravail"]["commune"] for r in rennes} == {"35238"}
    wider = engine_rows(m, {"commune": ["35238"], "distance": 50})
    assert rennes < wider
    paris = engine_rows(m, {"commune": ["75108"], "distance": 0})
    assert paris == engine_rows(m, {"commune": ["75120"], "distance": 0}) == engine_rows(m, {"commune": ["75056"], "distance": 0})
    assert len({offers[r]["lieuTravail"]["commune"] for r in paris}) == 20
    default = engine_rows(m, {"commune": ["33063"]})
    assert default == engine_rows(m, {"commune": ["33063"], "distance": 10})


def test_publiee_depuis_counts_days_back_from_now():
    m = market()
    later = NOW + 2 * DAY_S * 1000
    assert engine_rows(m, {"publieeDepuis": 1}, now=later) == set()
    assert engine_rows(m, {"publieeDepuis": 3}, now=later) == engine_rows(m, {"publieeDepuis": 1}, now=NOW)
