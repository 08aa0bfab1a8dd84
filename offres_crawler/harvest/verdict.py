"""The verdict of a run: was it complete, and if not, why (framework-free).

One function, `decide(facts)`, turns what the run established (`RunFacts`: the finish reason,
the harvest ledger of offres_search, the requests that failed for good, what a spider knows it
could not collect, feeds that could not be stored) into one `Verdict`. Everything that says how
a run ended reads that object: the `scrapy crawl` exit code, whether a snapshot is published,
the run report's and the manifest's `complete`, the `offres/outcome` stat, the summary and the
OUTCOME line of the log, and the verdict file tools read (`Verdict.to_json`).

Exit codes: 0 complete; 1 failed (the crawl did not finish, or the API refused the harvest);
3 finished but incomplete (something is missing). Each reason is typed data: a `ReasonCode`,
a text for people, a count and details, so that tools never parse sentences.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INCOMPLETE = 3
FINISHED = "finished"  # the only finish reason of a crawl that ran to its end
DETAILS_KEPT = 20  # details listed per reason (the run report has them all)


class ReasonCode(StrEnum):
    NOT_FINISHED = "not_finished"  # the crawl closed for another reason than "finished"
    HARVEST_FAILED = "harvest_failed"  # the API refused the query, or its first page never came
    OFFERS_MISSING = "offers_missing"  # the ledger cannot account for some offers
    TOTALS_CONTRADICT = "totals_contradict"  # the API's counts contradict each other or its rows
    WORK_UNSENT = "work_unsent"  # the planner had work left that it could not send
    HARVEST_UNFINISHED = "harvest_unfinished"  # the crawl finished before the planner did
    REQUESTS_FAILED = "requests_failed"  # API requests whose retries ran out, or refused
    SHORTFALL = "shortfall"  # data a spider knows it did not get (`Reason.kind` says which)
    FEEDS_NOT_STORED = "feeds_not_stored"  # a feed file could not be stored
    NOT_PUBLISHED = "not_published"  # the snapshot's publication itself failed (I/O)


FAILING = frozenset({ReasonCode.NOT_FINISHED, ReasonCode.HARVEST_FAILED})  # exit 1; others 3


@dataclass(frozen=True)
class Reason:
    code: ReasonCode
    text: str
    count: int | None = None
    kind: str = ""  # what a SHORTFALL is about (e.g. "referentiel_short")
    details: tuple[str, ...] = ()

    @property
    def fails(self) -> bool:
        return self.code in FAILING


# -- facts --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class HarvestFacts:
    """The harvest ledger's result (offres_search), read from the planner when the run ends."""

    done: bool
    fatal: str | None  # why the API refused the harvest, if it did
    expected: int  # what the API reported reachable for the query
    collected: int  # distinct offers received
    missing: int  # offers the ledger cannot account for
    requests: int  # search requests planned
    reasons: tuple[str, ...] = ()  # the ledger's own account of what is missing
    work_unsent: bool = False  # the spider found work it could not send
    # what the API's totals claim that independent counts contradict beyond the churn observed
    # (harvest/counts.py): a run fed such totals cannot prove it is complete
    contradictions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Shortfall:
    """Data a spider knows it did not collect (a referentiel list short of its announced size)."""

    kind: str
    text: str
    count: int = 1


@dataclass(frozen=True)
class RunFacts:
    finish_reason: str | None
    harvest: HarvestFacts | None = None
    failures: Mapping[str, int] = field(default_factory=dict)  # requests failed for good, by reason
    shortfalls: tuple[Shortfall, ...] = ()
    feeds_not_stored: int = 0  # Scrapy's feedexport/failed_count
    items: int = 0  # items written (item_scraped_count)
    publish_error: str | None = None  # the snapshot could not be published: why


# -- the verdict --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Counts:
    items: int = 0
    failures: int = 0
    expected: int | None = None
    collected: int | None = None
    missing: int | None = None
    requests: int | None = None


