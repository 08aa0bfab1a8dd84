"""The daily snapshot on a real scrapyd 1.6: deployed with scrapyd-deploy from the project's
`[deploy]` target, scheduled with `offres-crawler schedule` against the sandbox, credentials in
scrapyd's environment only, scrapyd's items_dir and jobs_dir set (they must not override the
project's settings), and the outcome in the exit code and the job's log."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from offres_crawler import __version__
from tests.ops.crawlproc import snapshot_ids
from tests.ops.scrapydproc import ROOT, Scrapyd, clean_env, copy_project

PROJECT = "offres_crawler"


@pytest.fixture
def scrapyd(tmp_path, sandbox_factory):
    sb = sandbox_factory("--offers", "3000", "--seed", "4", "--rate-limit", "50")
    sd = Scrapyd(tmp_path / "scrapyd", env={"OFFRES_CLIENT_ID": sb.client_id,
                                            "OFFRES_CLIENT_SECRET": sb.client_secret}).start()
    yield sd, sb
    sd.stop()


def schedule(sd: Scrapyd, sb, data, day: str, *options: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "offres_crawler.cli.schedule", "--url", sd.url, "--date", day,
           "--data-dir", str(data), "--poll", "0.3", "--timeout", "120",
           "-s", f"OFFRES_API_URL={sb.api_url}", "-s", f"OFFRES_TOKEN_URL={sb.token_url}",
           "-s", "OFFRES_RATE_LIMIT=40", "-s", "OFFRES_RETRY_BACKOFF_BASE=0.05", *options]
    return subprocess.run(cmd, cwd=data.parent, env=clean_env(PYTHONPATH=str(ROOT)),
                          capture_output=True, text=True, timeout=180, check=False)


def _jobs(sd: Scrapyd) -> dict:
    return sd.get("listjobs.json", {"project": PROJECT})


def test_deploy_schedule_and_outcome_on_scrapyd(scrapyd, tmp_path):
    sd, sb = scrapyd
    deploy = sd.deploy(copy_project(tmp_path / "checkout"))
    assert deploy.returncode == 0, deploy.stderr
    assert json.loads(deploy.stdout)["status"] == "ok"
    assert "offres_search" in sd.get("listspiders.json", {"project": PROJECT})["spiders"]
    data = tmp_path / "data"

    # the day's snapshot, followed to its end
    run = schedule(sd, sb, data, "2025-10-09", "--wait")
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines()[-1].startswith("OUTCOME: COMPLETE - snapshot 2025-10-09 published")
    day = data / "offres" / "snapshot_date=2025-10-09"
    ids = snapshot_ids(day)
    assert len(ids) == len(set(ids)) and set(ids) == set(sb.control("alive")["ids"])
    reports = list((data / "reports").glob("offres_search-2025-10-09_*.json"))
    assert len(reports) == 1
    report = json.loads(reports[0].read_text(encoding="utf-8"))
    assert report["complete"] is True
    assert report["completeness"]["collected_unique"] == report["completeness"]["expected"] == len(ids)
    assert json.loads((day / "_manifest.json").read_text(encoding="utf-8"))["complete"] is True

    # items_dir and jobs_dir did not override the project: no items copy, our JOBDIR
    assert list((sd.home / "items").rglob("*.jl")) == []
    assert list((sd.home / "jobs").rglob("*")) == []
    assert (data / "jobs" / "offres_search-2025-10-09" / "offres_snapshot.json").is_file()
    (finished,) = _jobs(sd)["finished"]
    log = sd.raw(finished["log_url"])
    assert f"offres_crawler {__version__} loaded from {sd.home / 'eggs' / PROJECT}" in log  # the egg ran
    assert log.rstrip().splitlines()[-1].endswith(run.stdout.splitlines()[-1])

    # the half-hourly cron tick: the day is done, nothing is scheduled again
    again = schedule(sd, sb, data, "2025-10-09", "--if-needed")
    assert again.returncode == 0 and "already published" in again.stdout
    assert len(_jobs(sd)["finished"]) == 1 and not _jobs(sd)["pending"]

    # a day when the API fails: the job says so, nothing is published, exit code 1
    sb.control("faults", {"fault_5xx": 1.0})
    failed = schedule(sd, sb, data, "2025-10-10", "--wait", "-s", "OFFRES_RETRY_TIMES=1")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert failed.stdout.splitlines()[-1].startswith("OUTCOME: FAILED")
    assert "snapshot 2025-10-10 left unpublished" in failed.stdout
    assert not (data / "offres" / "snapshot_date=2025-10-10").exists()
    assert "Process died: exitstatus=1" in sd.log()

    # the next tick after the API is back resumes that day's snapshot from its JOBDIR
    sb.control("faults", {"fault_5xx": 0.0})
    resumed = schedule(sd, sb, data, "2025-10-10", "--if-needed", "--wait")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    manifest = json.loads((data / "offres" / "snapshot_date=2025-10-10" / "_manifest.json").read_text())
    assert manifest["complete"] is True and manifest["crawl"]["runs"] == 2
    assert manifest["deltas"]["previous_snapshot_date"] == "2025-10-09"
    assert manifest["deltas"]["counts"]["unchanged"] == len(ids)

    # credentials: in scrapyd's environment only, never in what scrapyd shows or keeps
    secret = sb.client_secret
    shown = [sd.raw("listjobs.json"), sd.log(),
             *(sd.raw(job["log_url"]) for job in _jobs(sd)["finished"])]
    assert all(secret not in text for text in shown)
    assert all(secret.encode() not in path.read_bytes()
               for path in (sd.home / "dbs").rglob("*") if path.is_file())


def test_credentials_are_refused_as_settings_or_arguments(tmp_path):
    for option in (["-s", "OFFRES_CLIENT_SECRET=x"], ["-a", "client_id=x"], ["-s", "OFFRES_CLIENT_ID=x"]):
        cmd = [sys.executable, "-m", "offres_crawler.cli.schedule", "--url", "http://127.0.0.1:9/",
               "--data-dir", str(tmp_path), *option]
        run = subprocess.run(cmd, cwd=tmp_path, env=clean_env(PYTHONPATH=str(ROOT)),
                             capture_output=True, text=True, timeout=60, check=False)
        assert run.returncode == 1
        assert "credentials are never passed to scrapyd" in run.stderr
        assert "scrapyd at" not in run.stderr  # refused before any request
