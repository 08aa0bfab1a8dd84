"""Every kind of bad argument to `scrapy crawl offres_search`: one clear error line naming the
parameter and the rule, exit code 1, and not one request reaches the sandbox (not even a token)."""

from __future__ import annotations

import pytest

from tests.crawler.search_crawl import sandbox_args, search_crawl
from tests.sandboxproc import SandboxProcess


@pytest.fixture(scope="module")
def sb():
    sandbox = SandboxProcess(args=sandbox_args(offers=1000)).start()
    yield sandbox
    sandbox.stop()


CASES = [
    ({"typeContract": "CDI"}, "typeContract: unknown search parameter", "did you mean typeContrat?"),
    ({"range": "0-149"}, "range: range is chosen by the harvest itself", "remove it"),
    ({"sort": "0"}, "sort: the harvest reads every slice in creation-date order", "only sort=1"),
    ({"departement": "75,92,93,94,91,78"}, "departement: at most 5 comma-separated values", "got 6"),
    ({"appellation": "404278,10438"}, "appellation: takes a single value", "got 2"),
    ({"codeNAF": "78.20"}, "codeNAF: '78.20' is not a NAF code", "99.99X"),
    ({"typeContrat": "CDI,XYZ"}, "typeContrat: 'XYZ' is not a typesContrats code", "one of CDI, CDD"),
    ({"publieeDepuis": "2"}, "publieeDepuis: '2' is not an accepted number of days", "1, 3, 7, 14, 31"),
    ({"salaireMin": "1800"}, "salaireMin: needs periodeSalaire as well", "together"),
    ({"maxCreationDate": "2025-01-01T00:00:00Z"}, "maxCreationDate: needs minCreationDate", "together"),
    ({"distance": "20"}, "distance: only applies around a commune", "give commune as well"),
    ({"motsCles": "a,b,c,d,e,f,g,h"}, "motsCles: at most 7 keywords", "got 8"),
    ({"motsCles": "data,x"}, "motsCles: keyword 'x' is shorter than 2 characters", ""),
]


@pytest.mark.parametrize("args, rule, detail", CASES,
                         ids=[f"{next(iter(args))}-{i}" for i, (args, _, _) in enumerate(CASES)])
def test_a_bad_argument_is_refused_before_any_request(sb, tmp_path, args, rule, detail):
    before = sb.stats()
    run = search_crawl(tmp_path, sb, args)
    after = sb.stats()
    assert run.returncode == 1
    assert run.stats()["finish_reason"] == "offres_bad_argument"
    [error] = run.errors()
    assert f"offres_search: invalid argument {rule}" in error and detail in error
    assert after["requests"] == before["requests"] and after["tokens_issued"] == before["tokens_issued"]
    assert not (tmp_path / "run.jsonl").exists() and run.report is None
