"""The report's section on how long offers stay online, when a history exists beside the
snapshots (offres_crawler/snapshot/history; figures from analysis/lifetimes.py): the survival curve of
all offers and per origine, then the median days online and the shares withdrawn within 7 and
30 days per ROME grand domaine and per contract type."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from matplotlib.figure import Figure

from offres_crawler.analysis.lifetimes import (
    DURATION_COLUMNS,
    Durations,
    durations,
    history_files,
    kaplan_meier,
    lifetimes,
    read_history,
)
from offres_crawler.analysis.report import labels, plots
from offres_crawler.analysis.report.names import Names
from offres_crawler.analysis.report.sections import e, n
from offres_crawler.analysis.report.tables import Table, to_html

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

logger = logging.getLogger(__name__)

GROUPS = ("grand_domaine", "typeContrat", "origine")
CURVE_DAYS = 90  # the curve's horizon
MIN_OFFERS = 30  # groups smaller than this are left out of the tables


def find_history(snapshot: Path, history_dir: Path | None) -> Path | None:
    """The history to show: `history_dir`, else beside the snapshot root (output/offres ->
    output/offres_history); None when there is none."""
    if history_dir is None:
        root = snapshot.parent if snapshot.name.startswith("snapshot_date=") or snapshot.is_file() else snapshot
        history_dir = root.with_name(root.name + "_history")
    try:
        history_files(history_dir)
    except FileNotFoundError:
        return None
    return history_dir


def _curve(table: pa.Table, d: Durations) -> Figure:
    fig = Figure(figsize=(9, 4))
    ax = fig.add_subplot()
    origins = table.column("origine").to_numpy(zero_copy_only=False)
    series = [("Toutes les offres", slice(None))]
    series += [(name, origins == code) for code, name in labels.ORIGINES.items() if (origins == code).any()]
    for name, members in series:
        times, survival = kaplan_meier(Durations(d.entry[members], d.exit[members], d.event[members]))
        keep = times <= CURVE_DAYS
        ax.step([0, *times[keep]], [1.0, *survival[keep]], where="post", label=name)
    ax.set_xlim(0, CURVE_DAYS)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("jours depuis la création")
    ax.set_ylabel("part encore en ligne")
    ax.grid(alpha=0.3)
    ax.legend()
    return fig


def _table(frame: pd.DataFrame, column: str, kind: str, what: str, names: Names) -> Table | None:
    """One row per group of at least MIN_OFFERS offers: its figures, with a CSV download."""
    frame = frame[frame["offers"] >= MIN_OFFERS]
    if frame.empty:
        return None
    rows = []
    for row in frame.itertuples(index=False):
        code = getattr(row, column)
        name = "non renseigné" if code is None else (names.name(kind, str(code)) or str(code))
        days = row.median_days  # None (no group has a median: an object column) or NaN: no median
        median = None if days is None or days != days else int(round(days))
        rows.append((code, name, int(row.offers), int(row.withdrawn), int(row.online), median,
                     100.0 * row.withdrawn_within_7_days, 100.0 * row.withdrawn_within_30_days))
    return Table(f"duree_en_ligne_par_{what.replace(' ', '_')}",
                 ["code", what, "offres", "retirées", "en ligne", "médiane (jours)",
                  "retirées sous 7 j (%)", "retirées sous 30 j (%)"], rows,
                 caption=f"Par {what}")


def section(history_dir: Path | None, names: Names | None = None) -> str:
    """The HTML section, or "" when there is no history."""
    if history_dir is None:
        return ""
    names = names or Names()
    table = read_history(history_dir, [*DURATION_COLUMNS, *GROUPS])
    if not table.num_rows:
        return ""
    d = durations(table)
    figure = plots.png_base64(_curve(table, d))
    tables = [_table(lifetimes(table, by="grand_domaine"), "grand_domaine", "grand_domaine", "grand domaine", names),
              _table(lifetimes(table, by="typeContrat"), "typeContrat", "contrat", "type de contrat", names)]
    return ("<section><h2>Durée de mise en ligne</h2>"
            f'<img alt="Part des offres encore en ligne" src="data:image/png;base64,{figure}">'
            + "".join(to_html(t, open_=True) for t in tables if t is not None)
            + f'<p class="note">{e(n(table.num_rows))} offres suivies dans l\'historique ({e(n(int(d.event.sum())))} '
            "retirées). Jours en ligne : de la création de l'offre au dernier instantané qui la "
            "contient. Les offres encore en ligne sont comptées comme « censurées » (estimateur de "
            "Kaplan–Meier), et celles déjà en ligne au premier instantané n'entrent dans le calcul "
            "qu'à l'âge où elles ont été vues. Médiane vide : moins de la moitié des offres a été "
            f"retirée. Groupes de moins de {MIN_OFFERS} offres omis.</p></section>")
