"""`python -m offres_crawler.sandbox`: the same as the `offres-sandbox` console script."""

from __future__ import annotations

import sys

from offres_crawler.sandbox.cli import main

sys.exit(main())
