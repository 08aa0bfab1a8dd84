"""offres-crawler: a Scrapy harvester for France Travail's "Offres d'emploi v2" API."""

__version__ = "0.1.0"
