"""The redistribution profile and the salary pipeline in a real crawl (`scrapy crawl` in a
subprocess): every feed (JSONL, Parquet, the snapshot's parts and its rejects) is free of the
art. 7 fields, a licence manifest lies beside each feed file, salaries are normalised."""

from __future__ import annotations

import copy
import gzip
import json
from datetime import datetime

import pyarrow.parquet as pq
import pytest

from offres_crawler.addon import OffresAddon
from offres_crawler.analysis.licence import redistributable
from offres_crawler.analysis.salary import normalise_offer
from offres_crawler.offers.arrow_rows import offers_from_table
from offres_crawler.pipelines.export_profile import ExportProfilePipeline
from offres_crawler.pipelines.salary import SalaryPipeline
from offres_crawler.utils import load_snapshot
from tests.analysts.snapshots import sandbox_market
from tests.analysts.test_licence import OFFER
from tests.feeds.feeds_crawl import run_crawl, write_offers

DAY = "2025-10-09"
FORBIDDEN_TOP = ("contact", "agence")
FORBIDDEN = {"entreprise": ("nom", "description", "logo", "url"),
             "lieuTravail": ("commune", "codePostal", "latitude", "longitude"),
             "origineOffre": ("urlOrigine",)}


def _assert_redistributable(offer: dict) -> None:
    assert not set(FORBIDDEN_TOP) & set(offer), offer["id"]
    for obj, keys in FORBIDDEN.items():
        assert not set(keys) & set(offer.get(obj) or {}), (offer["id"], obj)
    for partner in (offer.get("origineOffre") or {}).get("partenaires") or []:
        assert "url" not in partner


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("profile")
    market = sandbox_market(offers=400, seed=11)
    offers = market.offers(list(range(market.n)))
    broken = {**copy.deepcopy(OFFER), "id": "207BROK", "nombrePostes": "deux"}  # a wrong type
    source = write_offers(tmp / "offers.json", [OFFER, *offers, broken])
    pipelines = {"offres_crawler.pipelines.validate.ValidatePipeline": 300,
                 "offres_crawler.pipelines.dedup.DedupPipeline": 400}
    run = run_crawl(tmp, "offers_file", args={"files": source}, settings={
        "OFFRES_EXPORT_PROFILE": "redistribution", "OFFRES_SALARY_NORMALISATION": 1,
        # a user's own ITEM_PIPELINES cannot lose the profile: the add-on puts it back
        "ITEM_PIPELINES": json.dumps(pipelines),
        "OFFRES_SNAPSHOT": 1, "OFFRES_SNAPSHOT_DIR": str(tmp / "offres"), "OFFRES_SNAPSHOT_DATE": DAY,
        "OFFRES_SNAPSHOT_JSONL": 1},
        feeds={str(tmp / "feeds" / "offres.jsonl"): {"format": "jsonl"},
               str(tmp / "feeds" / "offres.parquet"): {"format": "parquet"}})
    assert run.returncode == 0, run.stderr[-3000:]
    return tmp, [OFFER, *offers], broken, run


def test_feeds_hold_no_art7_fields(crawl):
    tmp, offers, _, _ = crawl
    expected = [redistributable(o) for o in offers]
    jsonl = [json.loads(line) for line in (tmp / "feeds" / "offres.jsonl").read_text("utf-8").splitlines()]
    assert [o["id"] for o in jsonl] == [o["id"] for o in offers]
    for got, want in zip(jsonl, expected):
        _assert_redistributable(got)
        got = {k: v for k, v in got.items() if k != "offres_salaire"}
        assert got == want
    parquet = offers_from_table(pq.read_table(tmp / "feeds" / "offres.parquet"))
    assert [o["id"] for o in parquet] == [o["id"] for o in offers]
    for offer in parquet:
        _assert_redistributable(offer)
    day = tmp / "offres" / f"snapshot_date={DAY}"
    snapshot_rows = [json.loads(line) for path in sorted(day.glob("part-*.jsonl.gz"))
                     for line in gzip.open(path, "rt", encoding="utf-8")]
    assert len(snapshot_rows) == len(offers)
    for offer in snapshot_rows + offers_from_table(pq.read_table(next(day.glob("part-*.parquet")))):
        _assert_redistributable(offer)


