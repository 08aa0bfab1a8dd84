"""`python -m offres_crawler.cli ...`: the same as the `offres-crawler` command."""

import sys

from offres_crawler.cli import main

sys.exit(main())
