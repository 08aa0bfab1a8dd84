"""The rules one search parameter's value must follow (harvest/params.py's catalogue uses them):
each check returns None for a value that is fine, else the rule broken, quoting the value safely
(redaction.quoted: control characters escaped, cut to 40 characters) so that a message stays one line."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from offres_crawler.harvest.dates import PARAM_YEARS, param_in_years, param_to_epoch
from offres_crawler.harvest.param_values import (
    ASCII_DIGITS,
    DECIMAL_NUMBER,
    MOT_CLE_LENGTH,
    MOT_CLE_SYMBOLS,
    PARTENAIRE_LENGTH,
)
from offres_crawler.redaction import quoted as show


def same(value: str) -> str:
    return value


@dataclass(frozen=True)
class Param:
    """One search parameter: how many comma-separated values, and what each value must be."""

    name: str
    max_values: int  # 1 = single value; n = up to n comma-separated values
    check: Callable[[str], str | None]  # returns None when the value is fine, else the rule broken
    doc: str
    canonical: Callable[[str], str] = same  # the form a value is checked and sent in


def one_of(values: Iterable[str], what: str = "", shown: str = "") -> Callable[[str], str | None]:
    allowed = tuple(values)
    shown = shown or ", ".join(allowed)

    def check(v: str) -> str | None:
        return None if v in allowed else f"{show(v)} is not {what or 'an allowed value'} (one of {shown})"
    return check


def pattern(regex: str, described: str) -> Callable[[str], str | None]:
    compiled = re.compile(regex, re.ASCII)  # \d = [0-9], not every script's digits

    def check(v: str) -> str | None:
        return None if compiled.fullmatch(v) else f"{show(v)} is not {described}"
    return check


def number(hi: int, described: str, decimals: int = 0) -> Callable[[str], str | None]:
    """A non-negative number in ASCII digits from 0 to `hi` (both allowed), with at most
    `decimals` digits after a '.'. `described` says what it counts: "a whole number of
    kilometres from 0 to 20 000"."""

    def check(v: str) -> str | None:
        m = DECIMAL_NUMBER.fullmatch(v)
        if not m or (m[2] is not None and not decimals):
            return f"{show(v)} is not {described}"
        if m[2] is not None and len(m[2]) > decimals:
            return f"{show(v)} has more than {decimals} decimals: {described}"
        if len(m[1]) > len(str(hi)) or float(v) > hi:  # length first: no 400-digit float
            return f"{show(v)} is out of range: {described}"
        return None
    return check


def hhmm(v: str) -> str | None:
    if not re.fullmatch(r"[0-9]{1,4}", v) or int(v) % 100 >= 60:
        return f"{show(v)} is not a duration in HHMM (8h -> 800, 35h30 -> 3530; minutes 00 to 59)"
    return None


def creation_date(v: str) -> str | None:
    try:
        epoch = param_to_epoch(v)
    except ValueError:
        return f"{show(v)} is not a UTC instant in the format yyyy-MM-ddTHH:mm:ssZ (e.g. 2022-03-25T14:52:00Z)"
    if not param_in_years(epoch):
        return f"{show(v)} is not within the years {PARAM_YEARS[0]} to {PARAM_YEARS[1]}"
    return None


def nfc(v: str) -> str:
    return unicodedata.normalize("NFC", v)


def lower(v: str) -> str:
    return v.lower()


def mot_cle(v: str) -> str | None:
    if len(v) < MOT_CLE_LENGTH[0]:
        return f"keyword {show(v)} is shorter than {MOT_CLE_LENGTH[0]} characters"
    if len(v) > MOT_CLE_LENGTH[1]:
        return f"keyword {show(v)} is longer than {MOT_CLE_LENGTH[1]} characters"
    if not all(c.isalpha() or c in ASCII_DIGITS or c in MOT_CLE_SYMBOLS for c in v):
        return f'keyword {show(v)} has characters outside letters, digits 0-9, space and @#$%^&+./-"'
    if re.fullmatch(r"[0-9]{5}", v):  # the API answers 400 for postcode-like keywords (REFERENCE §8.12)
        return f"keyword {show(v)} looks like a postcode, which the API refuses: use commune or departement"
    return None


def partenaire(v: str) -> str | None:
    if len(v) > PARTENAIRE_LENGTH:
        return f"partner code {show(v)} is longer than {PARTENAIRE_LENGTH} characters"
    return pattern(r"[A-Za-z0-9_ .\-]+", "a partner code")(v)
