"""A snapshot crawl killed with SIGKILL at any moment and started again with the same JOBDIR ends
with the complete snapshot, every offer once, and nothing secret left in the JOBDIR."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.ops.crawlproc import TokenRecorder, run_crawl, snapshot_ids, snapshot_settings

DAY = "2025-10-09"


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


def after_searches(sb, n: int):
    start = _searches(sb)
    return lambda log: _searches(sb) - start >= n


def when_logged(text: str):
    return lambda log: log.exists() and text in log.read_text(errors="replace")


def _secrets_in(directory: Path, secrets: list[bytes]) -> list[str]:
    found = []
    for path in directory.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path.relative_to(directory)}: {s[:6]!r}..." for s in secrets if s in data]
    return found


# Where to kill, each a list of kill points (one run killed at each, then a run to the end).
KILLS = {
    "after_token": [lambda sb: when_logged("offres_search: the whole market")],
    "early": [lambda sb: after_searches(sb, 3)],
    "middle": [lambda sb: after_searches(sb, 25)],
    "closing": [lambda sb: when_logged("Closing spider")],  # feeds, commits, publication
    "middle_then_closing": [lambda sb: after_searches(sb, 25), lambda sb: when_logged("Closing spider")],
}


@pytest.mark.parametrize("kill", list(KILLS))
def test_killed_crawl_resumes_to_the_complete_snapshot(market, tmp_path, kill):
    sb = market
    jobdir = tmp_path / "job"
    settings = snapshot_settings(tmp_path, DAY, JOBDIR=str(jobdir), OFFRES_SNAPSHOT_PART_ITEMS="1000",
                                 LOG_LEVEL="INFO")
    with TokenRecorder(sb.token_url) as tokens:
        for number, kill_point in enumerate(KILLS[kill], 1):
            killed = run_crawl(sb, tmp_path, settings, name=f"killed{number}",
                               kill_when=kill_point(sb), token_url=tokens.url)
            assert killed.killed, f"the crawl ended before the kill point: {killed.log[-2000:]}"
        final = run_crawl(sb, tmp_path, settings, name="resumed", token_url=tokens.url)
        issued = [t.encode() for t in tokens.tokens]

    assert final.returncode == 0, final.log[-3000:]
    assert final.verdict().startswith("OUTCOME: COMPLETE"), final.verdict()
    day = tmp_path / "offres" / f"snapshot_date={DAY}"
    ids = snapshot_ids(day)
    assert len(ids) == len(set(ids)), "duplicates in the snapshot"
    assert set(ids) == set(sb.control("alive")["ids"])
    manifest = json.loads((day / "_manifest.json").read_text(encoding="utf-8"))
    assert manifest["complete"] is True and manifest["counts"]["offers"] == len(ids)
    assert not (tmp_path / "offres" / "_staging").exists()

    # nothing secret in the JOBDIR (nor anywhere else the runs wrote), killed runs included
    assert issued, "no token went through the recorder"
    secrets = [sb.client_secret.encode(), *issued, b"Bearer ", b"Authorization"]
    assert _secrets_in(jobdir, secrets) == []
    assert _secrets_in(tmp_path, [sb.client_secret.encode(), *issued]) == []
