"""The snapshot report: `offres-crawler report SNAPSHOT -o report.html`.

One self-contained HTML page in French (charts as PNG and tables as CSV downloads, all embedded as
data: URIs; no external resource): the run's figures (requests, duration, completeness, the
verdict), offers by contract type, département, ROME grand domaine and métier, the creation
timeline, salary distributions by contract type (analysis/salary.py), the deltas when they exist
beside the snapshot, the facet counts of the run report, and the source and licence lines the
reuse licence asks for. The numbers behind every chart are given as a table.

    frame.py        the few columns the charts need, read from the snapshot, salaries normalised
    names.py        names of codes: reference lists (referentiels spider), else built-in ones
    labels.py       built-in public nomenclatures; departements.py the 101 départements
    charts.py       each chart's capped counts, its figure and its table
    plots.py        the figures (matplotlib, Agg backend, no math text)
    tables.py       capping (top N + "autres"), HTML tables, CSV data: URIs
    sections.py     summary, run figures, source and licence, facets
    page.py         the HTML page
The command line is offres_crawler/cli/report.py.
"""

from __future__ import annotations

from offres_crawler.extras import require

# pandas and matplotlib come with the `report` extra: say so at once, not in a traceback deep in
# the page code
for _module in ("pandas", "matplotlib"):
    require(_module, "the HTML report")
