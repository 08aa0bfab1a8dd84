"""Operations: running the harvest every day, unattended, on scrapyd.

- schedule.py: `offres-crawler schedule`, one full-market snapshot a day through scrapyd's
  schedule.json, resumable after a crash (one JOBDIR per snapshot date);
- scrapyd_overrides.py: an add-on that keeps scrapyd's `items_dir` and `jobs_dir` from replacing
  the project's feeds and the snapshot's JOBDIR;
- progress_meter.py, outcome.py: the progress line and the end-of-run verdict (framework-free);
- unpublish.py: takes back a snapshot published by a run that turned out incomplete;
- docs/operations.md: deployment, the daily schedule, resuming, reading the outcome.
"""
