"""Static facts the synthetic market is generated from: general public knowledge written in code.

Nothing here is copied from the France Travail sample files; the referentiels and the offers of the
sandbox are built from these tables (see `referentiels.py` and `market.py`).
"""
