"""Arguments are checked by the crawl's own rules, with the crawl's messages, and a refused one
sends nothing: not a search, not even a token request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from offres_crawler import settings as project
from offres_crawler.client import OffresClient
from offres_crawler.harvest.params import ParamError, validate_search_params
from offres_crawler.transport.endpoints import endpoint_problem
from tests.client.conftest import new_client, traffic
from tests.crawler.test_search_arguments import CASES as SPIDER_CASES


@pytest.fixture(scope="module")
def fresh(client_sandbox):
    """A client that has sent nothing yet (no token either)."""
    with new_client(client_sandbox) as c:
        yield c


@pytest.mark.parametrize("args, rule, detail", SPIDER_CASES,
                         ids=[f"{next(iter(args))}-{i}" for i, (args, _, _) in enumerate(SPIDER_CASES)])
def test_harvest_refuses_what_the_spider_refuses_in_its_words(fresh, client_sandbox, args, rule, detail):
    before = traffic(client_sandbox)
    with pytest.raises(ParamError) as refused:
        fresh.harvest(**args)
    # `scrapy crawl offres_search` logs "offres_search: invalid argument <message>"
    # (tests/crawler/test_search_arguments.py): the same message, from the same function
    assert str(refused.value).startswith(rule) and detail in str(refused.value)
    with pytest.raises(ParamError) as spider:
        validate_search_params(args)
    assert str(refused.value) == str(spider.value)
    assert traffic(client_sandbox) == before


@pytest.mark.parametrize("params, message", [
    ({"MotsCles": "data"}, "MotsCles: unknown search parameter (the API would silently ignore it and "
                           "return the whole market); did you mean motsCles?"),
    ({"range": "0-200"}, "range: '0-200' asks for 201 results; the API serves at most 150 per request"),
    ({"range": "150-0"}, "range: '150-0' ends before it starts"),
    ({"range": "first"}, "range: 'first' is not a window first-last (e.g. 0-149)"),
    ({"sort": "3"}, "sort: '3' is not an allowed value (one of 0, 1, 2)"),
    ({"typeContrat": ["CDI", "XYZ"]}, "typeContrat: 'XYZ' is not a typesContrats code"),
])
def test_search_refuses_before_sending(fresh, client_sandbox, params, message):
    before = traffic(client_sandbox)
    with pytest.raises(ParamError) as refused:
        fresh.search(params=params)
    assert str(refused.value).startswith(message)
    assert traffic(client_sandbox) == before


def test_python_values_become_the_api_s_text(fresh):
    paris = timezone(timedelta(hours=1))
    harvest = fresh.harvest(typeContrat=["CDI", "CDD"], tempsPlein=True, departement=("75", 92),
                            minCreationDate=datetime(2025, 1, 1, 1, 0, tzinfo=paris),
                            maxCreationDate=datetime(2025, 1, 15, tzinfo=UTC), salaireMin=None)
    assert harvest.query == {"typeContrat": "CDI,CDD", "tempsPlein": "true", "departement": "75,92",
                             "minCreationDate": "2025-01-01T00:00:00Z",
                             "maxCreationDate": "2025-01-15T00:00:00Z"}
    with pytest.raises(TypeError, match="dict of search parameters"):
        fresh.search(params=[("motsCles", "data")])


def test_nothing_runs_before_it_is_asked_for(fresh, client_sandbox):
    before = traffic(client_sandbox)
    harvest = fresh.harvest(motsCles="agent")
    assert traffic(client_sandbox) == before  # a harvest runs when iterated
    with pytest.raises(RuntimeError, match="has not run yet"):
        _ = harvest.verdict
    assert repr(harvest) == "<Harvest {'motsCles': 'agent'} new, 0 offers>"


def test_configuration_is_checked_at_once(client_sandbox, monkeypatch):
    for name in ("OFFRES_CLIENT_ID", "OFFRES_CLIENT_SECRET", "OFFRES_API_URL", "OFFRES_TOKEN_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ValueError, match="no client credentials: give client_id and client_secret, "
                                         "or set the environment variables OFFRES_CLIENT_ID"):
        OffresClient()
    with pytest.raises(ValueError) as refused:  # the crawl's own rule and words (transport/endpoints.py)
        OffresClient("id", "secret", api_url="http://user:pw@api.example.org/partenaire/offresdemploi")
    assert str(refused.value) == endpoint_problem("api_url", "http://user:pw@api.example.org/partenaire")
    assert "plain http would send the client secret" in str(refused.value) and "pw" not in str(refused.value)
    with pytest.raises(ValueError, match="token_url must be an https:// URL"):
        OffresClient("id", "secret", token_url="ftp://127.0.0.1/token")
    with pytest.raises(ValueError, match="rate_limit"):
        OffresClient("id", "secret", rate_limit=-1)
    client = OffresClient("id", "secret")  # the crawl's defaults: the real hosts, its rate
    assert (client.api_url, client.token_url, client.rate_limit) == \
        (project.OFFRES_API_URL, project.OFFRES_TOKEN_URL, project.OFFRES_RATE_LIMIT)
    assert client.api_url.startswith("https://") and client.token_url.startswith("https://")


def test_the_environment_gives_what_the_arguments_do_not(client_sandbox, monkeypatch):
    """The sandbox's printed lines and the credentials, exported: `OffresClient()` reaches it."""
    for line in (*client_sandbox.printed, f"OFFRES_CLIENT_ID={client_sandbox.client_id}",
                 f"OFFRES_CLIENT_SECRET={client_sandbox.client_secret}\n"):
        name, _, value = line.partition("=")
        monkeypatch.setenv(name, value)
    with OffresClient(rate_limit=40) as client:
        assert client.api_url == client_sandbox.api_url and client.token_url == client_sandbox.token_url
        assert client.search(params={"range": "0-0"})["Content-Range"]["max_results"] == "3000"
    monkeypatch.setenv("OFFRES_API_URL", "http://127.0.0.1:9/partenaire/offresdemploi")
    given = OffresClient(api_url=client_sandbox.api_url)  # an argument wins over the environment
    assert given.api_url == client_sandbox.api_url and given.client_id == client_sandbox.client_id
