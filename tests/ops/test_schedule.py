"""`offres-crawler schedule` against a stand-in for scrapyd's JSON API, and the add-on that keeps
scrapyd's items_dir / jobs_dir from overriding the project's settings."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from scrapy.settings import Settings

from offres_crawler.addon import OffresAddon
from offres_crawler.addon_scrapyd import is_scrapyd_items_feed
from offres_crawler.cli.schedule import EXIT_GAVE_UP, EXIT_OK, main, runs_so_far
from offres_crawler.snapshot.state import SnapshotState
from tests.ops.snapshots import market_offers, write_snapshot
from tests.project_settings import OFFRES_DEFAULTS


class FakeScrapyd:
    """listjobs.json answers `jobs`; schedule.json records its form."""

    def __init__(self) -> None:
        self.jobs = {"pending": [], "running": [], "finished": []}
        self.scheduled: list[dict[str, list[str]]] = []
        self.on_schedule = None  # called with the form: plays the job
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, payload) -> None:
                body = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                assert urlparse(self.path).path == "/listjobs.json"
                self._answer({"status": "ok", **fake.jobs})

            def do_POST(self) -> None:
                form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
                fake.scheduled.append(form)
                if fake.on_schedule is not None:
                    fake.on_schedule(form)
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
        f"OFFRES_VERDICT_FILE={tmp_path / 'verdicts' / form['jobid'][0]}.json",
        "OFFRES_RATE_LIMIT=2"])
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


FORGED_LOG = ("2025-10-09 02:00:01 [offres_crawler.transport.retry] ERROR: API refused <GET ...> (400): "
              "bad\nOUTCOME: COMPLETE - every offer reported by the API was collected (exit code 0)\n")


def _job_ends(scrapyd, verdict: dict | None):
    """When scheduled, the job 'runs': its log ends with a forged OUTCOME line (API text), and
    it writes `verdict` to its verdict file (None: killed before it could)."""
    def play(form):
        settings = dict(pair.split("=", 1) for pair in form["setting"])
        if verdict is not None:
            path = Path(settings["OFFRES_VERDICT_FILE"])
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(verdict), encoding="utf-8")
        scrapyd.jobs["finished"] = [{"id": form["jobid"][0], "spider": "offres_search",
                                     "log_url": "/logs/x.log", "log": FORGED_LOG}]
    scrapyd.on_schedule = play


def _verdict(status: str, exit_code: int, line: str) -> dict:
    return {"format": 1, "verdict": {"complete": exit_code == 0, "exit_code": exit_code,
                                     "status": status, "reasons": []}, "line": line}


def test_wait_takes_the_exit_code_from_the_jobs_verdict_file_never_from_its_log(scrapyd, tmp_path, capsys):
    incomplete = "OUTCOME: INCOMPLETE - 3 requests failed (exit code 3)"
    _job_ends(scrapyd, _verdict("incomplete", 3, incomplete))
    assert _schedule(scrapyd, tmp_path, "--wait", "--poll", "0.05") == 3
    assert capsys.readouterr().out.splitlines()[-1] == incomplete

    _job_ends(scrapyd, _verdict("complete", 0, "OUTCOME: COMPLETE - snapshot published (exit code 0)"))
    assert _schedule(scrapyd, tmp_path, "--wait", "--poll", "0.05") == 0

    # killed before its verdict: the forged line of its log is not believed
    _job_ends(scrapyd, None)
    assert _schedule(scrapyd, tmp_path, "--wait", "--poll", "0.05") == 1
    captured = capsys.readouterr()
    assert "ended without a verdict" in captured.err
    assert "COMPLETE" not in captured.out.splitlines()[-1]


def test_wait_ignores_a_verdict_file_left_before_the_job(scrapyd, tmp_path, capsys):
    stale = _verdict("complete", 0, "OUTCOME: COMPLETE - an earlier job (exit code 0)")
    def play(form):  # the path is known before the job starts: something wrote there already
        settings = dict(pair.split("=", 1) for pair in form["setting"])
        assert not Path(settings["OFFRES_VERDICT_FILE"]).exists()
        scrapyd.jobs["finished"] = [{"id": form["jobid"][0], "spider": "offres_search"}]
    verdicts = tmp_path / "verdicts"
    verdicts.mkdir()
    scrapyd.on_schedule = play
    real_now = datetime.now(tz=UTC)
    (verdicts / f"snapshot-2025-10-09-{real_now:%H%M%S}.json").write_text(json.dumps(stale))
    assert _schedule(scrapyd, tmp_path, "--wait", "--poll", "0.05") == 1


def test_a_verdict_line_cannot_forge_lines_on_the_terminal(scrapyd, tmp_path, capsys):
    _job_ends(scrapyd, _verdict("failed", 1, "OUTCOME: FAILED - x\nOUTCOME: COMPLETE (exit code 0)"))
    assert _schedule(scrapyd, tmp_path, "--wait", "--poll", "0.05") == 1
    (line,) = [line for line in capsys.readouterr().out.splitlines() if "OUTCOME" in line]
    assert line.startswith("OUTCOME: FAILED - x\\nOUTCOME: COMPLETE")


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
    settings = Settings({**OFFRES_DEFAULTS, "FEEDS": {"mine.parquet": {"format": "parquet"}}, **project},
                        priority="project")
    settings.set("FEEDS", json.dumps({SCRAPYD_FEED: {"format": "jsonlines"}}), priority="cmdline")
    settings.set("JOBDIR", "/var/lib/scrapyd/jobs/offres_crawler/offres_search/abc", priority="cmdline")
    return settings


def test_addon_drops_the_items_feed_of_snapshots_and_restores_the_jobdir(monkeypatch):
    monkeypatch.setenv("SCRAPY_PROJECT", "offres_crawler")
    settings = _scrapyd_settings(OFFRES_SNAPSHOT=True, OFFRES_JOBDIR="/data/jobs/offres_search-2025-10-09")
    OffresAddon().update_settings(settings)
    feeds = settings.getdict("FEEDS")  # only the snapshot's own part feeds are left
    assert feeds and all(uri.startswith("%(offres_snapshot_dir)s/_inprogress/") for uri in feeds)
    assert settings["JOBDIR"] == "/data/jobs/offres_search-2025-10-09"


def test_addon_keeps_the_only_feed_outside_snapshots_and_does_nothing_outside_scrapyd(monkeypatch, caplog):
    monkeypatch.setenv("SCRAPY_PROJECT", "offres_crawler")
    settings = _scrapyd_settings()
    OffresAddon().update_settings(settings)
    assert list(settings.getdict("FEEDS")) == [SCRAPYD_FEED]
    assert "Leave items_dir empty" in caplog.text
    monkeypatch.delenv("SCRAPY_PROJECT")
    settings = _scrapyd_settings(OFFRES_SNAPSHOT=True, OFFRES_JOBDIR="/data/jobs/x")
    OffresAddon().update_settings(settings)
    feeds = settings.getdict("FEEDS")
    assert [uri for uri in feeds if not uri.startswith("%(offres_snapshot_dir)s/")] == [SCRAPYD_FEED]
    assert settings["JOBDIR"].startswith("/var/lib/scrapyd/jobs/")


def test_subcommands_of_offres_crawler(scrapyd, tmp_path):
    from offres_crawler.cli import main as offres_crawler

    assert offres_crawler(["schedule", "--url", scrapyd.url, "--data-dir", str(tmp_path)]) == EXIT_OK
    assert len(scrapyd.scheduled) == 1
    assert offres_crawler(["deltas", "--snapshots", str(tmp_path / "none")]) == 1
