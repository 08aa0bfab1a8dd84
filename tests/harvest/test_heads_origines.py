"""The freeze below a pass's head, and the check that origine passes add up."""
from __future__ import annotations

from offres_crawler.harvest import heads, origines
from offres_crawler.harvest.dates import param_to_epoch
from offres_crawler.harvest.heads import Head, Pass
from offres_crawler.harvest.windows import Window

NOW = 1_760_000_000
FLOOR = param_to_epoch("2000-01-01T00:00:00Z")


def head(total: int, seconds: list[int], label: str = "origineOffre=1") -> Head:
    h = Head(1, Window.of({}), label, total=total)
    h.rows = [(f"{label}-{i}", s) for i, s in enumerate(seconds)]
    return h


def test_the_frozen_window_ends_at_the_heads_oldest_second():
    h = head(5000, list(range(NOW - 10, NOW - 160, -1)))
    f = heads.freeze(Pass("p", {"origineOffre": "1"}, h), {}, FLOOR, clock=NOW)
    assert f.status == "slices" and f.window.hi == NOW - 159 and f.window.max_sent == NOW - 158
    assert f.window.min_sent == FLOOR
    assert heads.estimate_below(h, f.window) == 5000 - 148  # rows newer than max_sent


def test_never_after_a_second_the_server_has_not_closed():
    h = head(5000, [NOW] * 150)  # a bulk import in the current second
    assert heads.unclosed_seconds(h, NOW) == 3
    f = heads.freeze(Pass("p", {}, h), {}, FLOOR, clock=NOW)
    assert f.window.max_sent == NOW - 2 and "may be incomplete" in f.warning


def test_a_head_holding_the_whole_pass_needs_nothing_below():
    assert heads.freeze(Pass("p", {}, head(3, [NOW - 5] * 3)), {}, FLOOR, clock=NOW).status == "done"


def test_the_users_own_dates_are_kept():
    h = head(900, list(range(NOW - 1000, NOW - 1150, -1)))
    query = {"minCreationDate": "2025-01-01T00:00:00Z", "maxCreationDate": "2025-02-01T00:00:00Z"}
    f = heads.freeze(Pass("p", dict(query), h), query, FLOOR, clock=NOW)
    assert f.window.params()["minCreationDate"] == "2025-01-01T00:00:00Z"
    assert f.window.max_sent <= param_to_epoch("2025-02-01T00:00:00Z")


def test_origine_totals_that_add_up():
    hs = {"origineOffre=1": head(400, [NOW - 50]), "origineOffre=2": head(600, [NOW - 60])}
    check = origines.first_check(1000, hs, NOW, 0.001)
    assert check.ok is True and check.sum == 1000


def test_offers_created_meanwhile_are_taken_off():
    hs = {"origineOffre=1": head(401, [NOW + 1, NOW - 50]), "origineOffre=2": head(600, [NOW - 60])}
    check = origines.first_check(1000, hs, NOW, 0.001)
    assert check.ok is True and check.created_meanwhile == 1


def test_a_shortfall_is_recounted_up_to_a_closed_second_before_it_counts():
    hs = {"origineOffre=1": head(380, [NOW - 50]), "origineOffre=2": head(600, [NOW - 60])}
    check = origines.first_check(1000, hs, NOW, 0.001)
    assert check.ok is None
    w = origines.recount_window({}, FLOOR, NOW)
    assert w.max_sent == NOW - 2
    origines.apply_recount(check, hs, w.max_sent, 985)  # 15 withdrawn meanwhile
    assert check.ok is False and origines.needs_unfiltered_pass(check, failed=False)
    origines.apply_recount(check, hs, w.max_sent, 980)
    assert check.ok is True