@dataclass(frozen=True)
class Verdict:
    complete: bool
    exit_code: int
    finish_reason: str | None
    reasons: tuple[Reason, ...] = ()
    counts: Counts = Counts()

    @property
    def status(self) -> str:
        """"complete", "incomplete" or "failed" (the `offres/outcome` stat)."""
        return {EXIT_OK: "complete", EXIT_INCOMPLETE: "incomplete"}.get(self.exit_code, "failed")

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = self.status
        data["reasons"] = [{**asdict(r), "code": str(r.code), "details": list(r.details)}
                           for r in self.reasons]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Verdict:
        reasons = tuple(Reason(code=ReasonCode(r["code"]), text=r["text"], count=r.get("count"),
                               kind=r.get("kind", ""), details=tuple(r.get("details", ())))
                        for r in data.get("reasons", ()))
        return cls(complete=data["complete"], exit_code=data["exit_code"],
                   finish_reason=data.get("finish_reason"), reasons=reasons,
                   counts=Counts(**data.get("counts", {})))


def _harvest_reasons(h: HarvestFacts, finished: bool) -> list[Reason]:
    out = []
    if h.fatal:
        out.append(Reason(ReasonCode.HARVEST_FAILED, h.fatal))
    if h.missing:
        out.append(Reason(ReasonCode.OFFERS_MISSING, f"{h.missing:,} offers missing", h.missing,
                          details=h.reasons[:DETAILS_KEPT]))
    if h.contradictions:
        out.append(Reason(ReasonCode.TOTALS_CONTRADICT,
                          f"the API's totals contradict {len(h.contradictions)} independent count(s)",
                          len(h.contradictions), details=h.contradictions[:DETAILS_KEPT]))
    if h.work_unsent:
        out.append(Reason(ReasonCode.WORK_UNSENT,
                          "the planner had work left that it could not send"))
    elif finished and not h.done and not h.fatal:
        out.append(Reason(ReasonCode.HARVEST_UNFINISHED,
                          f"the crawl finished before the harvest did ({h.requests:,} requests planned)"))
    return out


def decide(facts: RunFacts) -> Verdict:
    """The one decision on how a run ended (see the module docstring)."""
    finished = facts.finish_reason == FINISHED
    reasons = []
    if not finished:
        reasons.append(Reason(ReasonCode.NOT_FINISHED,
                              f"the crawl stopped early (finish reason {facts.finish_reason})"))
    if facts.harvest is not None:
        reasons += _harvest_reasons(facts.harvest, finished)
    failed = sum(facts.failures.values())
    if failed:
        by_reason = tuple(f"{reason}: {n}" for reason, n in sorted(facts.failures.items()))
        reasons.append(Reason(ReasonCode.REQUESTS_FAILED, f"{failed:,} requests failed for good",
                              failed, details=by_reason))
    for s in facts.shortfalls:
        reasons.append(Reason(ReasonCode.SHORTFALL, s.text, s.count, kind=s.kind))
    if facts.feeds_not_stored:
        reasons.append(Reason(ReasonCode.FEEDS_NOT_STORED,
                              f"{facts.feeds_not_stored} feed files could not be stored",
                              facts.feeds_not_stored))
    if facts.publish_error:
        reasons.append(Reason(ReasonCode.NOT_PUBLISHED,
                              f"the snapshot could not be published ({facts.publish_error})"))
    if not reasons:
        code = EXIT_OK
    elif any(r.fails for r in reasons):
        code = EXIT_FAILED
    else:
        code = EXIT_INCOMPLETE
    h = facts.harvest
    counts = Counts(items=facts.items, failures=failed,
                    expected=h.expected if h else None, collected=h.collected if h else None,
                    missing=h.missing if h else None, requests=h.requests if h else None)
    return Verdict(complete=code == EXIT_OK, exit_code=code, finish_reason=facts.finish_reason,
                   reasons=tuple(reasons), counts=counts)
