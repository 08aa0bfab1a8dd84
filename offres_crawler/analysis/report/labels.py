"""Built-in French names for the codes the report shows (public ROME and API nomenclatures), used
when no reference list (names.py) names them, and the formatting of any label for display."""

from __future__ import annotations

import re

# ROME "grands domaines": the first letter of a ROME code.
GRANDS_DOMAINES = {
    "A": "Agriculture, pêche, espaces naturels et verts, soins aux animaux",
    "B": "Arts et façonnage d'ouvrages d'art",
    "C": "Banque, assurance, immobilier",
    "D": "Commerce, vente et grande distribution",
    "E": "Communication, média et multimédia",
    "F": "Construction, bâtiment et travaux publics",
    "G": "Hôtellerie-restauration, tourisme, loisirs et animation",
    "H": "Industrie",
    "I": "Installation et maintenance",
    "J": "Santé",
    "K": "Services à la personne et à la collectivité",
    "L": "Spectacle",
    "M": "Support à l'entreprise",
    "N": "Transport et logistique",
}

CONTRATS = {
    "CDI": "CDI", "CDD": "CDD", "MIS": "Intérim", "SAI": "Saisonnier", "LIB": "Libéral",
    "FRA": "Franchise", "CCE": "Commercial", "REP": "Reprise", "TTI": "Intérim insertion",
    "DDI": "CDD insertion", "DIN": "CDI intérimaire",
}

ORIGINES = {"1": "France Travail", "2": "Partenaires"}

# The facets of the search (filtresPossibles) and their values (REFERENCE Part 2 §3, §4).
FILTRES = {"typeContrat": "Type de contrat", "experience": "Expérience demandée",
           "qualification": "Qualification", "natureContrat": "Nature du contrat"}
EXPERIENCE = {"0": "Non précisée", "1": "Moins d'un an", "2": "De 1 à 3 ans", "3": "Plus de 3 ans",
              "4": "Code 4 (sens non documenté)"}
QUALIFICATION = {"0": "Non-cadre", "9": "Cadre", "X": "Non précisée"}
NATURES_CONTRATS = {
    "E1": "Contrat travail", "E2": "Contrat apprentissage", "FA": "Act. Formation pré.recrut.",
    "FJ": "Contrat pacte", "FS": "Cont. professionnalisation", "FT": "CUI - CAE", "FU": "CUI - CIE",
    "I1": "Insertion par l'activ.éco.", "NS": "Emploi non salarié", "FV": "Prépa.opérationnel.emploi",
    "FW": "Emploi Avenir non marchand", "FX": "Emploi Avenir marchand", "FY": "Emploi Avenir Professeur",
    "PS": "Portage salarial", "PR": "Contrat PrAB", "CC": "CDI de chantier ou d'opération",
    "CU": "Contrat d'usage", "EE": "Contrat d'Engagement Educatif",
    "ER": "Engagement à servir dans la réserve", "CI": "Contrat intermittent",
}

MAX_LABEL = 70  # characters of a label in a chart (tables keep it whole)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def grand_domaine(letter: str) -> str:
    name = GRANDS_DOMAINES.get(letter)
    return f"{letter} - {name}" if name else letter


def with_code(code: str, name: str | None) -> str:
    """"69 - Rhône"; the code alone when there is no name, or when the name is the code."""
    return f"{code} - {name}" if name and name != code else code


def clean(text: object, limit: int | None = None) -> str:
    """A label as it may be shown: control characters (newlines included) become one space, and
    with a `limit` it is cut with an ellipsis."""
    text = _CONTROL.sub(" ", str(text)).strip()
    if limit is not None and len(text) > limit:
        text = text[:limit - 1].rstrip() + "…"
    return text
