"""`scrapy crawl referentiels` against the sandbox: every list as the API serves it, chosen lists,
unknown names refused before any request, a list that cannot be fetched."""

from __future__ import annotations

import json

import pytest

from offres_crawler.harvest.referentiels import NAMES
from tests.crawler.api_spiders import crawl, new_requests, requests_by_status
from tests.sandbox.httpclient import api_get, configured, get_token


@pytest.fixture(scope="module")
def sb(sandbox):
    with configured(sandbox, rate_limit=50):
        yield sandbox


@pytest.fixture(scope="module")
def served(sb):
    """Each list exactly as the sandbox serves it."""
    token = get_token(sb)
    lists = {}
    for name in NAMES:
        reply = api_get(sb, f"/v2/referentiel/{name}", token)
        assert reply.status == 200
        lists[name] = reply.json()
    return lists


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def only_dir(parent):
    [child] = [p for p in parent.iterdir() if p.is_dir()]
    return child


def test_every_list_lands_in_its_own_file_untouched(tmp_path, sb, served):
    before = requests_by_status(sb, "referentiel")
    run = crawl(tmp_path, sb, "referentiels")
    assert run.returncode == 0, run.stderr
    assert new_requests(before, requests_by_status(sb, "referentiel")) == {"200": 16}

    day = only_dir(tmp_path / "run" / "ref")  # the run's UTC date
    assert sorted(p.name for p in day.iterdir()) == sorted([f"{n}.jsonl" for n in NAMES]
                                                           + ["_report.json"])
    stats = run.stats()
    for name in NAMES:
        rows = read_jsonl(day / f"{name}.jsonl")
        # the list's name first, then the entry's own fields, in the API's order and key order
        assert [list(r) for r in rows] == [["referentiel", *e] for e in served[name]], name
        assert [{k: v for k, v in r.items() if k != "referentiel"} for r in rows] == served[name]
        assert {r["referentiel"] for r in rows} == {name}
        assert stats[f"offres/referentiels/{name}"] == len(served[name])
    assert stats["offres/referentiels/lists"] == 16
    assert not any(key.startswith("offres/referentiels/shape_problems") for key in stats)

    report = json.loads((day / "_report.json").read_text("utf-8"))
    assert report["complete"] is True and report["finish_reason"] == "finished"
    assert report["requested"] == list(NAMES)
    assert report["counts"] == {name: len(served[name]) for name in NAMES}
    assert report["entries"] == sum(len(entries) for entries in served.values())
    assert report["missing"] == {}


def test_chosen_lists_go_into_the_one_feed_given(tmp_path, sb, served):
    before = requests_by_status(sb, "referentiel")
    feed = tmp_path / "two.jsonl"
    run = crawl(tmp_path, sb, "referentiels", args={"names": "metiers,communes,metiers"},
                feeds={str(feed): {"format": "jsonl", "overwrite": True}},
                # the snapshot layout is the full-market harvest's: never used for lists
                settings={"OFFRES_SNAPSHOT": 1, "OFFRES_SNAPSHOT_DIR": str(tmp_path / "offres")})
    assert run.returncode == 0, run.stderr
    assert not (tmp_path / "offres").exists()
    assert "OFFRES_SNAPSHOT is for full-market harvests: ignored by referentiels" in run.log
    assert new_requests(before, requests_by_status(sb, "referentiel")) == {"200": 2}

    rows = read_jsonl(feed)
    for name in ("metiers", "communes"):
        assert [{k: v for k, v in r.items() if k != "referentiel"}
                for r in rows if r["referentiel"] == name] == served[name]
    assert len(rows) == len(served["metiers"]) + len(served["communes"])
    # no per-list file when the user says where items go; the report is still written
    report_dir = only_dir(tmp_path / "run" / "ref")
    assert [p.name for p in report_dir.iterdir()] == ["_report.json"]
    report = json.loads((report_dir / "_report.json").read_text("utf-8"))
    assert report["requested"] == ["metiers", "communes"]
    assert report["counts"] == {"metiers": len(served["metiers"]),
                                "communes": len(served["communes"])}


def test_an_unknown_name_is_refused_before_any_request(tmp_path, sb):
    before = sb.stats()["requests"]
    run = crawl(tmp_path, sb, "referentiels", args={"names": "metiers,metier,TypesContrats"})
    assert run.returncode == 1
    assert run.stats()["finish_reason"] == "offres_bad_argument"
    errors = [line for line in run.log.splitlines()
              if "[offres_crawler.spiders.referentiels] ERROR" in line]
    assert len(errors) == 1
    assert ("Unknown referentiel names: 'metier' (did you mean 'metiers'?), "
            "'TypesContrats' (did you mean 'typesContrats'?). Valid names: "
            + ", ".join(NAMES)) in errors[0]
    after = sb.stats()["requests"]
    for endpoint in ("token", "referentiel", "search", "detail", "other"):
        assert new_requests(before.get(endpoint, {}), after.get(endpoint, {})) == {}, endpoint
    assert not (tmp_path / "run").exists()  # no file, no report


def test_a_list_that_cannot_be_fetched_is_reported_and_the_run_is_incomplete(tmp_path, sb, served):
    before = requests_by_status(sb, "referentiel")
    sb.control("faults", {"fail_next": [{"kind": "5xx", "count": 2}]})
    run = crawl(tmp_path, sb, "referentiels", args={"names": "regions"},
                settings={"OFFRES_RETRY_TIMES": 1, "OFFRES_RETRY_BACKOFF_BASE": 0.05})
    assert run.returncode == 3  # finished, but incomplete
    statuses = new_requests(before, requests_by_status(sb, "referentiel"))
    assert sum(n for status, n in statuses.items() if status.startswith("5")) == 2
    assert "200" not in statuses
    stats = run.stats()
    assert stats["offres/referentiels/missing"] == 1
    assert "offres/referentiels/regions" not in stats
    report = json.loads((only_dir(tmp_path / "run" / "ref") / "_report.json").read_text("utf-8"))
    assert report["complete"] is False and report["counts"] == {}
    assert list(report["missing"]) == ["regions"]
