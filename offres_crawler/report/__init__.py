"""The snapshot report: `offres-crawler report SNAPSHOT -o report.html`.

One self-contained HTML page (charts embedded as PNG data URIs, no external resource): offers by
contract type, by département, by ROME domain, the creation timeline, salary distributions by
contract type (api/salary.py), the deltas when the deltas of issue 7 exist beside the snapshot,
the facet counts of the run report, and the source and licence lines the reuse licence asks for.

    frame.py   the few columns the charts need, read from the snapshot, salaries normalised
    plots.py   the charts (matplotlib, Agg backend)
    page.py    the HTML page
    command.py the `report` subcommand of the offres-crawler command line
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)
