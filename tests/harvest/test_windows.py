"""Date windows whose cuts are right whether the API's date bounds are inclusive or not."""
from __future__ import annotations

from offres_crawler.harvest.windows import Window

W = Window.of({"origineOffre": "2"}, min_sent=1000, lo=1000, max_sent=2000, hi=2000)


def covered(w: Window, inclusive: bool) -> set[int]:
    lo, hi = (w.min_sent, w.max_sent) if inclusive else (w.min_sent + 1, w.max_sent - 1)
    return set(range(lo, hi + 1))


def test_a_cut_loses_nothing_if_bounds_are_exclusive_and_overlaps_little_if_inclusive():
    below, above = W.cut_top(1500), W.cut_bottom(1501)
    assert below.params()["maxCreationDate"] == "1970-01-01T00:25:01Z"  # 1501: one second over
    for inclusive in (True, False):
        union = covered(below, inclusive) | covered(above, inclusive)
        assert set(range(1001, 2000)) <= union
    assert len(covered(below, True) & covered(above, True)) == 2


def test_cuts_never_go_past_the_parents_own_bounds():
    assert W.cut_top(1999).max_sent == 2000 and W.cut_top(1999).hi == 2000
    assert W.cut_bottom(1001).min_sent == 1000 and W.cut_bottom(1001).lo == 1000
    assert W.cut_top(2500).max_sent == 2000


def test_minimal_windows_cannot_be_divided_by_date():
    assert W.cut_bottom(1999).minimal and not W.cut_bottom(1998).minimal


def test_facets_narrow_a_window_and_are_remembered():
    w = W.with_filter("typeContrat", "CDI,CDD")
    assert w.params()["typeContrat"] == "CDI,CDD" and w.split_on == ("typeContrat",)
    assert w.params()["minCreationDate"] == "1970-01-01T00:16:40Z"


def test_an_undated_window_sends_no_date():
    assert Window.of({"origineOffre": "1"}).params() == {"origineOffre": "1"}
