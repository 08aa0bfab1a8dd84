"""A published client, unchanged, against the sandbox: `api-offres-emploi` 0.0.2 (PyPI, the wrapper
this project succeeds; pinned in the `test` extra).

The client hard-codes the real hosts in module-level constants (offres_emploi/api.py:
ENDPOINT_ACCESS_TOKEN, OFFRES_DEMPLOI_V2_BASE, REFERENTIEL_ENDPOINT, SEARCH_ENDPOINT) and reads
them at call time: the test points those constants at the sandbox on 127.0.0.1 and changes nothing
else of the client. The test spaces every request, the client's and its own checks, to three per
second at most (the sandbox's limit, as the client's README asks of its users), so the client's
own 429 retries never come into play.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time

import pytest
from offres_emploi import Api
from offres_emploi import api as client_module
from offres_emploi.utils import dt_to_str_iso, filters_to_df
from requests.exceptions import HTTPError

from offres_crawler.sandbox.referentiels import NAMES
from tests.sandbox.httpclient import api_get, content_range, get_token, search


class Paced:
    """Calls spaced by 0.4 s (the first one second after the fixture): three per sliding second at
    most, whatever the client does inside."""

    def __init__(self) -> None:
        # the first call waits a whole second too: the tests that ran before on the same shared
        # sandbox may have just spent its token endpoint's per-second allowance
        self.last = time.monotonic() + 0.6

    def __call__(self, fn, *args, **kwargs):
        time.sleep(max(0.0, self.last + 0.4 - time.monotonic()))
        try:
            return fn(*args, **kwargs)
        finally:
            self.last = time.monotonic()


@contextlib.contextmanager
def wrapper_pointed_at(sandbox):
    """The wrapper's `Api`, its module's hosts pointed at `sandbox` for the duration."""
    base = f"{sandbox.api_url}/v2"
    patch = pytest.MonkeyPatch()
    # The client adds ?realm=/partenaire itself: give it the endpoint without the query.
    patch.setattr(client_module, "ENDPOINT_ACCESS_TOKEN", sandbox.token_url.split("?")[0])
    patch.setattr(client_module, "OFFRES_DEMPLOI_V2_BASE", base)
    patch.setattr(client_module, "REFERENTIEL_ENDPOINT", f"{base}/referentiel")
    patch.setattr(client_module, "SEARCH_ENDPOINT", f"{base}/offres/search")
    try:
        yield Api(client_id=sandbox.client_id, client_secret=sandbox.client_secret)
    finally:
        patch.undo()


@pytest.fixture(scope="module")
def client(sandbox):
    with wrapper_pointed_at(sandbox) as api:
        yield api


@pytest.fixture(scope="module")
def paced():
    return Paced()


@pytest.fixture(scope="module")
def direct_token(sandbox):
    return get_token(sandbox)


def test_the_client_gets_a_token(client, paced):
    token = paced(client.get_token)
    assert token["token_type"] == "Bearer" and token["expires_in"] == 1499
    assert len(token["access_token"]) == 27
    assert not client.is_expired()
    assert client.get_headers() == {"Authorization": f"Bearer {token['access_token']}"}


def test_search_without_range_is_the_first_window(client, paced, sandbox, direct_token):
    out = paced(client.search)
    total = content_range(paced(search, sandbox, direct_token, {"range": "0-0"}))[2]
    assert out["Content-Range"] == {"first_index": "0", "last_index": "149", "max_results": str(total)}
    assert len(out["resultats"]) == 150
    assert {f["filtre"] for f in out["filtresPossibles"]} == {"typeContrat", "experience", "qualification",
                                                               "natureContrat"}


def test_search_with_range_and_dates_reads_the_content_range(client, paced, sandbox, direct_token):
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    params = {"range": "150-299", "sort": 1, "minCreationDate": dt_to_str_iso(now - dt.timedelta(days=60)),
              "maxCreationDate": dt_to_str_iso(now)}
    out = paced(client.search, params=params)
    expected = paced(search, sandbox, direct_token, params)
    first, last, total = content_range(expected)
    assert out["Content-Range"] == {"first_index": str(first), "last_index": str(last), "max_results": str(total)}
    assert [o["id"] for o in out["resultats"]] == [o["id"] for o in expected.json()["resultats"]]
    dates = [o["dateCreation"] for o in out["resultats"]]
    assert dates == sorted(dates, reverse=True)  # sort=1: creation date descending


def test_the_last_window_is_clamped_and_read_as_such(client, paced, sandbox, direct_token):
    params = {"departement": "75", "typeContrat": "CDD"}
    total = content_range(paced(search, sandbox, direct_token, {**params, "range": "0-0"}))[2]
    assert 10 < total < 3_000
    out = paced(client.search, params={**params, "range": f"{total - 5}-{total + 144}"})
    assert out["Content-Range"] == {"first_index": str(total - 5), "last_index": str(total - 1),
                                    "max_results": str(total)}
    assert len(out["resultats"]) == 5


def test_a_400_reaches_the_user_with_the_apis_message(client, paced):
    with pytest.raises(HTTPError, match="La plage de résultats demandée est trop importante."):
        paced(client.search, params={"range": "0-150"})


def test_no_result_is_the_documented_204_which_the_client_cannot_read(client, paced, sandbox, direct_token):
    params = {"motsCles": "zqxwv"}
    # The client's own bug: it parses `Content-Range` with "offres (\d+)-(\d+)/(\d+)" even on a 204,
    # whose header is "*/0", and fails on re.search(...) returning None.
    with pytest.raises(AttributeError, match="groupdict"):
        paced(client.search, params=params)
    reply = paced(search, sandbox, direct_token, params)  # what the sandbox answered: REFERENCE Part 1 §4
    assert reply.status == 204 and reply.body == b""
    assert reply.headers["Content-Range"] == "*/0"


@pytest.mark.parametrize("name", NAMES)
def test_every_referentiel_through_the_client(client, paced, sandbox, direct_token, name):
    entries = paced(client.referentiel, name)
    assert entries == paced(api_get, sandbox, f"/v2/referentiel/{name}", direct_token).json()
    assert entries and all({"code", "libelle"} <= set(e) for e in entries)


def test_filters_to_df_flattens_the_facets(client, paced):
    out = paced(client.search, params={"range": "0-0"})
    df = filters_to_df(out["filtresPossibles"])
    assert list(df.columns) == ["filtre", "valeur_possible", "nb_resultats"]
    assert set(df["filtre"]) == {"typeContrat", "experience", "qualification", "natureContrat"}
    total = int(out["Content-Range"]["max_results"])
    sums = df.groupby("filtre")["nb_resultats"].sum()
    # every offer has one type, one experience bucket and one qualification bucket
    assert sums["typeContrat"] == sums["experience"] == sums["qualification"] == total
