"""The history against snapshots whose truth is known: created, updated (by date and by content),
withdrawn and re-appeared offers, a missing day, a day applied twice, a snapshot published again
or late, deltas missing, and updates interrupted at every step."""

from __future__ import annotations

import os
import shutil

import pytest

from offres_crawler.snapshot.history import store as store_module
from offres_crawler.snapshot.history.update import update_history
from tests.history.scenario import as_truth, days, expected, publish, read_history, truth_dicts

SEQUENCE = days()
DAYS = sorted(SEQUENCE)


def _update(tmp_path, **options):
    return update_history(tmp_path / "offres", tmp_path / "history", tmp_path / "deltas", **options)


def _sorted_rows(tmp_path):
    return read_history(tmp_path / "history").sort_by("id").to_pylist()


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The four snapshots and their deltas, written once for the tests that take them as they are."""
    root = tmp_path_factory.mktemp("published")
    for day in DAYS:
        publish(root, day, SEQUENCE[day])
    return root


def _publish_all(tmp_path, template=None, **options):
    if template is not None:
        for name in ("offres", "deltas"):
            shutil.copytree(template / name, tmp_path / name)
        return
    for day in DAYS:
        publish(tmp_path, day, SEQUENCE[day], **options)


def test_history_matches_the_known_truth(tmp_path, published):
    _publish_all(tmp_path, published)
    report = _update(tmp_path)

    table = read_history(tmp_path / "history")
    assert table.num_rows == len(set(table.column("id").to_pylist()))  # one record per offer
    truth = expected(SEQUENCE)
    assert as_truth(table) == truth_dicts(truth)
    # what makes the truth interesting is there
    got = as_truth(table)
    assert got[SEQUENCE[DAYS[0]][0]["id"]]["reappeared"] == 1
    assert any(r["changes"] and r["versions"] == 1 for r in got.values())  # content-only update
    assert any(r["versions"] == 3 for r in got.values())
    # the descriptive fields are the latest copy's
    for row in table.to_pylist():
        copy = truth[row["id"]].copy
        assert row["last_dateActualisation"] == copy["dateActualisation"]
        assert row["dateCreation"] == copy["dateCreation"]
        assert row["romeCode"] == (copy.get("romeCode") or None)
        assert row["typeContrat"] == (copy.get("typeContrat") or None)
        assert row["origine"] == copy["origineOffre"]["origine"]
    # what was done, and said
    assert [a["date"] for a in report["applied"]] == DAYS
    assert [a["source"] for a in report["applied"]] == ["snapshot", "deltas", "deltas", "deltas"]
    assert report["applied"][2]["gap_days"] == 1
    assert any("no snapshot between 2025-10-02 and 2025-10-04" in n for n in report["notes"])
    assert report["totals"] == {"records": table.num_rows, "online": len(SEQUENCE[DAYS[-1]]),
                                "withdrawn": table.num_rows - len(SEQUENCE[DAYS[-1]])}
    c = report["applied"][1]["counts"]
    assert (c["created"], c["updated"], c["withdrawn"], c["inconsistent"]) == (50, 2, 10, 0)


def test_day_by_day_equals_catching_up_and_a_rerun_does_nothing(tmp_path, published):
    for day in DAYS:  # as the daily crawl does it
        publish(tmp_path / "a", day, SEQUENCE[day])
        report = _update(tmp_path / "a")
        assert [a["date"] for a in report["applied"]] == [day]
    current = os.readlink(tmp_path / "a" / "history" / "current")
    again = _update(tmp_path / "a")
    assert again["applied"] == [] and again["notes"] == []
    assert os.readlink(tmp_path / "a" / "history" / "current") == current

    _publish_all(tmp_path / "b", published)
    _update(tmp_path / "b")
    assert _sorted_rows(tmp_path / "a") == _sorted_rows(tmp_path / "b")


def test_a_day_published_again_replaces_what_it_brought(tmp_path, published):
    _publish_all(tmp_path, published)
    _update(tmp_path)
    last = DAYS[-1]
    rerun = SEQUENCE[last][:-50]  # the same date crawled again: 50 offers fewer
    publish(tmp_path, last, rerun, finished="2")
    report = _update(tmp_path)
    assert [a["date"] for a in report["applied"]] == [last]
    assert any(f"snapshot {last} was published again" in n for n in report["notes"])
    assert as_truth(read_history(tmp_path / "history")) == truth_dicts(expected({**SEQUENCE, last: rerun}))


def test_a_snapshot_published_late_is_put_in_its_place(tmp_path):
    late = DAYS[2]
    for day in DAYS:
        if day != late:
            publish(tmp_path, day, SEQUENCE[day])
    _update(tmp_path)
    publish(tmp_path, late, SEQUENCE[late])  # its deltas compare it with the day before it
    report = _update(tmp_path)
    assert [a["date"] for a in report["applied"]] == [late, DAYS[3]]
    assert any(f"snapshot {late} was published after the history had reached {DAYS[3]}" in n
               for n in report["notes"])
    # the deltas of the day after it still compare it with the day before: the snapshots are
    # compared instead
    assert report["applied"][1]["source"] == "compared"
    assert as_truth(read_history(tmp_path / "history")) == truth_dicts(expected(SEQUENCE))


def test_without_deltas_the_snapshots_are_compared(tmp_path):
    _publish_all(tmp_path, deltas=False)
    report = _update(tmp_path)
    assert [a["source"] for a in report["applied"]] == ["snapshot", "compared", "compared", "compared"]
    assert as_truth(read_history(tmp_path / "history")) == truth_dicts(expected(SEQUENCE))


def test_checkpoints_are_kept_as_asked(tmp_path, published):
    _publish_all(tmp_path, published)
    _update(tmp_path, keep=2)
    generations = sorted(p.name for p in (tmp_path / "history" / "_generations").iterdir())
    assert [g[-10:] for g in generations] == DAYS[-2:]


class Killed(Exception):
    pass


def _fail_at(monkeypatch, where: str, after: int):
    """Make the `after`-th call of one step of an update raise, as a kill there would stop it."""
    calls = {"n": 0}

    def hit():
        calls["n"] += 1
        if calls["n"] == after:
            raise Killed(where)

    if where == "writing":
        original = store_module.write_records
        monkeypatch.setattr(store_module, "write_records", lambda *a, **k: (hit(), original(*a, **k)))
    elif where == "renamed":  # the generation is in place, `current` not switched yet
        original = store_module.replace_durably
        monkeypatch.setattr(store_module, "replace_durably", lambda *a: (original(*a), hit()))
    elif where == "switched":  # `current` switched, old generations not pruned yet
        original = store_module.HistoryStore.prune
        monkeypatch.setattr(store_module.HistoryStore, "prune", lambda self: (hit(), original(self)))


@pytest.mark.parametrize("where", ["writing", "renamed", "switched"])
def test_an_interrupted_update_leaves_a_consistent_history(tmp_path, published, monkeypatch, where):
    _publish_all(tmp_path, published)
    _update(tmp_path, keep=2)  # the history as of the last day
    publish(tmp_path, DAYS[-1], SEQUENCE[DAYS[-1]][:-30], finished="2")  # a day to apply again
    before = _sorted_rows(tmp_path)
    with monkeypatch.context() as patch:
        _fail_at(patch, where, after=1)
        with pytest.raises(Killed):
            _update(tmp_path, keep=2)
    after = _sorted_rows(tmp_path)
    if where == "switched":
        assert after != before  # the new generation is the current one
    else:
        assert after == before  # still the old one, whole
    assert len({r["id"] for r in after}) == len(after)
    _update(tmp_path, keep=2)
    expected_rows = truth_dicts(expected({**SEQUENCE, DAYS[-1]: SEQUENCE[DAYS[-1]][:-30]}))
    assert as_truth(read_history(tmp_path / "history")) == expected_rows
    leftovers = [p.name for p in (tmp_path / "history" / "_generations").iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_engines_read_one_record_per_offer(tmp_path, published):
    duckdb = pytest.importorskip("duckdb")
    polars = pytest.importorskip("polars")
    _publish_all(tmp_path, published)
    _update(tmp_path)
    pattern = str(tmp_path / "history" / "current" / "offers" / "*.parquet")
    ids, distinct, withdrawn = duckdb.sql(f"SELECT count(*), count(DISTINCT id), count(withdrawn_on) "
                                          f"FROM read_parquet('{pattern}')").fetchall()[0]
    frame = polars.read_parquet(pattern)
    assert ids == distinct == frame.height == len(expected(SEQUENCE))
    assert withdrawn == frame["withdrawn_on"].is_not_null().sum() == len(expected(SEQUENCE)) - len(SEQUENCE[DAYS[-1]])
    assert str(frame.schema["first_seen"]) == "Date"


def test_offers_that_go_and_come_back_more_than_once(tmp_path):
    """Every offer withdrawn on a day comes back (that day's file goes), and one offer goes and
    comes back twice: one record each, whatever the days' files held."""
    o = SEQUENCE[DAYS[0]][:20]
    sequence = {"2025-10-01": o, "2025-10-02": o[2:], "2025-10-03": [*o[:5], *o[6:]],
                "2025-10-04": o[1:], "2025-10-05": o}
    for day, offers in sequence.items():
        publish(tmp_path, day, offers)
    report = _update(tmp_path)
    assert [a["counts"]["reappeared"] for a in report["applied"][1:]] == [0, 2, 1, 1]
    table = read_history(tmp_path / "history")
    assert table.num_rows == len(set(table.column("id").to_pylist())) == 20
    assert as_truth(table) == truth_dicts(expected(sequence))
    assert as_truth(table)[o[0]["id"]]["reappeared"] == 2
    files = sorted(p.name for p in (tmp_path / "history" / "current" / "offers").iterdir())
    assert files == ["online.parquet"]  # each day's withdrawals came back: no withdrawn file left


def test_a_day_before_the_latest_published_again(tmp_path, published):
    """The day after it still has its deltas, computed against the former copy: they are stale,
    and the snapshots are compared instead."""
    _publish_all(tmp_path, published)
    _update(tmp_path)
    middle = DAYS[2]
    rerun = SEQUENCE[middle][:-40]  # that date crawled again: 40 offers fewer
    publish(tmp_path, middle, rerun, finished="2")  # its deltas against the day before, again
    report = _update(tmp_path)
    assert [a["date"] for a in report["applied"]] == DAYS[2:]
    assert [a["source"] for a in report["applied"]] == ["deltas", "compared"]
    assert any(f"snapshot {middle} was published again" in n for n in report["notes"])
    assert as_truth(read_history(tmp_path / "history")) == truth_dicts(expected({**SEQUENCE, middle: rerun}))
