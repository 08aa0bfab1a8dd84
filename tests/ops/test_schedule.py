"""`offres-crawler schedule` against a stand-in for scrapyd's JSON API, and the add-on that keeps
scrapyd's items_dir / jobs_dir from overriding the project's settings."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from scrapy.settings import Settings

from offres_crawler.extensions.snapshot_state import SnapshotState
from offres_crawler.ops.schedule import EXIT_GAVE_UP, EXIT_OK, main, runs_so_far
from offres_crawler.ops.scrapyd_overrides import ScrapydOverridesAddon, is_scrapyd_items_feed
from tests.ops.snapshots import market_offers, write_snapshot


class FakeScrapyd:
    """listjobs.json answers `jobs`; schedule.json records its form."""

    def __init__(self) -> None:
        self.jobs = {"pending": [], "running": [], "finished": []}
        self.scheduled: list[dict[str, list[str]]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, payload) -> None:
                body = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802
                assert urlparse(self.path).path == "/listjobs.json"
                self._answer({"status": "ok", **fake.jobs})

            def do_POST(self) -> None:  # noqa: N802
                form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
                fake.scheduled.append(form)
                self._answer({"status": "ok", "jobid": form["jobid"][0]})

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def scrapyd():
    fake = FakeScrapyd()
    yield fake
    fake.close()


def _schedule(scrapyd, data, *options):
    return main(["--url", scrapyd.url, "--data-dir", str(data), "--date", "2025-10-09", *options])


def test_the_job_asked_of_scrapyd(scrapyd, tmp_path, capsys):
    assert _schedule(scrapyd, tmp_path, "-s", "OFFRES_RATE_LIMIT=2", "-a", "departement=75") == EXIT_OK
    (form,) = scrapyd.scheduled
    assert form["project"] == ["offres_crawler"] and form["spider"] == ["offres_search"]
    assert form["jobid"][0].startswith("snapshot-2025-10-09-")
    assert form["departement"] == ["75"]
    jobdir = str(tmp_path / "jobs" / "offres_search-2025-10-09")
    assert sorted(form["setting"]) == sorted([
        "OFFRES_SNAPSHOT=1", "OFFRES_SNAPSHOT_DATE=2025-10-09",
        f"OFFRES_SNAPSHOT_DIR={tmp_path / 'offres'}", f"OFFRES_DELTAS_DIR={tmp_path / 'offres_deltas'}",
        f"JOBDIR={jobdir}", f"OFFRES_JOBDIR={jobdir}",
        f"OFFRES_SEARCH_REPORT={tmp_path / 'reports'}/offres_search-2025-10-09_%(time)s.json",
        "OFFRES_SEARCH_OFFERS_URI=", "OFFRES_RATE_LIMIT=2"])
    assert "scheduled job snapshot-2025-10-09-" in capsys.readouterr().out


def test_if_needed_skips_a_day_done_or_under_way_and_gives_up_after_max_runs(scrapyd, tmp_path, capsys):
    scrapyd.jobs["running"] = [{"id": "snapshot-2025-10-09-020000", "spider": "offres_search"}]
    assert _schedule(scrapyd, tmp_path, "--if-needed") == EXIT_OK
    assert "already being made by job snapshot-2025-10-09-020000" in capsys.readouterr().out
    scrapyd.jobs["running"] = [{"id": "snapshot-2025-10-08-020000", "spider": "offres_search"}]

    jobdir = tmp_path / "jobs" / "offres_search-2025-10-09"
    for _ in range(3):  # three runs of the day's snapshot, none of them complete
        SnapshotState.begin(tmp_path / "offres", jobdir, "2025-10-09")
    assert runs_so_far(jobdir) == 3
    assert _schedule(scrapyd, tmp_path, "--if-needed") == EXIT_GAVE_UP
    assert "still incomplete after 3 runs" in capsys.readouterr().err
    assert _schedule(scrapyd, tmp_path, "--if-needed", "--max-runs", "4") == EXIT_OK
    assert len(scrapyd.scheduled) == 1

    write_snapshot(tmp_path / "offres", "2025-10-09", market_offers(5))
    assert _schedule(scrapyd, tmp_path, "--if-needed") == EXIT_OK
    assert "already published" in capsys.readouterr().out
    assert len(scrapyd.scheduled) == 1


def test_unreachable_scrapyd_and_bad_date(tmp_path, capsys):
    assert main(["--url", "http://127.0.0.1:9/", "--data-dir", str(tmp_path)]) == 1
    assert "did not answer schedule.json" in capsys.readouterr().err
    assert main(["--url", "http://127.0.0.1:9/", "--date", "2025-13-01"]) == 1


SCRAPYD_FEED = "file:///var/lib/scrapyd/items/offres_crawler/offres_search/abc.jl"


def test_scrapyd_items_feed_is_recognised():
    assert is_scrapyd_items_feed(SCRAPYD_FEED, {"format": "jsonlines"}, "offres_crawler")
    assert not is_scrapyd_items_feed(SCRAPYD_FEED, {"format": "jsonlines"}, "other")
    assert not is_scrapyd_items_feed(SCRAPYD_FEED, {"format": "jsonlines", "overwrite": True}, "offres_crawler")
    assert not is_scrapyd_items_feed("out/offres_crawler/offres_search/x.jsonl", {"format": "jsonlines"},
                                     "offres_crawler")


def _scrapyd_settings(**project) -> Settings:
    settings = Settings({"FEEDS": {"mine.parquet": {"format": "parquet"}}, **project}, priority="project")
    settings.set("FEEDS", json.dumps({SCRAPYD_FEED: {"format": "jsonlines"}}), priority="cmdline")
    settings.set("JOBDIR", "/var/lib/scrapyd/jobs/offres_crawler/offres_search/abc", priority="cmdline")
    return settings


def test_addon_drops_the_items_feed_of_snapshots_and_restores_the_jobdir(monkeypatch):
    monkeypatch.setenv("SCRAPY_PROJECT", "offres_crawler")
    settings = _scrapyd_settings(OFFRES_SNAPSHOT=True, OFFRES_JOBDIR="/data/jobs/offres_search-2025-10-09")
    ScrapydOverridesAddon().update_settings(settings)
    assert settings.getdict("FEEDS") == {}
    assert settings["JOBDIR"] == "/data/jobs/offres_search-2025-10-09"


def test_addon_keeps_the_only_feed_outside_snapshots_and_does_nothing_outside_scrapyd(monkeypatch, caplog):
    monkeypatch.setenv("SCRAPY_PROJECT", "offres_crawler")
    settings = _scrapyd_settings()
    ScrapydOverridesAddon().update_settings(settings)
    assert list(settings.getdict("FEEDS")) == [SCRAPYD_FEED]
    assert "Leave items_dir empty" in caplog.text
    monkeypatch.delenv("SCRAPY_PROJECT")
    settings = _scrapyd_settings(OFFRES_SNAPSHOT=True, OFFRES_JOBDIR="/data/jobs/x")
    ScrapydOverridesAddon().update_settings(settings)
    assert list(settings.getdict("FEEDS")) == [SCRAPYD_FEED]
    assert settings["JOBDIR"].startswith("/var/lib/scrapyd/jobs/")


def test_subcommands_of_offres_crawler(scrapyd, tmp_path):
    from offres_crawler.cli import main as offres_crawler

    assert offres_crawler(["schedule", "--url", scrapyd.url, "--data-dir", str(tmp_path)]) == EXIT_OK
    assert len(scrapyd.scheduled) == 1
    assert offres_crawler(["deltas", "--snapshots", str(tmp_path / "none")]) == 1
