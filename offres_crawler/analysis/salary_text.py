"""Reading a salary text (a libellé or an employer's commentaire): amounts, units, currency,
stated period, number of monthly payments and "% du SMIC" shares, as written, not yet normalised
(salary.py turns them into comparable annual figures). Standard library only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# -- tokens -------------------------------------------------------------------------------------

# A number: thousands groups ("3 254", "35.000", "1.824,50") or plain digits with an optional
# decimal part ("35000,00", "21877.0", "12.02"). Spaces are normalised to " " first. Atomic, and
# where it may start anywhere (_AMOUNT_PERCENT, _SMIC) never inside a run of digits: otherwise a
# long run of digits costs quadratic time or worse (20,000 digits took 150 s).
_NUM = r"(?>\d{1,3}(?:[ .,]\d{3})+(?:[.,]\d{1,2})?(?!\d)|\d+(?:[.,]\d+)?)"
_NUM_START = rf"(?<!\d){_NUM}"
MAX_TEXT = 1000  # characters of a salary text read (the API's are a few dozen; the rest is ignored)
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
_SMIC = re.compile(rf"(?P<a>{_NUM_START})\s*%(?:\s*(?:à|a|-|et|/)\s*(?P<b>{_NUM})\s*%)?"
                   r"\s*(?:du\s+|de\s+|d[u']\s*)?smic\b", re.IGNORECASE)
_AMOUNT_PERCENT = re.compile(rf"{_NUM_START}\s*%")
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
class ParsedText:
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


def parse_text(text: str, *, label: bool = False) -> ParsedText:
    """What one text states: amounts, period, months, currency, SMIC share. `label`: the text is
    a libellé, whose first word is the period chosen in the form. Only its first MAX_TEXT
    characters are read: the time taken stays bounded whatever the text."""
    parsed = ParsedText()
    text = _SPACES.sub(" ", text[:MAX_TEXT]).replace("’", "'").strip()
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
    text = _AMOUNT_PERCENT.sub(" ", text)  # "part variable 10%": a share, not an amount
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
