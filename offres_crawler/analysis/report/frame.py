"""The report's data: one flat row per offer with the few columns the plots need.

Only those columns are read from the snapshot (descriptions are never loaded), so a full-market
snapshot of 500,000 offers fits in a few hundred MB. Salaries are normalised here with
analysis/salary.py whether or not the crawl ran the salary pipeline, once per distinct
(libellé, commentaire, creation day).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from offres_crawler.analysis.places import departement
from offres_crawler.analysis.readers import load_snapshot
from offres_crawler.analysis.salary import normalise_salary

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = ["id", "typeContrat", "lieuTravail", "romeCode", "romeLibelle", "dateCreation", "salaire", "origineOffre"]


def _column(table: pa.Table, name: str) -> list:
    return table.column(name).to_pylist() if name in table.column_names else [None] * table.num_rows


def _text(table: pa.Table, name: str) -> list[str | None]:
    """A text column, blank values as missing (an empty typeContrat is no contract type)."""
    return [v if isinstance(v, str) and v.strip() else None for v in _column(table, name)]


def offers_frame(path: str | Path, *, smic_hourly_eur: float | None = None) -> pd.DataFrame:
    """id, typeContrat, departement, rome_code, rome_libelle, grand_domaine, date_creation (UTC),
    origine, and the normalised salary: salary_period, annual_min, annual_max, annual_mid, salary_plausible,
    salary_source."""
    import pandas as pd

    table = load_snapshot(path, engine="arrow", columns=COLUMNS).flatten()
    libelles = _column(table, "lieuTravail.libelle")
    postcodes = _column(table, "lieuTravail.codePostal")
    communes = _column(table, "lieuTravail.commune")
    rome = _text(table, "romeCode")
    created = table.column("dateCreation").to_pandas()
    days = [d.date() if not pd.isna(d) else None for d in created]
    salary_keys = zip(_column(table, "salaire.libelle"), _column(table, "salaire.commentaire"), days)
    cache: dict[tuple, object] = {}
    salaries = []
    for key in salary_keys:
        if key not in cache:
            libelle, commentaire, day = key
            cache[key] = normalise_salary({"libelle": libelle, "commentaire": commentaire}, on=day,
                                          smic_hourly_eur=smic_hourly_eur)
        salaries.append(cache[key])
    frame = pd.DataFrame({
        "id": _column(table, "id"),
        "typeContrat": _text(table, "typeContrat"),
        "departement": [departement(*row) for row in zip(libelles, postcodes, communes)],
        "rome_code": rome,
        "rome_libelle": _text(table, "romeLibelle"),
        "grand_domaine": [code[0] if isinstance(code, str) and code else None for code in rome],
        "date_creation": created,
        "origine": _text(table, "origineOffre.origine"),
        "salary_period": [s.period if s else None for s in salaries],
        "annual_min": [s.annual_min if s else None for s in salaries],
        "annual_max": [s.annual_max if s else None for s in salaries],
        "salary_plausible": [s.plausible if s else None for s in salaries],
        "salary_source": [s.source if s else None for s in salaries],
    })
    frame["annual_min"] = frame["annual_min"].astype("float64")
    frame["annual_max"] = frame["annual_max"].astype("float64")
    frame["annual_mid"] = frame[["annual_min", "annual_max"]].mean(axis=1, skipna=True)
    return frame


def offer_metier_labels(frame: pd.DataFrame) -> dict[str, str]:
    """romeCode -> the commonest non-empty romeLibelle the offers give it."""
    pairs = frame[["rome_code", "rome_libelle"]].dropna()
    pairs = pairs[(pairs["rome_code"] != "") & (pairs["rome_libelle"] != "")]
    if pairs.empty:
        return {}
    counts = pairs.groupby(["rome_code", "rome_libelle"]).size().sort_values(ascending=False, kind="stable")
    best = counts.reset_index().drop_duplicates("rome_code")
    return dict(zip(best["rome_code"], best["rome_libelle"]))


def creation_days(frame: pd.DataFrame) -> list[date]:
    return sorted({d.date() for d in frame["date_creation"].dropna()})
