"""The values the search parameters accept (REFERENCE §2, §3): code lists and the bounds of
numbers and texts. params.py checks arguments against them.
"""

from __future__ import annotations

import re

TYPES_CONTRAT = ("CDI", "CDD", "MIS", "SAI", "CCE", "FRA", "LIB", "REP", "TTI", "DDI", "DIN")
NATURES_CONTRAT = ("E1", "E2", "FA", "FJ", "FS", "FT", "FU", "I1", "NS", "FV", "FW", "FX", "FY",
                   "PS", "PR", "CC", "CU", "EE", "ER", "CI")
GRANDS_DOMAINES = ("A", "B", "C", "C15", "D", "E", "F", "G", "H", "I", "J", "K", "L", "L14", "M",
                   "M13", "M14", "M15", "M16", "M17", "M18", "N")
NIVEAUX_FORMATION = ("AFS", "CP4", "CFG", "C3A", "C12", "NV5", "NV4", "NV3", "NV2", "NV1")
REGIONS = ("01", "02", "03", "04", "06", "11", "24", "27", "28", "32", "44", "52", "53", "75",
           "76", "84", "93", "94")
# 01..95 without 20 (Corsica is 2A/2B), then the overseas départements.
DEPARTEMENTS = tuple([f"{n:02d}" for n in range(1, 96) if n != 20]
                     + ["2A", "2B", "971", "972", "973", "974", "976"])
PUBLIEE_DEPUIS = ("1", "3", "7", "14", "31")
BOOLEAN = ("true", "false")
MOTS_CLES_MAX = 7
MOT_CLE_LENGTH = (2, 100)  # characters of one keyword (the API: at least 2; 100 is ours)
PARTENAIRE_LENGTH = 100  # characters of one partner code
# Bounds of the numbers (the API's where it states them, ours where it does not: past them a
# value is a typo, and a 400-digit number is not worth a request).
DISTANCE_MAX_KM = 20_000  # half the Earth's circumference
SALAIRE_MAX = 10_000_000  # euros, any period
DUREE_CONTRAT_MAX = 99  # months (REFERENCE §3: 0..99)
DECIMALS = 2  # digits after the '.' of a decimal number
# REFERENCE §3: letters, digits, space and @#$%^&+./-" (accented letters are letters too; digits
# are ASCII: the documented class is [0-9]).
MOT_CLE_SYMBOLS = frozenset(' @#$%^&+./-"')
ASCII_DIGITS = frozenset("0123456789")
DECIMAL_NUMBER = re.compile(r"([0-9]+)(?:\.([0-9]+))?")
