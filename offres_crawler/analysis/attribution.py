"""Source attribution and licence of the offers (REFERENCE Part 1 §12), for snapshot manifests.

The offers are France Travail's, published under its own reuse licence (not Etalab): name the
source and the date of the last update, refresh at least every 24 hours and propagate
deletions; a derived database made available to others must drop employer identity, contact
data, offer URLs and the workplace commune (art. 7). Verify the current text before publishing.
"""

from __future__ import annotations

SOURCE_NAME = "France Travail"
SOURCE_API = "API Offres d'emploi v2"
LICENCE_NAME = "Licence Offres d'emploi (France Travail)"
LICENCE_NOTES = (
    "France Travail's own reuse licence, not Etalab. Name the source and the last-update date; "
    "refresh at least every 24 hours and propagate deletions; a derived database made "
    "available to others must drop employer identity, contact data, offer URLs and the "
    "workplace commune (art. 7). Verify the current licence text before publishing."
)

# The same, in French, for pages read by people (the HTML report).
LICENCE_NOTES_FR = (
    "Licence propre à France Travail, et non la Licence Ouverte d'Etalab. Citer la source et la "
    "date de dernière mise à jour ; actualiser les données au moins toutes les 24 heures et "
    "répercuter les suppressions d'offres ; une base de données dérivée mise à la disposition de "
    "tiers doit exclure l'identité de l'employeur, ses coordonnées, les adresses (URL) des offres "
    "et la commune du lieu de travail (art. 7). Vérifier le texte en vigueur de la licence avant "
    "toute publication."
)


def attribution(last_update: str | None) -> str:
    """The attribution line to show with the data."""
    when = f", offres mises à jour le {last_update}" if last_update else ""
    return f"Source : {SOURCE_NAME}, {SOURCE_API}{when}"
