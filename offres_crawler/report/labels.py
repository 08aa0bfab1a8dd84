"""Readable names for the codes the report plots (public ROME and contract nomenclatures)."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

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


def contrat(code: str) -> str:
    name = CONTRATS.get(code)
    return f"{code} ({name})" if name and name != code else code


def grand_domaine(letter: str) -> str:
    name = GRANDS_DOMAINES.get(letter)
    return f"{letter} - {name}" if name else letter
