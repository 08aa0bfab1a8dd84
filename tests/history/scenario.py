"""Published snapshots whose history is known: a record per offer computed here, the obvious
way, from the whole sequence of snapshots, to compare with what the history update wrote."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from offres_crawler.offers.arrow_rows import typed_offer
from offres_crawler.snapshot.deltas_writer import write_deltas
from tests.ops.snapshots import market_offers, touched, write_snapshot

OFFERS = market_offers(320, seed=5)


def later(offer: dict, seconds: int = 1) -> dict:
    """The same offer with its dateActualisation `seconds` later."""
    moment = typed_offer(offer)["dateActualisation"] + timedelta(seconds=seconds)
    return touched(offer, dateActualisation=moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z")


def retitled(offer: dict) -> dict:
    """The same offer with another title and the same dateActualisation (a content-only update)."""
    return touched(offer, intitule=offer["intitule"] + " (H/F)")


def days() -> dict[str, list[dict]]:
    """Four published snapshots over five days (10-03 is missing): created, updated (by date and
    by content only), withdrawn and re-appeared offers."""
    o = OFFERS
    day1 = o[0:200]
    day2 = [later(o[10]), retitled(o[11]), *o[12:200], *o[200:250]]  # 0..9 withdrawn, 200..249 new
    day4 = [*o[0:5], later(o[10], 2), o[11], *o[13:195], *o[200:250], *o[250:280]]
    day5 = [*day4, *o[5:8], later(o[300])]
    return {"2025-10-01": day1, "2025-10-02": day2, "2025-10-04": day4, "2025-10-05": day5}


def publish(root: Path, day: str, offers: list[dict], *, deltas: bool = True, finished: str = "1") -> Path:
    """Write a published snapshot (and its deltas against the previous published one)."""
    directory = root / "offres" / f"snapshot_date={day}"
    shutil.rmtree(directory, ignore_errors=True)
    write_snapshot(root / "offres", day, offers)
    manifest = directory / "_manifest.json"
    written = json.loads(manifest.read_text("utf-8"))  # its parts, as write_snapshot lists them
    written.update({"crawl": {"finished_at": f"{day}T03:00:0{finished}+00:00", "runs": 1},
                    "counts": {"offers": len(offers)}})
    manifest.write_text(json.dumps(written), "utf-8")
    if deltas:
        write_deltas(root / "offres", day, root / "deltas")
    return directory


@dataclass
class Truth:
    first_seen: str
    last_seen: str
    withdrawn_on: str | None = None
    versions: int = 1
    changes: int = 0
    reappeared: int = 0
    last_date: object = None
    copy: dict = field(default_factory=dict)


def expected(sequence: dict[str, list[dict]]) -> dict[str, Truth]:
    """The records the history must hold after these snapshots, in date order."""
    records: dict[str, Truth] = {}
    online: dict[str, dict] = {}
    for day in sorted(sequence):
        now = {o["id"]: typed_offer(o) for o in sequence[day]}
        for offer_id, offer in now.items():
            r = records.get(offer_id)
            if r is None:
                records[offer_id] = Truth(day, day, last_date=offer["dateActualisation"], copy=offer)
                continue
            if offer_id in online and offer != online[offer_id]:
                r.changes += 1
            if r.withdrawn_on is not None:
                r.reappeared += 1
                r.withdrawn_on = None
            if offer["dateActualisation"] != r.last_date:
                r.versions += 1
            r.last_seen, r.last_date, r.copy = day, offer["dateActualisation"], offer
        for offer_id in set(online) - set(now):
            records[offer_id].withdrawn_on = day
        online = now
    return records


def read_history(history: Path) -> pa.Table:
    files = sorted((history / "current" / "offers").glob("*.parquet"))
    return pa.concat_tables(pq.read_table(f) for f in files)


def as_truth(table: pa.Table) -> dict[str, dict]:
    rows = table.to_pylist()
    return {r["id"]: {"first_seen": r["first_seen"].isoformat(), "last_seen": r["last_seen"].isoformat(),
                      "withdrawn_on": r["withdrawn_on"].isoformat() if r["withdrawn_on"] else None,
                      "versions": r["versions"], "changes": r["changes"], "reappeared": r["reappeared"]}
            for r in rows}


def truth_dicts(records: dict[str, Truth]) -> dict[str, dict]:
    return {k: {"first_seen": r.first_seen, "last_seen": r.last_seen, "withdrawn_on": r.withdrawn_on,
                "versions": r.versions, "changes": r.changes, "reappeared": r.reappeared}
            for k, r in records.items()}
