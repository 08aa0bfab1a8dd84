"""Assemble the report: one self-contained HTML page (inline CSS, charts as data: URIs), so it
can be mailed, archived or opened offline without anything beside it."""

from __future__ import annotations

import html
import json
import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from offres_crawler.api import attribution
from offres_crawler.report import plots
from offres_crawler.report.frame import offers_frame
from offres_crawler.utils import PARTITION, filters_to_df, snapshot_dirs, snapshot_manifest

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

logger = logging.getLogger(__name__)

DELTAS_MANIFEST = "_deltas.json"  # as written by offres_crawler/deltas (issue 7)
DELTAS_SHOWN = 30  # most recent snapshot dates in the deltas chart

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2330;background:#f5f6f8}
main{max-width:1040px;margin:0 auto;padding:24px}
h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.2em;margin:0 0 .6em}
section{background:#fff;border-radius:8px;padding:16px 20px;margin:16px 0;box-shadow:0 1px 3px #0002}
img{max-width:100%;height:auto;display:block}
table{border-collapse:collapse;font-size:.92em}td,th{padding:3px 10px;border-bottom:1px solid #e3e6eb;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.note{color:#5a6272;font-size:.9em}.source{font-size:.9em}
.filtres{display:flex;flex-wrap:wrap;gap:24px}
"""


def _n(value: int | float) -> str:
    return f"{value:,.0f}".replace(",", "\u202f")


def _e(value: Any) -> str:
    return html.escape(str(value))


def resolve_snapshot(path: Path) -> Path:
    """A snapshot directory or file as given; for a root of snapshots, its latest one."""
    if path.is_dir() and not PARTITION.match(path.name) and not list(path.glob("*.parquet")):
        dirs = snapshot_dirs(path)
        if dirs:
            return dirs[-1]
    return path


def find_deltas(snapshot: Path, deltas_dir: Path | None) -> list[dict]:
    """The `_deltas.json` of every snapshot date up to this one (issue 7's layout), oldest
    first; by default looked for beside the snapshot root (`output/offres` ->
    `output/offres_deltas`). Unreadable ones are skipped."""
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
        except (OSError, ValueError):
            logger.warning("Unreadable deltas in %s", directory)
    return records[-DELTAS_SHOWN:]


def _figure(title: str, fig: Figure | None, note: str = "", empty: str = "Rien à tracer.") -> str:
    body = (f'<img alt="{_e(title)}" src="data:image/png;base64,{plots.png_base64(fig)}">'
            if fig is not None else f'<p class="note">{_e(empty)}</p>')
    note_html = f'<p class="note">{note}</p>' if note else ""
    return f"<section><h2>{_e(title)}</h2>{body}{note_html}</section>"


def _summary(frame: pd.DataFrame, manifest: dict | None, snapshot: Path) -> str:
    rows = [("Offres", _n(len(frame)))]
    origins = frame["origine"].value_counts()
    rows.append(("dont France Travail / partenaires",
                 f"{_n(origins.get('1', 0))} / {_n(origins.get('2', 0))}"))
    created = frame["date_creation"].dropna()
    if not created.empty:
        rows.append(("Créées entre", f"{created.min():%Y-%m-%d} et {created.max():%Y-%m-%d} (UTC)"))
    with_salary = int(frame["salary_source"].notna().sum())
    rows.append(("Avec un salaire chiffré", f"{_n(with_salary)} ({with_salary / max(len(frame), 1):.0%})"))
    if manifest:
        rows.append(("Instantané complet", "oui" if manifest.get("complete") else "non"))
        if manifest.get("last_update"):
            rows.append(("Dernière mise à jour des offres", manifest["last_update"]))
    rows.append(("Données", str(snapshot)))
    cells = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    return f"<section><h2>Résumé</h2><table>{cells}</table></section>"


def _source(manifest: dict | None) -> str:
    source = (manifest or {}).get("source", {})
    licence = (manifest or {}).get("licence", {})
    line = source.get("attribution") or attribution.attribution((manifest or {}).get("last_update"))
    return ('<section class="source"><h2>Source et licence</h2>'
            f"<p>{_e(line)}</p>"
            f"<p>Licence : {_e(licence.get('name', attribution.LICENCE_NAME))}. "
            f"{_e(licence.get('notes', attribution.LICENCE_NOTES))}</p></section>")


def _filtres(manifest: dict | None) -> str:
    try:
        df = filters_to_df(manifest) if manifest else None
    except ValueError:
        df = None
    if df is None or df.empty:
        return ""
    tables = []
    for filtre, group in df.groupby("filtre", sort=False):
        cells = "".join(f'<tr><td>{_e(v)}</td><td class="n">{_n(n)}</td></tr>'
                        for v, n in zip(group["valeur_possible"], group["nb_resultats"]))
        tables.append(f"<table><tr><th>{_e(filtre)}</th><th>offres</th></tr>{cells}</table>")
    return ("<section><h2>Facettes de l'API (filtresPossibles de la recherche racine)</h2>"
            f'<div class="filtres">{"".join(tables)}</div></section>')


def build_report(snapshot: str | Path, *, deltas_dir: str | Path | None = None, title: str | None = None,
                 smic_hourly_eur: float | None = None) -> str:
    """The HTML of the report on a snapshot (a snapshot_date=... directory, the root of several
    (the latest is used), or a Parquet / JSONL offers file)."""
    path = resolve_snapshot(Path(snapshot))
    frame = offers_frame(path, smic_hourly_eur=smic_hourly_eur)
    manifest = snapshot_manifest(path) if path.is_dir() else None
    day = PARTITION.match(path.name)
    title = title or (f"Offres d'emploi France Travail, instantané du {day.group(1)}" if day
                      else f"Offres d'emploi France Travail : {path.name}")
    without_dept = int(frame["departement"].isna().sum())
    salary_fig, salary_n = plots.salary_by_contract(frame)
    implausible = int((frame["salary_plausible"] == False).sum())  # noqa: E712
    delta_records = find_deltas(path, Path(deltas_dir) if deltas_dir else None)
    sections = [
        _summary(frame, manifest, path),
        _source(manifest),
        _figure("Par type de contrat", plots.by_contract(frame)),
        _figure("Par département", plots.by_departement(frame),
                note=_e(f"{_n(without_dept)} offres sans département (localisées par région, pays "
                        "ou « France ») ne figurent pas ici.")),
        _figure("Par domaine ROME", plots.by_domain(frame)),
        _figure("Chronologie des créations", plots.creation_timeline(frame)),
        _figure("Salaires par type de contrat", salary_fig,
                note=_e(f"{_n(salary_n)} offres au salaire annualisable en euros ; {_n(implausible)} "
                        "montants invraisemblables (hors 3 000 à 300 000 € par an, fourchette "
                        f"de plus d'un facteur 5) écartés ; types de contrat de moins de "
                        f"{plots.MIN_SALARIES_PER_BOX} salaires omis. Horaire : x 1 820 h ; "
                        "mensuel : x nombre de mois (12 par défaut)."),
                empty="Pas assez de salaires chiffrés."),
        _figure("Évolutions (deltas)", plots.deltas(delta_records),
                empty="Pas de deltas disponibles pour cet instantané."),
        _filtres(manifest),
    ]
    generated = datetime.now(tz=timezone.utc).isoformat(timespec="seconds")
    return ("<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{_e(title)}</title>"
            f"<style>{_CSS}</style></head><body><main><h1>{_e(title)}</h1>"
            f"<p class=\"note\">Rapport généré le {_e(generated)} par offres-crawler.</p>"
            + "".join(sections) + "</main></body></html>\n")


def write_report(snapshot: str | Path, output: str | Path, **options: Any) -> Path:
    """Write the report's HTML to `output` (atomically) and return its path."""
    output = Path(output)
    page = build_report(snapshot, **options)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(output)
    return output
