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
  on the offer's creation date, see analysis/smic.py);
- plausible: False when an annual amount falls outside 3,000..300,000 EUR or the range spans
  more than a factor 5 (typos are common: "Annuel de 40,00 Euros", an extra zero); a flag for
  analyses, never a correction. None when there is no annual amount.
- source: "libelle" or "commentaire".

The original `salaire` is never modified. Framework-free (standard library only).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from offres_crawler.analysis.salary_text import ParsedText, parse_text, to_number
from offres_crawler.analysis.smic import HOURS_PER_YEAR, smic_hourly, smic_monthly

__all__ = ["PERIODS", "Salary", "normalise_offer", "normalise_salary", "offer_date", "parse_text", "to_number"]

PERIODS = ("hour", "month", "year", "other")
ANNUAL_PLAUSIBLE = (3_000.0, 300_000.0)
RANGE_PLAUSIBLE_FACTOR = 5.0


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


def _finish(parsed: ParsedText, source: str, *, label_period: str | None, on: date | None,
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
