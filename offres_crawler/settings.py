"""Scrapy settings for offres-crawler. Every project setting is prefixed OFFRES_ and documented in
the README; override any of them with `-s NAME=VALUE`.

The components (download handler, middlewares, pipelines, extensions, exporters) and every FEEDS
decision are wired by one add-on, offres_crawler/addon.py; your own values of those settings win.
"""

from offres_crawler import __version__

BOT_NAME = "offres_crawler"
SPIDER_MODULES = ["offres_crawler.spiders"]
NEWSPIDER_MODULE = "offres_crawler.spiders"

# --- Safe defaults: this is an API client, not a web crawler --------------------------------------
ROBOTSTXT_OBEY = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
COOKIES_ENABLED = False
USER_AGENT = f"offres-crawler/{__version__} (+https://github.com/offres-crawler; Scrapy)"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
ADDONS = {"offres_crawler.addon.OffresAddon": 0}  # components and FEEDS (offres_crawler/addon.py)

# --- API endpoints (REFERENCE Part 1 §11) ---------------------------------------------------------
OFFRES_API_URL = "https://api.francetravail.io/partenaire/offresdemploi"
OFFRES_TOKEN_URL = "https://entreprise.francetravail.fr/connexion/oauth2/access_token?realm=%2Fpartenaire"
OFFRES_SCOPE = "api_offresdemploiv2 o2dsoffre"
# OFFRES_CLIENT_ID / OFFRES_CLIENT_SECRET: read from the environment when not set (never in a file).
# Both URLs must be https:// (http:// only on a loopback host: the sandbox), else the crawl is
# refused before any request (transport/endpoints.py).
DOWNLOAD_VERIFY_CERTIFICATES = True  # Scrapy's default is False: the secret would go to any server
OFFRES_CA_BUNDLE = ""  # a PEM file of CAs to trust instead of the system's (a re-signing proxy, a test server)

# --- Transport: token, rate, retries (middlewares/) -----------------------------------------------
# Every name below is described in docs/transport.md; docs/rate.md explains the pace.
OFFRES_RATE_LIMIT = 3  # API requests per second, as the server counts them (sliding window)
OFFRES_RATE_MARGIN = 0.03  # seconds added to each window, against arrival jitter
OFFRES_FOLLOW_RATELIMIT_HEADERS = False  # True: pace at the capacity the API announces
OFFRES_RETRY_TIMES = 5  # retries of a 5xx / reset / timeout / cut-short answer
OFFRES_RETRY_BACKOFF_BASE = 1.0  # seconds; retry n waits 1/2..1 x min(max, base * 2**(n-1))
OFFRES_RETRY_BACKOFF_MAX = 30.0
OFFRES_RATELIMIT_RETRY_TIMES = 10  # retries of one request answered 429
OFFRES_RETRY_AFTER_DEFAULT = 60.0  # seconds, when a 429 has no readable Retry-After
OFFRES_RETRY_AFTER_MAX = 600.0
OFFRES_TOKEN_RETRY_TIMES = 6  # retries of the token request on transient errors
COMMANDS_MODULE = "offres_crawler.commands"  # `scrapy crawl` exit codes 0 / 1 / 3, from the verdict
AUTOTHROTTLE_ENABLED = False  # it ignores Retry-After and rewrites slot delays (docs/rate.md)
DOWNLOAD_TIMEOUT = 60

# --- offres_search: parameters, paging, planner ---------------------------------------------------
OFFRES_RANGE_MAX_START = 3000  # highest range start; a lower one is learned from the API's 400
OFFRES_CREATION_FLOOR = "2000-01-01T00:00:00Z"  # minCreationDate sent when the query has none
OFFRES_SUM_TOLERANCE = 0.001  # origine passes vs the query's total: share of offers that may differ
OFFRES_SEARCH_REPLICA_LAG = 5  # seconds an answer may lag the server's Date (harvest/lag.py)
OFFRES_SEARCH_BUDGET = 3.0  # requests allowed per ceil(N/150), plus a fixed 30; 0: no budget
OFFRES_SEARCH_OFFERS_URI = "output/offres_search/offres_%(time)s.jsonl"  # no -O/-o/FEEDS, no snapshot
OFFRES_SEARCH_REPORT = ""  # default: beside the first file feed (x.jsonl -> x.report.json)

