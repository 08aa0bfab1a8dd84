"""How often each optional key of an Offre is present, per origine (France Travail, partner).

Rounded from the presence frequencies measured on real offers (2,285 offers of Nov 2024-Jan 2025,
451 France Travail and 1,834 partner ones); keys absent from those samples but present in the
official schema and in 2026 data get small shares so that the market shows every key.
Keys not listed here are always present.
"""

from __future__ import annotations

# key -> (share among origine 1 offers, share among origine 2 offers)
PRESENCE: dict[str, tuple[float, float]] = {
    "experienceCommentaire": (0.075, 0.007),
    "formations": (0.45, 0.004),
    "langues": (0.21, 0.005),
    "permis": (0.12, 0.003),
    "outilsBureautiques": (0.03, 0.0),
    "competences": (0.76, 0.0),
    "dureeTravailLibelle": (0.996, 0.136),
    "dureeTravailLibelleConverti": (0.996, 0.095),
    "complementExercice": (0.016, 0.039),
    "conditionExercice": (0.007, 0.0),
    "contact": (1.0, 0.0),
    "agence": (1.0, 0.0),
    "deplacementCode": (0.45, 0.0),
    "deplacementLibelle": (0.45, 0.0),
    "qualificationCode": (1.0, 0.117),
    "qualificationLibelle": (1.0, 0.117),
    "codeNAF": (1.0, 0.317),
    "secteurActivite": (1.0, 0.317),
    "secteurActiviteLibelle": (1.0, 0.317),
    "qualitesProfessionnelles": (0.57, 0.0),
    "offresManqueCandidats": (0.98, 0.0),
    # Not in the 2024 samples; present in the schema and in 2026 offers.
    "trancheEffectifEtab": (0.03, 0.0),
    "contexteTravail": (0.03, 0.0),
    "entrepriseAdaptee": (0.03, 0.0),
    "employeurHandiEngage": (0.03, 0.0),
}

# Sub-keys: salaire.libelle (the rest of salaire is often {}), entreprise.nom.
SALAIRE_LIBELLE = (0.72, 0.26)
ENTREPRISE_NOM = (0.97, 0.46)
ENTREPRISE_DESCRIPTION = (0.11, 0.68)
LIEU_DEPT_COORDINATES = 0.5  # share of département-only workplaces that still carry coordinates
