"""Alias of `offres_crawler.analysis.salary` (documented import of earlier versions)."""

from offres_crawler.analysis.salary import normalise_offer, normalise_salary

__all__ = ["normalise_offer", "normalise_salary"]
