"""Contract types and natures, experience, qualification, travel, education levels, licences,
languages: the codes of the referentiels and how often offers carry each one.

Shares are rough national proportions (they only make the facets look plausible).
"""

from __future__ import annotations

# (code, referentiel libellé, offer libellé prefix or None when the offer shows the code, share)
TYPES_CONTRATS = (
    ("CDI", "Contrat à durée indéterminée", 0.525),
    ("CDD", "Contrat à durée déterminée", 0.167),
    ("MIS", "Mission intérimaire", 0.262),
    ("SAI", "Contrat travail saisonnier", 0.016),
    ("CCE", "Profession commerciale", 0.0066),
    ("FRA", "Franchise", 0.0039),
    ("LIB", "Profession libérale", 0.0178),
    ("REP", "Reprise d'entreprise", 0.0002),
    ("TTI", "Contrat travail temporaire insertion", 0.0003),
    ("DDI", "Contrat durée déterminée insertion", 0.0005),
    ("DIN", "CDI Intérimaire", 0.001),
)
# Contract types whose offer libellé carries a duration ("CDD - 6 Mois").
TYPES_WITH_DURATION = frozenset({"CDD", "MIS", "SAI", "TTI", "DDI"})
# Alternative offer libellés (partner offers use the short form more often).
SHORT_TYPE_LIBELLES = {"CDI": "CDI", "CDD": "CDD", "MIS": "Intérim"}

NATURES_CONTRATS = (
    ("E1", "Contrat travail", 0.918),
    ("E2", "Contrat apprentissage", 0.037),
    ("FA", "Act. Formation pré.recrut.", 0.0001),
    ("FJ", "Contrat pacte", 0.00002),
    ("FS", "Cont. professionnalisation", 0.0135),
    ("FT", "CUI - CAE", 0.00004),
    ("FU", "CUI - CIE", 0.00002),
    ("I1", "Insertion par l'activ.éco.", 0.0007),
    ("NS", "Emploi non salarié", 0.028),
    ("FV", "Prépa.opérationnel.emploi", 0.00017),
    ("FW", "Emploi Avenir non marchand", 0.00001),
    ("FX", "Emploi Avenir marchand", 0.00001),
    ("FY", "Emploi Avenir Professeur", 0.00001),
    ("PS", "Portage salarial", 0.00002),
    ("PR", "Contrat PrAB", 0.00001),
    ("CC", "CDI de chantier ou d'opération", 0.0007),
    ("CU", "Contrat d'usage", 0.0006),
    ("EE", "Contrat d'Engagement Educatif", 0.0005),
    ("ER", "Engagement à servir dans la réserve", 0.00001),
    ("CI", "Contrat intermittent", 0.0003),
)
# Natures that go with an apprenticeship-type contract (alternance = true).
ALTERNANCE_NATURES = frozenset({"E2", "FS"})
# Natures of self-employment, which go with the LIB/FRA/CCE/REP contract types.
SELF_EMPLOYED_TYPES = frozenset({"LIB", "FRA", "CCE", "REP"})

# Facet buckets of `experience`: the API answers them in this order.
EXPERIENCE_FACET_ORDER = ("0", "4", "1", "2", "3")
# Shares of the experience buckets (0 non précisé, 1 < 1 an, 2 1-3 ans, 3 > 3 ans, 4 débutant).
EXPERIENCE_SHARES = (0.051, 0.043, 0.342, 0.047, 0.517)

QUALIFICATIONS = (
    ("1", "Manœuvre"),
    ("2", "Ouvrier spécialisé"),
    ("3", "Ouvrier qualifié (P1,P2)"),
    ("4", "Ouvrier qualifié (P3,P4,OHQ)"),
    ("5", "Employé non qualifié"),
    ("6", "Employé qualifié"),
    ("7", "Technicien"),
    ("8", "Agent de maîtrise"),
    ("9", "Cadre"),
)
QUALIFICATION_SHARES = (0.03, 0.08, 0.10, 0.06, 0.16, 0.32, 0.10, 0.07, 0.08)

DEPLACEMENTS = (("1", "Jamais"), ("2", "Ponctuels"), ("3", "Fréquents"), ("4", "Quotidiens"))
DEPLACEMENT_ZONES = ("", " Zone départementale", " Zone régionale", " Zone nationale", " Zone internationale")

NIVEAUX_FORMATIONS = (
    ("AFS", "Aucune formation scolaire"),
    ("C12", "2nd ou 1ère achevée"),
    ("C3A", "3ème achevée ou Brevet"),
    ("CFG", "4ème achevée"),
    ("CP4", "Primaire à 4ème"),
    ("NV1", "Bac+5 et plus ou équivalents"),
    ("NV2", "Bac+3, Bac+4 ou équivalents"),
    ("NV3", "Bac+2 ou équivalents"),
    ("NV4", "Bac ou équivalent"),
    ("NV5", "CAP, BEP et équivalents"),
)
NIVEAU_SHARES = (0.005, 0.01, 0.01, 0.005, 0.005, 0.17, 0.15, 0.22, 0.17, 0.255)

PERMIS = (
    ("AM", "AM - Cyclomoteur"),
    ("A1", "A1 - Motocyclette <= 125 cm3"),
    ("A", "A - Motocyclette"),
    ("B", "B - Véhicule léger"),
    ("BE", "BE - Véhicule léger avec remorque"),
    ("C1", "C1 - Poids lourd <= 7,5 t"),
    ("C", "C - Poids lourd"),
    ("CE", "CE - Poids lourd + remorque"),
    ("D", "D - Transport en commun"),
    ("DE", "DE - Transport en commun + remorque"),
    ("CACES", "CACES - Chariots élévateurs"),
)
PERMIS_SHARES = (0.005, 0.01, 0.005, 0.82, 0.03, 0.02, 0.04, 0.04, 0.02, 0.005, 0.005)

LANGUES = (
    ("AN", "Anglais"), ("AL", "Allemand"), ("ES", "Espagnol"), ("IT", "Italien"),
    ("PO", "Portugais"), ("AR", "Arabe"), ("CH", "Chinois"), ("NE", "Néerlandais"),
    ("RU", "Russe"), ("JA", "Japonais"), ("FR", "Français"), ("LS", "Langue des signes"),
)
LANGUE_SHARES = (0.74, 0.06, 0.07, 0.02, 0.01, 0.01, 0.005, 0.01, 0.005, 0.005, 0.06, 0.005)

SALAIRE_COMPLEMENTS = (
    ("1", "Primes"), ("2", "Mutuelle"), ("3", "Titres restaurant / Prime de panier"),
    ("4", "Chèque repas"), ("5", "Véhicule de fonction"), ("6", "Participation / Intéressement"),
    ("7", "Treizième mois"), ("8", "Logement"), ("9", "Remboursement transport"),
)

TRANCHES_EFFECTIF = (
    "0 salarié (n'ayant pas d'effectif au 31/12 mais ayant employé des salariés au cours de l'année de référence)",
    "1 ou 2 salariés", "3 à 5 salariés", "6 à 9 salariés", "10 à 19 salariés", "20 à 49 salariés",
    "50 à 99 salariés", "100 à 199 salariés", "200 à 249 salariés", "250 à 499 salariés",
    "500 à 999 salariés", "1000 à 1999 salariés", "2000 à 4999 salariés",
)
