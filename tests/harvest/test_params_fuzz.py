"""Fuzzing the search parameters (hypothesis, bounded): every value accepted is written into a
query the sandbox's validator, which checks the API's way, accepts with the same meaning; every
value refused is one line naming the parameter, and the spider then opens no feed and sends
nothing.

More examples: OFFRES_HYPOTHESIS_EXAMPLES=2000 pytest tests/harvest/test_params_fuzz.py
"""

from __future__ import annotations

import asyncio
import os
import string
from datetime import datetime
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from scrapy.exceptions import CloseSpider
from scrapy.utils.test import get_crawler

from offres_crawler import settings as project_settings
from offres_crawler.addon_feeds import requested_feeds
from offres_crawler.harvest.dates import param_to_epoch
from offres_crawler.harvest.params import CATALOGUE, ParamError, validate_search_params
from offres_crawler.sandbox.search_params import SearchParamError, SearchParams
from offres_crawler.spiders.offres_search import OffresSearchSpider
from tests.harvest.test_params_boundaries import BOUNDS, NEEDS

EXAMPLES = int(os.environ.get("OFFRES_HYPOTHESIS_EXAMPLES", "40"))
FUZZ = settings(max_examples=3 * EXAMPLES, deadline=5000, suppress_health_check=[HealthCheck.too_slow])
ONE_BY_ONE = settings(max_examples=EXAMPLES, deadline=5000, suppress_health_check=[HealthCheck.too_slow])
SANDBOX = SearchParams({})  # formats only: codes the API does not know are its own 400 to give

# Characters that break validators: other scripts' digits, full-width forms, separators,
# control characters, combining marks, quotes and URL syntax.
TRICKY = "0123456789٠١٧٩０１９²³¹½ .,;:-+_/\\?#&=%\"'\t\n\r\x00\x7f\u00a0\u2007\u0301éÉßAZaz*@$^"
alphabet = st.sampled_from(TRICKY) | st.characters(codec="utf-8", exclude_categories=("Cs",))


def edits(value: str) -> st.SearchStrategy[str]:
    """`value` changed a little: a character replaced, inserted or dropped, digits repeated."""
    if not value:
        return st.text(alphabet, max_size=5)
    return st.one_of(
        st.tuples(st.integers(0, len(value) - 1), alphabet).map(
            lambda t: value[:t[0]] + t[1] + value[t[0] + 1:]),
        st.tuples(st.integers(0, len(value)), alphabet).map(lambda t: value[:t[0]] + t[1] + value[t[0]:]),
        st.integers(0, len(value) - 1).map(lambda i: value[:i] + value[i + 1:]),
        st.integers(1, 30).map(lambda n: value + "9" * n),
        st.just(value.lower()), st.just(value.upper()), st.just(f" {value} , {value}"),
    )


