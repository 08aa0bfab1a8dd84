"""How often each optional key of an Offre is present, by origine and by year of creation.

Measured on the real samples (2,285 distinct offers: 362 France Travail and 1,435 partner ones
created in 2024 or before, 89 and 399 created in 2025; tests/sandbox/fidelity.py measures them,
docs/sandbox-fidelity.md shows them beside the sandbox's, tests/sandbox/test_fidelity.py keeps
the three in step). Offers created before 2025 take the first pair of shares, later ones the
second. Keys not listed here are always present.

The top-level keys that appeared in 2025 (`contexteTravail`, `entrepriseAdaptee`,
`employeurHandiEngage`, with `trancheEffectifEtab` and `salaire.listeComplements`) are on none of
the samples and on every real offer of December 2025 and 2026 we have: they belong to the "newer
shape" of an offer, whose share is a market setting (`MarketConfig.new_fields_share`).
"""

from __future__ import annotations

import calendar

YEARS = (2024, 2025)
# Epoch ms from which an offer takes the shares of YEARS[i] (i >= 1): an offer's year index is
# bisect_right(YEAR_STARTS_MS, its creation instant).
YEAR_STARTS_MS = tuple(calendar.timegm((y, 1, 1, 0, 0, 0)) * 1000 for y in YEARS[1:])

# key -> ((origine 1, origine 2) created <= 2024, (origine 1, origine 2) created >= 2025).
# "a.b" is key b of object a; "a[].b" key b of an item of list a (shares of all the offers).
PRESENCE: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    "experienceCommentaire": ((0.072, 0.007), (0.090, 0.008)),
    "formations": ((0.434, 0.003), (0.528, 0.010)),
    "formations[].codeFormation": ((0.262, 0.003), (0.393, 0.010)),
    "formations[].commentaire": ((0.108, 0.0), (0.146, 0.0)),
    "langues": ((0.202, 0.004), (0.225, 0.010)),
    "permis": ((0.122, 0.001), (0.112, 0.010)),
    # Not in the samples; the OAS declares it: kept rare so that a client meets the key.
    "outilsBureautiques": ((0.005, 0.0), (0.005, 0.0)),
    "competences": ((0.782, 0.0), (0.652, 0.0)),
    "dureeTravailLibelle": ((0.994, 0.139), (1.0, 0.123)),
    "dureeTravailLibelleConverti": ((0.994, 0.095), (1.0, 0.095)),
    "complementExercice": ((0.017, 0.043), (0.011, 0.023)),
    "conditionExercice": ((0.008, 0.0), (0.0, 0.0)),
    "deplacementCode": ((0.478, 0.0), (0.315, 0.0)),
    "qualificationCode": ((1.0, 0.107), (1.0, 0.153)),
    "codeNAF": ((1.0, 0.324), (1.0, 0.293)),
    "qualitesProfessionnelles": ((0.594, 0.0), (0.461, 0.0)),
    "offresManqueCandidats": ((0.989, 0.0), (0.944, 0.0)),
    "entreprise.nom": ((0.972, 0.464), (0.978, 0.431)),
    "entreprise.description": ((0.094, 0.672), (0.191, 0.694)),
    "entreprise.logo": ((0.052, 0.0), (0.146, 0.0)),
    "entreprise.url": ((0.036, 0.0), (0.112, 0.0)),
    "salaire.libelle": ((0.699, 0.242), (0.798, 0.321)),
    "salaire.commentaire": ((0.304, 0.052), (0.213, 0.120)),
    "salaire.complement1": ((0.649, 0.0), (0.483, 0.0)),
    "salaire.complement2": ((0.337, 0.0), (0.225, 0.0)),
    # contact and agence: France Travail offers only, always (often {}).
    "contact.nom": ((0.597, 0.0), (0.640, 0.0)),
    "contact.coordonnees1": ((0.815, 0.0), (0.809, 0.0)),
    "contact.coordonnees2": ((0.113, 0.0), (0.090, 0.0)),
    "contact.courriel": ((0.354, 0.0), (0.371, 0.0)),
    "contact.urlPostulation": ((0.351, 0.0), (0.348, 0.0)),
    "agence.courriel": ((0.108, 0.0), (0.090, 0.0)),
}

# Workplaces without a commune: shares of (France, a region, a foreign country, a département only).
LOCATION: tuple[tuple[tuple[float, float, float, float], ...], ...] = (
    ((0.003, 0.011, 0.011, 0.028), (0.226, 0.008, 0.0, 0.058)),  # <= 2024: origine 1, origine 2
    ((0.0, 0.011, 0.0, 0.011), (0.178, 0.003, 0.0, 0.045)),      # >= 2025
)
LIEU_DEPT_COORDINATES = (0.0, 0.1)  # share of département-only workplaces that carry coordinates, by origine

# The newer shape (December 2025 and 2026 offers: 5 France Travail offers, all with it).
NEW_TRANCHE_EFFECTIF = 0.8  # trancheEffectifEtab on 4 of those 5 (the OAS: "only 20 % of offers" overall)


# Sub-keys drawn only on offers that have their parent: their share among those ("key | parent").
CONDITIONAL = (("formations[].codeFormation", "formations"), ("formations[].commentaire", "formations"),
               ("salaire.complement2", "salaire.complement1"))


def _group(year: int, side: int) -> dict[str, float]:
    shares = {key: pairs[year][side] for key, pairs in PRESENCE.items()}
    for key, parent in CONDITIONAL:
        shares[f"{key} | {parent}"] = min(1.0, shares[key] / shares[parent]) if shares[parent] else 0.0
    return shares


# SHARES[year index][side (0 France Travail, 1 partner)][key]: one dict lookup per draw when rendering.
SHARES = tuple(tuple(_group(y, side) for side in (0, 1)) for y in range(len(YEARS)))

