"""Analysis: what analysts do with the offers once harvested (framework-free).

Owns: salary normalisation and the SMIC (salary, smic), the reuse licence and its attribution
(licence, attribution), readers of snapshots and feeds for pandas, polars, DuckDB and Arrow
(readers, re-exported by `offres_crawler.utils`), and the HTML report (report/).

May import: the standard library, numpy, pyarrow, `offres_crawler.offers`,
`offres_crawler.snapshot`, `offres_crawler.harvest.dates`, `offres_crawler.extras`; pandas,
matplotlib, duckdb and polars (extras of the package: a crawl-only install has none of them) only
inside the functions that need them, or in report/, which says what to install when they lack.
"""
