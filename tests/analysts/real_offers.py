"""The real sample offers (France Travail data, read at test time from ../shared, never copied)."""

from __future__ import annotations

import json
from pathlib import Path


def latest_offers(samples: Path) -> list[dict]:
    """Every distinct sample offer, in its latest copy (the files overlap: the same query six
    weeks apart)."""
    latest: dict[str, dict] = {}
    for path in sorted((samples / "offres").glob("*.json")):
        for offer in json.loads(path.read_text(encoding="utf-8")):
            known = latest.get(offer["id"])
            if known is None or offer["dateActualisation"] >= known["dateActualisation"]:
                latest[offer["id"]] = offer
    return list(latest.values())
