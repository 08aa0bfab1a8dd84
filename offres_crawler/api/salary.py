"""Salary normalisation: from an offer's free-form `salaire` to numbers an analyst can compare.

The API's `salaire.libelle` is generated from a form ("Annuel de 35000,00 Euros à 45000,00
Euros", "Mensuel de 1824.00 Euros sur 12.0 mois", "Horaire de 12.02 Euros", "Mensuel de 43% à
100% du SMIC", "Autre de ...", "Cachet de ..."); `salaire.commentaire` is whatever the employer
typed ("45 - 55 k€ brut annuel", "A partir de 3 254 euros brut/mois", "Entre 12 et 14€ brut").
`normalise_salary` reads the libellé and, when it states no amount, the commentaire, and returns:

- minimum / maximum: the amounts as stated, per period, in `currency` (k€ multiplied out; a
  single amount gives minimum == maximum; "A partir de X" leaves maximum None, "Jusqu'à X"
  leaves minimum None);
- period: "hour" | "month" | "year" | "other" (cachet, day, week, "Autre" when the amount does
  not tell); when the text states none, it is inferred from the amount's magnitude (below 100:
  hour, up to 15,000: month, above: year; k€: year) and `period_inferred` is True;
- months: the number of monthly payments when stated ("sur 13 mois", "13e mois"), else None;
- annual_min / annual_max: annual gross euros, full-time equivalent: hour x 1,820 h (35 h x 52),
  month x months (12 when not stated), year as is; None for "other" and non-euro currencies.
  Amounts stated net ("net" in the text, `net` True) are not converted;
- smic_share_min / smic_share_max for "% du SMIC" (amounts then computed from the SMIC in force
  on the offer's creation date, see api/smic.py);
- plausible: False when an annual amount falls outside 3,000..300,000 EUR or the range spans
  more than a factor 5 (typos are common: "Annuel de 40,00 Euros", an extra zero); a flag for
  analyses, never a correction. None when there is no annual amount.
- source: "libelle" or "commentaire".

The original `salaire` is never modified. Framework-free (standard library only).
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from offres_crawler.api.smic import HOURS_PER_YEAR, smic_hourly, smic_monthly

logger = logging.getLogger(__name__)

PERIODS = ("hour", "month", "year", "other")
ANNUAL_PLAUSIBLE = (3_000.0, 300_000.0)
RANGE_PLAUSIBLE_FACTOR = 5.0

# -- tokens -------------------------------------------------------------------------------------

# A number: thousands groups ("3 254", "35.000", "1.824,50") or plain digits with an optional
# decimal part ("35000,00", "21877.0", "12.02"). Spaces are normalised to " " first.
_NUM = r"(?:\d{1,3}(?:[ .,]\d{3})+(?:[.,]\d{1,2})?(?!\d)|\d+(?:[.,]\d+)?)"
_NUMBER = re.compile(rf"(?<![\d.,]){_NUM}")
_UNIT = re.compile(r"\s*(?P<unit>k\s*€|k\s*eur(?:os?)?\b|k(?![a-zà-ÿ0-9])|€|euros?\b|eur\b|\$|usd\b|dollars?\b)",
                   re.IGNORECASE)
# What a number that is not an amount is followed by (durations, counts, ordinals, percents).
_NOT_AMOUNT = re.compile(r"\s*(?:%|h\b|heures?\b|hrs?\b|jours?\b|j\b|ans?\b|années?\b|mois\b|semaines?\b"
                         r"|e\b|è|ème|eme\b|ieme\b|ième\b|er\b|personnes?\b|salariés?\b|km\b|min\b|rtt\b)",
                         re.IGNORECASE)
_RANGE_JOIN = re.compile(r"^\s*(?:-|–|—|à|a|et|/|au|jusqu'à|jusqu'a)\s*$", re.IGNORECASE)
_MONTHS = re.compile(rf"\bsur\s+(?P<n>{_NUM})\s*mois\b", re.IGNORECASE)
_NTH_MONTH = re.compile(r"\b(?P<n>1[3-6])\s*-?\s*(?:e|è|ème|eme|ieme|ième)\s+mois\b", re.IGNORECASE)
_WORD_MONTH = re.compile(r"\b(?P<w>treizi[eè]me|quatorzi[eè]me)\s+mois\b", re.IGNORECASE)
_SMIC = re.compile(rf"(?P<a>{_NUM})\s*%(?:\s*(?:à|a|-|et|/)\s*(?P<b>{_NUM})\s*%)?\s*(?:du\s+|de\s+|d[u']\s*)?smic\b",
                   re.IGNORECASE)
_SMIC_WORD = re.compile(r"\bsmic\b", re.IGNORECASE)
_FROM = re.compile(r"(?:à|a)\s+partir\s+de\s*$|\bd[eè]s\s*$|\bminimum\s*$|\bmini\s*$|\bmin\.?\s*$",
                   re.IGNORECASE)
_UP_TO = re.compile(r"jusqu'(?:à|a)\s*$|\bmaximum\s*$|\bmaxi?\.?\s*$", re.IGNORECASE)
_NET = re.compile(r"\bnet(?:te)?s?\b", re.IGNORECASE)
_SALARY_CUE = re.compile(r"\bbrut|\bnet\b|\bsalaire|\brémunération|\bremuneration|\bentre\b", re.IGNORECASE)

_LIBELLE_PERIOD = re.compile(r"^\s*(?P<p>annuel|mensuel|horaire|cachet|autre|journalier|hebdomadaire)\b",
                             re.IGNORECASE)
_LIBELLE_PERIODS = {"annuel": "year", "mensuel": "month", "horaire": "hour", "cachet": "other",
                    "journalier": "other", "hebdomadaire": "other", "autre": None}
_PERIOD_WORDS = (
    ("year", re.compile(r"\bannuel(?:le)?s?\b|\bannuellement\b|(?:/|\bpar\b|\bl')\s*an(?:née)?\b"
                        r"|\bbrut\s+an\b", re.IGNORECASE)),
    ("month", re.compile(r"\bmensuel(?:le)?s?\b|\bmensuellement\b|(?:/|\bpar\b)\s*mois\b", re.IGNORECASE)),
    ("hour", re.compile(r"\bhoraires?\b|(?:/|\bpar\b|\bde\s+l')\s*heure\b|/\s*h\b|€\s*h\b",
                        re.IGNORECASE)),
    ("other", re.compile(r"\bjournali[eè]re?\b|(?:/|\bpar\b)\s*jour\b|\bcachets?\b|\bhebdomadaire\b"
                         r"|(?:/|\bpar\b)\s*semaine\b|\bvacations?\b", re.IGNORECASE)),
)
_SPACES = re.compile(r"[\u00a0\u202f\u2007\u2009\t]")
_CURRENCIES = {"€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR", "$": "USD", "usd": "USD",
               "dollar": "USD", "dollars": "USD"}


@dataclass(frozen=True)
class Salary:
    minimum: float | None
    maximum: float | None
    period: str  # one of PERIODS
    period_inferred: bool
    months: float | None
    currency: str  # ISO 4217: "EUR" unless the text says otherwise
    net: bool
    annual_min: float | None
    annual_max: float | None
    smic_share_min: float | None
    smic_share_max: float | None
    plausible: bool | None
    source: str  # "libelle" | "commentaire"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Amount:
    value: float
    start: int
    end: int
    kilo: bool  # "45 k€", "35K"
    currency: str | None  # ISO code when a currency is written after it

    @property
    def unit(self) -> bool:
        return self.kilo or self.currency is not None


@dataclass
class _Parsed:
    minimum: float | None = None
    maximum: float | None = None
    period: str | None = None  # stated period
    period_is_label: bool = False  # stated by the libellé's first word
    months: float | None = None
    currency: str | None = None
    net: bool = False
    kilo: bool = False
    smic: tuple[float, float | None] | None = None

    @property
    def has_amount(self) -> bool:
        return self.minimum is not None or self.maximum is not None


# -- numbers ------------------------------------------------------------------------------------

def to_number(token: str) -> float:
    """A French or English number as written in a salary: "35000,00", "21877.0", "3 254",
    "35.000", "1.824,50", "1,824.50". A single separator followed by exactly three digits is a
    thousands separator ("2.140 €"); otherwise it marks the decimals."""
    token = token.replace(" ", "")
    seps = [c for c in token if c in ".,"]
    if not seps:
        return float(token)
    last = max(token.rfind("."), token.rfind(","))
    head, tail = token[:last], token[last + 1:]
    if len(set(seps)) == 2:
        return float(head.replace(".", "").replace(",", "") + "." + tail)
    if len(seps) > 1 or (len(tail) == 3 and 0 < len(head) <= 3 and head.lstrip("0")):
        return float(token.replace(seps[0], ""))
    return float(head + "." + tail)


def _unit_of(match: re.Match | None) -> tuple[bool, str | None]:
    """(thousands?, currency) of a unit written after a number."""
    if match is None:
        return False, None
    unit = match.group("unit").lower().replace(" ", "")
    if unit.startswith("k"):
        return True, ("EUR" if len(unit) > 1 else None)
    return False, _CURRENCIES.get(unit, "EUR")


def _amounts(text: str, cued: bool) -> list[_Amount]:
    """The amounts of a text, in order. A number with a currency or k is an amount; a bare
    number is one only if it pairs with such an amount in a range ("Entre 12 et 14€"), or when
    no number carries a unit: from 100 up, or from 5 up when the text talks of pay (a period,
    "brut", "salaire") ("A partir de 28000", not "groupe 6")."""
    found: list[_Amount] = []
    for m in _NUMBER.finditer(text):
        unit_match = _UNIT.match(text, m.end())
        kilo, currency = _unit_of(unit_match)
        if unit_match is None and _NOT_AMOUNT.match(text, m.end()):
            continue
        end = unit_match.end() if unit_match else m.end()
        found.append(_Amount(to_number(m.group()), m.start(), end, kilo, currency))
    if any(a.unit for a in found):
        keep = []
        for i, a in enumerate(found):
            if a.unit or (i + 1 < len(found) and found[i + 1].unit
                          and _RANGE_JOIN.match(text[a.end:found[i + 1].start])):
                keep.append(a)
        return keep
    return [a for a in found if a.value >= 100 or (cued and a.value >= 5)]


def _stated_period(text: str) -> str | None:
    best: tuple[int, str] | None = None
    for period, pattern in _PERIOD_WORDS:
        m = pattern.search(text)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), period)
    return best[1] if best else None


def _months(text: str) -> tuple[float | None, str]:
    """The number of monthly payments stated, and the text without that phrase."""
    for pattern in (_MONTHS, _NTH_MONTH):
        m = pattern.search(text)
        if m:
            return to_number(m.group("n")), text[:m.start()] + " " + text[m.end():]
    m = _WORD_MONTH.search(text)
    if m:
        return (13.0 if m.group("w").lower().startswith("treiz") else 14.0), text[:m.start()] + " " + text[m.end():]
    return None, text


def parse_text(text: str, *, label: bool = False) -> _Parsed:
    """What one text states: amounts, period, months, currency, SMIC share. `label`: the text is
    a libellé, whose first word is the period chosen in the form."""
    parsed = _Parsed()
    text = _SPACES.sub(" ", text).replace("’", "'").strip()
    if label:
        m = _LIBELLE_PERIOD.match(text)
        if m:
            parsed.period = _LIBELLE_PERIODS[m.group("p").lower()]
            parsed.period_is_label = True
            text = text[m.end():]
    parsed.months, text = _months(text)
    if parsed.period is None and not parsed.period_is_label:
        parsed.period = _stated_period(text)
    parsed.net = bool(_NET.search(text))
    smic = _SMIC.search(text)
    if smic:
        low = to_number(smic.group("a")) / 100
        high = to_number(smic.group("b")) / 100 if smic.group("b") else None
        parsed.smic = (low, high)
        return parsed
    text = re.sub(rf"{_NUM}\s*%", " ", text)  # "part variable 10%": a share, not an amount
    amounts = _amounts(text, cued=parsed.period is not None or bool(_SALARY_CUE.search(text)))
    if not amounts:
        if _SMIC_WORD.search(text):  # "SMIC", "Smic + primes": the SMIC itself
            parsed.smic = (1.0, None)
        return parsed
    first = amounts[0]
    second = None
    if len(amounts) > 1 and _RANGE_JOIN.match(text[first.end:amounts[1].start]):
        second = amounts[1]
    pair = [a for a in (first, second) if a is not None]
    parsed.kilo = any(a.kilo for a in pair)
    parsed.currency = next((a.currency for a in pair if a.currency), None)
    # "22 - 31 k€", "26/27 K": the k of one end applies to a bare other end of its size
    low = first.value * (1000 if first.kilo or (parsed.kilo and not first.unit and first.value < 1000) else 1)
    high = None
    if second is not None:
        high = second.value * (1000 if second.kilo or (parsed.kilo and not second.unit
                                                       and second.value < 1000) else 1)
    before = text[:first.start]
    if second is None and _FROM.search(before):
        parsed.minimum = low
    elif second is None and _UP_TO.search(before):
        parsed.maximum = low
    else:
        parsed.minimum, parsed.maximum = low, high if high is not None else low
    return parsed


# -- from parsed text to a normalised salary -----------------------------------------------------

def _infer_period(value: float, kilo: bool) -> str:
    if kilo:
        return "year"
    if value < 100:
        return "hour"
    if value < 700:
        return "other"  # a day rate or a fee: no safe annualisation
    if value < 15_000:
        return "month"
    return "year"


def _annual(value: float | None, period: str, months: float | None) -> float | None:
    if value is None:
        return None
    if period == "hour":
        return round(value * HOURS_PER_YEAR, 2)
    if period == "month":
        return round(value * (months or 12.0), 2)
    if period == "year":
        return round(value, 2)
    return None


def _plausible(low: float | None, high: float | None) -> bool | None:
    values = [v for v in (low, high) if v is not None]
    if not values:
        return None
    lo, hi = ANNUAL_PLAUSIBLE
    if any(not lo <= v <= hi for v in values):
        return False
    return not (low is not None and high is not None and low > 0 and high / low > RANGE_PLAUSIBLE_FACTOR)


def _finish(parsed: _Parsed, source: str, *, label_period: str | None, on: date | None,
            smic_hourly_eur: float | None, months_hint: float | None) -> Salary:
    period = parsed.period or label_period
    months = parsed.months if parsed.months is not None else months_hint
    currency = parsed.currency or "EUR"
    share_min = share_max = None
    low, high = parsed.minimum, parsed.maximum
    if parsed.smic is not None:
        share_min, share_max = parsed.smic
        if share_max is None:
            share_max = share_min
        period = period if period in ("hour", "month", "year") else "month"
        hourly = smic_hourly_eur if smic_hourly_eur is not None else smic_hourly(on)
        base = {"hour": hourly, "month": smic_monthly(hourly=hourly),
                "year": smic_monthly(hourly=hourly) * (months or 12.0)}[period]
        low, high = round(base * share_min, 2), round(base * share_max, 2)
        currency = "EUR"
    inferred = period is None
    if inferred:
        reference = low if low is not None else high
        period = _infer_period(reference, parsed.kilo)  # type: ignore[arg-type]
    annual = currency == "EUR"
    annual_min = _annual(low, period, months) if annual else None
    annual_max = _annual(high, period, months) if annual else None
    return Salary(minimum=low, maximum=high, period=period, period_inferred=inferred, months=months,
                  currency=currency, net=parsed.net, annual_min=annual_min,
                  annual_max=annual_max, smic_share_min=share_min, smic_share_max=share_max,
                  plausible=_plausible(annual_min, annual_max), source=source)


def normalise_salary(salaire: Any, *, on: date | None = None,
                     smic_hourly_eur: float | None = None) -> Salary | None:
    """The normalised salary of an offer's `salaire` object, None when neither its libellé nor
    its commentaire states an amount. `on`: the offer's creation date (for "% du SMIC")."""
    if not isinstance(salaire, dict):
        return None
    libelle = salaire.get("libelle")
    commentaire = salaire.get("commentaire")
    from_label = parse_text(libelle, label=True) if isinstance(libelle, str) and libelle.strip() else None
    from_comment = (parse_text(commentaire) if isinstance(commentaire, str) and commentaire.strip()
                    else None)
    common = {"on": on, "smic_hourly_eur": smic_hourly_eur}
    if from_label is not None and (from_label.has_amount or from_label.smic):
        # The commentaire may add what the form has no field for: "sur 14 mois", "13e mois".
        return _finish(from_label, "libelle", label_period=None,
                       months_hint=from_comment.months if from_comment else None, **common)
    if from_comment is not None and (from_comment.has_amount or from_comment.smic):
        label_period = from_label.period if from_label is not None else None  # "Annuel de" + "45 k€"
        return _finish(from_comment, "commentaire", label_period=label_period, months_hint=None,
                       **common)
    return None


def offer_date(offer: dict) -> date | None:
    """The creation date of an offer (for the SMIC in force), None when unreadable."""
    value = offer.get("dateCreation")
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def normalise_offer(offer: dict, *, smic_hourly_eur: float | None = None) -> Salary | None:
    """`normalise_salary` of an offer, with the SMIC of its creation date."""
    return normalise_salary(offer.get("salaire"), on=offer_date(offer), smic_hourly_eur=smic_hourly_eur)
