"""The report's charts, drawn with matplotlib's Agg backend and returned as base64 PNG.

Figures are built with `matplotlib.figure.Figure` rather than pyplot: no global state, no GUI
backend, nothing left open between reports. They draw what charts.py prepared (categories
already capped), so a figure's size is bounded whatever the data.

Labels come from the data: they are drawn as plain text, never as math text (matplotlib reads
"$...$" as TeX and raised on an offer whose typeContrat held "$\\foo$"): every figure is built
and rendered with `text.parse_math` off, and labels are cut to labels.MAX_LABEL characters.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from offres_crawler.analysis.report import labels

if TYPE_CHECKING:
    import numpy as np

COLOR = "#1f5fa8"
OTHERS_COLOR = "#9aa3b2"
SERIES_COLORS = ("#1f5fa8", "#e39b2d", "#2e8b57", "#9aa3b2")
DELTA_COLORS = {"created": "#2e8b57", "updated": "#1f5fa8", "withdrawn": "#c0392b"}
DELTA_NAMES = {"created": "nouvelles", "updated": "mises à jour", "withdrawn": "retirées"}
PLAIN_TEXT = {"text.parse_math": False, "text.usetex": False, "axes.formatter.use_mathtext": False}


def _plain():
    return matplotlib.rc_context(PLAIN_TEXT)


def png_base64(fig: Figure) -> str:
    with _plain():  # tick labels are made while drawing
        FigureCanvasAgg(fig)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _label(text: str) -> str:
    return labels.clean(text, labels.MAX_LABEL)


def barh(names: Sequence[str], counts: Sequence[int], title: str, *, others: bool = False,
         xlabel: str = "offres") -> Figure:
    """Horizontal bars, commonest first; with `others`, the last bar is "autres" (in grey)."""
    with _plain():
        fig = Figure(figsize=(9, max(2.5, 0.32 * len(names) + 1)))
        ax = fig.add_subplot()
        positions = list(range(len(names)))
        colors = [COLOR] * len(names)
        if others and colors:
            colors[-1] = OTHERS_COLOR
        ax.barh(positions, counts, color=colors)
        ax.set_yticks(positions, [_label(n) for n in names])
        ax.invert_yaxis()
        ax.set_xlabel(xlabel)
        ax.set_title(title)
        for y, count in zip(positions, counts):
            ax.annotate(f"{count:,}".replace(",", " "), (count, y), xytext=(3, 0),
                        textcoords="offset points", va="center", fontsize=8)
        ax.margins(x=0.12)
    return fig


def stacked_bars(periods: Sequence, series: Mapping[str, Sequence[int]], title: str, ylabel: str,
                 width_days: float) -> Figure:
    """Bars per period (dates), one stacked colour per series (at most len(SERIES_COLORS))."""
    with _plain():
        fig = Figure(figsize=(10, 3.8))
        ax = fig.add_subplot()
        bottom = None
        for (name, values), color in zip(series.items(), SERIES_COLORS):
            ax.bar(list(periods), list(values), width=width_days, bottom=bottom, label=_label(name),
                   color=color, align="edge")
            bottom = list(values) if bottom is None else [b + v for b, v in zip(bottom, values)]
        ax.set_title(title)
        ax.set_ylabel(ylabel)
        ax.legend(loc="upper left")
        fig.autofmt_xdate()
    return fig


def boxes(groups: Sequence[tuple[str, np.ndarray]], title: str, xlabel: str) -> Figure:
    """Horizontal box plots (no outliers), one per (label, values)."""
    with _plain():
        fig = Figure(figsize=(9, max(2.5, 0.5 * len(groups) + 1.2)))
        ax = fig.add_subplot()
        ax.boxplot([values for _, values in groups], orientation="horizontal", showfliers=False,
                   tick_labels=[_label(name) for name, _ in groups])
        ax.invert_yaxis()
        ax.set_xlabel(xlabel)
        ax.set_title(title)
    return fig


def deltas(rows: Sequence[tuple[str, dict]]) -> Figure:
    """Created / updated / withdrawn offers per snapshot date."""
    with _plain():
        fig = Figure(figsize=(10, 3.8))
        ax = fig.add_subplot()
        width = 0.27
        for i, kind in enumerate(DELTA_COLORS):
            xs = [x + (i - 1) * width for x in range(len(rows))]
            ax.bar(xs, [counts.get(kind, 0) for _, counts in rows], width=width,
                   color=DELTA_COLORS[kind], label=DELTA_NAMES[kind])
        ax.set_xticks(range(len(rows)), [_label(day) for day, _ in rows], rotation=45, ha="right")
        ax.set_xlim(-0.6, max(len(rows), 4) - 0.4)  # a few dates do not make bars a page wide
        ax.set_ylabel("offres")
        ax.set_title("Évolution d'un instantané au suivant")
        ax.legend(loc="upper left")
    return fig
