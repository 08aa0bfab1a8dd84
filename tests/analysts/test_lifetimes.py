"""Lifetimes: days online and Kaplan–Meier figures, checked by hand on a small case, the same
in numpy and in DuckDB's SQL, and on a history built from snapshots."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pyarrow as pa
import pytest

from offres_crawler.analysis.lifetimes import (
    SUMMARY_COLUMNS,
    Durations,
    days_online,
    durations,
    kaplan_meier,
    lifetimes,
)
from offres_crawler.snapshot.history.records import HISTORY_SCHEMA

DAY0 = date(2025, 3, 1)


def _history(rows: list[tuple]) -> pa.Table:
    """Records from (group, entry, exit, withdrawn): created DAY0, first seen `entry` days
    later, last seen `exit` days later, withdrawn the day after if so."""
    columns = {f.name: [] for f in HISTORY_SCHEMA}
    for i, (group, entry, exit_, withdrawn) in enumerate(rows):
        record = dict.fromkeys(columns)
        record.update(id=f"{i:07d}", typeContrat=group,
                      dateCreation=datetime(DAY0.year, DAY0.month, DAY0.day, 9, 30), created_on=DAY0,
                      first_seen=DAY0 + timedelta(days=entry), last_seen=DAY0 + timedelta(days=exit_),
                      withdrawn_on=DAY0 + timedelta(days=exit_ + 1) if withdrawn else None)
        for name in columns:
            columns[name].append(record[name])
    return pa.table(columns, schema=HISTORY_SCHEMA)


# entry, exit, withdrawn. By hand: at t=2, 3 at risk (A, B, C: D enters at 3, E left at 1),
# 1 withdrawn: S = 2/3; at t=5, 3 at risk (B, C, D), 1 withdrawn: S = 4/9 (median 5); at t=10,
# D alone, withdrawn: S = 0.
CASE = [("CDI", 0, 2, True), ("CDI", 0, 5, False), ("CDI", 0, 5, True), ("CDI", 3, 10, True),
        ("CDI", 0, 1, False), ("CDD", 0, 40, False), ("CDD", 0, 3, True)]


def test_kaplan_meier_by_hand():
    d = durations(_history(CASE[:5]))
    assert d.entry.tolist() == [0, 0, 0, 3, 0] and d.exit.tolist() == [2, 5, 5, 10, 1]
    times, survival = kaplan_meier(d)
    assert times.tolist() == [2, 5, 10]
    assert survival == pytest.approx([2 / 3, 4 / 9, 0.0])


def test_lifetimes_by_group():
    frame = lifetimes(_history(CASE), by="typeContrat")
    assert list(frame.columns) == ["typeContrat", *SUMMARY_COLUMNS]
    cdi, cdd = frame.iloc[0].to_dict(), frame.iloc[1].to_dict()
    assert cdi == pytest.approx({"typeContrat": "CDI", "offers": 5, "withdrawn": 3, "online": 2,
                                 "median_days": 5, "withdrawn_within_7_days": 5 / 9,
                                 "withdrawn_within_30_days": 1.0})
    # CDD: one withdrawn at 3 of 2 at risk, the other still online at 40 days: S = 1/2 from day 3
    assert cdd == pytest.approx({"typeContrat": "CDD", "offers": 2, "withdrawn": 1, "online": 1,
                                 "median_days": 3, "withdrawn_within_7_days": 0.5,
                                 "withdrawn_within_30_days": 0.5})
    # censored offers are not counted as finished: a naive median of the CDD's days would be 21.5


def test_no_withdrawal_yet_means_no_median():
    frame = lifetimes(_history([("CDI", 0, 4, False), ("CDI", 1, 9, False)]))
    assert frame.iloc[0]["median_days"] is None and frame.iloc[0]["withdrawn_within_30_days"] == 0


def test_duckdb_computes_the_same(tmp_path):
    duckdb = pytest.importorskip("duckdb")
    rng = np.random.default_rng(3)
    groups = ["A", "B", "C", None]  # offers without a contract type are a group too
    rows = [(groups[rng.integers(0, 4)], int(e), int(e + rng.integers(0, 60)), bool(rng.random() < 0.6))
            for e in rng.integers(0, 30, 3000)]
    table = _history(rows)
    import pyarrow.parquet as pq

    from offres_crawler.analysis.lifetimes import lifetimes_duckdb
    (tmp_path / "offers").mkdir()
    pq.write_table(table, tmp_path / "offers" / "online.parquet")
    for by in (None, "typeContrat"):
        ours = lifetimes(table, by=by)
        sql = lifetimes_duckdb(tmp_path, by=by, connection=duckdb.connect()).df()
        assert len(ours) == len(sql)
        for (_, a), (_, b) in zip(ours.iterrows(), sql.iterrows()):
            for column in SUMMARY_COLUMNS:
                assert a[column] == pytest.approx(b[column]) or (a[column] is None and np.isnan(b[column]))


def test_days_online_per_offer():
    frame = days_online(_history(CASE[:5]))
    assert frame["days_online"].tolist() == [2, 5, 5, 10, 1]
    assert frame["observed_from"].tolist() == [0, 0, 0, 3, 0]
    assert frame["withdrawn"].tolist() == [True, False, True, True, False]


def test_empty_group_figures():
    empty = Durations(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, bool))
    assert kaplan_meier(empty)[0].tolist() == []


def test_the_report_shows_lifetimes_when_a_history_exists(tmp_path):
    pytest.importorskip("matplotlib")
    from offres_crawler.analysis.report.page import build_report
    from offres_crawler.snapshot.history.update import update_history
    from tests.history.scenario import days, publish

    sequence = days()
    for day in sorted(sequence):
        publish(tmp_path, day, sequence[day])
    without = build_report(tmp_path / "offres")
    assert "Durée de mise en ligne" not in without
    update_history(tmp_path / "offres", tmp_path / "offres_history", tmp_path / "deltas")
    page = build_report(tmp_path / "offres")  # the history is found beside the snapshots
    assert "Durée de mise en ligne" in page and "<th>type de contrat</th>" in page
    assert 'download="duree_en_ligne_par_type_de_contrat.csv"' in page
    assert 'alt="Part des offres encore en ligne" src="data:image/png;base64,' in page
    frame = lifetimes(tmp_path / "offres_history", by="typeContrat")
    cdi = frame[frame["typeContrat"] == "CDI"].iloc[0]
    assert (f'<td>CDI</td><td>CDI</td><td class="n">{cdi.offers}</td><td class="n">{cdi.withdrawn}</td>'
            f'<td class="n">{cdi.online}</td>') in page


def test_the_report_of_the_first_snapshot_has_lifetimes_without_medians(tmp_path):
    """`make demo` on a fresh checkout: one snapshot, its history, nothing withdrawn yet: no
    group has a median (the column holds only None), and the page is still written."""
    pytest.importorskip("matplotlib")
    from offres_crawler.analysis.report.page import build_report
    from offres_crawler.snapshot.history.update import update_history
    from tests.history.scenario import days, publish

    sequence = days()
    first = min(sequence)
    publish(tmp_path, first, sequence[first])
    update_history(tmp_path / "offres", tmp_path / "offres_history", tmp_path / "deltas")
    assert lifetimes(tmp_path / "offres_history", by="typeContrat")["median_days"].isna().all()
    page = build_report(tmp_path / "offres")
    assert "Durée de mise en ligne" in page and "<th>médiane (jours)</th>" in page
    assert 'download="duree_en_ligne_par_type_de_contrat.csv"' in page
