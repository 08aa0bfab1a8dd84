"""The client's arguments, checked by the crawl's own rules before anything is sent.

Search parameters go through `validate_search_params` (harvest/params.py), the function
`scrapy crawl offres_search -a ...` uses: the same names, rules and messages (ParamError). Python
values are accepted where the API wants text: a list or tuple of values (joined by commas),
True / False (`true` / `false`), a datetime for the creation dates (`dt_to_str_iso`), numbers;
None leaves the parameter out, as requests does.

`search()` reads one page, so it also takes `range` (a window of at most 150 results) and any
`sort`, which a harvest chooses itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from offres_crawler.harvest.content_range import PAGE_SIZE
from offres_crawler.harvest.dates import dt_to_str_iso
from offres_crawler.harvest.params import CATALOGUE, ParamError, validate_search_params

PAGE_ONLY = ("range", "sort")  # parameters of one page that a harvest sets itself
_RANGE = re.compile(r"(\d+)-(\d+)")


def api_value(value: Any) -> Any:
    """A Python value as the API writes it (anything else is left to the rules)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return dt_to_str_iso(value)
    if isinstance(value, (list, tuple)):
        return ",".join(str(api_value(v)) for v in value)
    if isinstance(value, (set, frozenset)):
        return ",".join(sorted(str(api_value(v)) for v in value))
    return value


def api_values(params: Mapping[str, Any] | None) -> dict[str, Any]:
    if params is not None and not isinstance(params, Mapping):
        raise TypeError(f"params must be a dict of search parameters, not {type(params).__name__}")
    return {name: api_value(value) for name, value in (params or {}).items() if value is not None}


def harvest_params(params: Mapping[str, Any]) -> dict[str, str]:
    """A harvest's query: the crawl's rules exactly (ParamError on the first problem)."""
    return validate_search_params(api_values(params))


def check_range(value: str) -> str:
    match = _RANGE.fullmatch(value.strip())
    if match is None:
        raise ParamError("range", f"{value!r} is not a window first-last (e.g. 0-149)")
    first, last = int(match[1]), int(match[2])
    if last < first:
        raise ParamError("range", f"{value!r} ends before it starts")
    if last - first + 1 > PAGE_SIZE:
        raise ParamError("range", f"{value!r} asks for {last - first + 1} results; the API serves at "
                                  f"most {PAGE_SIZE} per request (harvest() reads every page)")
    return f"{first}-{last}"


def page_params(params: Mapping[str, Any] | None) -> dict[str, str]:
    """One search page's parameters: the crawl's rules, plus `range` and any `sort`."""
    given = api_values(params)
    own = {name: str(given.pop(name)).strip() for name in PAGE_ONLY if name in given}
    query = validate_search_params(given)
    if "sort" in own:
        problem = CATALOGUE["sort"].check(own["sort"])
        if problem:
            raise ParamError("sort", problem)
    if "range" in own:
        own["range"] = check_range(own["range"])
    return {**query, **own}
