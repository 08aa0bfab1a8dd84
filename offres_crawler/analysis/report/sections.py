"""The report's sections that are not charts: the summary, the run's figures (from the snapshot
manifest's run report and verdict), the source and licence, and the API's facet counts. Every
text from the data is escaped here; the French wording of verdict reasons is keyed by their
code (harvest/verdict.py ReasonCode), never parsed from their English text."""

from __future__ import annotations

import html
from datetime import datetime
from typing import TYPE_CHECKING, Any

from offres_crawler.analysis import attribution
from offres_crawler.analysis.readers import filters_to_df
from offres_crawler.analysis.report import labels
from offres_crawler.analysis.report.names import Names
from offres_crawler.analysis.report.tables import TABLE_ROWS, Table, cap, others_label, to_html

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")
STATUS = {"complete": "complète", "incomplete": "incomplète", "failed": "en échec"}
REASONS = {
    "not_finished": "la collecte s'est arrêtée avant la fin",
    "harvest_failed": "l'API a refusé la recherche",
    "offers_missing": "offres manquantes",
    "totals_contradict": "comptages indépendants que les totaux de l'API contredisent",
    "work_unsent": "des requêtes prévues n'ont pas pu être envoyées",
    "harvest_unfinished": "la collecte s'est terminée avant la fin du plan de requêtes",
    "requests_failed": "requêtes en échec définitif",
    "shortfall": "données manquantes",
    "feeds_not_stored": "fichiers non enregistrés",
    "not_published": "l'instantané n'a pas pu être publié",
}
# Every request purpose of the run report (harvest/ledger.py, Purpose), in French.
PURPOSES = {"root": "recherche racine", "head": "têtes de passe", "recheck": "recomptages d'origine",
            "slice": "tranches", "tie": "relectures d'égalités", "closing": "relectures des dernières secondes",
            "count": "comptages", "list": "liste des métiers"}


def e(value: Any) -> str:
    return html.escape(str(value))


def n(value: Any) -> str:
    """A count, French style (narrow no-break space between thousands)."""
    try:
        return f"{float(value):,.0f}".replace(",", "\u202f")
    except (TypeError, ValueError):
        return labels.clean(value, 80)


def percent(share: float) -> str:
    return f"{100 * share:.1f} %".replace(".", ",")


def fr_datetime(text: Any) -> str:
    """"2026-12-04T16:52:02+00:00" -> "4 décembre 2026 à 16:52 UTC"; other text unchanged."""
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return labels.clean(text, 80)
    zone = " UTC" if moment.utcoffset() is not None and not moment.utcoffset() else ""
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year} à {moment:%H:%M}{zone}"


