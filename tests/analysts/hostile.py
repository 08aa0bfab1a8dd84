"""A hostile snapshot for the report (issue 14, item 6): labels that matplotlib would read as
math text (`$...$`), HTML that would run if not escaped (`<script>`), thousands of distinct
categories in every charted column, offers with empty or missing fields, and salary texts of
20,000 characters.

Used by tests/analysts/test_report_hostile.py and bench/report_bench.py."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.analysts.snapshots import write_snapshot

SCRIPT = "<script>alert('offres')</script>"
FORMULA = '=HYPERLINK("http://example.invalid","x")+'  # what a spreadsheet would run
DAY = "2026-11-27"
# Salary texts of 20,000 characters that the reader took minutes to read (each one).
LONG_SALARIES = {3: "9" * 20_000, 4: "1" + " 000" * 5_000, 5: "1" + ".000" * 5_000 + " % du SMIC"}


def _label(kind: str, k: int) -> str:
    """Distinct labels, each hostile in one of five ways: valid math text, math text that
    matplotlib cannot parse (it raised ValueError), HTML, lone specials and a control character,
    a spreadsheet formula."""
    return (f"{kind} {k} $x_{{{k}}}^2$ \\frac{{1}}{{2}}", f"{kind} {k} $\\nosuchmacro{{{k}}}$",
            f"{kind} {k} {SCRIPT}", f"{kind} {k} $ & \" ' \\n\n\x1b[31m",
            f"{FORMULA}{kind} {k}")[k % 5]


def hostile_offers(categories: int = 5000, offers: int | None = None, seed: int = 14) -> list[dict]:
    """`offers` offers (default 4 x categories) over `categories` distinct values of each
    charted column, with a skewed distribution (a few big categories, a long tail)."""
    rng = random.Random(seed)
    total = offers or 4 * categories
    start = datetime(2010, 1, 1, tzinfo=UTC)
    out = []
    for i in range(total):
        # skewed: category 0 is the commonest, the tail has one or two offers each
        k = i % categories if i % 2 else int(rng.paretovariate(1.2)) % categories
        created = (start + timedelta(days=(k * 7 + i) % 6000, seconds=i)).isoformat(timespec="milliseconds")
        offer: dict = {
            "id": f"{i:07d}",
            "intitule": _label("Intitulé", k),
            "dateCreation": created.replace("+00:00", "Z"),
            "dateActualisation": created.replace("+00:00", "Z"),
            "typeContrat": _label("Contrat", k),
            "romeCode": f"{'ABCDEFGHIJKLMN$<'[k % 16]}{k:04d}",
            "romeLibelle": _label("Métier", k),
            "appellationlibelle": _label("Appellation", k),
            "lieuTravail": {"libelle": f"{k % 100:02d} - {_label('Commune', k)}", "codePostal": f"{k % 100:02d}000"},
            "origineOffre": {"origine": _label("Origine", k % 50)},
            "salaire": {"libelle": f"Mensuel de {1500 + k % 3000} Euros sur 12 mois",
                        "commentaire": _label("Salaire", k)},
        }
        if i in LONG_SALARIES:  # texts that made the salary reader take minutes (regex backtracking)
            offer["salaire"] = {"libelle": LONG_SALARIES[i], "commentaire": LONG_SALARIES[i]}
        if i % 17 == 0:  # empty fields: strings, objects, and keys missing altogether
            offer.update(typeContrat="", romeCode="", romeLibelle="", lieuTravail={}, salaire={},
                         origineOffre={})
        if i % 19 == 0:
            for key in ("typeContrat", "romeCode", "romeLibelle", "appellationlibelle", "lieuTravail",
                        "salaire", "origineOffre"):
                offer.pop(key, None)
        out.append(offer)
    return out


def write_hostile_snapshot(root: Path, categories: int = 5000, offers: int | None = None) -> Path:
    """The snapshot directory, with a manifest whose run report carries hostile facets too."""
    rows = hostile_offers(categories, offers)
    filtres = [{"filtre": "typeContrat",
                "agregation": [{"valeurPossible": _label("Contrat", k), "nbResultats": 1}
                               for k in range(categories)]},
               {"filtre": SCRIPT, "agregation": [{"valeurPossible": SCRIPT, "nbResultats": 3}]}]
    return write_snapshot(root, DAY, rows, filtres=filtres, part_rows=10_000)
