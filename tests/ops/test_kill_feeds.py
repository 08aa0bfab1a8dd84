"""Plain feeds through kills (issue 13): `scrapy crawl offres_search` with a JOBDIR, killed with
SIGKILL at 20 seeded instants, one run after another, then run to the end (tests/ops/killchain.py).

- `-o FILE.jsonl` (append): after the last run FILE holds every offer of the market once;
- `-O FILE.jsonl` and `-O FILE.parquet` (overwrite): after each killed run the previous files
  are exactly as they were; after the last, they hold every offer once;
- `-o FILE.parquet` is refused before anything is asked, the file untouched."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.ops.crawlproc import run_crawl
from tests.ops.forkserver import ForkServer
from tests.ops.killchain import KILLS, instants, kill_chain


@pytest.fixture(scope="module")
def market():
    """3,000 offers, no churn: a complete feed holds exactly the sandbox's alive offers."""
    from tests.sandboxproc import SandboxProcess

    sb = SandboxProcess(args=["--offers", "3000", "--seed", "21", "--rate-limit", "50"]).start()
    yield sb
    sb.stop()


@pytest.fixture(scope="module")
def server():
    with ForkServer() as forks:
        yield forks


def _searches(sb) -> int:
    return sum(sb.stats()["requests"].get("search", {}).values())


def _settings(tmp_path: Path) -> dict[str, str]:
    # checkpoints every 0.2 s at 20 requests/s: kills fall before, on and after them
    return {"JOBDIR": str(tmp_path / "job"), "OFFRES_RATE_LIMIT": "20", "LOG_LEVEL": "INFO",
            "OFFRES_CHECKPOINT_INTERVAL": "0.2",
            "OFFRES_SEARCH_REPORT": str(tmp_path / "reports" / "%(time)s.json"),
            "OFFRES_REJECTS_URI": str(tmp_path / "rejects" / "%(time)s.jsonl")}


def _jsonl_ids(path: Path) -> list[str]:
    lines = path.read_text("utf-8").splitlines(keepends=True)
    assert all(line.endswith("\n") for line in lines), "a torn line"
    return [json.loads(line)["id"] for line in lines]


def _kill_chain(sb, server, tmp_path: Path, options: tuple[str, ...], seed: int, *,
                cumulative: bool, after_each=None) -> None:
    """KILLS runs killed in turn at seeded instants (about 24 requests in all: instants up to
    18), then one to the end, which must find the market complete."""
    def run(name, kill_when):
        return run_crawl(sb, tmp_path, _settings(tmp_path), name=name, options=options,
                         kill_when=kill_when, server=server)

    chain = kill_chain(run, lambda: _searches(sb), instants(seed, 18, cumulative=cumulative),
                       cumulative=cumulative, after_each=after_each)
    assert len(chain.killed) == KILLS, f"ended before its instant: {chain.ended and chain.ended.log[-2000:]}"
    final = run("last", None)
    assert final.returncode == 0, final.log[-3000:]
    assert final.verdict().startswith("OUTCOME: COMPLETE"), final.verdict()


def test_an_appended_jsonl_feed_killed_again_and_again_holds_every_offer_once(market, server, tmp_path):
    out = tmp_path / "out" / "offres.jsonl"
    _kill_chain(market, server, tmp_path, ("-o", str(out)), seed=13, cumulative=True)
    ids = _jsonl_ids(out)
    assert len(ids) == len(set(ids)), "rows written twice"
    assert set(ids) == set(market.control("alive")["ids"])
    assert "Resuming from the checkpoint" in (tmp_path / "last.log").read_text("utf-8")


def test_overwritten_feeds_are_replaced_whole_or_not_at_all(market, server, tmp_path):
    jsonl, parquet = tmp_path / "out" / "offres.jsonl", tmp_path / "out" / "offres.parquet"
    jsonl.parent.mkdir()
    jsonl.write_text('{"id": "previous"}\n', encoding="utf-8")
    pq.write_table(pa.table({"id": ["previous"]}), parquet)
    before = jsonl.read_bytes(), parquet.read_bytes()

    def unchanged(run) -> None:
        assert (jsonl.read_bytes(), parquet.read_bytes()) == before
        assert pq.ParquetFile(parquet).metadata.num_rows > 0  # readable

    # each killed run starts afresh (nothing of an overwritten feed is on disk before its close):
    # instants counted from each run's start
    _kill_chain(market, server, tmp_path, ("-O", str(jsonl), "-O", str(parquet)), seed=17,
                cumulative=False, after_each=unchanged)
    alive = set(market.control("alive")["ids"])
    ids = _jsonl_ids(jsonl)
    assert len(ids) == len(set(ids)) and set(ids) == alive
    parquet_ids = pq.read_table(parquet, columns=["id"]).column("id").to_pylist()
    assert len(parquet_ids) == len(set(parquet_ids)) and set(parquet_ids) == alive
    assert sorted(p.name for p in jsonl.parent.iterdir()) == ["offres.jsonl", "offres.parquet"]


def test_appending_to_a_parquet_file_is_refused_before_anything_is_asked(market, server, tmp_path):
    out = tmp_path / "offres.parquet"
    out.write_bytes(b"not touched")
    before = _searches(market)
    run = run_crawl(market, tmp_path, _settings(tmp_path), name="refused", options=("-o", str(out)),
                    server=server)
    assert run.returncode == 1
    assert "a Parquet file cannot be appended to; use -O" in run.log
    assert out.read_bytes() == b"not touched" and _searches(market) == before
