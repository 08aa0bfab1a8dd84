"""Every salary format met in real offers, one example each (written for this test, not copied
from the samples), with the figures worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from offres_crawler.analysis.salary import PERIODS, normalise_offer, normalise_salary, to_number
from offres_crawler.analysis.smic import SMIC_HOURLY_EUR, SMIC_SINCE, smic_hourly, smic_monthly

# (format, salaire, creation date, expected fields)
FORMATS = [
    ("libellé annual, comma decimals, range",
     {"libelle": "Annuel de 32000,00 Euros à 38000,00 Euros"}, None,
     dict(minimum=32000.0, maximum=38000.0, period="year", period_inferred=False, months=None,
          annual_min=32000.0, annual_max=38000.0, plausible=True, source="libelle")),
    ("libellé monthly, dot decimals, sur 12.0 mois",
     {"libelle": "Mensuel de 2150.50 Euros sur 12.0 mois"}, None,
     dict(minimum=2150.5, maximum=2150.5, period="month", months=12.0, annual_min=25806.0)),
    ("libellé monthly range, sur 13 mois",
     {"libelle": "Mensuel de 2000.0 Euros à 2400.0 Euros sur 13 mois"}, None,
     dict(minimum=2000.0, maximum=2400.0, months=13.0, annual_min=26000.0, annual_max=31200.0)),
    ("libellé annual, dot decimals, sur 12.0 mois (annual stays annual)",
     {"libelle": "Annuel de 29500.0 Euros à 33000.0 Euros sur 12.0 mois"}, None,
     dict(period="year", months=12.0, annual_min=29500.0, annual_max=33000.0)),
    ("libellé hourly", {"libelle": "Horaire de 12.50 Euros"}, None,
     dict(minimum=12.5, period="hour", annual_min=22750.0, annual_max=22750.0)),
    ("libellé hourly range, comma decimals", {"libelle": "Horaire de 13,20 Euros à 15,00 Euros"}, None,
     dict(period="hour", annual_min=24024.0, annual_max=27300.0)),
    ("libellé other: cachet", {"libelle": "Cachet de 180,00 Euros"}, None,
     dict(minimum=180.0, period="other", period_inferred=False, annual_min=None, plausible=None)),
    ("libellé other: 'Autre' with annual-sized amounts",
     {"libelle": "Autre de 28000,00 Euros à 32000,00 Euros"}, None,
     dict(period="year", period_inferred=True, annual_min=28000.0, annual_max=32000.0)),
    ("libellé without a period word", {"libelle": "De 27000,00 Euros à 27000,00 Euros"}, None,
     dict(period="year", period_inferred=True, annual_min=27000.0)),
    ("% du SMIC range (SMIC of the creation date: 11.88 EUR/h in 2025)",
     {"libelle": "Mensuel de 53% à 78% du SMIC"}, date(2025, 3, 1),
     dict(minimum=954.95, maximum=1405.4, period="month", smic_share_min=0.53, smic_share_max=0.78,
          annual_min=11459.4, annual_max=16864.8)),
    ("100 % du SMIC (12.02 EUR/h from 2026)", {"libelle": "Mensuel de 100 % du SMIC"}, date(2026, 2, 1),
     dict(minimum=1823.03, maximum=1823.03, smic_share_min=1.0, annual_min=21876.36)),
    ("thousands separator: space", {"commentaire": "Salaire de 2 480 € brut par mois"}, None,
     dict(minimum=2480.0, maximum=2480.0, period="month", source="commentaire", annual_min=29760.0)),
    ("thousands separator: narrow no-break space", {"commentaire": "2\u202f300 € bruts mensuels"}, None,
     dict(minimum=2300.0, period="month")),
    ("thousands separator: dot, 'A partir de'", {"commentaire": "A partir de 2.750 € brut mensuel"}, None,
     dict(minimum=2750.0, maximum=None, period="month", annual_min=33000.0, annual_max=None)),
    ("thousands dot and decimal comma", {"commentaire": "1.950,75 € brut mensuel"}, None,
     dict(minimum=1950.75, annual_min=23409.0)),
    ("k€ range, annual", {"commentaire": "38 - 44 k€ brut annuel"}, None,
     dict(minimum=38000.0, maximum=44000.0, period="year", period_inferred=False)),
    ("K€ from, 'par an'", {"commentaire": "Dès 52 K€ par an"}, None,
     dict(minimum=52000.0, maximum=None, period="year")),
    ("K range with a slash, no euro sign", {"commentaire": "Rémunération 41/46 K annuels"}, None,
     dict(minimum=41000.0, maximum=46000.0, period="year", currency="EUR")),
    ("k€ without a period: annual", {"commentaire": "Package 60k€ + variable"}, None,
     dict(minimum=60000.0, period="year", period_inferred=True)),
    ("'Entre X et Y €' without a period: hourly by magnitude", {"commentaire": "Entre 14 et 16 € brut"}, None,
     dict(minimum=14.0, maximum=16.0, period="hour", period_inferred=True, annual_min=25480.0,
          annual_max=29120.0)),
    ("hourly in words", {"commentaire": "13,75 € brut de l'heure"}, None,
     dict(minimum=13.75, period="hour", period_inferred=False, annual_min=25025.0)),
    ("hourly as €/h", {"commentaire": "15€/h"}, None, dict(minimum=15.0, period="hour", annual_min=27300.0)),
    ("a bare number without unit (annual by magnitude)", {"commentaire": "A partir de 31000"}, None,
     dict(minimum=31000.0, maximum=None, period="year", period_inferred=True)),
    ("'Jusqu'à'", {"commentaire": "Jusqu'à 3 100 € brut mensuel"}, None,
     dict(minimum=None, maximum=3100.0, annual_min=None, annual_max=37200.0)),
    ("13e mois in the commentaire completes the libellé",
     {"libelle": "Mensuel de 2300.00 Euros", "commentaire": "+ 13ème mois"}, None,
     dict(months=13.0, annual_min=29900.0, source="libelle")),
    ("libellé with a period but no amount, amount in the commentaire",
     {"libelle": "Annuel de", "commentaire": "47 k€"}, None,
     dict(minimum=47000.0, period="year", period_inferred=False, source="commentaire")),
    ("daily rate: other", {"commentaire": "250 € par jour"}, None,
     dict(minimum=250.0, period="other", annual_min=None, plausible=None)),
    ("another currency: no euro annualisation", {"commentaire": "Entre 22,10 $ et 30,00 $ de l'heure"}, None,
     dict(minimum=22.1, maximum=30.0, currency="USD", period="hour", annual_min=None, plausible=None)),
    ("net amount: flagged, not converted", {"commentaire": "1 700 € net par mois"}, None,
     dict(minimum=1700.0, net=True, annual_min=20400.0)),
    ("implausible: euros typed for k€", {"libelle": "Annuel de 42,00 Euros à 48,00 Euros"}, None,
     dict(minimum=42.0, annual_min=42.0, plausible=False)),
    ("implausible: an annual amount filed as monthly",
     {"libelle": "Mensuel de 36000.0 Euros sur 12.0 mois"}, None,
     dict(annual_min=432000.0, plausible=False)),
    ("implausible: a range over a factor 5", {"libelle": "Annuel de 30000,00 Euros à 300000,00 Euros"}, None,
     dict(plausible=False)),
]

NOTHING = [
    {"libelle": "Annuel de"},
    {"commentaire": "Selon profil et expérience"},
    {"commentaire": "variable 8% du fixe"},
    {"commentaire": "2 jours de télétravail, groupe 4"},
    {"commentaire": "Tickets restaurant, 13e mois"},
    {},
    None,
]


@pytest.mark.parametrize(("name", "salaire", "on", "expected"), FORMATS, ids=[f[0] for f in FORMATS])
def test_format(name, salaire, on, expected):
    original = dict(salaire)
    salary = normalise_salary(salaire, on=on)
    assert salary is not None, name
    got = salary.as_dict()
    assert {k: got[k] for k in expected} == pytest.approx(expected), name
    assert salary.period in PERIODS
    assert salaire == original  # the API's salaire is left untouched


@pytest.mark.parametrize("salaire", NOTHING)
def test_no_amount_gives_nothing(salaire):
    assert normalise_salary(salaire) is None


@pytest.mark.parametrize(("text", "value"), [
    ("35000,00", 35000.0), ("21877.0", 21877.0), ("12.02", 12.02), ("3 254", 3254.0),
    ("35.000", 35000.0), ("2,140", 2140.0), ("1.824,50", 1824.5), ("1,824.50", 1824.5),
    ("12.000.000", 12_000_000.0), ("0,500", 0.5), ("27,46", 27.46), ("330000,00", 330000.0),
])
def test_numbers(text, value):
    assert to_number(text) == value


def test_smic_table():
    assert (SMIC_SINCE, SMIC_HOURLY_EUR) == (date(2026, 1, 1), 12.02)
    assert smic_hourly(date(2024, 12, 1)) == 11.88
    assert smic_hourly(date(2024, 10, 31)) == 11.65
    assert smic_hourly(None) == 12.02
    assert smic_monthly(date(2026, 1, 1)) == 1823.03
    assert smic_monthly(date(2025, 6, 1)) == 1801.80


def test_smic_override_and_offer_date():
    offer = {"dateCreation": "2024-11-28T11:57:05.591Z", "salaire": {"libelle": "Mensuel de 50% du SMIC"}}
    assert normalise_offer(offer).minimum == 900.9  # 11.88 x 151.67 / 2
    assert normalise_offer(offer, smic_hourly_eur=12.0).minimum == 910.0  # 12 x 151.67 / 2


def test_only_the_first_max_text_characters_of_a_text_are_read():
    # bounded work whatever the text (its time is measured by bench/report_bench.py, whose
    # hostile snapshot has salary texts of 20,000 characters)
    from offres_crawler.analysis.salary_text import MAX_TEXT, parse_text

    assert parse_text("Salaire 2 500 € brut mensuel " + "x" * 20_000).minimum == 2500.0
    assert parse_text("x" * MAX_TEXT + " 2 500 € brut mensuel").minimum is None
    assert parse_text(" " * (MAX_TEXT - 30) + "Salaire 2 500 € brut mensuel").minimum == 2500.0
    assert parse_text("1" + " 000" * 5_000 + " % du SMIC").smic is None  # past MAX_TEXT: cut
    assert parse_text("15 % du SMIC").smic == (0.15, None)
