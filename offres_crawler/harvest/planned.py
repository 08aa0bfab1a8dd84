"""A search request as the planner plans it (the driver's side of harvest/planner.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from offres_crawler.harvest.api_urls import referentiel_url, search_url
from offres_crawler.harvest.content_range import PAGE_SIZE
from offres_crawler.harvest.ledger import Purpose

COUNT_UNIT = 0  # the unit of the query's counts (heads and slices are numbered from 1)
LIST_UNIT = -1  # the unit of a reference list (harvest/romes.py)


@dataclass(frozen=True)
class PlannedRequest:
    key: int
    params: dict[str, str]  # every parameter to send, `range` and `sort` included
    unit: int  # the head or slice that reads it (COUNT_UNIT: a count of the query)
    start: int  # first row asked for (the `range` starts there)
    purpose: Purpose
    priority: int = 0  # first reads of new slices unlock more work: ask for them first
    delay: float = 0.0  # seconds to wait before sending (for a second to close on the server)
    referentiel: str | None = None  # a reference list (GET /v2/referentiel/<name>), not a search

    def url(self, api_url: str) -> str:
        """The URL to send: the search with `params`, or the reference list."""
        if self.referentiel is not None:
            return referentiel_url(api_url, self.referentiel)
        return search_url(api_url, self.params)

    @property
    def page(self) -> int:
        """The page the read starts in (reads overlap pages once ties are unstable: ties.py)."""
        return self.start // PAGE_SIZE

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "params": self.params, "unit": self.unit, "start": self.start,
                "purpose": self.purpose.value, "priority": self.priority, "delay": self.delay,
                "referentiel": self.referentiel}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PlannedRequest:
        return cls(d["key"], dict(d["params"]), d["unit"], d["start"], Purpose(d["purpose"]),
                   d["priority"], d["delay"], d.get("referentiel"))
