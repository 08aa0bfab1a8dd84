"""Reality modes (sandbox/reality.py): unstable order of ties, replicas behind the clock, noisy and
lying totals; each a CLI flag and a run-time option of /_sandbox/faults."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest

from tests.sandbox.httpclient import configured, content_range, get_token, search
from tests.sandboxproc import SandboxProcess

BURST = 300


def _facet_sum(body: dict, name: str = "typeContrat") -> int:
    for f in body["filtresPossibles"]:
        if f["filtre"] == name:
            return sum(a["nbResultats"] for a in f["agregation"])
    raise AssertionError(f"no {name} facet")


def _second(text: str) -> str:
    return text[:19]


@pytest.fixture(scope="module")
def burst_sb():
    sb = SandboxProcess(args=["--offers", "1000", "--bursts", f"1x{BURST}", "--rate-limit", "1000",
                              "--seed", "3", "--tie-order", "shuffle"]).start()
    yield sb
    sb.stop()


@pytest.fixture(scope="module")
def burst_query(burst_sb):
    """A query whose 300 offers share one creation instant, and a token."""
    token = get_token(burst_sb)
    instants: Counter[str] = Counter()
    for start in range(0, 1000, 150):
        reply = search(burst_sb, token, {"sort": "1", "range": f"{start}-{start + 149}"})
        instants.update(o["dateCreation"] for o in reply.json()["resultats"])
    instant, size = instants.most_common(1)[0]
    assert size == BURST
    second = _second(instant) + "Z"
    return token, {"sort": "1", "minCreationDate": second, "maxCreationDate": second}


def _ids(sb, token, query, start=0):
    reply = search(sb, token, {**query, "range": f"{start}-{start + 149}"})
    assert reply.status in (200, 206), reply.status
    return [o["id"] for o in reply.json()["resultats"]]


def test_shuffled_ties_come_in_a_new_order_at_every_request(burst_sb, burst_query):
    token, query = burst_query
    pages = [_ids(burst_sb, token, query) for _ in range(4)]
    assert len({tuple(p) for p in pages}) == 4  # 300 ties: a repeat would be a 1-in-10^600 event
    assert len({frozenset(p) for p in pages}) > 1  # page 0 shows another part of the group
    # whole pages cut the group at random: reading it page by page can miss some and repeat others
    union = set(_ids(burst_sb, token, query, 0)) | set(_ids(burst_sb, token, query, 150))
    assert len(union) < BURST


def test_shuffle_keeps_the_creation_order_between_instants(burst_sb, burst_query):
    token, _ = burst_query
    for start in (0, 150, 300):
        offers = search(burst_sb, token, {"sort": "1", "range": f"{start}-{start + 149}"}).json()["resultats"]
        created = [datetime.fromisoformat(o["dateCreation"]) for o in offers]
        assert created == sorted(created, reverse=True)


def test_stable_ties_set_at_run_time(burst_sb, burst_query):
    token, query = burst_query
    with configured(burst_sb, tie_order="stable"):
        first = _ids(burst_sb, token, query)
        assert all(_ids(burst_sb, token, query) == first for _ in range(3))
        assert len(set(first) | set(_ids(burst_sb, token, query, 150))) == BURST
    assert burst_sb.control("faults")["tie_order"] == "shuffle"


def test_total_noise_moves_the_total_only(burst_sb, burst_query):
    token, _ = burst_query
    with configured(burst_sb, total_noise=3):
        seen = set()
        for _ in range(25):
            reply = search(burst_sb, token, {"range": "0-149"})
            body = reply.json()
            first, last, total = content_range(reply)
            assert (first, last, len(body["resultats"])) == (0, 149, 150)
            assert _facet_sum(body) == 1000  # filtresPossibles stay right
            assert abs(total - 1000) <= 3
            seen.add(total)
        assert len(seen) > 2
        # never below the rows served up to the window's end
        for _ in range(10):
            _, last, total = content_range(search(burst_sb, token, {"range": "998-999"}))
            assert total >= last + 1 == 1000


def test_lying_totals_lie_after_the_first_answer(burst_sb, burst_query):
    token, _ = burst_query
    with configured(burst_sb, lying_totals=0.5):
        assert content_range(search(burst_sb, token, {"range": "0-149"}))[2] == 1000
        for _ in range(3):
            reply = search(burst_sb, token, {"range": "0-149"})
            assert content_range(reply)[2] == 500
            assert _facet_sum(reply.json()) == 1000
        assert content_range(search(burst_sb, token, {"range": "850-999"}))[2] == 1000  # rows served
    assert content_range(search(burst_sb, token, {"range": "0-149"}))[2] == 1000


def test_replica_lag_answers_from_an_earlier_moment(sandbox_factory):
    sb = sandbox_factory("--offers", "1000", "--rate-limit", "1000", "--churn-new", "40",
                         "--replica-lag", "3")
    token = get_token(sb)
    totals = []
    for _ in range(40):
        reply = search(sb, token, {"range": "0-149"})
        body = reply.json()
        total = content_range(reply)[2]
        assert _facet_sum(body) == total  # one moment within an answer
        totals.append(total)
    # only births: an answer from the present never counts fewer than an earlier one
    assert any(b < a for a, b in zip(totals, totals[1:], strict=False))
    with configured(sb, replica_lag=0):
        now = [content_range(search(sb, token, {"range": "0-149"}))[2] for _ in range(10)]
    assert now == sorted(now)
