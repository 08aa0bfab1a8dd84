"""offres-crawler: a Scrapy harvester for France Travail's "Offres d'emploi v2" API.

`__version__` is the project's one version number: pyproject.toml reads it from here (setuptools
`dynamic`), and so do the user agent, `offres-crawler --version` and the log of every run.
"""

__version__ = "0.1.0"
