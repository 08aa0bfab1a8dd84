"""Assemble the report: one self-contained HTML page (inline CSS, charts and CSV downloads as
data: URIs), so it can be mailed, archived or opened offline without anything beside it."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import offres_crawler
from offres_crawler.analysis.readers import PARTITION, snapshot_dirs, snapshot_manifest
from offres_crawler.analysis.report import charts, lifetimes, plots, sections
from offres_crawler.analysis.report.frame import offer_metier_labels, offers_frame
from offres_crawler.analysis.report.names import Names
from offres_crawler.analysis.report.sections import e
from offres_crawler.analysis.report.tables import to_html
from offres_crawler.files import write_text_atomic

logger = logging.getLogger(__name__)

DELTAS_MANIFEST = "_deltas.json"  # as written by snapshot/deltas_writer.py
DELTAS_SHOWN = 30  # most recent snapshot dates in the deltas chart

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2330;background:#f5f6f8}
main{max-width:1040px;margin:0 auto;padding:24px}
h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.2em;margin:0 0 .6em}h3{font-size:1em;margin:.2em 0}
section{background:#fff;border-radius:8px;padding:16px 20px;margin:16px 0;box-shadow:0 1px 3px #0002}
img{max-width:100%;height:auto;display:block}
table{border-collapse:collapse;font-size:.92em}td,th{padding:3px 10px;border-bottom:1px solid #e3e6eb;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}
details{margin-top:.6em}summary{cursor:pointer;color:#1f5fa8}
.note{color:#5a6272;font-size:.9em}.source{font-size:.9em}.csv{font-size:.9em}
.filtres{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
"""


def resolve_snapshot(path: Path) -> Path:
    """A snapshot directory or file as given; for a root of snapshots, its latest one."""
    if path.is_dir() and not PARTITION.match(path.name) and not list(path.glob("*.parquet")):
        dirs = snapshot_dirs(path)
        if dirs:
            return dirs[-1]
    return path


def find_deltas(snapshot: Path, deltas_dir: Path | None) -> list[dict]:
    """The `_deltas.json` of every snapshot date up to this one, oldest first; by default looked
    for beside the snapshot root (`output/offres` -> `output/offres_deltas`). Unreadable ones are
    skipped."""
    m = PARTITION.match(snapshot.name)
    if m is None:
        return []
    day = m.group(1)
    if deltas_dir is None:
        root = snapshot.parent
        deltas_dir = root.with_name(root.name + "_deltas")
    if not deltas_dir.is_dir():
        return []
    records = []
    for directory in snapshot_dirs(deltas_dir):
        if directory.name.removeprefix("snapshot_date=") > day:
            continue
        try:
            data = json.loads((directory / DELTAS_MANIFEST).read_text(encoding="utf-8"))
            if isinstance(data.get("counts"), dict) and data.get("snapshot_date"):
                records.append(data)
        except (OSError, ValueError, AttributeError):
            logger.warning("Unreadable deltas in %s", directory)
    return records[-DELTAS_SHOWN:]


def _chart(chart: charts.Chart) -> str:
    if chart.figure is not None:
        body = f'<img alt="{e(chart.title)}" src="data:image/png;base64,{plots.png_base64(chart.figure)}">'
    else:
        body = f'<p class="note">{e(chart.empty)}</p>'
    note = f'<p class="note">{e(chart.note)}</p>' if chart.note else ""
    table = to_html(chart.table) if chart.table is not None and chart.table.rows else ""
    return f"<section><h2>{e(chart.title)}</h2>{body}{note}{table}</section>"


def _manifest(path: Path) -> dict | None:
    try:
        manifest = snapshot_manifest(path) if path.is_dir() else None
    except (OSError, ValueError):
        logger.warning("Unreadable manifest in %s: the report goes on without it", path)
        return None
    return manifest if isinstance(manifest, dict) else None


def build_report(snapshot: str | Path, *, deltas_dir: str | Path | None = None, title: str | None = None,
                 smic_hourly_eur: float | None = None, referentiels: str | Path | None = None,
                 history_dir: str | Path | None = None) -> str:
    """The HTML of the report on a snapshot (a snapshot_date=... directory, the root of several
    (the latest is used), or a Parquet / JSONL offers file). `referentiels`: a directory of the
    referentiels spider's lists (or one JSONL feed of them) naming départements, métiers and
    contract types; without it, built-in names and the offers' own labels."""
    path = resolve_snapshot(Path(snapshot))
    frame = offers_frame(path, smic_hourly_eur=smic_hourly_eur)
    manifest = _manifest(path)
    names = Names.load(Path(referentiels) if referentiels else None)
    names.offer_metiers = offer_metier_labels(frame)
    day = PARTITION.match(path.name)
    title = title or (f"Offres d'emploi France Travail, instantané du {day.group(1)}" if day
                      else f"Offres d'emploi France Travail : {path.name}")
    without_dept = int(frame["departement"].isna().sum())
    chart_list = [
        charts.categorical(frame["typeContrat"], kind="contrat", names=names, title="Par type de contrat",
                           chart_title="Offres par type de contrat", slug="offres_par_type_de_contrat",
                           what="type de contrat"),
        charts.categorical(frame["departement"], kind="departement", names=names, title="Par département",
                           chart_title=f"Offres par département ({charts.TOP['departement']} premiers)",
                           slug="offres_par_departement", what="département",
                           note=f"{sections.n(without_dept)} offres sans département (localisées par région, "
                                "pays ou « France ») ne figurent pas ici."),
        charts.categorical(frame["grand_domaine"], kind="grand_domaine", names=names,
                           title="Par grand domaine ROME", chart_title="Offres par grand domaine ROME",
                           slug="offres_par_grand_domaine", what="grand domaine"),
        charts.categorical(frame["rome_code"], kind="metier", names=names, title="Métiers les plus demandés (ROME)",
                           chart_title=f"Offres par métier ROME ({charts.TOP['metier']} premiers)",
                           slug="offres_par_metier", what="métier", code_column="code ROME"),
        charts.timeline(frame),
        charts.salaries(frame, names),
        charts.deltas(find_deltas(path, Path(deltas_dir) if deltas_dir else None)),
    ]
    body = [sections.summary(frame, manifest, path), sections.run_figures(manifest), sections.source(manifest)]
    body += [_chart(chart) for chart in chart_list]
    body.append(sections.facets(manifest, names))
    body.append(lifetimes.section(lifetimes.find_history(path, Path(history_dir) if history_dir else None), names))
    body.append(f'<section class="source"><p class="note">{e(names.sources_note())}</p></section>')
    generated = sections.fr_datetime(datetime.now(tz=UTC).isoformat(timespec="seconds"))
    return ("<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{e(title)}</title>"
            f"<style>{_CSS}</style></head><body><main><h1>{e(title)}</h1>"
            f"<p class=\"note\">Rapport généré le {e(generated)} par offres-crawler "
            f"{e(offres_crawler.__version__)}.</p>" + "".join(body) + "</main></body></html>\n")


def write_report(snapshot: str | Path, output: str | Path, **options: Any) -> Path:
    """Write the report's HTML to `output` (atomically) and return its path."""
    output = Path(output)
    page = build_report(snapshot, **options)
    write_text_atomic(output, page)
    return output
