"""The motsCles index: which appellations, métiers and skills each normalised word occurs in.

An offer's searchable text (intitulé, romeCode, romeLibelle, competences libellés) is a function of
its appellation, its métier and the bit mask of the métier's skills it lists, so a keyword is matched
with three table lookups per candidate offer instead of a scan of rendered text.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from offres_crawler.sandbox.catalog import Catalog

_WORD = re.compile(r"[a-z0-9]+")


def normalize(text: str) -> str:
    """Lower case without accents (œ -> oe), as the API compares keywords."""
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def words(text: str) -> list[str]:
    return _WORD.findall(normalize(text))


@functools.lru_cache(maxsize=1024)
def _distinct_words(text: str) -> frozenset[str]:
    # The skills repeat from métier to métier: normalise each text once.
    return frozenset(words(text))


@dataclass(frozen=True)
class WordHits:
    appellation: np.ndarray  # bool per appellation: the word is in the intitulé
    metier: np.ndarray  # bool per métier: the word is in romeCode or romeLibelle
    competences: np.ndarray  # uint16 per métier: bits of the métier's skills containing the word


class KeywordIndex:
    """Word -> where it occurs. The occurrences are kept as index lists and turned into lookup
    arrays the first time a word is searched: with ROME 4.0 the vocabulary has thousands of words,
    most never searched, and dense arrays for all of them cost seconds at start and tens of MB."""

    def __init__(self, cat: Catalog) -> None:
        self._n_app, self._n_met = len(cat.appellation_codes), len(cat.metier_codes)
        self._app: dict[str, list[int]] = defaultdict(list)
        self._met: dict[str, list[int]] = defaultdict(list)
        self._comp: dict[str, dict[int, int]] = defaultdict(dict)  # word -> métier -> skill bits
        for a, libelle in enumerate(cat.appellation_libelles):
            for w in set(words(libelle)):
                self._app[w].append(a)
        for m, (code, libelle) in enumerate(zip(cat.metier_codes, cat.metier_libelles)):
            for w in set(words(code) + words(libelle)):
                self._met[w].append(m)
            for bit, (_, comp) in enumerate(cat.metier_competences[m]):
                for w in _distinct_words(comp):
                    self._comp[w][m] = self._comp[w].get(m, 0) | 1 << bit
        self._vocabulary = sorted(set(self._app) | set(self._met) | set(self._comp))
        self._hits: dict[str, WordHits] = {}
        self._empty = WordHits(np.zeros(self._n_app, bool), np.zeros(self._n_met, bool),
                               np.zeros(self._n_met, np.uint16))

    @property
    def vocabulary(self) -> list[str]:
        return self._vocabulary

    def hits(self, word: str) -> WordHits:
        h = self._hits.get(word)
        if h is None:
            if word not in self._app and word not in self._met and word not in self._comp:
                return self._empty
            h = WordHits(np.zeros(self._n_app, bool), np.zeros(self._n_met, bool), np.zeros(self._n_met, np.uint16))
            h.appellation[self._app.get(word, [])] = True
            h.metier[self._met.get(word, [])] = True
            for m, bits in self._comp.get(word, {}).items():
                h.competences[m] = bits
            self._hits[word] = h
        return h

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
