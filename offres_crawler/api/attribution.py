"""Source attribution and licence of the offers (REFERENCE Part 1 §12), for snapshot manifests.

The offers are France Travail's, published under its own reuse licence (not Etalab): name the
source and the date of the last update, refresh at least every 24 hours and propagate
deletions; a derived database made available to others must drop employer identity, contact
data, offer URLs and the workplace commune (art. 7). Verify the current text before publishing.
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

SOURCE_NAME = "France Travail"
SOURCE_API = "API Offres d'emploi v2"
LICENCE_NAME = "Licence Offres d'emploi (France Travail)"
LICENCE_NOTES = (
    "France Travail's own reuse licence, not Etalab. Name the source and the last-update date; "
    "refresh at least every 24 hours and propagate deletions; a derived database made "
    "available to others must drop employer identity, contact data, offer URLs and the "
    "workplace commune (art. 7). Verify the current licence text before publishing."
)


def attribution(last_update: str | None) -> str:
    """The attribution line to show with the data."""
    when = f", offres mises à jour le {last_update}" if last_update else ""
    return f"Source : {SOURCE_NAME}, {SOURCE_API}{when}"
