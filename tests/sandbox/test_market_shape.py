"""The synthetic market's offers look like real ones: schema, keys, ids, dates, places."""

from __future__ import annotations

import collections
import json
import re

import pytest

from tests.openapi import error_summary, offre_validator
from tests.sandbox.market_helpers import ANCHOR_MS, DAY_S, epoch_ms, market, rendered

FT_ID = re.compile(r"^\d{3}[A-Z]{4}$")
PARTNER_ID = re.compile(r"^\d{7}$")


def real_offers(samples) -> list[dict]:
    offers = {}
    for path in sorted((samples / "offres").glob("*.json")):
        for o in json.loads(path.read_text(encoding="utf-8")):
            offers[o["id"]] = o
    return list(offers.values())


def test_every_generated_offer_validates_against_the_official_schema(samples):
    validator = offre_validator(strict=True)
    m = market(offers=3_000, seed=11, bursts=((1, 300),))
    failures = {o.get("id"): error_summary(validator, o) for _, o in rendered(m)}
    failures = {k: v for k, v in failures.items() if v}
    assert failures == {}


def test_every_real_sample_offer_validates_against_the_official_schema(samples):
    validator = offre_validator(strict=True)
    offers = real_offers(samples)
    search = json.loads(next((samples / "search").glob("*.json")).read_text(encoding="utf-8"))
    offers += search["resultats"]
    assert len(offers) > 2_000
    failures = {o["id"]: error_summary(validator, o) for o in offers}
    assert {k: v for k, v in failures.items() if v} == {}


def test_the_validator_rejects_wrong_types_and_unknown_keys(samples):
    validator = offre_validator(strict=True)
    good = rendered(market())[0][1]
    assert error_summary(validator, good) == []
    for broken in ({**good, "nombrePostes": "1"}, {**good, "dateCreation": "2024-13-45T00:00:00Z"},
                   {**good, "lieuTravail": {**good["lieuTravail"], "latitude": "45.1"}},
                   {**good, "unknownKey": 1}):
        assert error_summary(validator, broken), broken


def test_every_schema_key_appears_in_the_market(samples):
    spec = json.loads((samples / "openapi" / "offres-emploi-v2.openapi.json").read_text(encoding="utf-8"))
    schema_keys = set(spec["components"]["schemas"]["Offre"]["properties"])
    seen = {k for _, o in rendered(market(offers=6_000, seed=3)) for k in o}
    assert schema_keys - seen == set()


def test_absent_keys_are_omitted_and_salaire_is_always_present():
    for _, o in rendered(market()):
        assert None not in o.values()
        assert isinstance(o["salaire"], dict)
    empty_salaries = sum(not o["salaire"] for _, o in rendered(market()))
    assert 0.3 < empty_salaries / len(rendered(market())) < 0.8  # real: 617 of 1,049 are {}


def test_ids_have_the_real_formats_and_are_unique():
    offers = [o for _, o in rendered(market(offers=5_000, seed=2, bursts=((2, 400),)))]
    ids = [o["id"] for o in offers]
    assert len(set(ids)) == len(ids)
    for o in offers:
        pattern = FT_ID if o["origineOffre"]["origine"] == "1" else PARTNER_ID
        assert pattern.match(o["id"]), o["id"]


def test_timestamps_ms_for_france_travail_whole_seconds_for_partners():
    offers = [o for _, o in rendered(market())]
    ft = [o for o in offers if o["origineOffre"]["origine"] == "1"]
    partners = [o for o in offers if o["origineOffre"]["origine"] == "2"]
    assert all(o["dateCreation"].endswith(".000Z") for o in partners)
    assert all(o["dateActualisation"].endswith(".000Z") for o in partners)
    # Milliseconds are random for France Travail offers: almost none fall on .000.
    assert sum(o["dateCreation"].endswith(".000Z") for o in ft) < 0.01 * len(ft)
    for o in offers:
        assert re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", o["dateCreation"])
        assert epoch_ms(o["dateCreation"]) <= epoch_ms(o["dateActualisation"]) <= ANCHOR_MS


def test_creation_instants_spread_over_90_days_with_a_weekly_and_daily_rhythm():
    created = [epoch_ms(o["dateCreation"]) for _, o in rendered(market(offers=6_000, seed=3))]
    ages = [(ANCHOR_MS - c) / 1000 / DAY_S for c in created]
    assert 0 < min(ages) and max(ages) <= 90 and max(ages) > 80
    assert sum(a < 30 for a in ages) > sum(a >= 60 for a in ages)  # older offers were withdrawn
    import datetime as dt
    when = [dt.datetime.fromtimestamp(c / 1000, dt.UTC) for c in created]
    weekend = sum(w.weekday() >= 5 for w in when) / len(when)
    assert weekend < 0.15  # 2/7 = 29 % if uniform
    office = sum(7 <= w.hour <= 17 for w in when) / len(when)
    assert office > 0.7  # 11/24 = 46 % if uniform


