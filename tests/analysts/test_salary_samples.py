"""Salary normalisation measured on every real sample offer (read at test time, never copied).

Run with `pytest -s` to see the parse rates and the census of formats met."""

from __future__ import annotations

import re

import pytest

from offres_crawler.analysis.salary import PERIODS, normalise_offer, parse_text
from tests.analysts.real_offers import latest_offers

THRESHOLD = 0.99

# What a text states, told by patterns independent of the parser's.
STATES_AMOUNT = re.compile(r"\d[\d\s.,]*\s*(?:k|K|€|[Ee]uros?|\$)|\d{4,}|\d{1,3}(?:[ \u00a0\u202f.]\d{3})+")
FEATURES = {
    "comma decimals": re.compile(r"\d,\d{1,2}(?!\d)"),
    "dot decimals": re.compile(r"\d\.\d{1,2}(?!\d)"),
    "thousands separators": re.compile(r"\d[ \u00a0\u202f.]\d{3}(?!\d)"),
    "sur N mois": re.compile(r"sur \d+(?:[.,]\d+)? mois"),
    "ranges": re.compile(r"\d.*?(?:\bà\b|\bet\b|-|/).*?\d"),
    "hourly": re.compile(r"^Horaire|heure|/h\b", re.IGNORECASE),
    "monthly": re.compile(r"^Mensuel|mensuel|/mois|par mois", re.IGNORECASE),
    "annual": re.compile(r"^Annuel|annuel|/ ?an\b|par an\b", re.IGNORECASE),
    "other or no period": re.compile(r"^(?:Autre|Cachet|De )"),
    "% du SMIC": re.compile(r"%.*SMIC", re.IGNORECASE),
    "k€": re.compile(r"\d\s*k(?:€|\b)", re.IGNORECASE),
}
# The form-generated libellé grammar, read naively: the parser must agree with it.
LIBELLE = re.compile(r"^(?:\w+ )?[Dd]e ([\d.,]+) Euros(?: à ([\d.,]+) Euros)?(?: sur ([\d.]+) mois)?$")


@pytest.fixture(scope="module")
def offers(samples):
    return latest_offers(samples)


def _parsed(text: str, label: bool) -> bool:
    p = parse_text(text, label=label)
    return p.has_amount or p.smic is not None


def test_libelles_stating_an_amount_are_parsed(offers):
    libelles = [o["salaire"]["libelle"] for o in offers if o.get("salaire", {}).get("libelle")]
    stating = [t for t in libelles if STATES_AMOUNT.search(t)]
    parsed = [t for t in stating if _parsed(t, label=True)]
    rate = len(parsed) / len(stating)
    print(f"\nsalary libellés: {len(offers)} offers, {len(libelles)} with a libellé, {len(stating)} "
          f"stating an amount, {len(parsed)} parsed: {rate:.2%}")
    assert len(stating) > 700
    assert rate >= THRESHOLD, sorted(set(stating) - set(parsed))[:20]


def test_libelle_figures_match_the_form_grammar(offers):
    checked = 0
    for offer in offers:
        text = offer.get("salaire", {}).get("libelle", "")
        m = LIBELLE.match(text)
        if not m:
            continue
        salary = normalise_offer(offer)
        low, high, months = (float(g.replace(",", ".")) if g else None for g in m.groups())
        assert (salary.minimum, salary.maximum) == (low, high or low), text
        if months is not None:  # otherwise the commentaire may state them ("dont 13e mois")
            assert salary.months == months, text
        assert salary.source == "libelle" and salary.period in PERIODS
        checked += 1
    print(f"\n{checked} libellés agree with the form grammar")
    assert checked > 700


def test_commentaire_amounts_are_extracted_when_the_libelle_has_none(offers):
    with_comment = [o for o in offers if o.get("salaire", {}).get("commentaire")]
    candidates = [o for o in with_comment
                  if not STATES_AMOUNT.search(o["salaire"].get("libelle", ""))
                  and STATES_AMOUNT.search(o["salaire"]["commentaire"])]
    extracted = []
    for offer in candidates:
        salary = normalise_offer(offer)
        if salary is not None and salary.source == "commentaire":
            extracted.append(offer)
            amount = salary.minimum if salary.minimum is not None else salary.maximum
            # the figure really comes from the text: its leading digits are written there
            digits = re.sub(r"\D", "", offer["salaire"]["commentaire"])
            assert str(int(amount))[:2] in digits, offer["salaire"]["commentaire"]
    rate = len(extracted) / len(candidates)
    print(f"\nsalary commentaires: {len(with_comment)} offers with one, {len(candidates)} stating an "
          f"amount the libellé lacks, {len(extracted)} extracted: {rate:.2%}")
    assert len(candidates) >= 20
    assert rate >= THRESHOLD, [o["salaire"]["commentaire"] for o in candidates if o not in extracted]


def test_formats_met_in_real_offers(offers):
    """The census of formats: how many real texts show each, and how many of those parse."""
    texts = []
    for offer in offers:
        salaire = offer.get("salaire", {})
        libelle, commentaire = salaire.get("libelle", ""), salaire.get("commentaire", "")
        if STATES_AMOUNT.search(libelle):
            texts.append((libelle, True))
        elif commentaire and STATES_AMOUNT.search(commentaire):
            texts.append((commentaire, False))
    print("\nformat                   met   parsed")
    met_any = 0
    for name, pattern in FEATURES.items():
        having = [(t, label) for t, label in texts if pattern.search(t)]
        parsed = [t for t, label in having if _parsed(t, label)]
        met_any += bool(having)
        note = "" if having else "   (not in the samples: see test_salary_formats)"
        print(f"{name:22} {len(having):5} {len(parsed):8}{note}")
        if having:
            assert len(parsed) / len(having) >= THRESHOLD, (name, [t for t, _ in having if t not in parsed][:10])
    assert met_any >= 8
