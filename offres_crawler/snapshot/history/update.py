"""Bring the history up to the published snapshots: which dates to apply, from where, and what
to say about it.

The history is a function of the published snapshots, in date order. It starts from the first
one (or `start`) and applies each later one from its deltas (history/changes.py). So:
- a new snapshot is applied on top of the current generation (a catch-up applies every one
  not yet applied, in order);
- a gap (dates without a published snapshot) is applied like any day and said: offers withdrawn
  in it have `last_seen` the last snapshot before it, offers created and withdrawn within it are
  never seen;
- a snapshot published out of order (older than the history's latest date), or published again
  (a re-run day: another crawl of the same date), is applied from the newest checkpoint before
  its date, and the dates after it are applied again: the result is what it would have been had
  the snapshots been published in order. Without such a checkpoint the history is rebuilt from
  its first snapshot, if that is still published; otherwise the snapshot is left out, and said;
- running it again with nothing new does nothing (the dates applied and the fingerprint of each
  snapshot are in the generation's `_history.json`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from offres_crawler.snapshot.deltas_layout import published_snapshots
from offres_crawler.snapshot.history.apply import apply_day, first_day
from offres_crawler.snapshot.history.changes import day_changes, fingerprint, first_snapshot
from offres_crawler.snapshot.history.records import OfferReader
from offres_crawler.snapshot.history.store import Generation, HistoryStore

logger = logging.getLogger(__name__)


@dataclass
class Plan:
    base: Generation | None  # where to start from; None: from the first snapshot
    dates: list[str]  # applied in this order
    notes: list[str] = field(default_factory=list)


def _days_between(a: str, b: str) -> int:
    return (date.fromisoformat(b) - date.fromisoformat(a)).days


def plan(published: dict[str, dict], applied: list[dict], checkpoints: list[Generation],
         start: str | None = None, rebuild: bool = False) -> Plan:
    """What to apply. `published`: {date: fingerprint} of the published snapshots;
    `applied`: the current generation's record of the dates applied, oldest first;
    `checkpoints`: the generations of the current chain, newest first."""
    if rebuild or not applied:
        first = start or (applied[0]["date"] if applied and rebuild else None)
        return Plan(None, [d for d in sorted(published) if first is None or d >= first])
    first, last = applied[0]["date"], applied[-1]["date"]
    notes = [f"snapshot {d} is older than the history's first date {first}: not applied (run "
             f"`offres-crawler history --rebuild --start {d}` to begin the history there)"
             for d in sorted(published) if d < first and d not in (a["date"] for a in applied)]
    by_date = {a["date"]: a for a in applied}
    candidates = [d for d in sorted(published) if d >= first]
    diverge = next((d for d in candidates
                    if d not in by_date or by_date[d].get("fingerprint") != published[d]), None)
    if diverge is None:
        return Plan(None, [], notes)
    if diverge > last:
        return Plan(checkpoints[0], [d for d in candidates if d > last], notes)
    why = (f"snapshot {diverge} was published again" if diverge in by_date
           else f"snapshot {diverge} was published after the history had reached {last}")
    base = next((g for g in checkpoints if g.day < diverge), None)
    dropped = [d for d in by_date if d not in published and base is not None and d > base.day]
    if dropped:
        notes.append(f"snapshots no longer published are left out from now on: {', '.join(sorted(dropped))}")
    if base is not None:
        notes.append(f"{why}: applied from the checkpoint of {base.day}, with the dates after it")
        return Plan(base, [d for d in candidates if d > base.day], notes)
    if first in published:
        notes.append(f"{why}: no checkpoint before it, the history is rebuilt from {first}")
        return Plan(None, candidates, notes)
    notes.append(f"{why}: not applied, since there is no checkpoint before it and the history's "
                 f"first snapshot ({first}) is no longer published")
    return Plan(None, [], notes)


def update_history(snapshot_root: Path, history_root: Path, deltas_root: Path | None = None, *,
                   keep: int = 7, compression: str = "zstd", start: str | None = None,
                   rebuild: bool = False) -> dict[str, Any]:
    """Apply every published snapshot the history lacks; returns what was done (also logged)."""
    started = time.monotonic()
    snapshots = published_snapshots(Path(snapshot_root))
    store = HistoryStore(Path(history_root), keep=keep, compression=compression)
    with store.locked():
        current = store.current()
        applied = current.state()["applied"] if current is not None else []
        todo = plan({d: fingerprint(p) for d, p in snapshots.items()}, applied, store.checkpoints(),
                    start, rebuild)
        for note in todo.notes:
            logger.warning("History: %s", note)
        done = []
        base = todo.base
        reader = OfferReader()
        for day in todo.dates:
            base, entry = _apply(store, reader, snapshots, deltas_root, base, day)
            done.append(entry)
            if entry["gap_days"] > 0:
                note = (f"no snapshot between {entry['previous']} and {day} ({entry['gap_days']} "
                        f"days missing): offers withdrawn in between have last_seen "
                        f"{entry['previous']}; offers created and withdrawn in between are not seen")
                todo.notes.append(note)
                logger.warning("History: %s", note)
            if current is None or base.day >= current.day:
                store.make_current(base)
                current = base
        if base is not None and current is not None and base.path != current.path:
            store.make_current(base)  # a replay that ends before the former latest date
            current = base
        state = current.state() if current is not None else {}
    return {"history": str(store.root), "latest": current.day if current else None,
            "applied": done, "notes": todo.notes, "totals": state.get("totals", {}),
            "seconds": round(time.monotonic() - started, 3)}


def _apply(store: HistoryStore, reader: OfferReader, snapshots: dict[str, Path],
           deltas_root: Path | None, base: Generation | None, day: str) -> tuple[Generation, dict]:
    started = time.monotonic()
    builder = store.builder(day, base)
    if base is None:
        online, keys = first_day(reader, first_snapshot(snapshots[day]), day)
        previous, runs, source, history = None, [], "snapshot", []
        counts = {"created": online.num_rows, "online": online.num_rows}
        withdrawn_total = 0
    else:
        previous = base.day
        changes = day_changes(reader, snapshots, deltas_root, day, previous)
        result = apply_day(reader, base, builder, changes)
        online, keys, runs, source = result.online, result.keys, result.runs, changes.source
        counts = dict(result.counts)
        state = base.state()
        history = state["applied"]
        withdrawn_total = state["totals"]["withdrawn"] + counts["withdrawn"] - counts["reappeared"]
    entry = {"date": day, "previous": previous, "source": source, "counts": counts,
             "gap_days": _days_between(previous, day) - 1 if previous else 0,
             "fingerprint": fingerprint(snapshots[day]),
             "applied_at": datetime.now(tz=UTC).isoformat(timespec="seconds")}
    totals = {"records": online.num_rows + withdrawn_total, "online": online.num_rows,
              "withdrawn": withdrawn_total}
    generation = builder.finish(online, keys, {
        "latest": day, "applied": [*history, entry], "totals": totals,
        "index_runs": [{"name": r.name, "rows": r.rows} for r in runs]})
    entry["seconds"] = round(time.monotonic() - started, 3)
    gap = f" after a gap of {entry['gap_days']} days" if entry["gap_days"] > 0 else ""
    logger.info("History: %s applied%s (from %s): %s; %d records, %d online (%.1f s)", day, gap,
                source, ", ".join(f"{k} {v:,}" for k, v in counts.items()), totals["records"],
                totals["online"], entry["seconds"])
    return generation, entry
