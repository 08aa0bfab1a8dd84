"""`make demo` as a newcomer runs it (`python -m offres_crawler.demo`, no credentials): the embedded
sandbox, a full-market snapshot published, the summary and the HTML report; a smaller market
through OFFRES_DEMO_OFFERS so that it runs in seconds."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.ops.scrapydproc import clean_env

pytest.importorskip("matplotlib")  # the demo's report (the [report] extra that `make demo` installs)


def demo(tmp_path, offers: str) -> subprocess.CompletedProcess:
    env = clean_env(SCRAPY_SETTINGS_MODULE="offres_crawler.settings", OFFRES_DEMO_OFFERS=offers)
    return subprocess.run([sys.executable, "-m", "offres_crawler.demo"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def test_the_demo_publishes_a_complete_snapshot_and_its_report(tmp_path):
    run = demo(tmp_path, "1200")
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-3000:]
    root = tmp_path / "output" / "sandbox-demo"
    [snapshot] = sorted((root / "offres").glob("snapshot_date=*"))
    manifest = json.loads((snapshot / "_manifest.json").read_text(encoding="utf-8"))
    verdict = manifest["verdict"]
    assert verdict["status"] == "complete" and verdict["exit_code"] == 0
    assert verdict["counts"]["collected"] == 1200 == manifest["counts"]["offers"]
    assert manifest["history"]["totals"] == {"records": 1200, "online": 1200, "withdrawn": 0}
    assert "scrapy crawl exit code: 0" in out
    assert f"HTML report: {root / 'report.html'}".replace(str(tmp_path) + "/", "") in out
    assert (root / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not (tmp_path / "output" / "offres").exists()  # synthetic data never beside real snapshots


def test_a_bad_market_size_is_refused_before_anything_starts(tmp_path):
    run = demo(tmp_path, "20k")
    assert run.returncode != 0
    assert run.stderr.strip() == "OFFRES_DEMO_OFFERS='20k': a whole number from 1 to 2000000"
    assert not (tmp_path / "output").exists()
