"""A snapshot crawl killed with SIGKILL at any moment and started again with the same JOBDIR ends
with the complete snapshot, every offer once, and nothing secret left in the JOBDIR (the loop
of kills: tests/ops/killchain.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.ops.crawlproc import TokenRecorder, run_crawl, snapshot_ids, snapshot_settings
from tests.ops.forkserver import ForkServer
from tests.ops.killchain import KILLS, instants, kill_chain

DAY = "2025-10-09"
KILL_SWITCH = json.dumps({"tests.feeds.spiders.KillSwitch": 100})


@pytest.fixture(scope="module")
def market(request):
    """6,000 offers, no churn: the snapshot must hold exactly the sandbox's alive offers."""
    from tests.sandboxproc import SandboxProcess

    sb = SandboxProcess(args=["--offers", "6000", "--seed", "8", "--rate-limit", "50",
                              "--range-mode", "legacy"]).start()
    request.addfinalizer(sb.stop)
    return sb


def _searches(sb) -> int:
    return sum(sb.stats()["requests"].get("search", {}).values())


def when_logged(text: str):
    return lambda log: log.exists() and text in log.read_text(errors="replace")


def _secrets_in(directory: Path, secrets: list[bytes]) -> list[str]:
    found = []
    for path in directory.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path.relative_to(directory)}: {s[:6]!r}..." for s in secrets if s in data]
    return found


def test_a_snapshot_crawl_killed_at_many_instants_resumes_to_the_complete_snapshot(market, tmp_path):
    """Killed at 20 seeded instants over the whole harvest (each resumed run killed in turn),
    then while closing, then after its feeds are final and before the publication; the last
    run publishes the complete snapshot, every offer once, without asking anything again."""
    sb = market
    jobdir = tmp_path / "job"
    settings = snapshot_settings(tmp_path, DAY, JOBDIR=str(jobdir), OFFRES_SNAPSHOT_PART_ITEMS="1000",
                                 LOG_LEVEL="INFO", EXTENSIONS=KILL_SWITCH)
    with TokenRecorder(sb.token_url) as tokens, ForkServer() as server:
        def run(name, kill_when, **more):
            return run_crawl(sb, tmp_path, {**settings, **more}, name=name, kill_when=kill_when,
                             token_url=tokens.url, server=server)

        # about 45 requests in all: instants up to 36 stay before the harvest's end
        chain = kill_chain(run, lambda: _searches(sb), instants(seed=8, upto=36))
        assert len(chain.killed) == KILLS, f"ended before its instant: {chain.ended and chain.ended.log[-2000:]}"
        closing = run("closing", when_logged("Closing spider"))  # parts stored, committed, checkpoint
        assert closing.killed, closing.log[-2000:]
        # the harvest is over, its feeds final, nothing published yet: the next run publishes
        stopped = run("stopped", None, OFFRES_TEST_KILL_AT_STOP="1")
        assert stopped.returncode == -9 and "KillSwitch: SIGKILL" in stopped.log, stopped.log[-2000:]
        assert not (tmp_path / "offres" / f"snapshot_date={DAY}").exists()
        before = _searches(sb)
        final = run("resumed", None)
        asked_again = _searches(sb) - before
        issued = [t.encode() for t in tokens.tokens]

    assert final.returncode == 0, final.log[-3000:]
    assert final.verdict().startswith("OUTCOME: COMPLETE"), final.verdict()
    assert asked_again == 0  # the finished plan was kept until the publication
    day = tmp_path / "offres" / f"snapshot_date={DAY}"
    ids = snapshot_ids(day)
    assert len(ids) == len(set(ids)), "duplicates in the snapshot"
    assert set(ids) == set(sb.control("alive")["ids"])
    manifest = json.loads((day / "_manifest.json").read_text(encoding="utf-8"))
    assert manifest["complete"] is True and manifest["counts"]["offers"] == len(ids)
    # a run killed before it had recorded its start does not count
    assert KILLS // 2 < manifest["crawl"]["runs"] <= KILLS + 3
    assert not (tmp_path / "offres" / "_staging").exists()
    assert not (jobdir / "offres_answers").exists()  # the harvest is over: nothing to replay

    # nothing secret in the JOBDIR (nor anywhere else the runs wrote), killed runs included
    assert issued, "no token went through the recorder"
    secrets = [sb.client_secret.encode(), *issued, b"Bearer ", b"Authorization"]
    assert _secrets_in(jobdir, secrets) == []
    assert _secrets_in(tmp_path, [sb.client_secret.encode(), *issued]) == []
