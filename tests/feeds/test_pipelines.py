"""The validation and dedup pipelines, called directly (built through from_crawler)."""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import json

import pytest
from scrapy.exceptions import DropItem, NotConfigured

from offres_crawler.pipelines.dedup import DedupPipeline
from offres_crawler.pipelines.validate import ValidatePipeline
from tests.feeds.spiders import OffersFileSpider
from tests.project_settings import project_crawler

OFFER = {"id": "179LKRN", "intitule": "Boulanger", "dateActualisation": "2024-11-28T11:57:05.591Z",
         "lieuTravail": {"libelle": "69 - LYON 03", "latitude": 45.7}}


def _crawler(tmp_path, **settings):
    crawler = project_crawler(OffersFileSpider, {"OFFRES_OFFER_SPIDERS": ["offers_file"],
                                             "OFFRES_REJECTS_URI": str(tmp_path / "rejects.jsonl"),
                                             **settings})
    crawler.spider = OffersFileSpider.from_crawler(crawler)
    return crawler


def _with(**changes):
    offer = copy.deepcopy(OFFER)
    offer.update(changes)
    return offer


def test_valid_offers_pass_untouched_unknown_keys_counted(tmp_path):
    crawler = _crawler(tmp_path)
    pipeline = ValidatePipeline.from_crawler(crawler)
    offer = _with(nouveau=1, lieuTravail={"libelle": "x", "pays": "FR"})
    snapshot = copy.deepcopy(offer)
    assert pipeline.process_item(offer) is offer
    assert offer == snapshot
    stats = crawler.stats.get_stats()
    assert stats["offres/unknown_keys/nouveau"] == 1
    assert stats["offres/unknown_keys/lieuTravail.pays"] == 1
    assert stats["offres/validate/valid"] == 1
    asyncio.run(pipeline.close_spider())
    assert not (tmp_path / "rejects.jsonl").exists()  # no rejects, no file


def test_invalid_offers_go_to_the_rejects_feed_once(tmp_path):
    crawler = _crawler(tmp_path)
    pipeline = ValidatePipeline.from_crawler(crawler)
    broken = [_with(nombrePostes="1"), {"intitule": "sans id"}, _with(id="8521039", dateActualisation="hier")]
    for offer in [*broken, *copy.deepcopy(broken)]:  # overlapping slices repeat them
        with pytest.raises(DropItem):
            pipeline.process_item(offer)
    asyncio.run(pipeline.close_spider())
    records = [json.loads(line) for line in (tmp_path / "rejects.jsonl").read_text("utf-8").splitlines()]
    assert [r["offer"] for r in records] == broken
    assert [r["reason"] for r in records] == [
        "bad_type: nombrePostes expected integer, got string",
        "missing_id: id is missing",
        "bad_date: dateActualisation unparseable date 'hier'"]
    assert records[0]["problems"] == [{"code": "bad_type", "path": "nombrePostes",
                                       "message": "expected integer, got string"}]
    stats = crawler.stats.get_stats()
    assert (stats["offres/rejects/count"], stats["offres/rejects/duplicates"]) == (3, 3)
    assert (stats["offres/rejects/bad_type"], stats["offres/rejects/missing_id"],
            stats["offres/rejects/bad_date"]) == (1, 1, 1)


def test_pipelines_leave_other_spiders_alone(tmp_path):
    crawler = project_crawler(OffersFileSpider, {"OFFRES_OFFER_SPIDERS": ["offres_search"]})
    for pipeline_cls in (ValidatePipeline, DedupPipeline):
        with pytest.raises(NotConfigured):
            pipeline_cls.from_crawler(crawler)


def test_records_that_are_not_offers_pass_through(tmp_path):
    @dataclasses.dataclass
    class Withdrawal:
        id: str
        seen_withdrawn_at: float

    crawler = _crawler(tmp_path)
    record = Withdrawal("179LKRN", 1.0)
    for pipeline in (ValidatePipeline.from_crawler(crawler), DedupPipeline.from_crawler(crawler)):
        assert pipeline.process_item(record) is record
        assert pipeline.process_item(record) is record
    assert not [k for k in crawler.stats.get_stats() if k.startswith("offres/")]


