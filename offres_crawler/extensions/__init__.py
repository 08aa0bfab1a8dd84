"""Scrapy extensions of the project (glue), wired by the add-on (offres_crawler/addon.py).

Owns: the end of every run (run_end: the verdict, publication, the run report, the verdict file,
the deltas step of deltas, the summary and the OUTCOME line), the snapshot's commits and its
manifest (snapshot), the finishing of offer feeds (feed_compaction), licence manifests beside
feeds (export_manifest) and the progress lines (progress).

May import: Scrapy, Twisted and any package of offres_crawler except spiders/, commands/, cli/,
addon.py (which imports them) and the sandbox; tests/test_architecture.py keeps the package
free of import cycles.
"""
