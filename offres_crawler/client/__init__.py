"""The synchronous Python client (notebooks, scripts): `OffresClient` (docs/client.md).

Owns: the client and its calls (client), arguments as Python values (arguments), the access
token with requests-oauthlib (auth), the pace of an application shared by its clients (pace),
one paced, authorized, retried call (session), its retry rules (policy), https and the
sandbox's plain http (tls), a harvest driven by the crawl's planner (harvest), and what it
raises (errors).

Shares, never copies, the crawl's framework-free code: parameters and their rules, URLs, the
planner, search pages, the verdict and the run report (harvest/); the token exchange and clock,
the pacer, backoff, retry rules, API error bodies and the environment (transport/, its
framework-free modules only); offer ids and Arrow rows (offers/); the defaults of settings.py.

May import: the standard library, requests, requests-oauthlib, oauthlib, pyarrow (pandas
lazily, through `offres_crawler.extras`), `offres_crawler.client`, `offres_crawler.harvest`,
`offres_crawler.offers`, `offres_crawler.settings`, `offres_crawler.redaction` (secrets masked
in every log record, as in a crawl) and the framework-free modules of `offres_crawler.transport`;
never Scrapy or Twisted (tests/test_architecture.py). Typed strictly (`make lint`).
"""

from offres_crawler.client.client import OffresClient
from offres_crawler.client.errors import ApiError, AuthenticationError
from offres_crawler.client.harvest import Harvest
from offres_crawler.client.policy import RetryPolicy

__all__ = ["ApiError", "AuthenticationError", "Harvest", "OffresClient", "RetryPolicy"]
