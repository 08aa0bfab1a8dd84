"""`offres-crawler history` by hand: its defaults (beside the snapshots, as the crawl puts it),
what it refuses before touching anything, a run that has nothing new to do, a rebuild from a
later start; and the setting that runs it at the end of the daily crawl."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from scrapy.settings import Settings

from offres_crawler.cli import main
from offres_crawler.extensions.history import History
from tests.history.scenario import as_truth, days, expected, publish, read_history, truth_dicts

SEQUENCE = days()
DAYS = sorted(SEQUENCE)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    root = tmp_path_factory.mktemp("published")
    for day in DAYS:
        publish(root, day, SEQUENCE[day])
    return root


def _copy(published, tmp_path):
    shutil.copytree(published / "offres", tmp_path / "offres")
    # the deltas where the command looks for them by default: beside the snapshots
    shutil.copytree(published / "deltas", tmp_path / "offres_deltas")


def _history(tmp_path, *args):
    return main(["history", "--snapshots", str(tmp_path / "offres"), *args])


def test_by_hand_beside_the_snapshots_then_nothing_new(tmp_path, published, capsys):
    _copy(published, tmp_path)
    assert _history(tmp_path) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["history"] == str((tmp_path / "offres_history").resolve())
    assert [a["date"] for a in report["applied"]] == DAYS
    assert [a["source"] for a in report["applied"]] == ["snapshot", "deltas", "deltas", "deltas"]
    assert any("no snapshot between 2025-10-02 and 2025-10-04" in n for n in report["notes"])
    assert as_truth(read_history(tmp_path / "offres_history")) == truth_dicts(expected(SEQUENCE))
    current = os.readlink(tmp_path / "offres_history" / "current")

    assert _history(tmp_path) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["applied"] == [] and again["latest"] == DAYS[-1]
    assert os.readlink(tmp_path / "offres_history" / "current") == current


def test_a_rebuild_from_a_later_start(tmp_path, published, capsys):
    _copy(published, tmp_path)
    assert _history(tmp_path) == 0
    capsys.readouterr()
    # a different start on a history that exists: refused, unless rebuilt
    assert _history(tmp_path, "--start", DAYS[1]) == 1
    assert f"--start {DAYS[1]}: the history in" in capsys.readouterr().err
    assert _history(tmp_path, "--start", DAYS[1], "--rebuild") == 0
    report = json.loads(capsys.readouterr().out)
    assert [a["date"] for a in report["applied"]] == DAYS[1:]
    later = {d: SEQUENCE[d] for d in DAYS[1:]}
    assert as_truth(read_history(tmp_path / "offres_history")) == truth_dicts(expected(later))


@pytest.mark.parametrize("args, error", [
    (["--start", "2025-13-01"], "--start '2025-13-01' is not a date YYYY-MM-DD"),
    (["--start", "2025-11-01"], "--start 2025-11-01: no published snapshot on or after it in"),
    (["--keep", "1"], "--keep 1: at least 2 checkpoints"),
])
def test_bad_input_is_refused_before_anything_is_written(tmp_path, published, capsys, args, error):
    _copy(published, tmp_path)
    assert _history(tmp_path, *args) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and error in err[0]
    assert not (tmp_path / "offres_history").exists()


def test_no_published_snapshot(tmp_path, capsys):
    (tmp_path / "offres").mkdir()
    assert _history(tmp_path, "--history", str(tmp_path / "h")) == 1
    assert f"no published snapshot in {tmp_path / 'offres'}" in capsys.readouterr().err
    assert not (tmp_path / "h").exists()


def _settings(**values) -> Settings:
    settings = Settings()
    settings.setmodule("offres_crawler.settings")
    settings.setdict({"OFFRES_SNAPSHOT": True, "OFFRES_SNAPSHOT_DIR": "/data/offres", **values})
    return settings


def test_the_daily_crawl_updates_it_when_the_setting_says_so(tmp_path):
    history = History.from_settings(_settings(), tmp_path / "deltas")
    assert history is not None and history.root == Path("/data/offres_history")
    assert history.keep == 7 and history.deltas_root == tmp_path / "deltas"
    assert History.from_settings(_settings(OFFRES_HISTORY_DIR=str(tmp_path / "h")), None).root == tmp_path / "h"
    assert History.from_settings(_settings(OFFRES_HISTORY_ENABLED=False), None) is None
    assert History.from_settings(_settings(OFFRES_SNAPSHOT=False), None) is None
