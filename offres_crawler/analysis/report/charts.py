"""Each chart of the report with the numbers behind it: the counts are computed once, capped
(the commonest categories, then "autres"), and both the figure and the table are drawn from them.

Caps bound the work whatever the data: a chart shows at most TOP[...] bars plus "autres", a
table's CSV at most tables.TABLE_ROWS categories (the page shows tables.HTML_ROWS), the timeline
at most MAX_PERIODS periods (days, else weeks, months, years) and SERIES origins, the salary
chart at most SALARY_BOXES contract types.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from offres_crawler.analysis.report import labels, plots
from offres_crawler.analysis.report.names import Names
from offres_crawler.analysis.report.tables import TABLE_ROWS, Table, cap, counts_table, others_label

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

TOP = {"contrat": 15, "departement": 30, "grand_domaine": 20, "metier": 25}
MAX_PERIODS = 120
SERIES = 3  # origins drawn; the others are summed
SALARY_BOXES = 12
MIN_SALARIES_PER_BOX = 5  # fewer annual amounts than this make no distribution
# granularity of the timeline: (pandas period, French word, bar width in days, longest span in days)
PERIODS = (("D", "jour", 0.9, MAX_PERIODS), ("W-SUN", "semaine", 6.3, 7 * MAX_PERIODS),
           ("M", "mois", 27.0, 30 * MAX_PERIODS), ("Y", "année", 330.0, None))


@dataclass
class Chart:
    title: str
    figure: Figure | None
    table: Table | None = None
    note: str = ""
    empty: str = "Rien à tracer."


def _sorted_counts(column: pd.Series) -> pd.Series:
    """value_counts, ties in code order (so that the page is the same on every run)."""
    counts = column.dropna().astype(str).value_counts()
    return counts.sort_index(kind="stable").sort_values(ascending=False, kind="stable")


def categorical(column: pd.Series, *, kind: str, names: Names, title: str, chart_title: str,
                slug: str, what: str, code_column: str = "code", note: str = "") -> Chart:
    counts = _sorted_counts(column)
    if counts.empty:
        return Chart(title, None, note=note)
    shown = cap(counts, TOP[kind])
    bar_names = [names.show(kind, key) for key in shown.keys]
    bar_counts = list(shown.counts)
    if shown.rest_categories:
        bar_names.append(others_label(shown))
        bar_counts.append(shown.rest_count)
    figure = plots.barh(bar_names, bar_counts, chart_title, others=bool(shown.rest_categories))
    name: Callable[[Any], str] = lambda key: names.name(kind, key) or ""  # noqa: E731
    table = counts_table(slug, what, cap(counts, TABLE_ROWS), name, code_column)
    return Chart(title, figure, table, note=note)


def _n(count: int) -> str:
    return f"{count:,}".replace(",", "\u202f")


def _granularity(first: pd.Timestamp, last: pd.Timestamp) -> tuple[str, str, float]:
    span = (last - first).days + 1
    for freq, word, width, longest in PERIODS:
        if longest is None or span <= longest:
            return freq, word, width
    raise AssertionError("the last granularity has no bound")


def timeline(frame: pd.DataFrame) -> Chart:
    """Offers by creation day (or week, month, year on long spans) and origin."""
    title = "Chronologie des créations"
    created = frame[["date_creation", "origine"]].dropna(subset=["date_creation"])
    if created.empty:
        return Chart(title, None)
    day = created["date_creation"].dt.tz_convert("UTC").dt.tz_localize(None).dt.floor("D")
    freq, word, width = _granularity(day.min(), day.max())
    period = day.dt.to_period(freq).dt.start_time
    origin = created["origine"].map(lambda o: labels.ORIGINES.get(o) or labels.clean(o), na_action="ignore")
    origin = origin.fillna("non précisée")
    by_origin = _sorted_counts(origin)
    known = list(labels.ORIGINES.values())  # France Travail, then partners: the same colours on every page
    kept = sorted(by_origin.index[:SERIES], key=lambda o: (known.index(o) if o in known else len(known)))
    if len(by_origin) > SERIES:
        origin = origin.where(origin.isin(kept), "autres origines")
        kept.append("autres origines")
    table_frame = (origin.to_frame("origine").assign(period=period)
                   .groupby(["period", "origine"]).size().unstack(fill_value=0).sort_index())
    table_frame = table_frame.reindex(columns=kept, fill_value=0)
    periods = table_frame.index.tolist()
    series = {name: [int(v) for v in table_frame[name]] for name in kept}
    figure = plots.stacked_bars(periods, series, f"Offres par {word} de création (UTC)", "offres créées",
                                width)
    rows = [(p.date().isoformat(), *(series[n][i] for n in kept), sum(series[n][i] for n in kept))
            for i, p in enumerate(periods)]
    table = Table(f"creations_par_{word}", [f"{word} (début)", *kept, "total"], rows)
    return Chart(title, figure, table)


def salaries(frame: pd.DataFrame, names: Names) -> Chart:
    """Box plots of the annual gross amount (middle of the range) per contract type, from
    plausible euro amounts."""
    title = "Salaires par type de contrat"
    usable = frame[(frame["salary_plausible"] == True) & frame["annual_mid"].notna()]  # noqa: E712
    # The sizes first, the values of the SALARY_BOXES largest only: the time does not grow with
    # the number of contract types (one pandas group per type took 6 s for 10,000 types).
    sizes = usable.groupby("typeContrat").size()
    sizes = sizes[sizes >= MIN_SALARIES_PER_BOX]
    ranked = sorted(((int(n), str(code), code) for code, n in sizes.items()), key=lambda g: (-g[0], g[1]))
    omitted = len(ranked) - SALARY_BOXES
    groups = [(name, usable.loc[usable["typeContrat"] == code, "annual_mid"].to_numpy())
              for _, name, code in ranked[:SALARY_BOXES]]
    n = sum(len(values) for _, values in groups)
    implausible = int((frame["salary_plausible"] == False).sum())  # noqa: E712
    note = (f"{_n(n)} offres au salaire annualisable en euros ; {_n(implausible)} montants invraisemblables "
            "(hors 3 000 à 300 000 € par an, fourchette de plus d'un facteur 5) écartés ; types de contrat "
            f"de moins de {MIN_SALARIES_PER_BOX} salaires omis"
            + (f", ainsi que les {_n(omitted)} types de contrat les moins fournis au-delà des {SALARY_BOXES} "
               "premiers" if omitted > 0 else "")
            + ". Horaire : x 1 820 h ; mensuel : x nombre de mois (12 par défaut).")
    if not groups:
        return Chart(title, None, note=note, empty="Pas assez de salaires chiffrés.")
    figure = plots.boxes([(f"{names.show('contrat', code)}  n={len(values):,}".replace(",", " "), values / 1000)
                          for code, values in groups], title,
                         "salaire annuel brut, k€ (équivalent temps plein ; milieu de la fourchette)")
    rows = []
    for code, values in groups:
        q1, median, q3 = (float(x) for x in _quantiles(values))
        rows.append((code, names.name("contrat", code) or "", len(values), round(q1), round(median),
                     round(q3), round(float(values.mean()))))
    table = Table("salaires_par_contrat", ["code", "type de contrat", "offres", "1er quartile (€/an)",
                                           "médiane (€/an)", "3e quartile (€/an)", "moyenne (€/an)"], rows)
    return Chart(title, figure, table, note=note)


def _quantiles(values: Any) -> list[float]:
    import numpy as np

    return list(np.quantile(values, [0.25, 0.5, 0.75]))


def deltas(records: list[dict]) -> Chart:
    """Created / updated / withdrawn offers per snapshot date, from the deltas' `_deltas.json`."""
    title = "Évolutions (deltas)"
    rows = [(str(r["snapshot_date"]), r["counts"]) for r in records]
    if not rows:
        return Chart(title, None, empty="Pas de deltas disponibles pour cet instantané.")
    table = Table("deltas", ["instantané", "nouvelles", "mises à jour", "retirées"],
                  [(day, *(int(counts.get(kind, 0)) for kind in plots.DELTA_COLORS)) for day, counts in rows])
    return Chart(title, plots.deltas(rows), table)