def test_rejects_feed_is_stripped_too(crawl):
    tmp, _, broken, _ = crawl
    rejects = [json.loads(line) for path in (tmp / "offres" / f"snapshot_date={DAY}" / "_rejects").glob("*.jsonl")
               for line in path.read_text("utf-8").splitlines()]
    assert [r["offer"]["id"] for r in rejects] == [broken["id"]]
    _assert_redistributable(rejects[0]["offer"])
    assert "Acme Robotique" not in json.dumps(rejects[0], ensure_ascii=False)


def test_manifest_beside_each_feed_and_in_the_snapshot(crawl):
    tmp, offers, _, run = crawl
    last_update = max(o["dateActualisation"] for o in offers)
    for name in ("offres.jsonl", "offres.parquet"):
        data = json.loads((tmp / "feeds" / f"{name}.manifest.json").read_text("utf-8"))
        assert data["file"] == name and data["rows"] == len(offers)
        assert data["source"]["name"] == "France Travail"
        assert datetime.fromisoformat(data["last_update"]) == datetime.fromisoformat(last_update)
        assert data["licence"]["name"] == "Licence Offres d'emploi (France Travail)"
        assert data["export_profile"] == "redistribution" and "/contact" in data["removed"]["fields"]
    assert not list((tmp / "offres").rglob("*.manifest.json"))  # the snapshot has its own
    snapshot = json.loads((tmp / "offres" / f"snapshot_date={DAY}" / "_manifest.json").read_text("utf-8"))
    assert snapshot["stats"]["offres/export_profile"] == "redistribution"
    stats = run.stats()
    assert stats["offres/export_profile/offers"] == len(offers) + 1
    assert stats["offres/export_profile/manifests"] == 2


def test_salaries_are_normalised(crawl):
    tmp, offers, _, run = crawl
    jsonl = {o["id"]: o for o in map(json.loads, (tmp / "feeds" / "offres.jsonl").read_text("utf-8").splitlines())}
    with_salary = 0
    for offer in offers:
        salary = normalise_offer(offer)
        got = jsonl[offer["id"]].get("offres_salaire")
        assert got == (salary.as_dict() if salary else None)
        # the original salaire is untouched (but for what the profile scrubs)
        assert jsonl[offer["id"]]["salaire"] == redistributable(offer)["salaire"]
        with_salary += salary is not None
    assert with_salary > 50
    stats = run.stats()
    assert stats["offres/salary/libelle"] + stats.get("offres/salary/commentaire", 0) == with_salary
    frame = load_snapshot(tmp / "feeds" / "offres.parquet")  # the extra column comes back as a column
    assert frame["offres_salaire"].notna().sum() == with_salary


def test_unknown_profile_stops_the_crawl(tmp_path):
    source = write_offers(tmp_path / "offers.json", [OFFER])
    run = run_crawl(tmp_path, "offers_file", args={"files": source}, settings={"OFFRES_EXPORT_PROFILE": "public"},
                    feeds={str(tmp_path / "o.jsonl"): {"format": "jsonl"}})
    assert run.returncode != 0
    assert "OFFRES_EXPORT_PROFILE must be one of full, redistribution, not 'public'" in run.stderr + run.log
    assert not (tmp_path / "o.jsonl").exists()


def test_addon_wiring():
    from scrapy.settings import Settings

    from offres_crawler import settings as project

    settings = Settings({k: getattr(project, k) for k in dir(project) if k.isupper()})
    settings.set("ITEM_PIPELINES", {"offres_crawler.pipelines.export_profile.ExportProfilePipeline": None})
    OffresAddon().update_settings(settings)
    pipelines = settings.getdict("ITEM_PIPELINES")
    assert SalaryPipeline not in pipelines and ExportProfilePipeline not in pipelines
    assert pipelines["offres_crawler.pipelines.export_profile.ExportProfilePipeline"] is None
    settings.set("OFFRES_EXPORT_PROFILE", "redistribution")
    settings.set("OFFRES_SALARY_NORMALISATION", True)
    OffresAddon().update_settings(settings)
    pipelines = settings.getdict("ITEM_PIPELINES")
    assert pipelines[ExportProfilePipeline] == 50 and pipelines[SalaryPipeline] == 500
    assert "offres_crawler.pipelines.export_profile.ExportProfilePipeline" not in pipelines
