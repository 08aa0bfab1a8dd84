"""Helpers carried over from the api-offres-emploi wrapper, kept at this documented place:
`dt_to_str_iso`, `filters_to_df`, `load_snapshot` (they live in `offres_crawler.analysis.readers`)."""

from offres_crawler.analysis.readers import (
                                             PARTITION,
                                             dt_to_str_iso,
                                             filters_to_df,
                                             load_snapshot,
                                             snapshot_dirs,
                                             snapshot_manifest,
)

__all__ = ["PARTITION", "dt_to_str_iso", "filters_to_df", "load_snapshot", "snapshot_dirs",
           "snapshot_manifest"]
