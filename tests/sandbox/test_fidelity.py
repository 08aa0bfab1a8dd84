"""The sandbox's offers against the real samples, field by field, by origine and year of creation
(docs/sandbox-fidelity.md): the document tells the truth, the generation tables are the samples'
shares, and a market built from them lands within the stated tolerances."""

from __future__ import annotations

import json
import re

import pytest

from offres_crawler.sandbox.facts import presence, salaries
from tests.sandbox import fidelity
from tests.sandbox.market_helpers import market, rendered

# Keys of the generation tables that are not the samples' shares on purpose (see the document).
DELIBERATE = {"outilsBureautiques"}


@pytest.fixture(scope="module")
def real(samples):
    return fidelity.sample_offers(samples)


@pytest.fixture(scope="module")
def reference():
    return fidelity.reference_offers()


def test_the_document_shows_the_samples_and_the_sandbox_as_they_are(samples):
    doc = fidelity.DOC.read_text(encoding="utf-8")
    for name, lines in fidelity.tables(samples).items():
        assert fidelity.rewrite(doc, name, lines) == doc, f"table {name}: run python -m tests.sandbox.fidelity --write"


def test_the_generation_tables_are_the_samples_shares(real):
    shares, _ = fidelity.presence(real)
    off = {}
    for key, by_year in presence.PRESENCE.items():
        if key in DELIBERATE:
            continue
        for y, year in enumerate(fidelity.YEARS):
            for side, origine in enumerate(fidelity.ORIGINES):
                measured = round(shares[key][(origine, year)], 3)
                if by_year[y][side] != measured:
                    off[(key, origine, year)] = (by_year[y][side], measured)
    assert off == {}
    # Workplaces: the share with a commune is what the location table leaves.
    for y, year in enumerate(fidelity.YEARS):
        for side, origine in enumerate(fidelity.ORIGINES):
            commune = 1 - sum(presence.LOCATION[y][side])
            assert abs(commune - shares["lieuTravail.commune"][(origine, year)]) < 0.002


def test_the_salary_tables_are_the_samples_forms(real):
    forms = fidelity.salary_forms(real)
    ft = dict(zip(("dot, sur N.0 mois", "dot, sur N mois", "dot, no months"), (s for _, s in salaries.FT_FORMS)))
    odd = dict(zip(("period only", "Autre", "no period"), (s for _, s in salaries.PARTNER_ODD_FORMS)))
    for name, share in ft.items():
        assert share == pytest.approx(forms["1"][name], abs=0.001), name
    for name, share in odd.items():
        assert share == pytest.approx(forms["2"][name], abs=0.001), name
    assert salaries.RANGE == pytest.approx((forms["1"]["range"], forms["2"]["range"]), abs=0.001)
    assert forms["1"]["other"] == forms["2"]["other"] == 0.0  # every real libellé has a known form


def test_the_market_is_within_tolerance_of_the_samples_field_by_field(real, reference):
    expected, _ = fidelity.presence(real)
    measured, counts = fidelity.presence(reference)
    assert min(counts.values()) > 1_000  # every group is well represented in the reference market
    off = {}
    for field in fidelity.FIELDS:
        for group in fidelity.GROUPS:
            p, got = expected[field][group], measured[field][group]
            if abs(got - p) > fidelity.tolerance(p, counts[group]):
                off[(field, *group)] = (round(p, 3), round(got, 3))
    assert off == {}


def test_the_table_has_every_key_that_may_be_absent(real, reference):
    # Field by field: a key that some offers lack, in the samples or in the sandbox, is a row of the
    # table, or always goes with one (COMPANIONS), offer by offer, on both sides.
    for offers in (real, reference):
        assert fidelity.optional_paths(offers) - set(fidelity.FIELDS) - set(fidelity.COMPANIONS) == set()
        for key, row in fidelity.COMPANIONS.items():
            assert all(fidelity.has(o, key) == fidelity.has(o, row) for o in offers), (key, row)
            assert any(fidelity.has(o, key) for o in offers), key


