"""The numbers behind the charts: capped counts (the top N categories plus "autres"), and each
table as HTML and as a CSV download embedded in the page (a data: URI: the page stays one
self-contained file).

The CSV is written for French spreadsheets: ";" between fields, decimal comma, UTF-8 with a byte
order mark (Excel then reads the accents right); `pandas.read_csv(f, sep=";", decimal=",")`.
Text that a spreadsheet would take for a formula ("=...", "+...", "-...", "@...") is prefixed
with "'", as OWASP advises against CSV injection: labels come from the data.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from offres_crawler.analysis.report.labels import clean

if TYPE_CHECKING:
    import pandas as pd

OTHERS = "autres"
TABLE_ROWS = 2000  # categories listed in a table's CSV before "autres" (ROME has about 600 métiers)
HTML_ROWS = 100  # rows shown on the page; the CSV has them all
_SLUG = re.compile(r"[^A-Za-z0-9_-]+")  # what a file name may hold
_FORMULA = ("=", "+", "-", "@", "\t", "\r")  # text a spreadsheet takes for a formula (CSV injection)


@dataclass
class Capped:
    """The `top` commonest categories of a count, and what the others add up to."""

    keys: list[Any]
    counts: list[int]
    rest_count: int = 0  # offers in the other categories
    rest_categories: int = 0  # how many other categories

    @property
    def total(self) -> int:
        return sum(self.counts) + self.rest_count


def cap(counts: pd.Series, top: int) -> Capped:
    """`counts`: value_counts() (sorted, commonest first)."""
    head = counts.iloc[:top]
    rest = counts.iloc[top:]
    return Capped(keys=head.index.tolist(), counts=[int(n) for n in head.tolist()],
                  rest_count=int(rest.sum()), rest_categories=len(rest))


def others_label(capped: Capped) -> str:
    return f"{OTHERS} ({capped.rest_categories:,} catégories)".replace(",", "\u202f")


@dataclass
class Table:
    slug: str  # the CSV's file name, without ".csv"
    columns: list[str]
    rows: Sequence[Sequence[Any]]
    caption: str = ""
    notes: list[str] = field(default_factory=list)


def counts_table(slug: str, what: str, capped: Capped, name: Callable[[Any], str],
                 code_column: str = "code") -> Table:
    """Code, libellé, offers and share of each category, then the "autres" row."""
    total = max(capped.total, 1)
    rows: list[Sequence[Any]] = [(key, name(key), n, 100.0 * n / total)
                                 for key, n in zip(capped.keys, capped.counts)]
    if capped.rest_categories:
        rows.append(("", others_label(capped), capped.rest_count, 100.0 * capped.rest_count / total))
    return Table(slug, [code_column, what, "offres", "part (%)"], rows)


def _cell(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "" if value is None else ("oui" if value else "non")
    if isinstance(value, int):
        return f"{value:,}".replace(",", "\u202f")
    if isinstance(value, float):
        return f"{value:,.1f}".replace(",", "\u202f").replace(".", ",")
    return clean(value)  # no control characters on the page (the CSV keeps the data as it is)


def _csv_cell(value: Any) -> Any:
    if isinstance(value, float):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, str) and value.startswith(_FORMULA):  # a spreadsheet would run it
        return "'" + value
    return "" if value is None else value


def csv_text(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(table.columns)
    writer.writerows([_csv_cell(v) for v in row] for row in table.rows)
    return buffer.getvalue()


def csv_uri(table: Table) -> str:
    data = ("\ufeff" + csv_text(table)).encode("utf-8")
    return "data:text/csv;charset=utf-8;base64," + base64.b64encode(data).decode("ascii")


def file_name(slug: str) -> str:
    """An ASCII file name: accents dropped, anything else than letters, digits, - and _ as _."""
    ascii_slug = unicodedata.normalize("NFKD", slug).encode("ascii", "ignore").decode("ascii")
    return _SLUG.sub("_", ascii_slug)[:80] or "tableau"


def to_html(table: Table, *, open_: bool = False) -> str:
    """The table in a <details> block (closed unless `open_`), with its CSV download."""
    e = html.escape
    head = "".join(f"<th>{e(c)}</th>" for c in table.columns)
    shown = table.rows if len(table.rows) <= HTML_ROWS + 1 else table.rows[:HTML_ROWS]
    body = "".join(
        "<tr>" + "".join(f'<td class="n">{e(_cell(v))}</td>' if isinstance(v, (int, float)) and not isinstance(v, bool)
                         else f"<td>{e(_cell(v))}</td>" for v in row) + "</tr>"
        for row in shown)
    more = [f"… et {len(table.rows) - len(shown):,} lignes de plus dans le CSV.".replace(",", "\u202f")
            ] if len(shown) < len(table.rows) else []
    notes = "".join(f'<p class="note">{e(n)}</p>' for n in [*more, *table.notes])
    caption = e(table.caption or "Les chiffres")
    return (f"<details{' open' if open_ else ''}><summary>{caption} ({len(table.rows)} lignes)</summary>"
            f"<table><tr>{head}</tr>{body}</table>{notes}"
            f'<p class="csv"><a download="{file_name(table.slug)}.csv" href="{csv_uri(table)}">'
            "Télécharger en CSV</a> (séparateur « ; », virgule décimale, UTF-8)</p></details>")
