"""Fresh offers between snapshots: the instant a snapshot certainly covers, and where the offers
created after it go (framework-free).

A snapshot certainly holds every offer created up to its *frozen instant*: the last second the
API's server had closed when the harvest's root query was answered (`run_report.root.server_time`
in the manifest, less harvest/heads.py's margin). Every pass of the harvest is read after the
root and covers, with its head, every second up to its own answer's closed second, and with its
frozen window everything below (harvest/heads.py). Offers created in the last seconds before the
root's answer may or may not be in the snapshot; those after it are not.

`scrapy crawl offres_search -s OFFRES_SINCE=latest` harvests the offers created after the frozen
instant T of the latest published snapshot: `minCreationDate=T`. Whether the API includes its
bounds is unknown (REFERENCE Part 1 §5): if it does, offers of the second T itself come again
(they are in the snapshot too: duplicates by id, never a gap); if not, the harvest starts at
T + 1, the first second the snapshot may lack. `maxCreationDate` is far ahead (the API takes
both bounds or neither): the planner freezes the harvest at a second the server has closed, as
for a snapshot, and that second is the fresh harvest's own frozen instant (`until`).

The offers go to `<OFFRES_SNAPSHOT_DIR>/_fresh/since=<T>/` (T in ISO 8601 basic format,
`20261128T020003Z`), staged and published like a snapshot (snapshot/state.py): only when the
verdict is complete, replacing the previous harvest since the same instant. Hive readers of the
snapshots skip `_fresh/` (a leading underscore).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from offres_crawler.harvest.dates import epoch_to_param, param_to_epoch
from offres_crawler.harvest.heads import last_closed_second
from offres_crawler.snapshot.deltas_layout import published_snapshots
from offres_crawler.snapshot.state import MANIFEST

FRESH_DIR = "_fresh"  # under the snapshot root
PARTITION_KEY = "since"
LATEST = "latest"
FAR_AHEAD = "2100-01-01T00:00:00Z"  # the maxCreationDate sent: the planner's freeze is the real one
_LABEL = re.compile(r"^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$")


class SinceError(ValueError):
    """OFFRES_SINCE cannot be resolved (the message says why, for the user)."""


def label(epoch_s: int) -> str:
    """`20261128T020003Z`: the instant in a directory name (ISO 8601 basic format, no colon)."""
    return datetime.fromtimestamp(epoch_s, UTC).strftime("%Y%m%dT%H%M%SZ")


def parse_label(text: str) -> int:
    m = _LABEL.match(text)
    if m is None:
        raise ValueError(f"{text!r} is not an instant like 20261128T020003Z")
    return int(datetime(*map(int, m.groups()), tzinfo=UTC).timestamp())


def frozen_instant(manifest: dict[str, Any]) -> int | None:
    """The last creation second a published snapshot (or fresh harvest) certainly covers, from
    its manifest; None when the manifest does not tell (no run report with the root's clock)."""
    report = manifest.get("run_report")
    root = report.get("root") if isinstance(report, dict) else None
    server_time = root.get("server_time") if isinstance(root, dict) else None
    if not isinstance(server_time, str):
        return None
    instant = last_closed_second(param_to_epoch(server_time))
    query = report.get("query") if isinstance(report.get("query"), dict) else {}
    if "maxCreationDate" in query and query["maxCreationDate"] != FAR_AHEAD:
        instant = min(instant, param_to_epoch(query["maxCreationDate"]))
    return instant


@dataclass(frozen=True)
class Since:
    instant: int  # epoch seconds: offers created after it are harvested
    snapshot_date: str | None  # the snapshot it was read from (OFFRES_SINCE=latest)

    @property
    def label(self) -> str:
        return label(self.instant)

    def query(self) -> dict[str, str]:
        return {"minCreationDate": epoch_to_param(self.instant), "maxCreationDate": FAR_AHEAD}

    def describe(self) -> dict[str, Any]:
        return {"since": epoch_to_param(self.instant), "snapshot_date": self.snapshot_date}


def resolve(value: str, snapshot_root: Path) -> Since:
    """OFFRES_SINCE: `latest` (the latest published snapshot under `snapshot_root`) or an
    instant `yyyy-MM-ddTHH:mm:ssZ`."""
    value = value.strip()
    if value != LATEST:
        try:
            return Since(param_to_epoch(value), None)
        except ValueError:
            raise SinceError(f"OFFRES_SINCE={value!r}: expected 'latest' or an instant "
                             "yyyy-MM-ddTHH:mm:ssZ") from None
    published = published_snapshots(snapshot_root)
    if not published:
        raise SinceError(f"OFFRES_SINCE=latest: no published snapshot in {snapshot_root} "
                         "(OFFRES_SNAPSHOT_DIR)")
    day, directory = next(reversed(published.items()))
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SinceError(f"OFFRES_SINCE=latest: the manifest of snapshot {day} is unreadable: {exc}") from None
    instant = frozen_instant(manifest)
    if instant is None:
        raise SinceError(f"OFFRES_SINCE=latest: the manifest of snapshot {day} does not say when its "
                         "harvest was frozen (no run report with the root's server time); give the "
                         "instant instead: OFFRES_SINCE=yyyy-MM-ddTHH:mm:ssZ")
    return Since(instant, day)


def fresh_section(since_label: str, run_report: dict[str, Any] | None) -> dict[str, Any]:
    """The `fresh` section of a fresh harvest's manifest: since, until (its own frozen instant)."""
    until = frozen_instant({"run_report": run_report}) if run_report else None
    since = (run_report or {}).get("since") or {}
    return {"since": epoch_to_param(parse_label(since_label)), "snapshot_date": since.get("snapshot_date"),
            "until": None if until is None else epoch_to_param(until)}
