"""`scrapy crawl offres_detail` with a JOBDIR, killed with SIGKILL at 20 seeded instants while
requests are in flight (each resumed run killed in turn, tests/ops/killchain.py), then run to its
end: every id of the input is answered exactly once across all runs, nothing secret is left in
the JOBDIR."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from offres_crawler import settings as project_settings
from tests.crawler.api_spiders import FAST_RATE, requests_by_status
from tests.feeds.feeds_crawl import Run
from tests.ops.crawlproc import run_crawl
from tests.ops.forkserver import ForkServer
from tests.ops.killchain import KILLS, instants, kill_chain

MALFORMED = "abc"
CONCURRENCY = 16  # the API slot's: requests in flight at a kill, asked again


@pytest.fixture(scope="module")
def server():
    with ForkServer() as forks:
        yield forks


def rows(path: Path) -> list[dict]:
    """The complete lines of a JSONL feed (a killed run may leave a torn last one)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines(keepends=True)
            if line.endswith("\n")]


def recorded_ids(path: Path) -> list[str]:
    """The ids of the record of answered ids (offers/answer_log.py), complete lines only."""
    if not path.exists():
        return []
    records = [json.loads(line) for line in path.read_text("utf-8").splitlines(keepends=True)
               if line.endswith("\n")]
    return [r[0] if isinstance(r, list) else r for r in records if not isinstance(r, dict)]


def detail_run(sb, server, tmp_path: Path, ids_file: Path, name: str, kill_when=None,
               overwrite: str | None = None) -> Run:
    settings = {"OFFRES_OFFER_SPIDERS": ",".join(project_settings.OFFRES_OFFER_SPIDERS),
                "OFFRES_RATE_LIMIT": FAST_RATE, "JOBDIR": str(tmp_path / "job"),
                "OFFRES_DETAIL_OFFERS_URI": str(tmp_path / "out" / "offres.jsonl"),
                "OFFRES_DETAIL_WITHDRAWALS_URI": str(tmp_path / "out" / "withdrawals.jsonl"),
                "OFFRES_REJECTS_URI": str(tmp_path / "out" / "rejects.jsonl"), "LOG_LEVEL": "INFO"}
    options = ("-a", f"ids_file={ids_file}", *(("-O", overwrite) if overwrite else ()))
    crawl = run_crawl(sb, tmp_path, settings, name=name, spider="offres_detail", options=options,
                      kill_when=kill_when, server=server, timeout=60)
    run = Run(returncode=crawl.returncode, log=crawl.log, stderr="")
    run.killed = crawl.killed  # type: ignore[attr-defined]
    return run


def test_a_detail_crawl_killed_again_and_again_answers_every_id_once(tmp_path, sandbox_factory, server):
    sb = sandbox_factory("--offers", "1000", "--seed", "13", "--churn-withdrawn", "2",
                         "--rate-limit", "50", "--latency", "200-600")
    market = sorted(sb.control("alive")["ids"])
    sb.control("faults", {"clock_skew": 30})  # about 15 % of them withdrawn at once
    ids = market[::3]  # about 330 ids, live and withdrawn ones
    ids_file = tmp_path / "ids.txt"
    # A malformed id first (skipped by every run, never sent), a repeat last.
    ids_file.write_text("\n".join([MALFORMED, *ids, ids[0]]) + "\n", encoding="utf-8")
    before = requests_by_status(sb, "detail")
    offers, withdrawals = tmp_path / "out" / "offres.jsonl", tmp_path / "out" / "withdrawals.jsonl"
    record = tmp_path / "job" / "offres_detail" / "answered.jsonl"
    injected: list[str] = []

    def after_kill(run) -> None:
        answered = {r["id"] for r in rows(offers) + rows(withdrawals)}
        recorded = recorded_ids(record)
        assert len(set(recorded)) == len(recorded)
        # every id recorded has its row; at most the one row being written at the kill has none
        # yet (the resumed run cuts it off and asks that id again)
        assert set(recorded) <= answered
        assert len(answered) - 1 <= len(recorded) <= len(answered)
        if not injected and recorded:
            # What a kill between a row and its record leaves, made certain: a whole row whose
            # id is not recorded, then half a line. The next run must cut both (and ask the id).
            unrecorded = next(i for i in ids if i not in answered)
            with offers.open("a", encoding="utf-8") as f:
                f.write(json.dumps({"id": unrecorded, "intitule": "left by the kill"}) + '\n{"id": "12')
            injected.append(unrecorded)

    def run(name, kill_when):
        return detail_run(sb, server, tmp_path, ids_file, name, kill_when)

    chain = kill_chain(run, lambda: sum(requests_by_status(sb, "detail").values()),
                       instants(seed=5, upto=len(ids) - 3 * CONCURRENCY), after_each=after_kill)
    assert len(chain.killed) == KILLS, f"ended before its instant: {chain.ended and chain.ended.log[-2000:]}"
    assert injected
    recorded_before = recorded_ids(record)
    final = run("last", None)
    assert final.returncode == 0, final.log[-3000:]

    every = Counter([o["id"] for o in rows(offers)] + [w["id"] for w in rows(withdrawals)])
    assert set(every) == set(ids)  # none missing, nothing else
    assert [i for i, n in every.items() if n > 1] == []  # and none written twice
    assert "left by the kill" not in offers.read_text("utf-8")
    assert any("cut back to the last answer recorded" in k.log for k in chain.killed[1:] + [final])

    stats = final.stats()
    assert stats["offres/detail/resumed_skipped"] == len(recorded_before)
    assert stats["offres/detail/resumed_skipped"] == stats["offres/detail/resumed_answered"]
    assert stats["offres/detail/repeated"] == 1
    assert stats["offres/detail/skipped"] == 1 and "offres/detail/malformed" not in stats
    assert sorted(recorded_ids(record)) == sorted(ids)

    sent = Counter(requests_by_status(sb, "detail"))
    sent.subtract(before)
    assert "400" not in sent  # the malformed id was never sent
    # Only the requests in flight (or waiting in the scheduler) at a kill were asked twice
    assert len(ids) <= sum(sent.values()) <= len(ids) + KILLS * 2 * CONCURRENCY

    secret = sb.client_secret.encode()
    for path in (tmp_path / "job").rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert secret not in content, path
            assert b"Bearer" not in content and b"Authorization" not in content, path


def test_feeds_a_kill_would_lose_make_the_next_run_ask_every_id(tmp_path, sandbox_factory, server):
    sb = sandbox_factory("--offers", "1000", "--seed", "17", "--rate-limit", "50")
    ids = sorted(sb.control("alive")["ids"])[:5]
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("\n".join(ids), encoding="utf-8")
    record = tmp_path / "job" / "offres_detail" / "answered.jsonl"
    record.parent.mkdir(parents=True)
    record.write_text("".join(json.dumps(i) + "\n" for i in ids), encoding="utf-8")

    # a Parquet file is written at close
    run = detail_run(sb, server, tmp_path, ids_file, "overwrite",
                     overwrite=str(tmp_path / "out" / "now.parquet"))
    assert run.returncode == 0, run.log[-3000:]
    assert "do not keep their rows if the crawl is killed" in run.log
    stats = run.stats()
    assert stats["offres/detail/offers"] == 5 and "offres/detail/resumed_skipped" not in stats
    assert not record.exists()  # this run's output cannot vouch for it