def test_dedup_keeps_first_and_newer_copies(tmp_path):
    crawler = _crawler(tmp_path)
    pipeline = DedupPipeline.from_crawler(crawler)
    asyncio.run(pipeline.open_spider())
    newer = _with(dateActualisation="2024-12-01T00:00:00Z", intitule="v2")
    assert pipeline.process_item(OFFER) is OFFER
    with pytest.raises(DropItem):
        pipeline.process_item(copy.deepcopy(OFFER))
    assert pipeline.process_item(newer) is newer
    with pytest.raises(DropItem):
        pipeline.process_item(copy.deepcopy(OFFER))  # the older copy again
    assert pipeline.process_item(_with(id="8521039")) is not None
    stats = crawler.stats.get_stats()
    assert (stats["offres/dedup/unique"], stats["offres/dedup/superseded"],
            stats["offres/dedup/duplicates"]) == (2, 1, 2)


def test_dedup_state_survives_in_the_jobdir(tmp_path):
    jobdir = tmp_path / "job"
    first = DedupPipeline.from_crawler(_crawler(tmp_path, JOBDIR=str(jobdir)))
    asyncio.run(first.open_spider())
    for n in range(100):
        first.process_item(_with(id=f"{n:07d}"))
    asyncio.run(first.close_spider())
    assert (jobdir / "offres_dedup" / "state.npy").is_file()
    crawler = _crawler(tmp_path, JOBDIR=str(jobdir))
    second = DedupPipeline.from_crawler(crawler)
    asyncio.run(second.open_spider())
    assert crawler.stats.get_value("offres/dedup/restored") == 100
    with pytest.raises(DropItem):
        second.process_item(_with(id="0000042"))
    assert second.process_item(_with(id="0000042", dateActualisation="2030-01-01T00:00:00Z"))
    assert second.process_item(_with(id="0000100"))


def test_keys_and_values_from_the_api_stay_short_lines_in_stats_and_log(tmp_path, caplog):
    from offres_crawler.pipelines.validate import OTHER_UNKNOWN_KEYS, UNKNOWN_KEY_STATS

    crawler = _crawler(tmp_path)
    pipeline = ValidatePipeline.from_crawler(crawler)
    forged = "a\nOUTCOME: COMPLETE" + "x" * 500
    pipeline.process_item(_with(**{forged: 1}))
    for n in range(UNKNOWN_KEY_STATS + 50):  # a key name per offer: the stats stay bounded
        pipeline.process_item(_with(**{f"k{n}": 1}))
    stats = crawler.stats.get_stats()
    unknown = [k for k in stats if k.startswith("offres/unknown_keys/")]
    assert len(unknown) == UNKNOWN_KEY_STATS + 1 and stats[OTHER_UNKNOWN_KEYS] == 51
    assert "offres/unknown_keys/a\\nOUTCOME: COMPLETExxx" in "".join(unknown)
    assert all("\n" not in k and len(k) < 150 for k in unknown)
    dropped = []
    for offer in (_with(dateActualisation="2024\nOUTCOME: COMPLETE" + "9" * 10_000), _with(id=["x"] * 10_000)):
        with pytest.raises(DropItem) as drop:
            pipeline.process_item(offer)
        dropped.append(str(drop.value))
    warnings = [r.getMessage() for r in caplog.records if "Rejected offer" in r.getMessage()]
    assert len(warnings) == 2 and "2024\\nOUTCOME: COMPLETE99" in warnings[0] + dropped[0]
    assert warnings[1].startswith("Rejected offer ['x', 'x',") and "more characters" in warnings[1]
    for line in warnings + dropped:
        assert "\n" not in line and len(line) < 500, line
    asyncio.run(pipeline.close_spider())
    records = [json.loads(line) for line in (tmp_path / "rejects.jsonl").read_text("utf-8").splitlines()]
    assert records[1]["offer"]["id"] == ["x"] * 10_000  # the rejects feed keeps the offer as it came
