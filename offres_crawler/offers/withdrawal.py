"""The record of an offer seen withdrawn: `GET /v2/offres/{id}` answered 204 ("L'offre n'existe
pas", REFERENCE Part 1 §4). The licence asks reusers to propagate withdrawals within 24 hours;
this record is what a downstream copy needs to do so: which offer, and when it was seen gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass
class OfferWithdrawal:
    id: str
    seen_withdrawn_at: str  # when the API said so, UTC, ISO 8601 to the millisecond, "Z"

    @classmethod
    def seen_at(cls, offer_id: str, epoch_seconds: float) -> OfferWithdrawal:
        return cls(id=offer_id, seen_withdrawn_at=utc_iso(epoch_seconds))


def utc_iso(epoch_seconds: float) -> str:
    """`2026-11-27T11:59:17.123Z`: the offers' own timestamp style."""
    moment = datetime.fromtimestamp(epoch_seconds, tz=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
