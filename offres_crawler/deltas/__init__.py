"""Daily deltas: what changed between a published snapshot and the previous one.

    output/offres_deltas/                      OFFRES_DELTAS_DIR
        snapshot_date=2026-11-28/              the changes from the previous snapshot to this one
            created.parquet   created.jsonl.gz      offers that appeared (their current copy)
            updated.parquet   updated.jsonl.gz      dateActualisation or content changed (current copy)
            withdrawn.parquet withdrawn.jsonl.gz    offers gone (their last copy, from the previous snapshot)
            _deltas.json                            both dates, counts, files

Parquet files have the snapshot's own schema (read them with the snapshot's readers); JSONL
lines are offers as the API sends them. A partition appears in one rename once all its files are
written. Computed by the Deltas extension after a snapshot is published, or by hand with
`offres-crawler deltas` (deltas/cli.py).
"""
