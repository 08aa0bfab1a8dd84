"""The report on hostile data (issue 14, item 6): math text, HTML and formulas in labels, 5,000
categories in every charted column, empty and missing fields. The page must be produced, every
text escaped, and its size bounded whatever the number of categories (time and peak memory are
measured by bench/report_bench.py, not here)."""

from __future__ import annotations

import base64
import re
import struct

import pytest

from offres_crawler.analysis.report import plots
from offres_crawler.analysis.report.page import build_report
from offres_crawler.analysis.report.tables import HTML_ROWS, Table, cap, csv_text, file_name
from tests.analysts.hostile import FORMULA, SCRIPT, hostile_offers, write_hostile_snapshot
from tests.analysts.test_report import CHARTS, csv_downloads

CATEGORIES = 5000


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    snapshot = write_hostile_snapshot(tmp_path_factory.mktemp("hostile") / "offres", categories=CATEGORIES)
    return snapshot, build_report(snapshot)


def _png_size(src: str) -> tuple[int, int]:
    data = base64.b64decode(src.split(",", 1)[1])
    return struct.unpack(">II", data[16:24])  # the IHDR chunk: width, height


def test_the_page_is_produced_and_bounded(hostile):
    _, html = hostile
    images = re.findall(r'<img alt="[^"]*" src="([^"]+)"', html)
    assert len(images) == CHARTS - 1  # no deltas beside this snapshot
    for src in images:
        width, height = _png_size(src)
        assert width < 1500 and height < 1500, (width, height)  # 5,000 categories: still 30 bars at most
    assert len(html) < 8_000_000
    assert "Rien à tracer" not in html  # the empty fields did not empty a chart


def test_nothing_from_the_data_runs_or_is_parsed(hostile):
    _, html = hostile
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(&#x27;offres&#x27;)&lt;/script&gt;" in html  # shown, escaped
    assert "\x1b" not in html
    # math text is shown as typed, not typeset (and the unparseable one did not stop the page)
    assert r"Contrat 1 $\nosuchmacro{1}$" in html and r"Contrat 0 $x_{0}^2$ \frac{1}{2}" in html
    # the run report's hostile facet is escaped too
    assert "<h3>&lt;script&gt;" in html


def test_categories_are_capped_with_the_rest_in_autres(hostile):
    snapshot, html = hostile
    offers = hostile_offers(CATEGORIES)
    contracts = [o.get("typeContrat") for o in offers if o.get("typeContrat")]
    tables = csv_downloads(html)
    header, *rows = tables["offres_par_type_de_contrat.csv"]
    *listed, rest = rows
    distinct = len(set(contracts))
    assert distinct > 2500
    assert len(listed) == 2000 and rest[1] == f"autres ({distinct - 2000} catégories)"
    assert sum(int(r[2]) for r in rows) == len(contracts)  # nothing lost in the cap
    # the page shows the first rows, the CSV has them all
    assert "… et 1\u202f901 lignes de plus dans le CSV." in html
    timeline = tables["creations_par_annee.csv"]  # 16 years of creation days: by year
    assert len(timeline) - 1 == 17 and timeline[0][-2] == "autres origines"
    assert sum(int(r[-1]) for r in timeline[1:]) == len(offers)
    # a formula from the data is not a formula in the CSV
    formulas = [r[0] for r in rows if FORMULA in r[0]]
    assert formulas and all(f.startswith("'=") for f in formulas)


def test_plain_text_labels_and_tables():
    # what crashed matplotlib before: a label it reads as math text and cannot parse
    fig = plots.barh([r"CDI $\nosuchmacro$", "$x^2$", SCRIPT], [3, 2, 1], r"$\nosuchmacro$ titre")
    assert base64.b64decode(plots.png_base64(fig))[:4] == b"\x89PNG"
    import pandas as pd

    capped = cap(pd.Series({"a": 5, "b": 3, "c": 1, "d": 1}), 2)
    assert (capped.keys, capped.counts, capped.rest_count, capped.rest_categories) == (["a", "b"], [5, 3], 2, 2)
    text = csv_text(Table("t", ["x", "y"], [("=1+1", 1.5), ("-2", None), ("@a", 3), ("ok", 0.25)]))
    assert text.splitlines() == ["x;y", "'=1+1;1,50", "'-2;", "'@a;3", "ok;0,25"]
    assert file_name("créations/<par> année") == "creations_par_annee"
    assert HTML_ROWS == 100
