"""The one verdict of a run: each reason, the exit code it leads to, and its JSON form."""

from __future__ import annotations

import json

import pytest

from offres_crawler.harvest.verdict import (
    DETAILS_KEPT,
    EXIT_FAILED,
    EXIT_INCOMPLETE,
    EXIT_OK,
    Counts,
    HarvestFacts,
    Reason,
    ReasonCode,
    RunFacts,
    Shortfall,
    Verdict,
    decide,
)


def ledger(**changes) -> HarvestFacts:
    facts = {"done": True, "fatal": None, "expected": 1000, "collected": 1000, "missing": 0,
             "requests": 8, "reasons": (), "work_unsent": False}
    return HarvestFacts(**{**facts, **changes})


def codes(verdict: Verdict) -> list[ReasonCode]:
    return [reason.code for reason in verdict.reasons]


@pytest.mark.parametrize(("facts", "code"), [
    (RunFacts("finished"), EXIT_OK),
    (RunFacts("finished", failures={}), EXIT_OK),
    (RunFacts("finished", failures={"http_503": 1}), EXIT_INCOMPLETE),
    (RunFacts("offres_auth_failed"), EXIT_FAILED),
    (RunFacts("shutdown", failures={"timeout": 2}), EXIT_FAILED),
    (RunFacts(None), EXIT_FAILED),
])
def test_exit_code_follows_finish_reason_then_completeness(facts, code):
    verdict = decide(facts)
    assert verdict.exit_code == code and verdict.complete is (code == EXIT_OK)
    assert verdict.status == {EXIT_OK: "complete", EXIT_INCOMPLETE: "incomplete"}.get(code, "failed")


def test_a_complete_harvest():
    verdict = decide(RunFacts("finished", harvest=ledger(), items=1000))
    assert verdict.complete and verdict.exit_code == EXIT_OK and verdict.reasons == ()
    assert verdict.counts == Counts(items=1000, failures=0, expected=1000, collected=1000, missing=0,
                                    requests=8)


def test_a_crawl_that_stopped_early_failed():
    verdict = decide(RunFacts("closespider_timeout", harvest=ledger(done=False)))
    assert codes(verdict) == [ReasonCode.NOT_FINISHED]  # an unfinished harvest goes without saying
    assert verdict.reasons[0].text == "the crawl stopped early (finish reason closespider_timeout)"
    assert verdict.exit_code == EXIT_FAILED and verdict.finish_reason == "closespider_timeout"


def test_missing_offers_are_incomplete_with_the_ledgers_account():
    reasons = tuple(f"slice {n} short by 1" for n in range(30))
    verdict = decide(RunFacts("finished", harvest=ledger(missing=1234, collected=966, reasons=reasons)))
    assert verdict.exit_code == EXIT_INCOMPLETE
    [reason] = verdict.reasons
    assert (reason.code, reason.text, reason.count) == (ReasonCode.OFFERS_MISSING, "1,234 offers missing", 1234)
    assert reason.details == reasons[:DETAILS_KEPT]
    assert verdict.counts.missing == 1234 and verdict.counts.collected == 966


def test_missing_offers_of_a_stopped_crawl_are_said_too():
    verdict = decide(RunFacts("shutdown", harvest=ledger(done=False, missing=5)))
    assert codes(verdict) == [ReasonCode.NOT_FINISHED, ReasonCode.OFFERS_MISSING]
    assert verdict.exit_code == EXIT_FAILED


def test_a_refused_harvest_failed():
    verdict = decide(RunFacts("offres_api_refused",
                              harvest=ledger(fatal="the API refused the query: bad", expected=0)))
    assert codes(verdict) == [ReasonCode.NOT_FINISHED, ReasonCode.HARVEST_FAILED]
    assert verdict.reasons[1].text == "the API refused the query: bad"
    # even if the crawl had somehow ended "finished", a refused harvest is a failure
    assert decide(RunFacts("finished", harvest=ledger(fatal="refused"))).exit_code == EXIT_FAILED


def test_work_left_unsent_and_an_unfinished_plan_are_incomplete():
    unsent = decide(RunFacts("finished", harvest=ledger(done=False, work_unsent=True)))
    assert codes(unsent) == [ReasonCode.WORK_UNSENT] and unsent.exit_code == EXIT_INCOMPLETE
    unfinished = decide(RunFacts("finished", harvest=ledger(done=False, requests=42)))
    assert codes(unfinished) == [ReasonCode.HARVEST_UNFINISHED]
    assert unfinished.reasons[0].text == "the crawl finished before the harvest did (42 requests planned)"
    assert unfinished.exit_code == EXIT_INCOMPLETE


