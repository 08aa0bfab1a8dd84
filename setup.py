"""Build shim for scrapyd-deploy (scrapyd-client 2.x), which builds the project's egg with
`python setup.py bdist_egg` and, when this file is missing, writes its own setup.py packaging
every package it finds (tests and benchmarks included) with no dependencies declared.
Everything (name, version, packages, the `scrapy` entry point scrapyd reads the settings module
from) is declared in pyproject.toml; `pip install .` does not need this file."""

from setuptools import setup

setup()
