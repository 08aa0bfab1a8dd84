"""Dates as the API writes and reads them (REFERENCE §3 and §6).

- Search filters `minCreationDate` / `maxCreationDate` take `yyyy-MM-ddTHH:mm:ssZ`: UTC, one-second
  resolution. `dt_to_str_iso` is the helper the api-offres-emploi wrapper offered, kept compatible.
- Offers carry `dateCreation` / `dateActualisation` as ISO 8601 UTC with milliseconds
  (`2024-11-28T11:57:05.591Z`; partner offers `.000Z`).
- The planner reasons in integer epoch seconds: the API filters at that resolution.
- Filter dates a user may give lie in years 2000..2100 (`PARAM_YEARS`): the market holds no older
  offer, and years outside are typos (`0001-01-01`, `20224-...`). Written back, a year always has
  four digits (`strftime('%Y')` writes year 1 as `1`).
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from offres_crawler.redaction import safe_text

logger = logging.getLogger(__name__)

PARAM_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# [0-9], not \d: \d also matches other scripts' digits, which strptime and int() accept too
_PARAM_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
PARAM_YEARS = (2000, 2100)  # inclusive: the years a search filter date may have
PARAM_MIN = int(datetime(PARAM_YEARS[0], 1, 1, tzinfo=UTC).timestamp())
PARAM_MAX = int(datetime(PARAM_YEARS[1], 12, 31, 23, 59, 59, tzinfo=UTC).timestamp())


class NotADatetimeError(TypeError, ValueError):
    """`dt_to_str_iso` got something else than a datetime. A ValueError too: the wrapper raised that."""


def dt_to_str_iso(dt: datetime) -> str:
    """Format a datetime for `minCreationDate` / `maxCreationDate` (`2020-03-01T12:30:00Z`).

    Like the api-offres-emploi helper, a naive datetime is taken as UTC and sub-second digits are
    dropped. Unlike it, an aware datetime is converted to UTC first (the wrapper wrote its local
    wall-clock time followed by `Z`, which is wrong by the UTC offset).
    """
    if not isinstance(dt, datetime):
        raise NotADatetimeError(f"dt_to_str_iso() needs a datetime.datetime, not {type(dt).__name__}")
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC)
    return _format_param(dt)


def _format_param(dt: datetime) -> str:
    """`PARAM_FORMAT` with a four-digit year whatever the year (strftime writes 1, not 0001)."""
    return f"{dt.year:04d}-{dt:%m-%dT%H:%M:%S}Z"


def epoch_to_param(epoch_s: int) -> str:
    """Epoch seconds to the filter format."""
    return _format_param(datetime.fromtimestamp(epoch_s, UTC))


def param_to_epoch(value: str) -> int:
    """The filter format (`2022-03-25T14:52:00Z`) to epoch seconds; ValueError when malformed."""
    if not isinstance(value, str) or not _PARAM_RE.fullmatch(value):
        raise ValueError(f"{value!r} is not in the format yyyy-MM-ddTHH:mm:ssZ")
    return int(datetime.strptime(value, PARAM_FORMAT).replace(tzinfo=UTC).timestamp())


def param_in_years(epoch_s: int) -> bool:
    """True when an instant lies within `PARAM_YEARS`, the years a filter date may have."""
    return PARAM_MIN <= epoch_s <= PARAM_MAX


def parse_api_timestamp(value: str) -> datetime:
    """An offer timestamp (`2024-11-28T11:57:05.591Z`, with or without fraction or offset) as an
    aware UTC datetime; ValueError when it is not one."""
    if not isinstance(value, str) or len(value) < 19 or value[10] != "T":
        raise ValueError(f"not an API timestamp: {value!r}")
    dt = datetime.fromisoformat(value)  # Python 3.11 reads 'Z' and 1-6 fraction digits
    if dt.tzinfo is None:  # the API always writes Z; a bare time is taken as UTC rather than local
        dt = dt.replace(tzinfo=UTC)
    try:
        return dt.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 has no UTC datetime
        raise ValueError(f"not an API timestamp: {value!r}") from None


def timestamp_second(value: str) -> int:
    """The epoch second an offer timestamp falls in (the resolution of the creation-date filters)."""
    return int(parse_api_timestamp(value).timestamp() // 1)


def http_date_to_epoch(value: str | bytes | None) -> int | None:
    """An HTTP `Date` header (`Tue, 02 Sep 2026 10:00:00 GMT`) to epoch seconds; None if absent or
    unreadable (the caller then falls back on other evidence of the server's clock)."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    try:
        when = parsedate_to_datetime(value)
        if when.tzinfo is None:  # "-0000": UTC with no claim on the local zone, not local time
            when = when.replace(tzinfo=UTC)
        epoch = int(when.timestamp())
    except (TypeError, ValueError, IndexError, OverflowError):
        logger.debug("unreadable Date header %s", safe_text(repr(value), 80))
        return None
    if not param_in_years(epoch):  # a server clock out of these years is broken, not a fact
        logger.debug("implausible Date header %s", safe_text(repr(value), 80))
        return None
    return epoch
