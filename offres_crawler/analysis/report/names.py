"""Names for the codes the report shows, from the best source at hand:

1. the reference lists the `referentiels` spider wrote (`output/referentiels/<date>/<name>.jsonl`,
   one item a line: `{"referentiel": "departements", "code": "01", "libelle": "Ain", ...}`), or a
   single JSONL feed holding several lists (`scrapy crawl referentiels -O refs.jsonl`);
2. built-in public nomenclatures (labels.py: contract types, natures, ROME grands domaines;
   departements.py: the 101 départements);
3. for métiers, the labels the offers carry (`romeLibelle`, the commonest one per code);
4. else the code itself.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from offres_crawler.analysis.report import labels
from offres_crawler.analysis.report.departements import DEPARTEMENTS

logger = logging.getLogger(__name__)

REFERENTIELS_ROOT = Path("output/referentiels")  # OFFRES_REFERENTIELS_URI's default directory
USED = ("departements", "metiers", "domaines", "typesContrats", "naturesContrats")
MAX_ENTRIES = 200_000  # per list: the biggest real one (communes) has 35,329; metiers ~1,600
_DATED = re.compile(r"^\d{4}-\d{2}-\d{2}$")
FACET_KINDS = {"typeContrat": "contrat", "natureContrat": "nature", "experience": "experience",
               "qualification": "qualification"}  # filtresPossibles' facets -> the kinds of Names.name


def latest_referentiels(root: Path = REFERENTIELS_ROOT) -> Path | None:
    """The latest `<date>` directory under the referentiels' root holding one of the lists the
    report uses; None if there is none."""
    if not root.is_dir():
        return None
    for directory in sorted((p for p in root.iterdir() if p.is_dir() and _DATED.match(p.name)), reverse=True):
        if any((directory / f"{name}.jsonl").is_file() for name in USED):
            return directory
    return None


def _read_lists(path: Path) -> dict[str, dict[str, str]]:
    """{list name: {code: libellé}} of the lists the report uses, from a JSONL file or a
    directory of `<name>.jsonl` files. Lines that are not such entries are skipped."""
    files = [path] if path.is_file() else [path / f"{name}.jsonl" for name in USED]
    lists: dict[str, dict[str, str]] = {}
    for file in files:
        if not file.is_file():
            continue
        with open(file, encoding="utf-8", errors="replace") as f:
            for line in f:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if not isinstance(entry, dict):
                    continue
                name, code, libelle = entry.get("referentiel"), entry.get("code"), entry.get("libelle")
                if name in USED and isinstance(code, str) and isinstance(libelle, str):
                    entries = lists.setdefault(name, {})
                    if len(entries) < MAX_ENTRIES:
                        entries[code] = libelle
    return lists


@dataclass
class Names:
    lists: dict[str, dict[str, str]] = field(default_factory=dict)
    source: Path | None = None  # where the reference lists were read from
    offer_metiers: dict[str, str] = field(default_factory=dict)  # romeCode -> the offers' romeLibelle

    @classmethod
    def load(cls, referentiels: Path | None) -> Names:
        """From a referentiels directory or JSONL file; None: built-in names only."""
        if referentiels is None:
            return cls()
        lists = _read_lists(referentiels)
        if not lists:
            logger.warning("No reference list usable by the report in %s (looked for %s)",
                           referentiels, ", ".join(USED))
        return cls(lists=lists, source=referentiels if lists else None)

    def name(self, kind: str, code: str) -> str | None:
        """The name of a code, None if no source names it. Kinds: departement, contrat, nature,
        metier, grand_domaine, and the facets experience, qualification."""
        lists = self.lists
        if kind == "departement":
            return lists.get("departements", {}).get(code) or DEPARTEMENTS.get(code)
        if kind == "contrat":
            return lists.get("typesContrats", {}).get(code) or labels.CONTRATS.get(code)
        if kind == "nature":
            return lists.get("naturesContrats", {}).get(code) or labels.NATURES_CONTRATS.get(code)
        if kind == "metier":
            return lists.get("metiers", {}).get(code) or self.offer_metiers.get(code)
        if kind == "grand_domaine":
            return labels.GRANDS_DOMAINES.get(code)
        return {"experience": labels.EXPERIENCE, "qualification": labels.QUALIFICATION}.get(kind, {}).get(code)

    def show(self, kind: str, code: str) -> str:
        """"69 - Rhône", or the code alone."""
        return labels.with_code(code, self.name(kind, code))

    def facet_value(self, filtre: str, value: str) -> str | None:
        kind = FACET_KINDS.get(filtre)
        return self.name(kind, value) if kind else None

    def sources_note(self) -> str:
        """Where the names come from, in French, for the page."""
        parts = []
        if self.source is not None:
            parts.append(f"référentiels de l'API lus dans {self.source} ({', '.join(sorted(self.lists))})")
        parts.append("à défaut, nomenclatures publiques intégrées (départements, types et natures de "
                     "contrat, grands domaines ROME)")
        if self.offer_metiers:
            parts.append("pour les métiers, libellés ROME portés par les offres")
        parts.append("sinon le code seul")
        return "Libellés : " + " ; ".join(parts) + "."
