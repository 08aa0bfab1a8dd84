"""Harvest: what to ask the search API for so that every offer of a query is reached, and the
proof that it was (framework-free: no Scrapy, no I/O; unit-tested against an in-memory API).

Owns: search parameters and their rules (params), dates (dates), `Content-Range` and `range`
(content_range), date windows (windows), one answer read for planning (search_page) and handed
to the planner by the spider and the client alike (answers), the planner
(planner: the driver's interface and its saved state, with planner_base, count_flow, list_flow;
passes: the root, the origine passes and their heads; heads: a head and the freeze below it;
origines: the sum check; cursor: the date cursor; slices: reading one slice; crowds: dividing
crowded seconds; facets: facet splits; romes: packs of ROME codes; ties, tie_repairs: page
boundaries inside an instant), the completeness
ledger (ledger, with offer_ids: the distinct offers received), the single verdict of a run
(verdict), and the progress meter and end-of-run summary text.

May import: the standard library, `offres_crawler.harvest`, `offres_crawler.offers.id_store`
(its compact id store, numpy-backed, counts the offers received: no Python set of every id),
and `offres_crawler.redaction` (the API's text made one safe line before the planner keeps it).
Typed strictly: `mypy offres_crawler/harvest` (pyproject.toml) runs in `make lint`.
"""
