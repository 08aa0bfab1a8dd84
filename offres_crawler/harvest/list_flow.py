"""The list of ROME codes (GET /v2/referentiel/metiers), asked for once, when a crowded instant
first needs it (romes.py, crowds.py); without it, crowds are split on facets only."""

from __future__ import annotations

import logging
from typing import Any

from offres_crawler.harvest.ledger import Purpose
from offres_crawler.harvest.planned import LIST_UNIT, PlannedRequest
from offres_crawler.harvest.planner_base import PlannerBase
from offres_crawler.harvest.romes import LIST_ATTEMPTS, LIST_NAME

logger = logging.getLogger(__name__)


class ListFlow(PlannerBase):
    def is_list(self, key: int) -> bool:
        """Whether request `key` is that of a reference list (its answer is not a search page)."""
        req = self._in_flight.get(key)
        return req is not None and req.purpose is Purpose.LIST

    def observe_list(self, key: int, status: int, body: Any) -> None:
        self._in_flight.pop(key)
        self._seq += 1
        problem = f"HTTP {status}" if status != 200 else self.romes.load(body)
        if problem is not None:
            self._list_failed(problem)
            return
        logger.info("offres_search: %d ROME codes to split crowded instants on", len(self.romes.codes))
        if not self.stopped:
            self.cursor.crowds.on_list(self.depth)

    def _plan_list(self) -> PlannedRequest:
        self.romes.status = "asked"
        self._next_key += 1
        req = PlannedRequest(self._next_key, {}, LIST_UNIT, 0, Purpose.LIST, priority=2, referentiel=LIST_NAME)
        self._in_flight[req.key] = req
        self.ledger.requested(Purpose.LIST)
        return req

    def _list_failed(self, reason: str) -> None:
        self.romes.failures += 1
        if self.romes.failures < LIST_ATTEMPTS:
            self.romes.status = "wanted"
            return
        self.romes.status = "failed"
        self.ledger.warn(f"the list of ROME codes could not be read ({reason}): crowded instants are "
                         "split on facets only")
        if not self.stopped:
            self.cursor.crowds.on_list(self.depth)