def decimal(top: int) -> st.SearchStrategy[str]:
    """Numbers around the range 0..top, with 0 to 3 decimals."""
    return st.tuples(st.integers(0, top + top // 10 + 1), st.text(string.digits, max_size=3)).map(
        lambda t: f"{t[0]}.{t[1]}" if t[1] else str(t[0]))


# Values drawn from each number's or date's own grammar, on both sides of its bounds.
GRAMMAR = {
    "distance": st.integers(0, 25_000).map(str),
    "salaireMin": decimal(10_000_000),
    "dureeContratMin": decimal(99), "dureeContratMax": decimal(99),
    "dureeHebdoMin": st.tuples(st.integers(0, 120), st.integers(0, 99) | st.integers(57, 62)).map(
        lambda t: str(100 * t[0] + t[1])),
    "minCreationDate": st.datetimes(datetime(1990, 1, 1), datetime(2110, 12, 31)).map(
        lambda d: f"{d.year:04d}-{d:%m-%dT%H:%M:%S}Z"),
}
GRAMMAR["maxCreationDate"] = GRAMMAR["minCreationDate"]
GRAMMAR["dureeHebdoMax"] = GRAMMAR["dureeHebdoMin"]


def values_of(name: str) -> st.SearchStrategy[str]:
    accepted, refused = BOUNDS[name]
    known = st.sampled_from(accepted + refused)
    grammar = GRAMMAR.get(name, st.sampled_from(accepted))
    return st.one_of(st.sampled_from(accepted), grammar, grammar, grammar,
                     known, known.flatmap(edits), st.text(alphabet, max_size=12),
                     st.lists(st.sampled_from(accepted), min_size=1, max_size=8).map(",".join),
                     st.integers(-10, 10**12).map(str), st.text(string.digits, min_size=1, max_size=400))


names = st.sampled_from(sorted(CATALOGUE))
arguments = st.dictionaries(names, st.just(None), min_size=1, max_size=4).flatmap(
    lambda chosen: st.fixed_dictionaries({name: values_of(name) for name in chosen}))
with_companions = arguments.flatmap(lambda args: st.sampled_from(
    [args, {**{k: v for name in args for k, v in NEEDS.get(name, {}).items()}, **args}]))


def sent_query(query: dict[str, str]) -> list[tuple[str, str]]:
    """What the sandbox reads of a search URL built as the spider builds it."""
    url_query = urlencode({**query, "sort": "1", "range": "0-149"}, safe=",:")
    return parse_qsl(url_query, keep_blank_values=True)


def same_meaning(name: str, sent: str, parsed: object) -> None:
    if name in ("minCreationDate", "maxCreationDate"):
        assert parsed == param_to_epoch(sent) and sent[:4].isdigit() and len(sent) == 20
    elif name in ("dureeContratMin", "dureeContratMax", "salaireMin"):
        assert parsed == float(sent)
    elif name in ("dureeHebdoMin", "dureeHebdoMax", "distance", "experience", "origineOffre",
                  "dureeHebdo", "publieeDepuis"):
        assert parsed == int(sent)
    elif name in ("motsCles", "partenaires", "codeROME", "secteurActivite", "codeNAF", "typeContrat",
                  "natureContrat", "commune", "departement"):
        assert parsed == sent.split(",")
    elif isinstance(parsed, bool):
        assert parsed is (sent == "true")
    else:
        assert parsed == sent


@pytest.mark.parametrize("name", sorted(CATALOGUE))
@ONE_BY_ONE
@given(data=st.data())
def test_each_parameter_accepted_is_accepted_by_the_sandbox(name, data):
    value = data.draw(values_of(name), label=name)
    check_round_trip({name: value, **NEEDS.get(name, {})})


@FUZZ
@given(with_companions)
def test_accepted_values_are_accepted_by_the_sandbox_with_the_same_meaning(args):
    check_round_trip(args)


def check_round_trip(args: dict[str, str]) -> None:
    try:
        query = validate_search_params(args)
    except ParamError as exc:
        event("refused")
        message = str(exc)
        assert exc.name in args and message.startswith(f"{exc.name}: ")
        assert "\n" not in message and "\r" not in message and len(message) < 600
        return
    event("accepted")
    assert set(query) == set(args)
    for value in query.values():  # digits are ASCII, whatever the value
        assert not any(c.isdigit() and c not in string.digits for c in value)
    try:
        parsed = SANDBOX.parse(sent_query(query))
    except SearchParamError as exc:
        pytest.fail(f"accepted {query} but the sandbox answers 400: {exc.message}")
    for name, sent in query.items():
        if name == "appellation":
            assert parsed.filters["appellation"] == sent
        elif name != "sort":
            same_meaning(name, sent, parsed.filters[name])


def spider_with(args: dict[str, str]) -> OffresSearchSpider:
    values = {k: getattr(project_settings, k) for k in dir(project_settings) if k.isupper()}
    crawler = get_crawler(OffresSearchSpider, {**values, "OFFRES_API_URL": "http://127.0.0.1:9/nowhere"})
    return OffresSearchSpider.from_crawler(crawler, **args)


async def first_request(spider: OffresSearchSpider):
    return await anext(spider.start())


@ONE_BY_ONE  # a crawler for each example: fewer of them
@given(with_companions)
def test_refused_values_open_no_feed_and_send_nothing(args):
    try:
        validate_search_params(args)
    except ParamError as exc:
        spider = spider_with(args)
        assert spider.argument_error == str(exc)
        assert requested_feeds(spider.crawler).refused  # no feed: -O cannot empty a file
        with pytest.raises(CloseSpider) as closed:
            asyncio.run(first_request(spider))  # raises before a single request is yielded
        assert closed.value.reason == "offres_bad_argument"
