from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from offres_crawler.harvest.dates import (
    PARAM_MAX,
    PARAM_MIN,
    NotADatetimeError,
    dt_to_str_iso,
    epoch_to_param,
    http_date_to_epoch,
    param_in_years,
    param_to_epoch,
    parse_api_timestamp,
    timestamp_second,
)


def test_dt_to_str_iso_formats_like_the_wrapper():
    assert dt_to_str_iso(datetime(2020, 3, 1, 12, 30)) == "2020-03-01T12:30:00Z"


def test_dt_to_str_iso_drops_microseconds():
    assert dt_to_str_iso(datetime(2020, 3, 1, 12, 30, 5, 999_999)) == "2020-03-01T12:30:05Z"


def test_dt_to_str_iso_converts_aware_datetimes_to_utc():
    paris_summer = timezone(timedelta(hours=2))
    assert dt_to_str_iso(datetime(2024, 7, 1, 14, 0, tzinfo=paris_summer)) == "2024-07-01T12:00:00Z"


@pytest.mark.parametrize("bad", ["2020-03-01", date(2020, 3, 1), 1583065800, None])
def test_dt_to_str_iso_refuses_anything_but_a_datetime(bad):
    with pytest.raises(NotADatetimeError):
        dt_to_str_iso(bad)
    with pytest.raises(ValueError):  # the wrapper raised ValueError: callers catching it still work
        dt_to_str_iso(bad)


def test_param_round_trip():
    assert param_to_epoch("2022-03-25T14:52:00Z") == 1648219920
    assert epoch_to_param(1648219920) == "2022-03-25T14:52:00Z"


@pytest.mark.parametrize("bad", ["2022-03-25 14:52:00Z", "2022-03-25T14:52:00", "2022-03-25T14:52:00.000Z",
                                 "2022-13-25T14:52:00Z", "yesterday"])
def test_param_to_epoch_refuses_other_formats(bad):
    with pytest.raises(ValueError):
        param_to_epoch(bad)


@pytest.mark.parametrize("raw, expected", [
    ("2024-11-28T11:57:05.591Z", datetime(2024, 11, 28, 11, 57, 5, 591_000, tzinfo=UTC)),
    ("2024-11-28T11:57:05.000Z", datetime(2024, 11, 28, 11, 57, 5, tzinfo=UTC)),
    ("2024-11-28T11:57:05Z", datetime(2024, 11, 28, 11, 57, 5, tzinfo=UTC)),
    ("2024-11-28T12:57:05+01:00", datetime(2024, 11, 28, 11, 57, 5, tzinfo=UTC)),
])
def test_parse_api_timestamp(raw, expected):
    assert parse_api_timestamp(raw) == expected


def test_timestamp_second_truncates_to_the_filter_resolution():
    assert timestamp_second("2022-03-25T14:52:00.999Z") == 1648219920


@pytest.mark.parametrize("bad", ["", "2024-11-28", None, 12, "not a date at all"])
def test_parse_api_timestamp_refuses_garbage(bad):
    with pytest.raises(ValueError):
        parse_api_timestamp(bad)


def test_http_date():
    assert http_date_to_epoch(b"Fri, 25 Mar 2022 14:52:00 GMT") == 1648219920
    assert http_date_to_epoch(None) is None
    assert http_date_to_epoch("garbage") is None


def test_real_sample_timestamps_all_parse(samples):
    import json
    seen = 0
    for path in sorted((samples / "offres").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        offers = data if isinstance(data, list) else data.get("resultats", [])
        for offer in offers:
            for key in ("dateCreation", "dateActualisation"):
                if key in offer:
                    assert parse_api_timestamp(offer[key]).tzinfo is UTC
                    seen += 1
    assert seen > 2000


def test_years_are_written_with_four_digits():
    assert epoch_to_param(param_to_epoch("0001-01-01T00:00:00Z")) == "0001-01-01T00:00:00Z"
    assert epoch_to_param(param_to_epoch("0999-12-31T23:59:59Z")) == "0999-12-31T23:59:59Z"
    assert dt_to_str_iso(datetime(1, 2, 3, 4, 5, 6)) == "0001-02-03T04:05:06Z"
    assert dt_to_str_iso(datetime(999, 1, 1)) == "0999-01-01T00:00:00Z"


def test_the_years_a_filter_date_may_have_on_both_sides():
    assert epoch_to_param(PARAM_MIN) == "2000-01-01T00:00:00Z"
    assert epoch_to_param(PARAM_MAX) == "2100-12-31T23:59:59Z"
    assert param_in_years(PARAM_MIN) and param_in_years(PARAM_MAX)
    assert not param_in_years(PARAM_MIN - 1) and not param_in_years(PARAM_MAX + 1)


@pytest.mark.parametrize("bad", ["２０２２-03-25T14:52:00Z", "2022-03-25T14:52:0٠Z", "2022-03-25T14:52:00Z\n",
                                 " 2022-03-25T14:52:00Z", "20222-03-25T14:52:00Z", None, 1648219920])
def test_param_to_epoch_takes_ascii_digits_only(bad):
    with pytest.raises(ValueError):
        param_to_epoch(bad)


@pytest.mark.parametrize("raw, expected", [
    ("Fri, 25 Mar 2022 14:52:00 -0000", 1648219920),  # no zone claimed: UTC, not local time
    ("Fri, 25 Mar 2022 15:52:00 +0100", 1648219920),  # a zone: taken into account
    ("Sat, 01 Jan 2000 00:00:00 GMT", PARAM_MIN),
    ("Fri, 31 Dec 2100 23:59:59 GMT", PARAM_MAX),
    ("Fri, 31 Dec 1999 23:59:59 GMT", None),  # a server clock outside 2000..2100 is broken
    ("Sat, 01 Jan 2101 00:00:00 GMT", None),
    ("Fri, 25 Mar 9999 14:52:00 GMT", None),
    ("Wed, 25 Mar 1000 14:52:00 +0100", None),
    (b"\xff\xfe", None),
])
def test_http_date_edges(raw, expected):
    assert http_date_to_epoch(raw) == expected


@pytest.mark.parametrize("bad", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00",
                                 "２０２４-11-28T11:57:05Z"])
def test_timestamps_without_a_utc_instant_are_value_errors(bad):
    with pytest.raises(ValueError):
        parse_api_timestamp(bad)
