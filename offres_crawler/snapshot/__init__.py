"""Snapshots: the day's full-market harvest as files (framework-free).

Owns: the layout and state of a snapshot (state), its publication, deltas between two published
snapshots (deltas: the comparison; deltas_writer: the files; deltas_layout: where they live), the
instant a published snapshot certainly covers and the fresh offers after it (fresh), and the
history of every offer across the published snapshots (the `history` subpackage, its own docstring).

    output/offres_deltas/                      OFFRES_DELTAS_DIR
        snapshot_date=2026-11-28/              the changes from the previous snapshot to this one
            created.parquet   created.jsonl.gz      offers that appeared (their current copy)
            updated.parquet   updated.jsonl.gz      dateActualisation or content changed (current copy)
            withdrawn.parquet withdrawn.jsonl.gz    offers gone (their last copy, from the previous snapshot)
            _deltas.json                            both dates, counts, files
    output/offres_history/current/offers/*.parquet  OFFRES_HISTORY_DIR: one record per offer ever seen

May import: the standard library, numpy, pyarrow, `offres_crawler.offers`, `offres_crawler.files`,
`offres_crawler.snapshot`, and `offres_crawler.harvest.dates` / `.heads` (the filter format and
the closed-second rule that fix a snapshot's frozen instant); `history` alone may also import,
of `offres_crawler.analysis`, the pure functions that normalise a salary and place a workplace
(salary, salary_text, smic, places). tests/test_architecture.py checks both rules.
"""
