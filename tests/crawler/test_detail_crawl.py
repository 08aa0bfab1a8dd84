"""`scrapy crawl offres_detail` against the sandbox: live, withdrawn and malformed ids, ids taken
from a real snapshot feed, the rate limit, and the arguments it refuses (and
test_refused_arguments.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pyarrow.parquet as pq

from tests.crawler.api_spiders import crawl, new_requests, requests_by_status
from tests.sandbox.httpclient import api_get, get_token


def read_jsonl(path):
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def alive(sb) -> set[str]:
    return set(sb.control("alive")["ids"])


def parse_utc(value: str) -> datetime:
    assert value.endswith("Z") and len(value) == len("2026-11-27T11:59:17.123Z"), value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_live_withdrawn_and_malformed_ids(tmp_path, sandbox_factory):
    sb = sandbox_factory("--offers", "1000", "--seed", "7", "--churn-withdrawn", "5",
                         "--rate-limit", "50")
    before_jump = alive(sb)
    sb.control("faults", {"clock_skew": 30})  # about 150 offers withdrawn at once
    live_then = alive(sb)
    gone = sorted(before_jump - live_then)[:4]
    live = sorted(live_then)[:6]
    malformed = ["abc", "12-3/x?y", "..", "179qwxc"]  # never sent: not of the API's id format
    ids = [*live, gone[0], "", *malformed, " ", *gone[1:], live[0]]  # blanks, one repeat
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("\n".join(ids[1:]) + "\n", "utf-8")
    before = requests_by_status(sb, "detail")
    started = datetime.now(UTC)

    offers_feed = tmp_path / "mine.jsonl"
    run = crawl(tmp_path, sb, "offres_detail", args={"ids": ids[0], "ids_file": str(ids_file)},
                feeds={str(offers_feed): {"format": "jsonl"}})
    finished = datetime.now(UTC)
    live_after = alive(sb)
    assert run.returncode == 0, run.stderr  # a malformed id is skipped, not a lost request

    # each distinct well-formed id asked once; an empty or malformed one never
    sent = new_requests(before, requests_by_status(sb, "detail"))
    assert sum(sent.values()) == len(live) + len(gone)
    assert "400" not in sent

    offers = read_jsonl(offers_feed)
    withdrawals = read_jsonl(tmp_path / "run" / "withdrawals.jsonl")
    assert not (tmp_path / "run" / "offres.jsonl").exists()  # the user's feed replaces it
    # Offers still alive after the crawl were alive when fetched: 200 and the API's own version.
    # Offers gone before it are withdrawals. Churn goes on meanwhile: one of `live` may go too.
    offer_ids = [o["id"] for o in offers]
    withdrawn_ids = [w["id"] for w in withdrawals]
    assert sorted(offer_ids + withdrawn_ids) == sorted(live + gone)
    assert set(live) & live_after <= set(offer_ids) <= set(live)
    assert set(gone) <= set(withdrawn_ids) <= set(gone) | (set(live) - live_after)
    token = get_token(sb)
    for offer in offers:
        if offer["id"] in live_after:
            assert api_get(sb, f"/v2/offres/{offer['id']}", token).json() == offer
    for record in withdrawals:
        assert list(record) == ["id", "seen_withdrawn_at"]
        assert started <= parse_utc(record["seen_withdrawn_at"]) <= finished

    stats = run.stats()
    assert stats["offres/detail/offers"] == len(offers)
    assert stats["offres/detail/withdrawn"] == len(withdrawals)
    assert "offres/detail/malformed" not in stats and stats["offres/detail/skipped"] == len(malformed)
    assert stats["offres/detail/ids"] == len(live) + len(gone) + 1  # + the repeat
    assert stats["offres/detail/repeated"] == 1 and "dupefilter/filtered" not in stats
    for bad in malformed:
        line = ids.index(bad)  # ids[0] is the argument: the file's line numbers start at ids[1]
        assert (f"No offer id in ids.txt line {line}: {bad!r} is not an offer id (the API's ids "
                "are 7 capital letters or digits") in run.log


def test_ids_file_taken_from_a_snapshot_feed(tmp_path, sandbox_factory):
    sb = sandbox_factory("--offers", "1000", "--seed", "11", "--churn-withdrawn", "5",
                         "--rate-limit", "50")
    # A snapshot as the harvest writes it (Parquet parts, and the same rows as JSONL), of two
    # départements: about 80 offers keep the detail crawls short.
    snapshot = crawl(tmp_path, sb, "offres_search", name="snapshot", args={"departement": "75,13"},
                     settings={"OFFRES_SNAPSHOT": 1, "OFFRES_SNAPSHOT_DIR": str(tmp_path / "offres"),
                               "OFFRES_SNAPSHOT_JSONL": 1, "OFFRES_SNAPSHOT_DATE": "2026-01-02"})
    assert snapshot.returncode == 0, snapshot.stderr
    day = tmp_path / "offres" / "snapshot_date=2026-01-02"
    [parquet_part] = day.glob("*.parquet")
    [jsonl_part] = day.glob("*.jsonl.gz")
    snapshot_ids = pq.read_table(parquet_part, columns=["id"]).column("id").to_pylist()
    assert len(snapshot_ids) == len(set(snapshot_ids)) == snapshot.stats()["offres/collected"] > 50

    sb.control("faults", {"clock_skew": 30})  # about 15 % of the market withdrawn since
    for ids_file, name in ((day, "from_parquet"), (jsonl_part, "from_jsonl")):
        alive_before = alive(sb)
        run = crawl(tmp_path, sb, "offres_detail", args={"ids_file": str(ids_file)}, name=name)
        alive_after = alive(sb)
        assert run.returncode == 0, run.stderr
        offer_ids = {o["id"] for o in read_jsonl(tmp_path / name / "offres.jsonl")}
        withdrawn_ids = {w["id"] for w in read_jsonl(tmp_path / name / "withdrawals.jsonl")}
        assert offer_ids | withdrawn_ids == set(snapshot_ids) and not offer_ids & withdrawn_ids
        assert set(snapshot_ids) - alive_before <= withdrawn_ids
        assert set(snapshot_ids) & alive_after <= offer_ids
        assert withdrawn_ids and offer_ids
        stats = run.stats()
        assert stats["offres/detail/ids"] == len(snapshot_ids)
        assert "offres/detail/skipped" not in stats


def test_detail_holds_the_rate_limit(tmp_path, sandbox_factory):
    sb = sandbox_factory("--offers", "1000", "--seed", "5", "--latency", "100-300")  # 3/s
    ids = sorted(alive(sb))[:12]
    run = crawl(tmp_path, sb, "offres_detail", args={"ids": ",".join(ids)},
                settings={"OFFRES_RATE_LIMIT": 3})
    assert run.returncode == 0, run.stderr
    assert len(read_jsonl(tmp_path / "run" / "offres.jsonl")) == 12
    stats = sb.stats()
    assert stats["rate_limited"] == 0
    assert stats["max_requests_per_second"][sb.client_id] == 3


def test_without_ids_or_with_a_missing_file_nothing_is_asked(tmp_path, sandbox):
    before = sandbox.stats()["requests"]
    missing = tmp_path / "nowhere.txt"
    for args, message in (({}, "offres_detail needs -a ids=ID1,ID2 or -a ids_file=PATH"),
                          ({"ids_file": str(missing)},
                           f"offres_detail: ids_file {str(missing)!r}: does not exist")):
        run = crawl(tmp_path, sandbox, "offres_detail", args=args)
        assert run.returncode == 1
        assert run.stats()["finish_reason"] == "offres_bad_argument"
        assert f"[offres_crawler.spiders.offres_detail] ERROR: {message}" in run.log
    after = sandbox.stats()["requests"]
    for endpoint in ("token", "detail"):
        assert new_requests(before.get(endpoint, {}), after.get(endpoint, {})) == {}
    assert not (tmp_path / "run").exists()


def test_an_offer_that_cannot_be_fetched_makes_the_run_incomplete(tmp_path, sandbox):
    offer_id = sorted(alive(sandbox))[0]
    before = requests_by_status(sandbox, "detail")
    sandbox.control("faults", {"fail_next": [{"kind": "5xx", "count": 2}]})
    run = crawl(tmp_path, sandbox, "offres_detail", args={"ids": offer_id},
                settings={"OFFRES_RETRY_TIMES": 1, "OFFRES_RETRY_BACKOFF_BASE": 0.05})
    assert run.returncode == 3  # finished, but an offer is missing
    sent = new_requests(before, requests_by_status(sandbox, "detail"))
    assert sum(n for status, n in sent.items() if status.startswith("5")) == 2 and "200" not in sent
    stats = run.stats()
    assert stats["offres/detail/failed"] == 1 and stats["offres/failures"] == 1
    assert "offres/detail/offers" not in stats and "offres/detail/withdrawn" not in stats
    assert read_jsonl(tmp_path / "run" / "offres.jsonl") == []
    assert read_jsonl(tmp_path / "run" / "withdrawals.jsonl") == []


def test_a_200_whose_body_is_not_json_is_a_counted_failure(tmp_path, sandbox):
    """A 200 whose body cannot be read (not JSON, binary, nested too deep) is retried, then one
    error line and a failure that makes the run incomplete: never a traceback, never an offer
    lost silently (a body nested too deep raised RecursionError, which was not counted)."""
    from tests.crawler.local_server import LocalServer, Received

    live = sorted(alive(sandbox))[:4]
    bodies = {live[0]: b"<html>not json", live[1]: b"\x89PNG\r\n\x1a\n\xff\xfe", live[2]: b"[" * 100_000}

    def garbled(got: Received) -> tuple[int, bytes] | None:
        for offer_id, body in bodies.items():
            if got.path.split("?")[0].endswith(f"/v2/offres/{offer_id}"):
                return 200, body
        return None

    server = LocalServer(sandbox.root_url, rules=[garbled])
    try:
        run = crawl(tmp_path, sandbox, "offres_detail", args={"ids": ",".join(live)},
                    settings={"OFFRES_API_URL": sandbox.api_url.replace(sandbox.root_url, server.url()),
                              "OFFRES_TOKEN_URL": sandbox.token_url.replace(sandbox.root_url, server.url())})
    finally:
        server.close()
    assert run.returncode == 3, run.log[-3000:]
    assert "Traceback" not in run.log and "Spider error" not in run.log
    stats = run.stats()
    assert stats["offres/detail/failed"] == 3 and stats["offres/detail/offers"] == 1
    # each one retried, then failed for good, logged and counted (JSON nested too deep included)
    assert stats["offres/failures"] == stats["offres/failures/malformed_json"] == 3
    errors = [line for line in run.log.splitlines() if "] ERROR: " in line]
    assert len(errors) == 3 and all(line.endswith("malformed_json") for line in errors)
    assert [o["id"] for o in read_jsonl(tmp_path / "run" / "offres.jsonl")] == [live[3]]
