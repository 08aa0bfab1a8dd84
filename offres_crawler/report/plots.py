"""The report's charts, drawn with matplotlib's Agg backend and returned as base64 PNG.

Figures are built with `matplotlib.figure.Figure` rather than pyplot: no global state, no GUI
backend, nothing left open between reports. Each function returns None when it has nothing to
draw, and the page then says so.
"""

from __future__ import annotations

import base64
import io
import logging
from typing import TYPE_CHECKING

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from offres_crawler.report import labels

if TYPE_CHECKING:
    import pandas as pd

logger = logging.getLogger(__name__)

COLOR = "#1f5fa8"
ORIGIN_COLORS = {"1": "#1f5fa8", "2": "#e39b2d"}
DELTA_COLORS = {"created": "#2e8b57", "updated": "#1f5fa8", "withdrawn": "#c0392b"}
MIN_SALARIES_PER_BOX = 5  # fewer annual amounts than this make no distribution


def png_base64(fig: Figure) -> str:
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _barh(names: list[str], counts: list[int], title: str, xlabel: str = "offres") -> Figure:
    fig = Figure(figsize=(9, max(2.5, 0.32 * len(names) + 1)))
    ax = fig.add_subplot()
    positions = range(len(names))
    ax.barh(positions, counts, color=COLOR)
    ax.set_yticks(list(positions), names)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    for y, count in zip(positions, counts):
        ax.annotate(f"{count:,}".replace(",", " "), (count, y), xytext=(3, 0),
                    textcoords="offset points", va="center", fontsize=8)
    ax.margins(x=0.12)
    return fig


def by_contract(frame: pd.DataFrame) -> Figure | None:
    counts = frame["typeContrat"].dropna().value_counts()
    if counts.empty:
        return None
    return _barh([labels.contrat(c) for c in counts.index], counts.tolist(),
                 "Offres par type de contrat")


def by_departement(frame: pd.DataFrame, top: int = 30) -> Figure | None:
    counts = frame["departement"].dropna().value_counts().head(top)
    if counts.empty:
        return None
    return _barh(counts.index.tolist(), counts.tolist(), f"Offres par département ({len(counts)} premiers)")


def by_domain(frame: pd.DataFrame) -> Figure | None:
    counts = frame["grand_domaine"].dropna().value_counts()
    if counts.empty:
        return None
    return _barh([labels.grand_domaine(d) for d in counts.index], counts.tolist(),
                 "Offres par grand domaine ROME")


def creation_timeline(frame: pd.DataFrame) -> Figure | None:
    created = frame[["date_creation", "origine"]].dropna(subset=["date_creation"])
    if created.empty:
        return None
    per_day = (created.assign(day=created["date_creation"].dt.floor("D").dt.tz_localize(None))
               .groupby(["day", "origine"]).size().unstack(fill_value=0).sort_index())
    fig = Figure(figsize=(10, 3.8))
    ax = fig.add_subplot()
    bottom = None
    for origine in per_day.columns:
        values = per_day[origine]
        ax.bar(per_day.index, values, width=0.9, bottom=bottom, label=labels.ORIGINES.get(origine, origine),
               color=ORIGIN_COLORS.get(origine))
        bottom = values if bottom is None else bottom + values
    ax.set_title("Offres par jour de création (UTC)")
    ax.set_ylabel("offres créées")
    ax.legend(loc="upper left")
    fig.autofmt_xdate()
    return fig


def salary_by_contract(frame: pd.DataFrame) -> tuple[Figure | None, int]:
    """Box plots of the annual gross amount (middle of the range) per contract type, from
    plausible euro amounts; also returns how many offers they hold."""
    usable = frame[(frame["salary_plausible"] == True) & frame["annual_mid"].notna()]  # noqa: E712
    groups = [(code, group["annual_mid"].to_numpy()) for code, group in usable.groupby("typeContrat")
              if len(group) >= MIN_SALARIES_PER_BOX]
    if not groups:
        return None, 0
    groups.sort(key=lambda g: -len(g[1]))
    fig = Figure(figsize=(9, max(2.5, 0.5 * len(groups) + 1.2)))
    ax = fig.add_subplot()
    ax.boxplot([values / 1000 for _, values in groups], orientation="horizontal", showfliers=False,
               tick_labels=[f"{labels.contrat(code)}  n={len(values):,}".replace(",", " ")
                            for code, values in groups])
    ax.invert_yaxis()
    ax.set_xlabel("salaire annuel brut, k€ (équivalent temps plein ; milieu de la fourchette)")
    ax.set_title("Salaires par type de contrat")
    return fig, sum(len(values) for _, values in groups)


def deltas(records: list[dict]) -> Figure | None:
    """Created / updated / withdrawn offers per snapshot date, from the deltas' `_deltas.json`."""
    rows = [(r["snapshot_date"], r["counts"]) for r in records]
    if not rows:
        return None
    fig = Figure(figsize=(10, 3.8))
    ax = fig.add_subplot()
    width = 0.27
    for i, kind in enumerate(("created", "updated", "withdrawn")):
        xs = [x + (i - 1) * width for x in range(len(rows))]
        ax.bar(xs, [counts.get(kind, 0) for _, counts in rows], width=width,
               color=DELTA_COLORS[kind], label={"created": "nouvelles", "updated": "mises à jour",
                                                "withdrawn": "retirées"}[kind])
    ax.set_xticks(range(len(rows)), [day for day, _ in rows], rotation=45, ha="right")
    ax.set_xlim(-0.6, max(len(rows), 4) - 0.4)  # a few dates do not make bars a page wide
    ax.set_ylabel("offres")
    ax.set_title("Évolution d'un instantané au suivant")
    ax.legend(loc="upper left")
    return fig