def fr_duration(seconds: Any) -> str:
    try:
        total = float(seconds)
    except (TypeError, ValueError):
        return "?"
    if total < 60:
        return f"{total:.1f} s".replace(".", ",")
    minutes, secs = divmod(int(round(total)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {secs:02d} s"


def _rows_table(title: str, rows: list[tuple[str, str]]) -> str:
    cells = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in rows)
    return f"<section><h2>{e(title)}</h2><table>{cells}</table></section>"


def summary(frame: pd.DataFrame, manifest: dict | None, snapshot: Path) -> str:
    rows = [("Offres", n(len(frame)))]
    origins = frame["origine"].value_counts()
    rows.append(("dont France Travail / partenaires", f"{n(origins.get('1', 0))} / {n(origins.get('2', 0))}"))
    created = frame["date_creation"].dropna()
    if not created.empty:
        rows.append(("Créées entre", f"le {fr_datetime(created.min().isoformat())} et le "
                                     f"{fr_datetime(created.max().isoformat())}"))
    with_salary = int(frame["salary_source"].notna().sum())
    rows.append(("Avec un salaire chiffré", f"{n(with_salary)} ({percent(with_salary / max(len(frame), 1))})"))
    if manifest:
        rows.append(("Instantané complet", "oui" if manifest.get("complete") else "non"))
        if manifest.get("last_update"):
            rows.append(("Dernière mise à jour des offres", fr_datetime(manifest["last_update"])))
    rows.append(("Données", str(snapshot)))
    return _rows_table("Résumé", rows)


def _obj(holder: Any, key: str) -> dict[str, Any]:
    """holder[key] when both are dicts (a manifest may be partial or malformed), else {}."""
    value = holder.get(key) if isinstance(holder, dict) else None
    return value if isinstance(value, dict) else {}


def _reason(reason: dict, finish_reason: Any) -> str:
    code = str(reason.get("code", ""))
    text = REASONS.get(code) or labels.clean(reason.get("text", code), 200)
    count = reason.get("count")
    if code == "not_finished":
        return f"{text} (motif : {labels.clean(finish_reason, 80)})"
    return f"{n(count)} {text}" if isinstance(count, int) and code != "shortfall" else text


def run_figures(manifest: dict | None) -> str:
    """Requests, duration, completeness and the verdict of the run that made the snapshot."""
    if not manifest:
        return ('<section><h2>Collecte</h2><p class="note">Pas de manifeste d\'instantané : les chiffres '
                "de la collecte ne sont connus que pour un instantané publié.</p></section>")
    report = _obj(manifest, "run_report")
    verdict = _obj(manifest, "verdict") or _obj(report, "verdict")
    crawl = _obj(manifest, "crawl")
    rows: list[tuple[str, str]] = []
    if verdict:
        status = STATUS.get(str(verdict.get("status")), labels.clean(verdict.get("status"), 40))
        rows.append(("Verdict", f"collecte {status} (code de sortie {labels.clean(verdict.get('exit_code'), 10)})"))
        reasons = verdict.get("reasons")
        for reason in reasons if isinstance(reasons, list) else []:
            if isinstance(reason, dict):
                rows.append(("Raison", _reason(reason, verdict.get("finish_reason"))))
    completeness = _obj(report, "completeness")
    if completeness:
        rows.append(("Offres annoncées par l'API", n(completeness.get("expected"))))
        rows.append(("Offres collectées (distinctes)", n(completeness.get("collected_unique"))))
        rows.append(("Offres manquantes", n(completeness.get("missing"))))
        if isinstance(completeness.get("ratio"), (int, float)):
            rows.append(("Complétude", percent(completeness["ratio"])))
    requests = _obj(report, "requests")
    if requests:
        rows.append(("Requêtes de recherche", n(requests.get("total"))))
        if requests.get("lower_bound"):
            rows.append(("Minimum possible (borne inférieure)", n(requests["lower_bound"])))
        by_purpose = _obj(requests, "by_purpose")
        if by_purpose:
            rows.append(("dont", ", ".join(f"{PURPOSES.get(k, labels.clean(k, 40))} : {n(v)}"
                                           for k, v in list(by_purpose.items())[:10])))
    transport = _obj(report, "transport")
    if transport:
        rows.append(("Nouvelles tentatives / réponses 429 / échecs définitifs",
                     f"{n(transport.get('retries'))} / {n(transport.get('429'))} / {n(transport.get('failures'))}"))
        rows.append(("Jetons d'accès obtenus", n(transport.get("tokens"))))
    duration = report.get("duration_s")
    if duration is not None:
        rows.append(("Durée", fr_duration(duration)))
    started, finished = report.get("started_at") or crawl.get("started_at"), crawl.get("finished_at")
    if started and finished:
        rows.append(("Début et fin", f"{fr_datetime(started)} ; {fr_datetime(finished)}"))
    if isinstance(crawl.get("runs"), int) and crawl["runs"] > 1:
        rows.append(("Reprises", f"{crawl['runs']} passages (collecte reprise)"))
    counts = _obj(manifest, "counts")
    if counts:
        rows.append(("Offres rejetées / doublons écartés",
                     f"{n(counts.get('rejects', 0))} / {n(counts.get('duplicates_dropped', 0))}"))
    if not rows:
        rows.append(("Rapport de collecte", "absent du manifeste"))
    return _rows_table("Collecte", rows)


def source(manifest: dict | None) -> str:
    src, licence = _obj(manifest, "source"), _obj(manifest, "licence")
    last_update = (manifest or {}).get("last_update")
    line = (attribution.attribution(fr_datetime(last_update)) if last_update
            else src.get("attribution") or attribution.attribution(None))
    return ('<section class="source"><h2>Source et licence</h2>'
            f"<p>{e(line)}</p>"
            f"<p>Licence : {e(licence.get('name', attribution.LICENCE_NAME))}. "
            f"{e(attribution.LICENCE_NOTES_FR)}</p></section>")


def facets(manifest: dict | None, names: Names) -> str:
    """The facet counts (filtresPossibles) of the run's root query, one table per facet."""
    try:
        df = filters_to_df(manifest) if manifest else None
    except (ValueError, KeyError, TypeError):
        df = None
    if df is None or df.empty:
        return ""
    blocks = []
    for filtre, group in list(df.groupby("filtre", sort=False))[:20]:
        counts = group.set_index("valeur_possible")["nb_resultats"]
        capped = cap(counts.sort_values(ascending=False, kind="stable"), TABLE_ROWS)
        rows: list[tuple] = [(value, names.facet_value(str(filtre), str(value)) or "", count)
                             for value, count in zip(capped.keys, capped.counts)]
        if capped.rest_categories:
            rows.append(("", others_label(capped), capped.rest_count))
        title = labels.FILTRES.get(str(filtre), labels.clean(filtre, 60))
        table = Table(f"facette_{labels.clean(filtre, 40)}", ["valeur", "libellé", "offres"], rows,
                      caption=title)
        blocks.append(f"<div><h3>{e(title)}</h3>{to_html(table, open_=True)}</div>")
    return ("<section><h2>Facettes de l'API (filtresPossibles de la recherche racine)</h2>"
            f'<div class="filtres">{"".join(blocks)}</div></section>')