def test_bursts_are_instants_shared_by_thousands_of_partner_offers():
    m = market(offers=12_000, seed=5, bursts=((3, 2_500),))
    by_instant = collections.Counter(o["dateCreation"] for _, o in rendered(m))
    big = {t: n for t, n in by_instant.items() if n >= 2_500}
    assert len(big) == 3 and all(n >= 2_500 for n in big.values())
    for _, o in rendered(m):
        if o["dateCreation"] in big:
            assert o["origineOffre"]["origine"] == "2" and o["dateCreation"].endswith(".000Z")
    # Outside bursts, partner imports still share seconds.
    assert max(n for t, n in by_instant.items() if t not in big) >= 5


def test_about_17_percent_of_offers_have_no_commune_nor_departement():
    offers = [o for _, o in rendered(market(offers=6_000, seed=3))]
    located = re.compile(r"^(\d{2}|2A|2B|97\d) - ")
    none = [o for o in offers if "commune" not in o["lieuTravail"] and not located.match(o["lieuTravail"]["libelle"])]
    assert abs(len(none) / len(offers) - 0.17) < 0.02
    kinds = collections.Counter("France" if o["lieuTravail"]["libelle"] == "France" else "other" for o in none)
    assert kinds["France"] > kinds["other"] > 0
    assert all(set(o["lieuTravail"]) <= {"libelle", "latitude", "longitude"} for o in none)


def test_workplace_libelles_follow_the_real_formats():
    m = market(offers=6_000, seed=3)
    regions = {e["libelle"] for e in m.referentiels["regions"]}
    countries = {"Principauté de Monaco", "Québec Canada", "Luxembourg", "Suisse", "Belgique"}
    seen = collections.Counter()
    for _, o in rendered(m):
        place = o["lieuTravail"]
        label = place["libelle"]
        if "commune" in place:
            dept, _, name = label.partition(" - ")
            assert place["commune"].startswith(dept) and re.match(r"^[A-Z0-9 ]+$", name), label
            assert re.match(r"^\d{5}$", place["codePostal"])
            seen["commune"] += 1
        elif re.match(r"^(\d{2}|2A|2B|97\d) - ", label):
            seen["dept"] += 1
            if label.startswith("75 - "):
                assert label == "75 - Paris (Dept.)"
        elif label in regions:
            seen["region"] += 1
        elif label == "France":
            seen["France"] += 1
        else:
            seen["foreign"] += 1
            assert label not in ("", "France")
    assert all(seen[k] for k in ("commune", "dept", "region", "France", "foreign")), seen
    labels = {o["lieuTravail"]["libelle"] for _, o in rendered(m)}
    assert labels & countries
    assert any(re.match(r"^75 - PARIS \d{2}$", x) for x in labels)
    assert any(re.match(r"^13 - MARSEILLE \d{2}$", x) for x in labels)


def test_same_seed_same_market_other_seed_other_market():
    a = sampled_offers(seed=21)
    assert a == sampled_offers(seed=21)
    assert a != sampled_offers(seed=22)


def sampled_offers(seed: int) -> list[dict]:
    from offres_crawler.sandbox.market import Market, MarketConfig

    m = Market(MarketConfig(offers=1_500, seed=seed, anchor_ms=ANCHOR_MS, bursts=((1, 100),)))
    return m.offers(list(range(0, m.n, 7)))


def test_offer_ids_resolve_to_their_rows():
    m = market()
    for row, o in rendered(m)[::37]:
        assert m.row_of_id(o["id"]) == row
    assert m.row_of_id("000AAAA") is None
    assert m.row_of_id("not-an-id") is None


def test_natures_and_contract_libelles():
    m = market(offers=6_000, seed=3)
    natures = {e["libelle"] for e in m.referentiels["naturesContrats"]}
    for _, o in rendered(m):
        assert o["natureContrat"] in natures
        if o["typeContrat"] in ("CDD", "MIS"):
            assert re.search(r" - \d+ (Mois|Jour\(s\))$", o["typeContratLibelle"]), o["typeContratLibelle"]
        if o["alternance"]:
            assert o["natureContrat"] in ("Contrat apprentissage", "Cont. professionnalisation")


@pytest.mark.parametrize("share", [0.0, 0.2])
def test_malformed_share_breaks_that_share_of_offers_deterministically(share):
    from offres_crawler.sandbox.market import Market, MarketConfig

    validator = offre_validator(strict=True)

    def build():
        return Market(MarketConfig(offers=2_000, seed=4, anchor_ms=ANCHOR_MS, malformed_share=share))

    m = build()
    offers = m.offers(list(range(m.n)))
    broken = [row for row, o in enumerate(offers) if "id" not in o or error_summary(validator, o, limit=1)]
    assert abs(len(broken) / m.n - share) < 0.03
    kinds = collections.Counter("no id" if "id" not in offers[r] else "wrong type" for r in broken)
    assert share == 0 or (kinds["no id"] and kinds["wrong type"])
    again = build()
    assert again.offers(broken) == [offers[r] for r in broken]
    assert (again.cols["malformed"][: again.n] == m.cols["malformed"][: m.n]).all()
