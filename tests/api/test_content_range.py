from __future__ import annotations

import pytest

from offres_crawler.api.content_range import (ContentRange, format_range, page_window,
                                              pages_within_cap, parse_cap_message,
                                              parse_content_range, range_windows)


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
