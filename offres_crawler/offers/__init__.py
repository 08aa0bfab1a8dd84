"""Offers: the data model of one job offer (framework-free).

Owns: the `Offre` shape of the official spec (schema), checking an offer against it
(validation), offer ids and their format (ids), files of ids (ids_file), the compact id store with the latest
`dateActualisation` per id (id_store), the Arrow schema and rows of the Parquet feeds
(arrow_schema, arrow_rows), row digests (row_digest), withdrawal records (withdrawal) and the
detail crawl's record of answered ids (answer_log).

May import: the standard library, numpy, pyarrow and `offres_crawler.offers`.
"""
