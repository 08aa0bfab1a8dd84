"""Salary libellés: their periods, amounts and the written forms the API uses, by origine.

Forms, range and month shares are measured on the real samples' 324 France Travail and 475 partner
libellés (tests/sandbox/fidelity.py; docs/sandbox-fidelity.md): France Travail writes amounts as
decimal numbers with a point ("38000.0", "11.88") followed by " sur 12.0 mois", sometimes with two
decimals and " sur 12 mois", rarely with no months; partners write two decimals with a comma and no
months, and now and then only the period ("Annuel de"), "Autre de ..." or "De ... à ...". The mix
of periods is not taken from the samples (two IT and biostatistics appellations, where annual
salaries dominate) but kept at rough national proportions.
"""

from __future__ import annotations

# Period codes of the market's `sal_period` column. The last three are partner forms whose period
# or amount the libellé does not state: a salaireMin filter never selects them.
SAL_NONE, SAL_M, SAL_A, SAL_H, SAL_C, SAL_PERIOD_ONLY, SAL_AUTRE, SAL_NO_PERIOD = range(8)
PERIOD_NAMES = {SAL_M: "Mensuel", SAL_A: "Annuel", SAL_H: "Horaire", SAL_C: "Cachet"}
PERIOD_SHARES = ((SAL_M, 0.74), (SAL_A, 0.2), (SAL_H, 0.058), (SAL_C, 0.002))

# Partner libellés (share of them) in an odd form; the others: "Annuel de 35000,00 Euros à ...".
PARTNER_ODD_FORMS = ((SAL_PERIOD_ONLY, 0.013), (SAL_AUTRE, 0.006), (SAL_NO_PERIOD, 0.004))
# France Travail libellés (share of them) by written form.
FT_FLOAT_MONTHS, FT_INT_MONTHS, FT_NO_MONTHS = range(3)
FT_FORMS = ((FT_FLOAT_MONTHS, 0.944), (FT_INT_MONTHS, 0.050), (FT_NO_MONTHS, 0.006))
# " sur N.0 mois": N (12 on 94 % of them, 13 on most others; "0.0" exists).
MONTHS_FLOAT = ((12.0, 0.938), (13.0, 0.056), (13.5, 0.003), (0.0, 0.003))

# Share of libellés with amounts that state a range ("de X Euros à Y Euros"), by origine.
RANGE = (0.793, 0.936)
# Upper bound / lower bound of a range (an equal pair happens: "12,00 Euros à 12,00 Euros").
RANGE_FACTORS = ((1.0, 0.02), (1.1, 0.36), (1.2, 0.24), (1.3, 0.22), (1.5, 0.16))
# "Mensuel de 34000.0 Euros ...": monthly libellés stating an annual amount, by origine (9 of 102
# France Travail ones, 1 of 28 partner ones). The API files them as monthly: so does the sandbox.
MONTHLY_WITH_ANNUAL_AMOUNT = (0.088, 0.036)

COMMENTAIRES = ("Selon profil", "Selon expérience", "A négocier", "Heures supplémentaires majorées", "Plus primes",
                "Selon grille conventionnelle")
