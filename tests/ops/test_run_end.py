"""The end of a run, in process: the verdict decides publication, and a publication that fails
becomes a reason of the verdict before anything reads it."""

from __future__ import annotations

import asyncio
import json

import pytest
from scrapy.utils.test import get_crawler

from offres_crawler import settings as project
from offres_crawler.exporters.registry import FeedRegistry
from offres_crawler.extensions.run_end import RunEnd
from offres_crawler.harvest.verdict import HarvestFacts
from offres_crawler.run_context import RunReport, run_context
from offres_crawler.snapshot.state import SnapshotState

DAY = "2025-10-09"


def _end(tmp_path, missing: int = 0):
    settings = {k: getattr(project, k) for k in dir(project) if k.startswith("OFFRES_")}
    settings.update(OFFRES_SNAPSHOT=True, OFFRES_SNAPSHOT_DIR=str(tmp_path / "offres"),
                    OFFRES_DELTAS_ENABLED=False, JOBDIR=str(tmp_path / "job"))
    crawler = get_crawler(settings_dict=settings)
    state, _ = SnapshotState.begin(tmp_path / "offres", tmp_path / "job", DAY)
    FeedRegistry.of(crawler).snapshot = state
    context = run_context(crawler)
    context.harvest = lambda: HarvestFacts(done=True, fatal=None, expected=10, collected=10 - missing,
                                           missing=missing, requests=1)
    context.report = RunReport(tmp_path / "report.json", lambda reason, feeds: {"finish_reason": reason})
    end = RunEnd.from_crawler(crawler)
    end.spider_closed("finished")
    return end, state, context


def _json(path):
    return json.loads(path.read_text("utf-8"))


def test_a_complete_run_publishes_and_every_account_agrees(tmp_path):
    end, state, context = _end(tmp_path)
    asyncio.run(end.engine_stopped())
    assert context.verdict.exit_code == 0 and state.status == "published"
    manifest = _json(state.published_dir / "_manifest.json")
    verdict = _json(tmp_path / "job" / "offres_verdict.json")
    assert manifest["complete"] is True and manifest["verdict"] == verdict["verdict"] == _json(
        tmp_path / "report.json")["verdict"]
    assert verdict["snapshot"]["published"] == str(state.published_dir)
    assert end.crawler.stats.get_value("offres/outcome") == "complete"


def test_an_incomplete_run_only_writes_its_manifest_in_staging(tmp_path):
    end, state, context = _end(tmp_path, missing=2)
    asyncio.run(end.engine_stopped())
    assert context.verdict.exit_code == 3 and not state.published_dir.exists()
    assert _json(state.staging_dir / "_manifest.json")["complete"] is False
    assert _json(tmp_path / "report.json")["complete"] is False


def test_a_publication_that_fails_makes_the_run_incomplete(tmp_path, monkeypatch, caplog):
    end, state, context = _end(tmp_path)

    def disk_full() -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(state, "publish", disk_full)
    asyncio.run(end.engine_stopped())
    verdict = context.verdict
    assert verdict.exit_code == 3 and [r.code for r in verdict.reasons] == ["not_published"]
    assert "No space left on device" in verdict.reasons[0].text
    assert not state.published_dir.exists()
    manifest = _json(state.staging_dir / "_manifest.json")
    assert manifest["complete"] is False and manifest["verdict"]["exit_code"] == 3
    assert _json(tmp_path / "report.json")["verdict"] == manifest["verdict"]
    assert _json(tmp_path / "job" / "offres_verdict.json")["verdict"] == manifest["verdict"]
    assert end.crawler.stats.get_value("offres/outcome") == "incomplete"
    assert caplog.records[-1].getMessage().startswith("OUTCOME: INCOMPLETE - the snapshot could not be published")


@pytest.mark.parametrize("reason", ["shutdown", "offres_bad_argument"])
def test_a_run_that_did_not_finish_fails(tmp_path, reason):
    end, state, context = _end(tmp_path)
    end.spider_closed(reason)
    asyncio.run(end.engine_stopped())
    assert context.verdict.exit_code == 1 and not state.published_dir.exists()
    assert _json(tmp_path / "job" / "offres_verdict.json")["verdict"]["status"] == "failed"
