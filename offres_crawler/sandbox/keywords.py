"""The motsCles index: which appellations, métiers and skills each normalised word occurs in.

An offer's searchable text (intitulé, romeCode, romeLibelle, competences libellés) is a function of
its appellation, its métier and the bit mask of the métier's skills it lists, so a keyword is matched
with three table lookups per candidate offer instead of a scan of rendered text.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass

import numpy as np

from offres_crawler.sandbox.catalog import Catalog

logger = logging.getLogger(__name__)

_WORD = re.compile(r"[a-z0-9]+")


def normalize(text: str) -> str:
    """Lower case without accents (œ -> oe), as the API compares keywords."""
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def words(text: str) -> list[str]:
    return _WORD.findall(normalize(text))


@dataclass(frozen=True)
class WordHits:
    appellation: np.ndarray  # bool per appellation: the word is in the intitulé
    metier: np.ndarray  # bool per métier: the word is in romeCode or romeLibelle
    competences: np.ndarray  # uint16 per métier: bits of the métier's skills containing the word


class KeywordIndex:
    def __init__(self, cat: Catalog) -> None:
        n_app, n_met = len(cat.appellation_codes), len(cat.metier_codes)
        self._hits: dict[str, WordHits] = {}

        def hits(word: str) -> WordHits:
            h = self._hits.get(word)
            if h is None:
                h = WordHits(np.zeros(n_app, bool), np.zeros(n_met, bool), np.zeros(n_met, np.uint16))
                self._hits[word] = h
            return h

        for a, libelle in enumerate(cat.appellation_libelles):
            for w in set(words(libelle)):
                hits(w).appellation[a] = True
        for m, (code, libelle) in enumerate(zip(cat.metier_codes, cat.metier_libelles)):
            for w in set(words(code) + words(libelle)):
                hits(w).metier[m] = True
            for bit, (_, comp) in enumerate(cat.metier_competences[m]):
                for w in set(words(comp)):
                    hits(w).competences[m] |= np.uint16(1 << bit)
        self._empty = WordHits(np.zeros(n_app, bool), np.zeros(n_met, bool), np.zeros(n_met, np.uint16))

    @property
    def vocabulary(self) -> list[str]:
        return sorted(self._hits)

    def hits(self, word: str) -> WordHits:
        return self._hits.get(word, self._empty)

    def match(self, keyword: str, appellation: np.ndarray, metier: np.ndarray,
              comp_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(matches, score) over the given offers' columns. A keyword of several words needs all
        of them; the score counts the fields a word was found in (title counts double)."""
        parts = words(keyword)
        matched = np.ones(len(appellation), bool) if parts else np.zeros(len(appellation), bool)
        score = np.zeros(len(appellation), np.int32)
        for w in parts:
            h = self.hits(w)
            in_title = h.appellation[appellation]
            in_rome = h.metier[metier]
            in_comp = (h.competences[metier] & comp_mask) != 0
            matched &= in_title | in_rome | in_comp
            score += 2 * in_title + in_rome + in_comp
        return matched, score