def test_the_market_writes_salaries_in_the_real_forms_at_their_frequencies(real, reference):
    expected, measured = fidelity.salary_forms(real), fidelity.salary_forms(reference)
    n = {o: sum(1 for x in reference if x["origineOffre"]["origine"] == o and "libelle" in x["salaire"])
         for o in fidelity.ORIGINES}
    assert min(n.values()) > 1_500
    off = {}
    for origine in fidelity.ORIGINES:
        for name, p in expected[origine].items():
            got = measured[origine][name]
            if abs(got - p) > fidelity.tolerance(p, n[origine]):
                off[(origine, name)] = (round(p, 3), round(got, 3))
    assert off == {}
    assert measured["1"]["other"] == measured["2"]["other"] == 0.0


@pytest.mark.parametrize("share", [0.0, 0.3, 1.0])
def test_the_newer_shape_is_on_the_share_of_offers_asked(share):
    offers = [o for _, o in rendered(market(offers=3_000, seed=5, new_fields_share=share))]
    ft = [o for o in offers if o["origineOffre"]["origine"] == "1"]
    newer = [o for o in offers if "entrepriseAdaptee" in o]
    assert abs(len(newer) / len(offers) - share) < 0.03
    # the same offers carry the other top-level newcomers; contexteTravail on France Travail ones
    assert all("employeurHandiEngage" in o for o in newer)
    assert all(("contexteTravail" in o) == (o in newer) for o in ft)
    assert not any("contexteTravail" in o or "trancheEffectifEtab" in o for o in offers
                   if o["origineOffre"]["origine"] == "2")
    if share == 1.0:
        tranche = sum("trancheEffectifEtab" in o for o in ft) / len(ft)
        assert abs(tranche - presence.NEW_TRANCHE_EFFECTIF) < 0.05
        listes = [o["salaire"] for o in ft if "complement1" in o["salaire"]]
        assert listes and all(s["listeComplements"][0]["libelle"] == s["complement1"] for s in listes)
    if share == 0.0:
        assert not any("listeComplements" in o["salaire"] or "trancheEffectifEtab" in o for o in offers)


def test_the_newer_shape_has_every_key_of_the_real_2026_offers(samples):
    # The three France Travail offers of May 2026 in the search sample are in the newer shape: each
    # of their keys, at every depth the table uses, is on some newer-shape offer of the sandbox.
    real = json.loads(next((samples / "search").glob("*.json")).read_text("utf-8"))["resultats"]
    assert real and all(o["origineOffre"]["origine"] == "1" and "entrepriseAdaptee" in o for o in real)
    offers = [o for _, o in rendered(market(offers=3_000, seed=5, new_fields_share=1.0))]
    seen = set().union(*(fidelity.key_paths(o) for o in offers if o["origineOffre"]["origine"] == "1"))
    assert set().union(*(fidelity.key_paths(o) for o in real)) - seen == set()


def test_contexte_travail_looks_like_the_2026_offers():
    offers = [o for _, o in rendered(market(offers=2_000, seed=5, new_fields_share=1.0))]
    contexts = [o["contexteTravail"] for o in offers if "contexteTravail" in o]
    assert contexts
    for c in contexts:
        assert set(c) <= {"horaires", "conditionsExercice"} and c["horaires"]
        assert all(isinstance(h, str) and h for h in c["horaires"])
        # items after the first carry a leading space, as in the real 2026 offers
        assert all(h.startswith(" ") for h in c["horaires"][1:])


def test_every_libelle_of_a_market_has_a_real_form():
    for _, o in rendered(market()):
        text = o["salaire"].get("libelle")
        if text is not None:
            form = fidelity.salary_form(text)
            assert form != "other", text
            assert (form.startswith("dot")) == (o["origineOffre"]["origine"] == "1"), text
            if form == "dot, sur N.0 mois":
                # amounts as the API's decimal numbers: "2305.0", "11.88", never "2305.00"
                assert not re.search(r"\d\.\d0 Euros", text), text
