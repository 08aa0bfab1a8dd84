"""The optional parts of the project and the extra that installs each (framework-free).

`pip install offres-crawler` installs what a crawl needs, nothing more (a scrapyd host needs no
charting library). The rest comes with extras (pyproject.toml): `[sandbox]` (aiohttp, the local
API), `[report]` (pandas, matplotlib: the HTML report), `[analysis]` (pandas, duckdb, polars:
the readers' engines), `[all]`. Code that needs one imports it with `require`, at the moment it
needs it, so that a missing one is named with the command that installs it.
"""

from __future__ import annotations

import importlib
from types import ModuleType

EXTRA_OF = {"aiohttp": "sandbox", "matplotlib": "report", "pandas": "report",
            "duckdb": "analysis", "polars": "analysis"}


class MissingExtra(ModuleNotFoundError):
    """An optional dependency is not installed; the message says which extra installs it."""


def install_hint(module: str, what: str, extra: str | None = None) -> str:
    top = module.split(".")[0]
    extra = extra or EXTRA_OF.get(top, "all")
    return f"{what} needs {top}, which is not installed: pip install 'offres-crawler[{extra}]'"


def require(module: str, what: str, extra: str | None = None) -> ModuleType:
    """`import module`, or MissingExtra naming the extra to install (`what` needs it)."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name is None or exc.name.split(".")[0] != module.split(".")[0]:
            raise  # the module is there, something it imports is not: not ours to explain
        raise MissingExtra(install_hint(module, what, extra), name=exc.name) from None
