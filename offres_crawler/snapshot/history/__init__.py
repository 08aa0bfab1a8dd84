"""History (part of snapshot/): every offer's life across the published snapshots (framework-free).

Owns: the record of one offer (records: first and last seen, withdrawn, versions, the fields
analysts group by), a day's changes as the history reads them (changes: the deltas, or the two
snapshots compared), one day applied (apply), the index of withdrawals for offers that come back
(closed_index), the files on disk and their atomic switch (store), and what to apply when
(update: gaps, snapshots published late or again, idempotence).

    output/offres_history/current/offers/*.parquet      one record per offer ever seen

May import: the standard library, numpy, pyarrow, `offres_crawler.offers`, `offres_crawler.files`,
`offres_crawler.snapshot` (layout, deltas) and, of `offres_crawler.analysis`, the salary
normalisation and the département of a workplace (salary, smic, places: pure functions).
Nothing imports it but the crawl's end (extensions/history.py) and the command line.
"""
