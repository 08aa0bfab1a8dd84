"""`scrapy crawl referentiels -o FILE.jsonl` with a JOBDIR, killed with SIGKILL at 20 seeded
instants (each resumed run killed in turn, tests/ops/killchain.py), then run to its end: FILE
holds every list exactly as the API serves it, each entry once."""

from __future__ import annotations

import json

import pytest

from offres_crawler.harvest.referentiels import NAMES
from tests.ops.crawlproc import run_crawl
from tests.ops.forkserver import ForkServer
from tests.ops.killchain import KILLS, instants, kill_chain
from tests.sandbox.httpclient import api_get, configured, get_token


@pytest.fixture(scope="module")
def sb(sandbox):
    with configured(sandbox, rate_limit=50):
        yield sandbox


def _rows(path) -> int:
    """Rows in the feed (they go back to the checkpoint's on resume): the kill instants."""
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def test_referentiels_killed_again_and_again_are_written_whole_and_once(sb, tmp_path):
    token = get_token(sb)
    served = {name: api_get(sb, f"/v2/referentiel/{name}", token).json() for name in NAMES}
    out = tmp_path / "out" / "referentiels.jsonl"
    # 8 requests a second: the 16 lists take two seconds
    settings = {"JOBDIR": str(tmp_path / "job"), "OFFRES_RATE_LIMIT": "8", "LOG_LEVEL": "INFO",
                "OFFRES_REFERENTIELS_REPORT": str(tmp_path / "report.json")}
    with ForkServer() as server:
        def run(name, kill_when):
            return run_crawl(sb, tmp_path, settings, name=name, spider="referentiels",
                             options=("-o", str(out)), kill_when=kill_when, server=server, timeout=60)

        total = sum(len(entries) for entries in served.values())
        # instants in rows written: before, inside and between lists (a list half written)
        chain = kill_chain(run, lambda: _rows(out), instants(seed=3, upto=total - 100))
        assert len(chain.killed) == KILLS, f"ended before its instant: {chain.ended and chain.ended.log[-2000:]}"
        final = run("last", None)
    assert final.returncode == 0, final.log[-3000:]
    assert "OUTCOME: COMPLETE" in final.verdict(), final.verdict()

    lines = out.read_text("utf-8").splitlines(keepends=True)
    assert all(line.endswith("\n") for line in lines), "a torn line"
    rows = [json.loads(line) for line in lines]
    for name in NAMES:  # every entry of every list, once, in the API's order
        assert [{k: v for k, v in r.items() if k != "referentiel"}
                for r in rows if r["referentiel"] == name] == served[name], name
    assert len(rows) == sum(len(entries) for entries in served.values())
