"""`offres-crawler schedule --fresh`: the hourly job of fresh offers on scrapyd."""

from __future__ import annotations

from offres_crawler.cli.schedule import EXIT_OK, main
from tests.ops.snapshots import write_snapshot
from tests.ops.test_schedule import scrapyd  # noqa: F401 (the fixture)


def _fresh(scrapyd, data):  # noqa: F811
    return main(["--url", scrapyd.url, "--data-dir", str(data), "--fresh", "--if-needed"])


def test_the_fresh_job(scrapyd, tmp_path, capsys):  # noqa: F811
    assert _fresh(scrapyd, tmp_path) == EXIT_OK and scrapyd.scheduled == []
    assert "no snapshot published" in capsys.readouterr().out

    write_snapshot(tmp_path / "offres", "2025-10-09", [])
    scrapyd.jobs["running"] = [{"id": "snapshot-2025-10-10-020000", "spider": "offres_search"}]
    assert _fresh(scrapyd, tmp_path) == EXIT_OK and scrapyd.scheduled == []  # behind the snapshot
    assert "snapshot-2025-10-10-020000 is pending or running" in capsys.readouterr().out

    scrapyd.jobs["running"] = []
    assert _fresh(scrapyd, tmp_path) == EXIT_OK
    (form,) = scrapyd.scheduled
    assert form["jobid"][0].startswith("fresh-")
    settings = dict(s.split("=", 1) for s in form["setting"])
    job = form["jobid"][0]
    assert settings == {"OFFRES_SINCE": "latest", "OFFRES_SNAPSHOT_DIR": str(tmp_path / "offres"),
                        "OFFRES_SEARCH_REPORT": str(tmp_path / "reports" / "fresh_%(time)s.json"),
                        "OFFRES_VERDICT_FILE": str(tmp_path / "verdicts" / f"{job}.json")}
    scrapyd.jobs["pending"] = [{"id": job, "spider": "offres_search"}]
    assert _fresh(scrapyd, tmp_path) == EXIT_OK and len(scrapyd.scheduled) == 1  # not twice
