"""A faithful local simulator of the "Offres d'emploi v2" API, for tests, benchmarks and the demo.

The crawler never imports this package: it only talks to it over HTTP, exactly as to the real API.
"""
