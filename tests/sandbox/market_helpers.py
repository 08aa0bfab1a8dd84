"""Shared helpers of the market tests: small cached markets and an independent reading of the
rendered offers (what a client sees), used to recompute search results naively."""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata

from offres_crawler.sandbox.market import Market, MarketConfig

ANCHOR_MS = 1_732_791_600_000  # 2024-11-28T11:00:00Z, like the real samples
DAY_S = 86_400


@functools.lru_cache(maxsize=8)
def market(offers: int = 4_000, seed: int = 7, **options) -> Market:
    """A market built once per test session (do not advance it: build your own for churn)."""
    return Market(MarketConfig(offers=offers, seed=seed, anchor_ms=ANCHOR_MS, **options))


@functools.lru_cache(maxsize=8)
def rendered(m: Market) -> tuple[tuple[int, dict], ...]:
    """(row, offer JSON) of every row of the market, in row order."""
    return tuple(zip(range(m.n), m.offers(list(range(m.n)))))


def epoch_s(iso: str) -> int:
    return int(dt.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())


def epoch_ms(iso: str) -> int:
    return round(dt.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def norm_words(text: str) -> set[str]:
    text = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "OE"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return set(re.findall(r"[a-z0-9]+", text))


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (written again here, independent of the sandbox's)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, a)))


def code_of(referentiel: list[dict], libelle: str) -> str:
    for entry in referentiel:
        if entry["libelle"] == libelle:
            return entry["code"]
    raise KeyError(libelle)


class OfferView:
    """Attributes of a rendered offer as a client would derive them, referentiels in hand."""

    def __init__(self, m: Market) -> None:
        refs = m.referentiels
        self.refs = refs
        self.nature_code = {e["libelle"]: e["code"] for e in refs["naturesContrats"]}
        self.commune_dept = {e["code"]: e["codeDepartement"] for e in refs["communes"]}
        self.dept_region = {e["code"]: e["region"]["code"] for e in refs["departements"]}
        self.region_code = {e["libelle"]: e["code"] for e in refs["regions"]}
        self.niveau_code = {e["libelle"]: e["code"] for e in refs["niveauxFormations"]}
        self.permis_code = {e["libelle"]: e["code"] for e in refs["permis"]}

    def departement(self, o: dict) -> str | None:
        place = o["lieuTravail"]
        if "commune" in place:
            return self.commune_dept[place["commune"]]
        m = re.match(r"^(\d{2}|2A|2B|97\d) - ", place["libelle"])
        return m.group(1) if m else None

    def region(self, o: dict) -> str | None:
        dept = self.departement(o)
        if dept:
            return self.dept_region[dept]
        return self.region_code.get(o["lieuTravail"]["libelle"])

    def nature(self, o: dict) -> str:
        return self.nature_code[o["natureContrat"]]

    @staticmethod
    def experience_bucket(o: dict) -> str:
        text = o["experienceLibelle"]
        if text.startswith("Débutant"):
            return "4"
        m = re.search(r"(\d+) (Mois|An\(s\))", text)
        if not m:
            return "0"
        n, unit = int(m.group(1)), m.group(2)
        if unit == "Mois":
            return "1"
        return "2" if n <= 3 else "3"

    @staticmethod
    def qualification(o: dict) -> str:
        code = o.get("qualificationCode")
        return "X" if code is None else "9" if code == "9" else "0"

    @staticmethod
    def weekly_minutes(o: dict) -> int | None:
        if "dureeTravailLibelleConverti" not in o:
            return None
        m = re.search(r"(\d+)H(\d{2})?", o["dureeTravailLibelle"])
        return int(m.group(1)) * 60 + int(m.group(2) or 0)

    @staticmethod
    def contract_months(o: dict) -> float | None:
        text = o["typeContratLibelle"]
        m = re.search(r"- (\d+) (Mois|Jour\(s\))$", text)
        if not m:
            return None
        return int(m.group(1)) / 30 if m.group(2) != "Mois" else float(m.group(1))

    @staticmethod
    def salary(o: dict) -> tuple[str, float] | None:
        """(period letter, lower bound) from salaire.libelle; None when it states no period or no
        amount ("Annuel de", "Autre de ...", "De ... à ..."): no salaireMin filter selects those."""
        text = o["salaire"].get("libelle")
        m = re.match(r"^(Mensuel|Annuel|Horaire|Cachet) de ([\d.,]+) Euros", text or "")
        if not m:
            return None
        period = {"Mensuel": "M", "Annuel": "A", "Horaire": "H", "Cachet": "C"}[m.group(1)]
        return period, float(m.group(2).replace(",", "."))

    @staticmethod
    def keyword_words(o: dict) -> set[str]:
        words = norm_words(o["intitule"]) | norm_words(o["romeCode"]) | norm_words(o["romeLibelle"])
        for c in o.get("competences", ()):
            words |= norm_words(c["libelle"])
        return words
