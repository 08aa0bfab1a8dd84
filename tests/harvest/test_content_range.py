from __future__ import annotations

import pytest

from offres_crawler.harvest.content_range import (
    ContentRange,
    format_range,
    page_window,
    pages_within_cap,
    parse_cap_message,
    parse_content_range,
    range_windows,
)


@pytest.mark.parametrize("raw, expected", [
    ("offres 0-149/12345", ContentRange(0, 149, 12345)),
    (b"offres 300-352/353", ContentRange(300, 352, 353)),
    ("offres 0-0/9848", ContentRange(0, 0, 9848)),
    ("*/0", ContentRange(None, None, 0)),
    ("offres */0", ContentRange(None, None, 0)),
    ("offres -1--1/12345", ContentRange(None, None, 12345)),
])
def test_parse_content_range(raw, expected):
    assert parse_content_range(raw) == expected


@pytest.mark.parametrize("raw", [None, "", "bytes 0-1", "offres 0-149", "offres a-b/3"])
def test_unreadable_content_range_is_none(raw):
    assert parse_content_range(raw) is None


def test_wrapper_dict_has_the_wrappers_keys_and_string_values():
    assert parse_content_range("offres 0-149/300749").as_wrapper_dict() == {
        "first_index": "0", "last_index": "149", "max_results": "300749"}


def test_empty_window_properties():
    cr = parse_content_range("offres -1--1/12")
    assert cr.empty and cr.count == 0 and cr.max_results == 12
    assert parse_content_range("offres 150-299/400").count == 150


def test_windows_stop_at_the_current_cap():
    windows = range_windows(100_000)
    assert len(windows) == 21
    assert windows[0] == (0, 149) and windows[-1] == (3000, 3149)


def test_windows_with_the_legacy_cap_are_aligned():
    windows = range_windows(100_000, max_start=1000)
    assert windows[-1] == (900, 1049)
    assert all(start % 150 == 0 and end - start == 149 for start, end in windows)


def test_windows_clamp_the_end_to_the_total():
    assert range_windows(353) == [(0, 149), (150, 299), (300, 352)]
    assert range_windows(0) == []


def test_pages_within_cap():
    assert pages_within_cap(3000) == 21
    assert pages_within_cap(1000) == 7
    assert pages_within_cap(0) == 1


def test_format_range_refuses_more_than_150_rows():
    assert format_range(*page_window(20)) == "3000-3149"
    with pytest.raises(ValueError):
        format_range(0, 150)


@pytest.mark.parametrize("message, cap", [
    ("La position de début doit être inférieure ou égale à 3000.", 3000),
    ("La position de début doit être inférieure ou égale à 1000.", 1000),
    ("La position de debut doit etre inferieure ou egale a 1000.", 1000),
    ("La plage de résultats demandée est trop importante.", None),
    (None, None),
])
def test_cap_message(message, cap):
    assert parse_cap_message(message) == cap


def test_cap_message_of_the_real_catalogue(samples):
    import json
    catalogue = json.loads((samples / "errors" / "known-error-messages.json").read_text(encoding="utf-8"))
    caps = [parse_cap_message(m["message"]) for m in catalogue["messages"]]
    assert [c for c in caps if c is not None] == [3000]


@pytest.mark.parametrize("raw, expected", [
    ("offres 3-3/10", ContentRange(3, 3, 10)),  # one row: first == last
    ("offres 0-9/10", ContentRange(0, 9, 10)),  # the last row of the total
    ("offres 0-149/*", ContentRange(0, 149, None)),  # total not said
    ("*/*", ContentRange(None, None, None)),
    ("offres 0-0/999999999", ContentRange(0, 0, 999_999_999)),  # 9 digits: the most
    ("  offres   0-149 / 300  ", ContentRange(0, 149, 300)),
])
def test_content_range_edges_accepted(raw, expected):
    assert parse_content_range(raw) == expected


@pytest.mark.parametrize("raw", [
    "offres 5-3/10",  # inverted
    "offres 4-3/10",  # inverted by one
    "offres 0-10/10", "offres 10-10/10",  # reaching the total: rows 0..9 only
    "offres -1-5/10", "offres 0--1/10", "offres -2--2/10", "offres -1--2/10",  # only -1--1 is empty
    "offres 0-0/1000000000", "offres 0-1000000000/*",  # 10 digits
    "offres ٠-١٤٩/١٠٠٠", "offres ０-149/1000",  # other scripts' digits
    "offres 0-149/-1", "offres 0-149/12a", "offres 0-149/1 2", "offres 0-149//10",
])
def test_content_range_past_its_edges_is_unreadable(raw):
    assert parse_content_range(raw) is None


@pytest.mark.parametrize("message, cap", [
    ("La position de début doit être inférieure ou égale à 0.", 0),
    ("La position de début doit être inférieure ou égale à 999999999.", 999_999_999),
    ("La position de début doit être inférieure ou égale à 1000000000.", None),  # 10 digits
    ("La position de début doit être inférieure ou égale à ٣٠٠٠.", None),
    ("La position de début doit être inférieure ou égale à .", None),
])
def test_cap_message_edges(message, cap):
    assert parse_cap_message(message) == cap


@pytest.mark.parametrize(("start", "end", "ok"), [(0, 149, True), (0, 150, False), (5, 5, True),
                                                  (5, 4, False), (0, 0, True), (-1, 10, False),
                                                  (3000, 3149, True)])
def test_format_range_on_both_sides(start, end, ok):
    if ok:
        assert format_range(start, end) == f"{start}-{end}"
    else:
        with pytest.raises(ValueError, match=f"invalid window {start}-{end}"):
            format_range(start, end)


def test_a_negative_cap_is_refused():
    assert pages_within_cap(149) == 1 and pages_within_cap(150) == 2
    with pytest.raises(ValueError, match="invalid range cap -1"):
        pages_within_cap(-1)
