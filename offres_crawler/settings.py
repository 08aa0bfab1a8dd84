"""Scrapy settings for offres-crawler. Every project setting is prefixed OFFRES_ and documented in
the README; override any of them with `-s NAME=VALUE`."""

BOT_NAME = "offres_crawler"
SPIDER_MODULES = ["offres_crawler.spiders"]
NEWSPIDER_MODULE = "offres_crawler.spiders"

# --- Safe defaults: this is an API client, not a web crawler --------------------------------------
ROBOTSTXT_OBEY = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
COOKIES_ENABLED = False
USER_AGENT = "offres-crawler/0.1 (+https://github.com/offres-crawler; Scrapy)"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"

# --- API endpoints (REFERENCE Part 1 §11) ---------------------------------------------------------
OFFRES_API_URL = "https://api.francetravail.io/partenaire/offresdemploi"
OFFRES_TOKEN_URL = "https://entreprise.francetravail.fr/connexion/oauth2/access_token?realm=%2Fpartenaire"
OFFRES_SCOPE = "api_offresdemploiv2 o2dsoffre"
# OFFRES_CLIENT_ID / OFFRES_CLIENT_SECRET: read from the environment when not set (never in a file).

# --- Transport: token, rate, retries (middlewares/) -----------------------------------------------

# --- offres_search: parameters, paging, planner ---------------------------------------------------

# --- Items: pipelines, feeds, exporters -----------------------------------------------------------