def test_requests_failed_for_good_are_incomplete_by_reason():
    verdict = decide(RunFacts("finished", harvest=ledger(),
                              failures={"timeout": 1, "http_503": 2}))
    [reason] = verdict.reasons
    assert (reason.code, reason.text, reason.count) == (ReasonCode.REQUESTS_FAILED,
                                                        "3 requests failed for good", 3)
    assert reason.details == ("http_503: 2", "timeout: 1")
    assert verdict.exit_code == EXIT_INCOMPLETE and verdict.counts.failures == 3


def test_a_spiders_shortfalls_are_incomplete_each_with_its_kind():
    verdict = decide(RunFacts("finished", shortfalls=(
        Shortfall("referentiel_short", "referentiel communes: 5 entries fewer than the 40 announced", 5),
        Shortfall("referentiel_missing", "referentiel pays not fetched"))))
    assert [(r.code, r.kind, r.count) for r in verdict.reasons] == [
        (ReasonCode.SHORTFALL, "referentiel_short", 5), (ReasonCode.SHORTFALL, "referentiel_missing", 1)]
    assert verdict.exit_code == EXIT_INCOMPLETE


def test_feeds_not_stored_are_incomplete():
    verdict = decide(RunFacts("finished", feeds_not_stored=2))
    assert [(r.code, r.text) for r in verdict.reasons] == [
        (ReasonCode.FEEDS_NOT_STORED, "2 feed files could not be stored")]
    assert verdict.exit_code == EXIT_INCOMPLETE


def test_a_snapshot_that_could_not_be_published_is_incomplete():
    verdict = decide(RunFacts("finished", harvest=ledger(), publish_error="OSError: disk full"))
    assert [(r.code, r.text) for r in verdict.reasons] == [
        (ReasonCode.NOT_PUBLISHED, "the snapshot could not be published (OSError: disk full)")]
    assert verdict.exit_code == EXIT_INCOMPLETE


def test_every_reason_code_is_reachable_and_has_its_exit_code():
    facts = RunFacts("shutdown", harvest=ledger(fatal="refused", missing=3, done=False, work_unsent=True,
                                                contradictions=("totals disagree",)),
                     failures={"http_500": 1}, shortfalls=(Shortfall("x", "x missing"),),
                     feeds_not_stored=1, publish_error="EIO")
    seen = set(codes(decide(facts)))
    seen |= set(codes(decide(RunFacts("finished", harvest=ledger(done=False)))))
    assert seen == set(ReasonCode)
    assert {r.code for r in decide(facts).reasons if r.fails} == {ReasonCode.NOT_FINISHED,
                                                                  ReasonCode.HARVEST_FAILED}


def test_totals_that_contradict_independent_counts_make_a_full_harvest_incomplete():
    # every offer the API's totals announced was collected, but the totals contradict each other:
    # nothing proves the harvest complete, so it is not published (issue 12)
    lie = "the origine passes' totals add up to 500, the query's total is 1000 (churn allows 0)"
    verdict = decide(RunFacts("finished", harvest=ledger(contradictions=(lie,))))
    assert verdict.exit_code == EXIT_INCOMPLETE and not verdict.complete
    assert [(r.code, r.count, r.details) for r in verdict.reasons] == [
        (ReasonCode.TOTALS_CONTRADICT, 1, (lie,))]


def test_the_verdict_is_json_and_back():
    verdict = decide(RunFacts("finished", harvest=ledger(missing=2, reasons=("slice 1 short by 2",)),
                              failures={"http_503": 1}, shortfalls=(Shortfall("k", "t", 4),), items=998))
    data = json.loads(json.dumps(verdict.to_json()))
    assert data["status"] == "incomplete" and data["exit_code"] == 3 and data["complete"] is False
    assert data["reasons"][0] == {"code": "offers_missing", "text": "2 offers missing", "count": 2,
                                  "kind": "", "details": ["slice 1 short by 2"]}
    assert data["reasons"][2]["kind"] == "k"
    assert data["counts"] == {"items": 998, "failures": 1, "expected": 1000, "collected": 1000,
                              "missing": 2, "requests": 8}
    assert Verdict.from_json(data) == verdict
    assert isinstance(Verdict.from_json(data).reasons[0], Reason)