# --- Items: pipelines, feeds, exporters -----------------------------------------------------------
# The add-on sets these exporters too, but `scrapy crawl -O x.parquet` checks the format against
# FEED_EXPORTERS before any add-on runs: so they are named here as well.
FEED_EXPORTERS = {
    "parquet": "offres_crawler.exporters.parquet.ParquetItemExporter",
    "jsonl": "offres_crawler.exporters.jsonl.JsonLinesItemExporter",
    "jsonlines": "offres_crawler.exporters.jsonl.JsonLinesItemExporter",
}
OFFRES_OFFER_SPIDERS = ["offres_search", "offres_detail"]  # spiders whose items are offers: validated, deduplicated
OFFRES_VALIDATE_ENABLED = True
OFFRES_REJECTS_URI = "output/rejects/%(name)s_%(time)s.jsonl"
OFFRES_REJECTS_LOG_FIRST = 10
OFFRES_DEDUP_ENABLED = True
OFFRES_DEDUP_INITIAL_CAPACITY = 65536
OFFRES_PARQUET_ROW_GROUP_ROWS = 10000
OFFRES_PARQUET_COMPRESSION = "zstd"
# Snapshot layout (output/offres/snapshot_date=YYYY-MM-DD/): see snapshot/state.py.
OFFRES_SNAPSHOT = False
OFFRES_SNAPSHOT_DIR = "output/offres"
OFFRES_SNAPSHOT_DATE = ""  # default: the UTC date the snapshot starts (kept when resumed)
OFFRES_SNAPSHOT_PART_ITEMS = 100000
OFFRES_SNAPSHOT_JSONL = False
OFFRES_SNAPSHOT_JSONL_GZIP = True
OFFRES_SINCE = ""  # "latest" or an instant: only the offers created after it, into _fresh/ (snapshot/fresh.py)

# --- referentiels and offres_detail spiders (docs/referentiels_detail.md) -----------------------
# Used when the user gives no FEEDS (-O/-o): %(date)s is the run's UTC day, %(referentiel)s a list.
OFFRES_REFERENTIELS_URI = "output/referentiels/%(date)s/%(referentiel)s.jsonl"
OFFRES_REFERENTIELS_REPORT = "output/referentiels/%(date)s/_report.json"  # "" = no report
OFFRES_DETAIL_OFFERS_URI = "output/offres_detail/offres_%(time)s.jsonl"  # when no FEEDS given
OFFRES_DETAIL_WITHDRAWALS_URI = "output/offres_detail/withdrawals_%(time)s.jsonl"  # -O too

# --- Analysts: salary normalisation, licence-safe export (issue 8) --------------------------------
OFFRES_SALARY_NORMALISATION = False  # True: add `offres_salaire` (min, max, period, annual gross)
OFFRES_SALARY_FIELD = "offres_salaire"
OFFRES_SMIC_HOURLY = None  # EUR/h for "% du SMIC"; None: the SMIC in force on the offer's date (analysis/smic.py)
OFFRES_EXPORT_PROFILE = "full"  # "redistribution": drop the licence's art. 7 fields from every feed

# --- Operations: verdict, progress, deltas, scrapyd (docs/operations.md) ------------------------
OFFRES_VERDICT_FILE = ""  # the verdict as JSON; default: JOBDIR/offres_verdict.json when there is a JOBDIR
OFFRES_PROGRESS_ENABLED = True  # the progress lines (the summary and the OUTCOME line always come)
OFFRES_PROGRESS_INTERVAL = 60.0  # seconds between progress lines; 0: none
OFFRES_PROGRESS_WINDOW = 120.0  # seconds over which the current rate (and the ETA) is measured
OFFRES_PROGRESS_BAR = "auto"  # live bar, not progress lines: auto (a terminal, no LOG_FILE, not scrapyd), on, off
OFFRES_TERMINAL_LOG_LEVEL = "WARNING"  # Scrapy's log level beside the bar, unless LOG_LEVEL is given (-L, -s)
OFFRES_DELTAS_ENABLED = True  # snapshot layout only: deltas against the previous snapshot
OFFRES_DELTAS_DIR = ""  # default: beside the snapshots, OFFRES_SNAPSHOT_DIR + "_deltas"
OFFRES_DELTAS_JSONL_GZIP = True
OFFRES_HISTORY_ENABLED = True  # snapshot layout only: the history of every offer, after the deltas
OFFRES_HISTORY_DIR = ""  # default: beside the snapshots, OFFRES_SNAPSHOT_DIR + "_history"
OFFRES_HISTORY_CHECKPOINTS = 7  # generations kept, from which a day published again or late is re-applied
OFFRES_SCRAPYD_ITEMS_FEED = "drop"  # "keep": leave scrapyd's items_dir feed in snapshot crawls too
OFFRES_CHECKPOINT_INTERVAL = 60.0  # with JOBDIR: seconds between checkpoints (snapshot parts close that often)
OFFRES_JOBDIR = ""  # set by `offres-crawler schedule`: the JOBDIR to use even if scrapyd's jobs_dir replaced it
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleLifoSQLiteQueue"  # JOBDIR requests survive SIGKILL (docs/operations.md)
SCHEDULER_START_DISK_QUEUE = "scrapy.squeues.PickleFifoSQLiteQueue"  # start() requests too (same page)
