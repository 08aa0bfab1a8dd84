"""A faithful local simulator of the "Offres d'emploi v2" API, for tests, benchmarks and the demo.

The crawler never imports this package: it only talks to it over HTTP, exactly as to the real API.
It imports nothing of the crawler either. Its only outside data is the ROME 4.0 list, read from
an installed distribution's data file or ../shared (rome_list.py); real sample offers are read by
the tests only (tests/sandbox/fidelity.py), never by the sandbox.
"""

try:  # every module of the sandbox needs it
    import aiohttp  # noqa: F401
except ModuleNotFoundError as missing:  # a crawl-only install: say what to install
    if missing.name != "aiohttp":
        raise
    raise ModuleNotFoundError("the sandbox needs aiohttp, which is not installed: "
                              "pip install 'offres-crawler[sandbox]'", name="aiohttp") from None
